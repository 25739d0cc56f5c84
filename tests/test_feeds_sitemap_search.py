"""Feeds, the sitemap, robots.txt and search, as a feed reader, a crawler and a reader use them."""

import datetime
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog.models import Report
from tests.factories import (
    make_event,
    make_report,
    make_section,
    make_session,
    make_speaker,
    make_user,
)

pytestmark = pytest.mark.django_db

SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def two_reports():
    """Two published reports a day apart, the newer by two authors, with tags."""
    sato, suzuki = make_user("sato", group="Writers"), make_user("suzuki", group="Writers")
    older = make_report(published=True, title="古いレポート", lead="古い**リード**")
    older.published_at = timezone.now() - datetime.timedelta(days=1)
    older.save()
    make_section(older, author=sato)
    event = make_event(name="KubeCon NA")
    newer = make_report(published=True, event=event, title="新しいレポート", lead="新しいリード")
    newer.tags.create(name="SRE")
    session = make_session(event, speakers=(make_speaker(name="Lin Sun"),), title="Istio")
    make_section(newer, author=suzuki, position=0)
    make_section(newer, author=sato, position=1, session=session)
    make_section(newer, author=suzuki, position=2)
    return newer, older


@pytest.mark.parametrize("url", ["/feed/", "/feed/rss/"])
def test_feed_has_every_published_report_with_link_date_summary_and_authors(
    client, two_reports, url
):
    newer, older = two_reports

    feed = feedparser.parse(client.get(url).content)

    assert feed.bozo is False
    assert feed.feed.title == "SRE Tech Blog"
    assert [entry.title for entry in feed.entries] == ["新しいレポート", "古いレポート"]
    assert [entry.link for entry in feed.entries] == [
        f"http://testserver{newer.get_absolute_url()}",
        f"http://testserver{older.get_absolute_url()}",
    ]
    assert [entry.published_parsed[:6] for entry in feed.entries] == [
        newer.published_at.utctimetuple()[:6],
        older.published_at.utctimetuple()[:6],
    ]
    assert [entry.summary for entry in feed.entries] == [
        "<p>新しいリード</p>",
        "<p>古い<strong>リード</strong></p>",
    ]
    assert [[author.name for author in entry.authors] for entry in feed.entries] == [
        ["suzuki 表示名", "sato 表示名"],
        ["sato 表示名"],
    ]
    assert [[tag.term for tag in entry.get("tags", [])] for entry in feed.entries] == [
        ["SRE"],
        [],
    ]


def test_a_feed_entry_is_updated_at_its_publication_or_its_latest_correction(client):
    """A report published at a set time was last saved before it: readers first saw it at
    its publication, so that is its update until a correction comes after it."""
    now = timezone.now()
    scheduled = make_report(published=True, title="予約公開", published_at=now - HOUR)
    make_section(scheduled)
    scheduled.sections.update(updated_at=now - 3 * HOUR)
    Report.objects.filter(pk=scheduled.pk).update(updated_at=now - 2 * HOUR)
    corrected = make_report(published=True, title="訂正あり", published_at=now - 2 * HOUR)
    make_section(corrected)
    Report.objects.filter(pk=corrected.pk).update(updated_at=now - 3 * HOUR)
    corrected.sections.update(updated_at=now - HOUR / 2)  # corrected after publication

    entries = feedparser.parse(client.get("/feed/").content).entries
    updated = {entry.title: entry.updated_parsed[:6] for entry in entries}
    published = {entry.title: entry.published_parsed[:6] for entry in entries}

    assert updated == {
        "予約公開": (now - HOUR).utctimetuple()[:6],
        "訂正あり": (now - HOUR / 2).utctimetuple()[:6],
    }
    assert all(updated[title] >= published[title] for title in updated)


def test_atom_feed_links_each_author_to_their_page(client, two_reports):
    feed = feedparser.parse(client.get("/feed/").content)

    assert [author.href for author in feed.entries[0].authors] == [
        "http://testserver/authors/suzuki/",
        "http://testserver/authors/sato/",
    ]


def test_feed_query_count_does_not_grow_with_reports(client):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/feed/").status_code == 200
        return len(captured)

    for _ in range(2):
        make_section(make_report(published=True))
    few = queries()
    for _ in range(18):
        make_section(make_report(published=True))

    # reports, their tags, their sections with authors
    assert few == queries() == 3


def test_sitemap_lists_every_public_page_and_each_answers(client, two_reports):
    newer, older = two_reports

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    root = ET.fromstring(response.content)
    locations = [loc.text for loc in root.findall("s:url/s:loc", SITEMAP)]
    paths = [urlsplit(location).path for location in locations]
    session = newer.sections.get(position=1).session
    assert paths == [
        "/",
        "/feeds/",
        newer.get_absolute_url(),
        older.get_absolute_url(),
        newer.event.get_absolute_url(),
        session.get_absolute_url(),
        session.ordered_speakers[0].get_absolute_url(),
        "/authors/sato/",
        "/authors/suzuki/",
        newer.tags.get().get_absolute_url(),
    ]
    assert [client.get(path).status_code for path in paths] == [200] * len(paths)


def test_sitemap_gives_each_page_the_date_its_content_last_changed(client, two_reports):
    newer, older = two_reports
    Report.objects.filter(pk=older.pk).update(
        published_at=datetime.datetime(2023, 3, 1, 12, tzinfo=datetime.UTC),
        updated_at=datetime.datetime(2023, 3, 4, 12, tzinfo=datetime.UTC),
    )
    older.sections.update(updated_at=datetime.datetime(2023, 3, 5, 12, tzinfo=datetime.UTC))

    root = ET.fromstring(client.get("/sitemap.xml").content)

    lastmod = {
        urlsplit(url.find("s:loc", SITEMAP).text).path: url.findtext("s:lastmod", None, SITEMAP)
        for url in root.findall("s:url", SITEMAP)
    }
    today = timezone.localdate().isoformat()
    # The older report's page last changed with its section; the newer one today.
    assert lastmod[older.get_absolute_url()] == "2023-03-05"
    assert lastmod[newer.get_absolute_url()] == today
    assert lastmod["/"] == today
    # The page about the feeds changes with the site, not with its reports: no date.
    assert lastmod["/feeds/"] is None


def test_sitemap_query_count_does_not_grow_with_content(client):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/sitemap.xml").status_code == 200
        return len(captured)

    def add_reports(count: int) -> None:
        for _ in range(count):
            event = make_event()
            report = make_report(published=True, event=event)
            report.tags.create(name=f"tag {report.pk}")
            session = make_session(event, speakers=(make_speaker(),))
            make_section(report, session=session, author=make_user(group="Writers"))

    add_reports(2)
    few = queries()
    add_reports(18)

    # a count and a page of items for each of the six lists, and the index page's date
    assert few == queries() == 13


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().splitlines() == [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        "",
        "Sitemap: http://testserver/sitemap.xml",
    ]


def test_every_page_links_its_feeds(client):
    html = client.get("/").content.decode()

    assert re.findall(r'<link rel="alternate" type="([^"]+)"[^>]*href="([^"]+)"', html) == [
        ("application/atom+xml", "/feed/"),
        ("application/rss+xml", "/feed/rss/"),
    ]


# Search


def search_titles(client, query: str) -> list[str]:
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    titles = re.findall(r'report-card__title"><a [^>]*>(.*?)</a>', response.content.decode())
    return [re.sub(r"</?mark>", "", title) for title in titles]


@pytest.fixture
def searchable():
    event = make_event()
    speaker = make_speaker(name="Mitch Connors")
    session = make_session(event, speakers=(speaker,), title="Sidecars and Beyond")
    by_title = make_report(published=True, title="可観測性の一年")
    by_lead = make_report(published=True, title="リードで探す", lead="分散トレーシングの導入")
    by_body = make_report(published=True, title="本文で探す")
    make_section(by_body, heading="概要", body="障害対応の振り返りを書きます。")
    by_session = make_report(published=True, event=event, title="セッションで探す")
    make_section(by_session, session=session)
    for index, report in enumerate([by_title, by_lead, by_body, by_session]):
        report.published_at = timezone.now() - datetime.timedelta(hours=index + 1)
        report.save()
    return by_title, by_lead, by_body, by_session


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("観測", ["可観測性の一年"]),  # the title
        ("トレーシング", ["リードで探す"]),  # the lead
        ("振り返り", ["本文で探す"]),  # a section's text
        ("概要", ["本文で探す"]),  # a section's heading
        ("sidecars", ["セッションで探す"]),  # a session's title, any case
        ("connors", ["セッションで探す"]),  # a speaker's name
        ("探す", ["リードで探す", "本文で探す", "セッションで探す"]),  # newest first
        ("探す 障害", ["本文で探す"]),  # every word must be found
        ("存在しない言葉", []),
        # An input method in full-width mode: ＳＩＤＥＣＡＲＳ, ﾄﾚｰｼﾝｸﾞ.
        ("\uff33\uff29\uff24\uff25\uff23\uff21\uff32\uff33", ["セッションで探す"]),
        ("\uff84\uff9a\uff70\uff7c\uff9d\uff78\uff9e", ["リードで探す"]),
    ],
)
def test_search_finds_japanese_and_latin_text(client, searchable, query, expected):
    assert search_titles(client, query) == expected


@pytest.mark.parametrize("query", ["", "   ", "\u3000"])
def test_empty_search_shows_the_form_without_results(client, searchable, query):
    response = client.get("/search/", {"q": query})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="q" value=""' in html
    assert "results-title" not in html


def test_very_long_search_is_cut_not_an_error(client, searchable):
    response = client.get("/search/", {"q": "観測" + "あ" * 5000})

    assert response.status_code == 200
    assert response.context["query"] == "観測" + "あ" * 98


def test_search_with_a_nul_character_is_not_an_error(client, searchable):
    response = client.get("/search/", {"q": "観\x00測"})

    assert response.status_code == 200
    assert response.context["query"] == "観測"


def test_search_results_keep_the_query_across_pages(client):
    for _ in range(11):
        make_report(published=True, title="観測レポート")

    html = client.get("/search/", {"q": "観測"}).content.decode()

    assert re.findall(r'rel="next" href="([^"]+)"', html) == ["?q=%E8%A6%B3%E6%B8%AC&amp;page=2"]


def test_search_page_is_not_indexed(client):
    html = client.get("/search/", {"q": "x"}).content.decode()

    assert '<meta name="robots" content="noindex">' in html
