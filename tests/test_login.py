import pytest

from tests.factories import make_user

pytestmark = pytest.mark.django_db


def log_in(client, username: str, password: str):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


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
        log_in(client, "writer", "wrong")

    response = log_in(client, "other", "secret-pass")

    assert response.status_code == 302
