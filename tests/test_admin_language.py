"""The admin speaks one language: Japanese for a Japanese browser, English for an English one.

Every admin page a writer and an editor open on the demo is scanned for English left
in a Japanese page (and Japanese interface text left in an English page).
"""

import datetime
import html
import json
import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client

from blog.models import Report
from demo.loader import load_demo
from sessions.models import Event, Session, Speaker
from tests.factories import make_user


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            load_demo()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def admin_pages(user) -> list[str]:
    """The pages `user` opens: for a writer, their own section and photo."""
    report = Report.objects.get(slug="kubecon-na-2022")
    sections = report.sections.order_by("position")
    is_editor = user.is_superuser or user.groups.filter(name="Editors").exists()
    if not is_editor:
        sections = sections.filter(author=user)
    section = sections.filter(photos__isnull=False).first()
    photo = section.photos.first()
    return [
        "/admin/",
        "/admin/blog/report/",
        "/admin/blog/section/",
        "/admin/blog/section/add/",
        "/admin/blog/photo/",
        "/admin/blog/tag/",
        "/admin/conference/event/",
        "/admin/conference/session/",
        "/admin/conference/speaker/",
        "/admin/password_change/",
        f"/admin/blog/report/{report.pk}/change/",
        f"/admin/blog/report/{report.pk}/revisions/",
        f"/admin/blog/section/{section.pk}/change/",
        f"/admin/blog/section/{section.pk}/revisions/",
        f"/admin/blog/photo/{photo.pk}/history/",  # a section's 履歴 opens its revisions
        f"/admin/blog/photo/{photo.pk}/change/",
        f"/admin/conference/event/{Event.objects.first().pk}/change/",
        f"/admin/conference/session/{Session.objects.first().pk}/change/",
        f"/admin/conference/speaker/{Speaker.objects.first().pk}/change/",
        # Editors' own pages.
        *(["/admin/blog/report/trash/", "/admin/blog/report/audit/"] if is_editor else []),
    ]


def data_strings() -> set[str]:
    """Every text the demo's rows hold: names, titles and texts are data, not interface."""
    from django.apps import apps
    from django.db import models

    found = set()
    for model in apps.get_models():
        if model._meta.app_label not in {"blog", "conference", "auth"}:
            continue
        text_fields = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, (models.CharField, models.TextField))
        ]
        for row in model.objects.all():
            found.add(str(row))
            found.update(getattr(row, name) for name in text_fields if getattr(row, name))
    # Rendered texts (`*_html`) are data too, read as the text between their tags.
    for value in [value for value in found if "<" in value]:
        found.update(html.unescape(piece).strip() for piece in re.split(r"<[^>]+>", value))
    return {value for value in found if value}


def interface_text(page: str) -> list[str]:
    """The text nodes and labelling attributes a person reads, minus form values."""
    page = re.sub(r"<(script|style|template|textarea)\b.*?</\1>", " ", page, flags=re.S)
    # Text marked with a language of its own (the language switch names each language in
    # itself) is meant to be in that language.
    page = re.sub(r'<(?!html\b)(\w+)\b[^>]*\slang="[^"]*"[^>]*>.*?</\1>', " ", page, flags=re.S)
    attributes = re.findall(r'\s(?:placeholder|title|aria-label|alt)="([^"]*)"', page)
    text_nodes = re.findall(r">([^<]+)<", page)
    return [html.unescape(text).strip() for text in [*text_nodes, *attributes]]


def without_data(text: str, data: set[str]) -> str:
    """`text` with every piece of the rows' own text taken out."""
    if text in data:
        return ""
    for piece in sorted((value for value in data if len(value) > 1), key=len, reverse=True):
        if piece in text:
            text = text.replace(piece, " ")
    return text


JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def japanese_interface_text(page: str, data: set[str]) -> set[str]:
    return {
        text
        for text in interface_text(page)
        if JAPANESE.search(text) and JAPANESE.search(without_data(text, data))
    }


# The site's zone as times are written ("2022-12-01 10:00 JST"), in winter and in summer.
SITE_ZONE_ABBREVIATIONS = {
    datetime.datetime(2022, month, 1, tzinfo=ZoneInfo(settings.TIME_ZONE)).tzname()
    for month in (1, 7)
}


def english_interface_text(page: str, data: set[str]) -> set[str]:
    english = set()
    for text in interface_text(page):
        if not re.search(r"[A-Za-z]{2}", text):
            continue
        rest = without_data(text.replace(settings.SITE_NAME, " "), data)
        # Paths, addresses and time zone names ("Asia/Tokyo", "JST") are not words.
        rest = " ".join(
            word
            for word in rest.split()
            if "/" not in word and "@" not in word and word not in SITE_ZONE_ABBREVIATIONS
        )
        # Japanese text may hold a loanword in Latin letters (URL, Markdown); English
        # interface text shows as a run of words, or as a text with no Japanese at all.
        english_run = r"[A-Za-z]{2,}[ ,.]+[A-Za-z]{2,}" if JAPANESE.search(rest) else r"[A-Za-z]{2}"
        if re.search(english_run, rest):
            english.add(text)
    return english


def leftovers_on_the_pages_of(username: str, language: str, finder) -> dict[str, list[str]]:
    """What `finder` reports on each admin page `username` opens in `language`."""
    from django.contrib.auth import get_user_model

    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    user = get_user_model().objects.get(username=username)
    client.force_login(user)
    data = data_strings()
    leftovers = {}
    for path in admin_pages(user):
        response = client.get(path)
        assert response.status_code == 200, path
        if words := finder(response.content.decode(), data):
            leftovers[path] = sorted(words)
    return leftovers


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["editor", "sato"])
def test_admin_pages_in_japanese_have_no_english_interface_text(demo, username):
    assert leftovers_on_the_pages_of(username, "ja", english_interface_text) == {}


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["editor", "sato"])
def test_admin_pages_in_english_have_no_japanese_interface_text(demo, username):
    assert leftovers_on_the_pages_of(username, "en", japanese_interface_text) == {}


@pytest.mark.django_db
def test_the_logged_out_page_is_in_japanese(client):
    client.force_login(make_user(group="Editors"))  # "editor" may be the demo's, loaded here

    page = client.post("/admin/logout/", headers={"accept-language": "ja"}).content.decode()

    assert re.search(r'<li aria-current="page">(.*?)</li>', page)[1] == "ログアウト"


# --- The switch beside 'Log out' -----------------------------------------------------------------


@pytest.mark.django_db
def test_a_writer_switches_the_admin_to_english_and_back(client):
    client.force_login(make_user("writer", group="Writers"))
    japanese = client.get("/admin/", headers={"accept-language": "ja"}).content.decode()
    assert '<button type="submit" name="language" value="en" lang="en">English</button>' in japanese

    switched = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/admin/"}, headers={"accept-language": "ja"}
    )
    english = client.get("/admin/", headers={"accept-language": "ja"}).content.decode()
    client.post("/i18n/setlang/", {"language": "ja", "next": "/admin/"})
    back = client.get("/admin/", headers={"accept-language": "en"}).content.decode()

    assert (switched.status_code, switched["Location"]) == (302, "/admin/")
    cookie = switched.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert cookie["max-age"] == 365 * 24 * 60 * 60  # a choice kept, not for one session
    assert (cookie["httponly"], cookie["samesite"]) == (True, "Lax")
    assert '<html lang="en"' in english and "Log out" in english
    assert '<button type="submit" name="language" value="ja" lang="ja">日本語</button>' in english
    assert '<html lang="ja"' in back and "ログアウト" in back  # the choice wins over the browser


@pytest.mark.django_db
def test_the_switch_goes_back_to_the_page_it_was_pressed_on_and_nowhere_else(client):
    client.force_login(make_user("writer", group="Writers"))

    here = client.post("/i18n/setlang/", {"language": "en", "next": "/admin/blog/section/"})
    away = client.post("/i18n/setlang/", {"language": "en", "next": "https://example.com/"})
    unknown = client.post("/i18n/setlang/", {"language": "xx", "next": "/admin/"})

    assert here["Location"] == "/admin/blog/section/"
    assert away["Location"] == "/"
    assert settings.LANGUAGE_COOKIE_NAME not in unknown.cookies


@pytest.mark.django_db
def test_the_admin_s_script_strings_are_japanese_where_django_leaves_them_english(client):
    client.force_login(make_user("writer-abroad", group="Writers"))

    script = client.get("/admin/jsi18n/", headers={"accept-language": "ja"}).content.decode()

    catalog = json.loads(re.search(r"const newcatalog = (\{.*?\});", script, re.S).group(1))
    # The note under a time field, for a writer whose computer is in another time zone.
    ahead = "Note: Enter times in the %(timezone)s timezone. (You are %(offset)s hour ahead.)"
    assert catalog[ahead][0].startswith("注意: 時刻は %(timezone)s のタイムゾーンで入力")
    assert catalog["Choose a Time"] == "時間を選択"  # Django's own translations stay
    client.logout()
    assert client.get("/admin/jsi18n/").status_code == 302  # staff only, as Django's
