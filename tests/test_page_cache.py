"""Readers' pages from the cache (blog/pagecache.py): kept, shown fresh after every change,
never for staff or previews, and cacheable by a CDN (no cookie, ETag, 304).

Each test commits its changes as the site does (`commit`, which runs the on-commit work a
real commit would); the page cache empties itself only then. Every test runs with the
cache in this process's memory and again with Redis.
"""

import datetime
import gzip
import http.cookiejar
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from unittest import mock

import brotli
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog import editing, pagecache, workflow
from blog.enums import SectionStatus
from blog.models import Photo, Report, Section, ShareLink, Tag
from blog.sharing import token_for
from cms import backends
from tests.conftest import TEST_REDIS_URL
from tests.factories import (
    bind_approval,
    make_event,
    make_photo,
    make_report,
    make_section,
    make_session,
    make_speaker,
    make_user,
)
from tests.servers import free_port, wait_for_port

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def page_cache(request, settings):
    """The page cache on, in this process's memory or in Redis (shared by every process)."""
    settings.PAGE_CACHE_ENABLED = True
    settings.PAGE_CACHE_SECONDS = 24 * 3600
    if request.param == "redis":
        request.getfixturevalue("redis_cache")
    return request.param


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a change as a committed transaction: its on-commit work (the cache's) runs."""

    def run(change):
        with django_capture_on_commit_callbacks(execute=True):
            return change()

    return run


@pytest.fixture
def published(commit):
    """A published report on an event: one session section with a speaker, a photo, a tag."""

    def build():
        event = make_event(name="KubeCon NA", city="Detroit")
        speaker = make_speaker(name="Lin Sun", affiliation="Solo.io", slug="lin-sun")
        session = make_session(event, speakers=(speaker,), title="Istio Today")
        writer = make_user("sato", group="Writers", team="基盤チーム")
        report = make_report(published=True, event=event, title="参加レポート", slug="report")
        report.tags.add(Tag.objects.create(name="KubeCon", slug="kubecon"))
        section = make_section(report, session=session, author=writer, body="最初の本文。")
        photo = make_photo(report, section, caption="会場の様子")
        return {
            "event": event,
            "speaker": speaker,
            "session": session,
            "writer": writer,
            "report": report,
            "section": section,
            "photo": photo,
        }

    return commit(build)


def page(client, url: str, **headers) -> tuple[str, int]:
    """The page's HTML and the number of queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def report_titles(html: str) -> list[str]:
    return re.findall(r'report-card__title"><a [^>]*>(.*?)</a>', html)


def kept(client, url: str) -> str:
    """Request `url` twice; the second answer must come from the cache."""
    first, _ = page(client, url)
    second, queries = page(client, url)
    assert queries == 0
    assert second == first
    return second


# --- Kept, and served without work ------------------------------------------------------------


def test_reader_gets_the_kept_page_without_a_query(client, page_cache, published):
    first, queries = page(client, "/reports/report/")
    again, queries_again = page(client, "/reports/report/")

    assert queries > 0
    assert queries_again == 0
    assert again == first


def test_a_kept_page_says_its_length(client, page_cache, published):
    rendered = client.get("/reports/report/")
    kept_page = client.get("/reports/report/")

    assert kept_page["Content-Length"] == rendered["Content-Length"]
    assert int(kept_page["Content-Length"]) == len(kept_page.content)


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/reports/report/",
        "/events/{event}/",
        "/sessions/{session}/",
        "/speakers/lin-sun/",
        "/authors/sato/",
        "/tags/kubecon/",
        "/search/?q=Istio",
        "/feeds/",
        "/en/feeds/",
        "/feed/",
        "/feed/rss/",
        "/sitemap.xml",
        "/robots.txt",
        "/en/reports/report/",
    ],
)
def test_every_public_page_is_kept(client, page_cache, published, url):
    url = url.format(event=published["event"].slug, session=published["session"].slug)
    kept(client, url)


def test_tracking_parameters_find_the_kept_page_but_other_parameters_do_not(
    client, page_cache, published
):
    bare = kept(client, "/reports/report/")

    shared, queries = page(client, "/reports/report/?utm_source=social&fbclid=x")
    assert (shared, queries) == (bare, 0)
    _, unknown = page(client, "/reports/report/?preview=1")
    _, unknown_again = page(client, "/reports/report/?preview=1")
    assert unknown > 0
    assert unknown_again > 0


def test_page_numbers_and_search_words_are_kept_apart(client, page_cache, published):
    found = kept(client, "/search/?q=Istio")
    nothing = kept(client, "/search/?q=nothing-like-this")

    assert report_titles(found) == ["参加レポート"]
    assert report_titles(nothing) == []


def test_japanese_and_english_are_kept_apart(client, page_cache, published):
    japanese = kept(client, "/reports/report/")
    english = kept(client, "/en/reports/report/")

    assert '<html lang="ja">' in japanese
    assert '<html lang="en">' in english


def test_a_missing_page_is_not_kept(client, page_cache, published, commit):
    assert client.get("/reports/later/").status_code == 404

    commit(lambda: make_report(published=True, slug="later"))

    assert client.get("/reports/later/").status_code == 200


# --- Shown fresh after every change -------------------------------------------------------------


def test_publishing_shows_the_report_at_once(client, page_cache, published, commit):
    editor = make_user("editor", group="Editors")
    draft = make_report(title="新しいレポート", slug="new")
    bind_approval(make_section(draft, status=SectionStatus.APPROVED))
    assert report_titles(kept(client, "/")) == ["参加レポート"]

    commit(lambda: workflow.publish(draft, by=editor))

    assert report_titles(kept(client, "/")) == ["新しいレポート", "参加レポート"]
    assert client.get("/reports/new/").status_code == 200


def test_unpublishing_takes_the_report_off_at_once(client, page_cache, published, commit):
    editor = make_user("editor", group="Editors")
    kept(client, "/reports/report/")
    assert report_titles(kept(client, "/")) == ["参加レポート"]

    commit(lambda: workflow.unpublish(published["report"], by=editor))

    assert client.get("/reports/report/").status_code == 404
    assert report_titles(kept(client, "/")) == []


def test_a_scheduled_report_appears_when_its_time_comes(client, page_cache, commit):
    editor = make_user("editor", group="Editors")
    report = make_report(title="予約したレポート", slug="scheduled")
    bind_approval(make_section(report, status=SectionStatus.APPROVED))
    at = timezone.now() + datetime.timedelta(hours=1)
    commit(lambda: workflow.publish(report, by=editor, at=at))
    assert report_titles(kept(client, "/")) == []

    # Nothing is written when the time comes: the kept index must not outlive it.
    with mock.patch("django.utils.timezone.now", return_value=at + datetime.timedelta(seconds=1)):
        index, queries = page(client, "/")
        response = client.get("/reports/scheduled/")

    assert queries > 0
    assert report_titles(index) == ["予約したレポート"]
    assert response.status_code == 200


def test_kept_pages_are_not_kept_by_others_past_the_next_scheduled_time(
    client, page_cache, published, commit, settings
):
    settings.PAGE_CACHE_SHARED_MAX_AGE = 3600
    editor = make_user("editor", group="Editors")
    report = make_report(slug="soon")
    bind_approval(make_section(report, status=SectionStatus.APPROVED))
    at = timezone.now() + datetime.timedelta(minutes=10)
    commit(lambda: workflow.publish(report, by=editor, at=at))

    rendered = client.get("/")["Cache-Control"]
    kept = client.get("/")["Cache-Control"]

    for cache_control in (rendered, kept):
        shared = int(re.search(r"s-maxage=(\d+)", cache_control).group(1))
        assert 500 <= shared <= 600


def test_a_section_correction_shows_at_once(client, page_cache, published, commit):
    editor = make_user("editor", group="Editors")
    assert "最初の本文。" in kept(client, "/reports/report/")
    section = Section.objects.get(pk=published["section"].pk)
    section.body = "訂正した本文。"

    commit(lambda: editing.save_section(section, by=editor))

    html = kept(client, "/reports/report/")
    assert "訂正した本文。" in html
    assert "最初の本文。" not in html


def test_a_photo_caption_shows_at_once(client, page_cache, published, commit):
    editor = make_user("editor", group="Editors")
    assert "会場の様子" in kept(client, "/reports/report/")
    photo = Photo.objects.get(pk=published["photo"].pk)
    photo.caption = "基調講演の会場"

    commit(lambda: editing.save_photo(photo, by=editor))

    html = kept(client, "/reports/report/")
    assert re.findall(r'<span class="figure__caption">(.*?)</span>', html) == ["基調講演の会場"]


def test_a_speaker_edit_shows_at_once(client, page_cache, published, commit):
    assert "Solo.io" in kept(client, "/reports/report/")
    speaker = published["speaker"]
    speaker.affiliation = "Google"

    commit(speaker.save)

    html = kept(client, "/reports/report/")
    assert re.findall(r'<span class="speaker__affiliation">(.*?)</span>', html) == ["Google"]
    assert "Google" in kept(client, "/speakers/lin-sun/")


def test_a_session_edit_shows_at_once(client, page_cache, published, commit):
    kept(client, "/reports/report/")
    session = published["session"]
    session.title = "Istio Ambient"

    commit(session.save)

    assert "Istio Ambient" in kept(client, "/reports/report/")


def test_an_event_edit_shows_at_once(client, page_cache, published, commit):
    assert "Detroit" in kept(client, "/reports/report/")
    event = published["event"]
    event.city = "Chicago"

    commit(event.save)

    html = kept(client, "/reports/report/")
    assert "Chicago" in html
    assert "Detroit" not in html


def test_a_tag_shows_at_once(client, page_cache, published, commit):
    kept(client, "/reports/report/")

    tag = Tag.objects.get(slug="kubecon")
    tag.name = "CloudNative"
    commit(tag.save)
    commit(lambda: published["report"].tags.add(Tag.objects.create(name="Istio", slug="istio")))

    html = kept(client, "/reports/report/")
    assert re.findall(r'<a class="tag" href="[^"]+">(.*?)</a>', html) == ["CloudNative", "Istio"]


def test_an_author_profile_shows_at_once(client, page_cache, published, commit):
    kept(client, "/reports/report/")
    profile = published["writer"].author_profile
    profile.display_name = "佐藤 花子"

    commit(profile.save)

    html = kept(client, "/reports/report/")
    assert re.findall(r'<a class="byline__name" href="[^"]+">(.*?)</a>', html) == ["佐藤 花子"]


def test_a_report_deleted_in_the_admin_goes_at_once(client, page_cache, published, commit):
    kept(client, "/reports/report/")

    commit(lambda: Report.objects.filter(pk=published["report"].pk).delete())

    assert client.get("/reports/report/").status_code == 404


# --- Never kept for staff, previews, share links -----------------------------------------------


def test_staff_get_the_public_page_fresh_and_never_stored(client, page_cache, published):
    kept(client, "/reports/report/")
    client.force_login(make_user("editor", group="Editors"))

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/reports/report/")

    assert len(queries) > 0
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_staff_visit_leaves_nothing_in_the_cache(client, page_cache, published):
    client.force_login(make_user("editor", group="Editors"))
    client.get("/reports/report/")
    client.logout()

    _, queries = page(client, "/reports/report/")

    assert queries > 0


def test_previews_and_share_links_are_no_store(client, page_cache, published):
    editor = make_user("editor", group="Editors")
    report = published["report"]
    link = ShareLink.objects.create(
        report=report, created_by=editor, expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    client.force_login(editor)
    preview = client.get(f"/preview/reports/{report.pk}/")
    client.logout()
    shared = client.get(f"/preview/shared/{token_for(link)}/")

    assert preview.status_code == shared.status_code == 200
    assert "no-store" in preview["Cache-Control"]
    assert "no-store" in shared["Cache-Control"]


def test_the_admin_is_no_store(client, page_cache):
    assert "no-store" in client.get("/admin/login/")["Cache-Control"]


# --- Ready for a CDN: no cookie, no token, ETag, 304 --------------------------------------------


@pytest.mark.parametrize("url", ["/reports/report/", "/feeds/"])
def test_public_pages_set_no_cookie_and_carry_no_token(client, page_cache, published, url):
    for attempt in ("rendered", "kept"):
        response = client.get(url)
        html = response.content.decode()

        assert "Set-Cookie" not in response, attempt
        assert not response.cookies, attempt
        assert "csrfmiddlewaretoken" not in html, attempt
        # Kept pages are kept compressed too: the one thing the page varies on.
        assert response["Vary"] == "Accept-Encoding", attempt
        assert response["Cache-Control"] == "public, max-age=0, s-maxage=60", attempt


def test_the_admins_language_choice_changes_no_readers_page(client, page_cache, published):
    client.cookies["django_language"] = "en"  # chosen in the admin (Django's cookie)
    chosen = client.get("/reports/report/")  # rendered, and kept
    del client.cookies["django_language"]
    plain = client.get("/reports/report/")

    assert '<html lang="ja"' in chosen.content.decode()  # the address decides
    assert plain["ETag"] == chosen["ETag"]  # the page kept is everyone's
    assert not chosen.cookies
    assert chosen["Vary"] == "Accept-Encoding"


def test_a_matching_etag_gets_not_modified(client, page_cache, published):
    first = client.get("/reports/report/")
    rendered = client.get("/reports/report/", headers={"if-none-match": first["ETag"]})
    kept_too = client.get("/reports/report/", headers={"if-none-match": first["ETag"]})
    other = client.get("/reports/report/", headers={"if-none-match": '"something-else"'})

    assert first["ETag"].startswith('"')
    assert rendered.status_code == kept_too.status_code == 304
    assert rendered.content == b""
    assert other.status_code == 200


def test_an_unchanged_page_since_the_date_gets_not_modified(client, page_cache, published):
    first = client.get("/")

    again = client.get("/", headers={"if-modified-since": first["Last-Modified"]})

    assert again.status_code == 304


BROWSER_ENCODINGS = "gzip, deflate, br, zstd"


def test_readers_who_take_brotli_get_the_kept_page_in_it(client, page_cache, published):
    browser = {"accept-encoding": BROWSER_ENCODINGS}
    rendered = client.get("/reports/report/", headers=browser)
    kept_page = client.get("/reports/report/", headers=browser)
    plain = client.get("/reports/report/")
    gzipped = client.get("/reports/report/", headers={"accept-encoding": "gzip"})

    for attempt, response in (("rendered", rendered), ("kept", kept_page)):
        assert response["Content-Encoding"] == "br", attempt
        assert response["Vary"] == "Accept-Encoding", attempt
        assert brotli.decompress(response.content) == plain.content, attempt
        assert int(response["Content-Length"]) == len(response.content), attempt
        assert len(response.content) < len(gzipped.content), attempt
        assert response["ETag"] == f"W/{plain['ETag']}", attempt


@pytest.mark.parametrize("accept_encoding", ["gzip", "x-gzip", "gzip, deflate", "br;q=0, *"])
def test_readers_who_take_gzip_but_not_brotli_get_the_kept_page_gzipped(
    client, page_cache, published, accept_encoding
):
    # As browsers ask over plain HTTP: they offer brotli only over HTTPS.
    rendered = client.get("/reports/report/", headers={"accept-encoding": accept_encoding})
    kept_page = client.get("/reports/report/", headers={"accept-encoding": accept_encoding})
    plain = client.get("/reports/report/")

    for attempt, response in (("rendered", rendered), ("kept", kept_page)):
        assert response["Content-Encoding"] == "gzip", attempt
        assert response["Vary"] == "Accept-Encoding", attempt
        assert gzip.decompress(response.content) == plain.content, attempt
        assert int(response["Content-Length"]) == len(response.content), attempt
        assert len(response.content) < len(plain.content) / 2, attempt
        assert response["ETag"] == f"W/{plain['ETag']}", attempt


@pytest.mark.parametrize("accept_encoding", [None, "identity", "zstd", "gzip;q=0, br;q=0", "*;q=0"])
def test_readers_who_take_neither_get_the_page_as_it_is(
    client, page_cache, published, accept_encoding
):
    headers = {"accept-encoding": accept_encoding} if accept_encoding else {}
    client.get("/reports/report/", headers={"accept-encoding": "gzip"})  # kept, every way

    response = client.get("/reports/report/", headers=headers)

    assert "Content-Encoding" not in response
    assert response["Vary"] == "Accept-Encoding"
    assert response.content.decode().startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("accept_encoding", ["gzip", BROWSER_ENCODINGS])
def test_a_compressed_page_gets_not_modified_for_either_etag(
    client, page_cache, published, accept_encoding
):
    asks = {"accept-encoding": accept_encoding}
    plain = client.get("/reports/report/")
    compressed = client.get("/reports/report/", headers=asks)

    for etag in (compressed["ETag"], plain["ETag"]):
        again = client.get("/reports/report/", headers=asks | {"if-none-match": etag})
        assert again.status_code == 304, etag
    changed = client.get("/reports/report/", headers=asks | {"if-none-match": '"other"'})
    assert changed.status_code == 200


def test_a_page_rendered_for_one_request_is_sent_as_it_is(client, page_cache, published):
    with_tracking = client.get(
        "/reports/report/?utm_source=x", headers={"accept-encoding": BROWSER_ENCODINGS}
    )

    assert with_tracking.status_code == 200
    assert "Content-Encoding" not in with_tracking
    assert "Vary" not in with_tracking


def test_a_small_page_is_not_kept_compressed(client, page_cache):
    for attempt in ("rendered", "kept"):
        response = client.get("/robots.txt", headers={"accept-encoding": BROWSER_ENCODINGS})

        assert "Content-Encoding" not in response, attempt
        assert "Vary" not in response, attempt


@pytest.mark.parametrize(
    ("accept_encoding", "taken"),
    [
        ("gzip", {"gzip"}),
        ("GZIP", {"gzip"}),
        ("gzip, deflate, br, zstd", {"br", "gzip"}),
        ("br;q=1.0, gzip;q=0.8", {"br", "gzip"}),
        ("x-gzip", {"gzip"}),
        ("*", {"br", "gzip"}),
        ("identity;q=1, *;q=0.5", {"br", "gzip"}),
        ("", set()),
        ("identity", set()),
        ("br, zstd", {"br"}),
        ("gzip;q=0", set()),
        ("gzip; q=0.000", set()),
        ("gzip;q=0, *", {"br"}),
        ("br;q=0, *", {"gzip"}),
        ("*;q=0", set()),
        ("gzip;q=nonsense", set()),
    ],
)
def test_accept_encoding_is_read_as_the_standard_says(accept_encoding, taken):
    from blog.pagecache import accepted_codings

    assert accepted_codings(accept_encoding) == taken


def test_the_same_page_is_always_compressed_to_the_same_bytes():
    from blog.pagecache import compress_page

    page = "<p>同じページ</p>".encode() * 200

    assert compress_page(page) == compress_page(page)
    assert [coding for coding, _ in compress_page(page)] == ["br", "gzip"]
    assert brotli.decompress(dict(compress_page(page))["br"]) == page
    assert gzip.decompress(dict(compress_page(page))["gzip"]) == page
    assert compress_page(b"<p>short</p>") == ()


def test_etag_without_the_cache_too(client, settings, published):
    settings.PAGE_CACHE_ENABLED = False
    first = client.get("/reports/report/")

    again = client.get("/reports/report/", headers={"if-none-match": first["ETag"]})

    assert again.status_code == 304


# --- Two app processes sharing Redis -----------------------------------------------------------


@pytest.fixture(params=["pages", "fragments"])
def two_servers(request, settings, redis_cache):
    """Two gunicorn processes on the test database, sharing one Redis: two app machines,
    keeping whole pages, or (the page cache off) only the report page's fragments."""
    settings.PAGE_CACHE_ENABLED = True
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.server_settings",
        "DATABASE_URL": (
            f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "REDIS_URL": TEST_REDIS_URL,
        "CACHE_KEY_PREFIX": redis_cache["KEY_PREFIX"],
        "ALLOWED_HOSTS": "127.0.0.1",
        "PAGE_CACHE": "1" if request.param == "pages" else "0",
    }
    ports, processes = [free_port(), free_port()], []
    try:
        for port in ports:
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "cms.wsgi:application",
                        "--workers",
                        "1",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--log-level",
                        "warning",
                    ],
                    cwd=ROOT,
                    env=env,
                )
            )
        for port, process in zip(ports, processes, strict=True):
            wait_for_port(port, process)
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


class AdminSession:
    """An editor signed in to one server's admin, posting as the browser would."""

    def __init__(self, server: str, username: str, password: str):
        self.server = server
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.post(
            "/admin/login/",
            {"username": username, "password": password, "next": "/admin/"},
            form_page="/admin/login/",
        )

    def post(self, path: str, data: dict, *, form_page: str) -> None:
        """Post `data` to `path` with the CSRF token of the form on `form_page`."""
        form = self.opener.open(f"{self.server}{form_page}").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        with self.opener.open(f"{self.server}{path}", body) as response:
            assert response.status == 200


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_app_processes_sharing_redis_both_serve_a_publish_made_on_either(
    staff_roles, two_servers
):
    first, second = two_servers
    editor = make_user("editor", group="Editors")
    editor.set_password("editor-pass")
    editor.save()
    report = make_report(title="二台目でも見えるレポート", slug="both")
    bind_approval(make_section(report, status=SectionStatus.APPROVED))
    for server in (first, second):
        assert report_titles(fetch(f"{server}/")[1]) == []
        assert fetch(f"{server}/")[0] == 200  # now kept in Redis

    AdminSession(first, "editor", "editor-pass").post(
        f"/admin/blog/report/{report.pk}/publish/",
        {"publish_at": ""},
        form_page=f"/admin/blog/report/{report.pk}/change/",
    )

    for server in (first, second):
        assert report_titles(fetch(f"{server}/")[1]) == ["二台目でも見えるレポート"]
        for _ in range(2):  # made, then from what this process keeps of it
            assert fetch(f"{server}/reports/both/")[0] == 200

    AdminSession(second, "editor", "editor-pass").post(
        f"/admin/blog/report/{report.pk}/unpublish/",
        {},
        form_page=f"/admin/blog/report/{report.pk}/change/",
    )

    for server in (first, second):
        assert report_titles(fetch(f"{server}/")[1]) == []
        assert fetch(f"{server}/reports/both/")[0] == 404


def test_readers_are_served_when_the_cache_is_down(client, settings, published, caplog):
    settings.PAGE_CACHE_ENABLED = True
    nowhere = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    settings.CACHES = {"default": backends.cache(nowhere)}

    response = client.get("/reports/report/")

    assert response.status_code == 200
    assert "参加レポート" in response.content.decode()
    assert "The page cache cannot be read; serving without it" in caplog.text


# --- Kept fragments: the report page's parts, when the page itself is rendered -----------------


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def fragments(request, settings):
    """The report page's fragments kept (in this process's memory or in Redis); no page cache,
    so that every request renders the page and the fragments alone spare the work."""
    settings.PAGE_CACHE_ENABLED = False
    settings.FRAGMENT_CACHE_ENABLED = True
    settings.PAGE_CACHE_SECONDS = 24 * 3600
    if request.param == "redis":
        request.getfixturevalue("redis_cache")
    return request.param


def test_kept_fragments_leave_no_query_and_the_same_page(client, fragments, published):
    first, queries = page(client, "/reports/report/")
    again, queries_again = page(client, "/reports/report/")

    assert queries >= 5  # the report, its tags, sections, speakers and photos
    assert queries_again == 0
    assert again == first


@pytest.fixture
def cache_reads():
    """Counts the reads of fragments from the cache (not from this process's copies)."""
    from django.core.cache import caches

    backend = caches["default"]
    with mock.patch.object(backend, "get_many", wraps=backend.get_many) as get_many:
        yield get_many


def test_kept_fragments_are_read_from_this_process_s_own_copies(
    client, fragments, published, cache_reads
):
    first, _ = page(client, "/reports/report/")
    cache_reads.reset_mock()

    again, queries = page(client, "/reports/report/")

    assert again == first
    assert queries == 0
    cache_reads.assert_not_called()  # not even one round trip to Redis


def test_another_process_takes_the_kept_fragments_from_the_cache(
    client, fragments, published, cache_reads
):
    first, _ = page(client, "/reports/report/")
    pagecache._local_fragments.clear()  # what a process that did not render it holds
    cache_reads.reset_mock()

    again, queries = page(client, "/reports/report/")
    once_more, _ = page(client, "/reports/report/")

    assert again == once_more == first
    assert queries == 0
    assert cache_reads.call_count == 1  # then kept by this process too


def test_kept_fragments_are_not_used_past_the_next_scheduled_publication(
    client, fragments, published, commit
):
    editor = make_user("editor", group="Editors")
    report = make_report(slug="scheduled")
    bind_approval(make_section(report, status=SectionStatus.APPROVED))
    at = timezone.now() + datetime.timedelta(hours=1)
    commit(lambda: workflow.publish(report, by=editor, at=at))
    page(client, "/reports/report/")
    assert page(client, "/reports/report/")[1] == 0

    # Nothing is written when the time comes: neither this process's copies of the
    # fragments nor the cache's may outlive it.
    with mock.patch("django.utils.timezone.now", return_value=at + datetime.timedelta(seconds=1)):
        _, queries = page(client, "/reports/report/")

    assert queries > 0


def test_kept_fragments_do_not_answer_for_other_addresses(client, fragments, published, commit):
    page(client, "/reports/report/")
    report = Report.objects.get(pk=published["report"].pk)
    report.slug = "renamed"

    commit(lambda: editing.save_report(report, by=make_user("editor", group="Editors")))

    assert client.get("/reports/nothing-here/").status_code == 404
    moved = client.get("/reports/report/")
    assert moved.status_code == 301
    assert moved["Location"] == "/reports/renamed/"
    assert "最初の本文。" in page(client, "/reports/renamed/")[0]


def test_kept_fragments_take_the_same_queries_for_ten_times_the_sections(
    client, fragments, published, commit
):
    def add_sections():
        report = published["report"]
        for _ in range(9):
            section = make_section(report, session=published["session"], body="追加の本文。")
            make_photo(report, section, caption="追加の写真")

    _, small = page(client, "/reports/report/")
    commit(add_sections)

    _, large = page(client, "/reports/report/")
    _, large_again = page(client, "/reports/report/")

    assert large == small
    assert large_again == 0


def _correct_section(published):
    section = Section.objects.get(pk=published["section"].pk)
    section.body = "訂正した本文。"
    editing.save_section(section, by=make_user("editor", group="Editors"))


def _recaption_photo(published):
    photo = Photo.objects.get(pk=published["photo"].pk)
    photo.caption = "基調講演の会場"
    editing.save_photo(photo, by=make_user("editor", group="Editors"))


def _move_speaker(published):
    published["speaker"].affiliation = "Google"
    published["speaker"].save()


def _retitle_session(published):
    published["session"].title = "Istio Ambient"
    published["session"].save()


def _move_event(published):
    published["event"].city = "Chicago"
    published["event"].save()


def _rename_tag(published):
    tag = Tag.objects.get(slug="kubecon")
    tag.name = "CloudNative"
    tag.save()


def _rename_author(published):
    profile = published["writer"].author_profile
    profile.display_name = "佐藤 花子"
    profile.save()


@pytest.mark.parametrize(
    ("change", "before", "after"),
    [
        (_correct_section, "最初の本文。", "訂正した本文。"),
        (_recaption_photo, "会場の様子", "基調講演の会場"),
        (_move_speaker, "Solo.io", "Google"),
        (_retitle_session, "Istio Today", "Istio Ambient"),
        (_move_event, "Detroit", "Chicago"),
        (_rename_tag, "KubeCon<", "CloudNative<"),
        (_rename_author, "sato 表示名", "佐藤 花子"),
    ],
)
def test_a_change_shows_at_once_in_kept_fragments(
    client, fragments, published, commit, change, before, after
):
    page(client, "/reports/report/")
    assert before in page(client, "/reports/report/")[0]

    commit(lambda: change(published))

    html, queries = page(client, "/reports/report/")
    assert after in html
    assert before not in html
    assert queries > 1


def test_unpublishing_takes_the_page_off_whatever_fragments_are_kept(
    client, fragments, published, commit
):
    page(client, "/reports/report/")
    editor = make_user("editor", group="Editors")

    commit(lambda: workflow.unpublish(published["report"], by=editor))

    assert client.get("/reports/report/").status_code == 404


def test_fragments_are_kept_apart_by_language(client, fragments, published):
    japanese, _ = page(client, "/reports/report/")
    english, _ = page(client, "/en/reports/report/")

    assert "目次" in japanese
    assert "Contents" in english
    assert "目次" not in english


def test_previews_keep_and_use_no_fragment(client, fragments, published):
    editor = make_user("editor", group="Editors")
    report = published["report"]
    client.force_login(editor)
    preview = client.get(f"/preview/reports/{report.pk}/")
    client.logout()

    _, queries = page(client, "/reports/report/")
    page(client, "/reports/report/")
    client.force_login(editor)
    with CaptureQueriesContext(connection) as preview_queries:
        preview_again = client.get(f"/preview/reports/{report.pk}/")

    assert preview.status_code == preview_again.status_code == 200
    assert queries >= 5  # nothing was kept by the preview
    assert len(preview_queries) >= 5  # nor taken from what the reader's page kept


def test_the_report_page_is_served_when_the_fragments_cannot_be_read(
    client, settings, published, caplog
):
    settings.FRAGMENT_CACHE_ENABLED = True
    settings.CACHES = {"default": backends.cache(f"redis://127.0.0.1:{free_port()}/0")}

    response = client.get("/reports/report/")

    assert response.status_code == 200
    assert "最初の本文。" in response.content.decode()
    assert "The page cache cannot be read; rendering every fragment" in caplog.text
