import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings

from tests.factories import make_user

pytestmark = pytest.mark.django_db


def log_in(client, username: str, password: str, **headers):
    return client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}, **headers
    )


def from_address(address: str) -> dict:
    return {"REMOTE_ADDR": address}


def through_proxy(client_address: str, proxy: str = "10.0.0.1") -> dict:
    return {"REMOTE_ADDR": proxy, "HTTP_X_FORWARDED_FOR": client_address}


def try_many_accounts(client, headers_for=lambda number: {}, failures=None) -> None:
    """Wrong passwords for one account after another (`failures` of them, by default as
    many as lock out an address), each request's headers from `headers_for(number)`."""
    for number in range(failures or django_settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        log_in(client, f"someone{number}", "wrong", **headers_for(number))


def test_right_password_logs_in(client):
    make_user("writer", group="Writers")

    response = log_in(client, "writer", "secret-pass")

    assert (response.status_code, response["Location"]) == (302, "/admin/")


def test_repeated_wrong_passwords_lock_the_account_out(client):
    make_user("writer", group="Writers")
    for _ in range(4):
        assert log_in(client, "writer", "wrong").status_code == 200
    assert log_in(client, "writer", "wrong").status_code == 429  # the fifth failure locks

    response = log_in(client, "writer", "secret-pass")

    assert response.status_code == 429
    html = response.content.decode()
    assert "パスワードを続けて間違えたため" in html
    assert "15 分後" in html
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_names_the_site_not_django(client):
    make_user("writer", group="Writers")
    for _ in range(5):
        log_in(client, "writer", "wrong")

    html = log_in(client, "writer", "wrong").content.decode()

    assert "Django" not in html
    assert '<div id="site-name"><a href="/admin/">SRE Tech Blog</a></div>' in html
    assert "<title>ログインの失敗が続いています | SRE Tech Blog</title>" in html


def test_lockout_of_one_account_leaves_others_alone(client):
    make_user("writer", group="Writers")
    make_user("other", group="Writers")
    for _ in range(5):
        log_in(client, "writer", "wrong", **from_address("198.51.100.1"))

    response = log_in(client, "other", "secret-pass", **from_address("198.51.100.2"))

    assert response.status_code == 302


def test_login_without_next_goes_to_the_admin_home(client):
    make_user("writer", group="Writers")

    response = client.post("/admin/login/", {"username": "writer", "password": "secret-pass"})

    assert (response.status_code, response["Location"]) == (302, "/admin/")


def test_one_address_trying_many_accounts_is_locked_out(client):
    make_user("editor", group="Editors")
    limit = django_settings.LOGIN_ADDRESS_FAILURE_LIMIT
    assert limit == 20  # the default, as the README gives it
    try_many_accounts(client, lambda number: from_address("198.51.100.7"), failures=limit - 1)
    assert (
        log_in(client, "editor", "secret-pass", **from_address("198.51.100.7")).status_code == 302
    )
    client.logout()
    try_many_accounts(client, lambda number: from_address("198.51.100.7"), failures=limit)

    locked = log_in(client, "editor", "secret-pass", **from_address("198.51.100.7"))
    elsewhere = log_in(client, "editor", "secret-pass", **from_address("198.51.100.8"))

    assert (locked.status_code, elsewhere.status_code) == (429, 302)


def test_one_forgotten_password_does_not_lock_out_the_team_sharing_its_address(client):
    """A team at a conference logs in through the venue's one address."""
    make_user("forgetful", group="Writers")
    make_user("colleague", group="Writers")
    make_user("another", group="Writers")
    venue = from_address("198.51.100.50")
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        log_in(client, "forgetful", "wrong", **venue)
    log_in(client, "another", "typo", **venue)  # someone else mistypes once meanwhile

    forgetful = log_in(client, "forgetful", "secret-pass", **venue)
    colleague = log_in(client, "colleague", "secret-pass", **venue)
    client.logout()
    another = log_in(client, "another", "secret-pass", **venue)

    assert (forgetful.status_code, colleague.status_code, another.status_code) == (429, 302, 302)


def test_one_account_tried_from_many_addresses_is_locked_out(client):
    make_user("editor", group="Editors")
    make_user("writer", group="Writers")
    for number in range(5):
        log_in(client, "editor", "wrong", **from_address(f"198.51.100.{number}"))

    locked = log_in(client, "editor", "secret-pass", **from_address("203.0.113.9"))
    other_account = log_in(client, "writer", "secret-pass", **from_address("203.0.113.9"))

    assert (locked.status_code, other_account.status_code) == (429, 302)


def test_behind_a_proxy_clients_are_counted_apart(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    try_many_accounts(client, lambda number: through_proxy("198.51.100.7"))
    make_user("editor", group="Editors")

    attacker = log_in(client, "editor", "secret-pass", **through_proxy("198.51.100.7"))
    # The proxy's address is shared by everyone; the editor's own address is clean.
    editor = log_in(client, "editor", "secret-pass", **through_proxy("203.0.113.5"))

    assert (attacker.status_code, editor.status_code) == (429, 302)


def test_behind_a_proxy_only_the_proxys_own_entry_is_believed(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client writes a new address of its own each time; the proxy appends the real one.
    try_many_accounts(client, lambda number: through_proxy(f"192.0.2.{number}, 198.51.100.7"))
    make_user("editor", group="Editors")

    response = log_in(client, "editor", "secret-pass", **through_proxy("198.51.100.7"))

    assert response.status_code == 429


def test_without_a_proxy_a_forged_forwarded_header_changes_nothing(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    try_many_accounts(
        client,
        lambda number: {"REMOTE_ADDR": "198.51.100.7", "HTTP_X_FORWARDED_FOR": f"192.0.2.{number}"},
    )
    make_user("editor", group="Editors")

    response = log_in(
        client,
        "editor",
        "secret-pass",
        REMOTE_ADDR="198.51.100.7",
        HTTP_X_FORWARDED_FOR="192.0.2.99",
    )

    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}


def test_the_login_page_says_why_it_came_up_when_a_page_sent_the_person_there(client):
    note = "ログインすると、開こうとしていたページにそのまま戻ります。"
    kept_text = "ログインが切れたときに入力していた本文"

    from_editor = client.get("/admin/login/", {"next": "/admin/blog/section/1/change/"})
    from_board = client.get("/admin/login/", {"next": "/admin/blog/report/coverage/1/"})
    from_preview = client.get("/admin/login/", {"next": "/preview/reports/3/"})
    plain = client.get("/admin/login/").content.decode()

    assert note in from_editor.content.decode() and kept_text in from_editor.content.decode()
    assert 'name="next" value="/admin/blog/section/1/change/"' in from_editor.content.decode()
    for response in (from_board, from_preview):
        # Nothing was being typed there: the note says only where the login leads.
        assert note in response.content.decode()
        assert kept_text not in response.content.decode()
    assert note not in plain
