"""/feeds/ (更新情報を受け取る): the page for people who want to follow the reports, which
the footer links to instead of the feeds, and the feeds as a browser and a reader get them."""

import re

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_report, make_section

pytestmark = pytest.mark.django_db

ATOM = "application/atom+xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"


def addresses(html: str) -> list[tuple[str, str]]:
    """Each feed address the page shows: the element's id and the address."""
    return re.findall(r'<code class="feed__address" id="([^"]+)">([^<]+)</code>', html)


def copy_buttons(html: str) -> list[tuple[str, str, str]]:
    """Each copy button: what it copies, its accessible name and its visible label."""
    button = (
        r'<button type="button" class="copy-button" hidden aria-label="([^"]+)"'
        r' data-copy-from="([^"]+)"[^>]*>([^<]+)</button>'
    )
    return [(source, name, label) for name, source, label in re.findall(button, html)]


def footer(html: str) -> str:
    return re.search(r'<footer class="site-footer">.*</footer>', html, re.S).group(0)


def test_feeds_page_says_what_a_feed_is_for_and_gives_both_addresses(client):
    response = client.get("/feeds/")

    assert response.status_code == 200
    html = response.content.decode()
    assert re.findall(r"<title>(.*?)</title>", html) == ["更新情報を受け取る | SRE Tech Blog"]
    assert re.findall(r'<h1 class="page-title">(.*?)</h1>', html) == ["更新情報を受け取る"]
    assert re.findall(r"</h1>\s*<p>(.*?)</p>\s*<p>(.*?)</p>", html) == [
        (
            "フィードは、新しいレポートが公開されるたびにフィードリーダー"
            "（Feedly や Inoreader などのアプリやサービス）へ知らせる仕組みです。"
            "下のアドレスのどちらかをお使いのフィードリーダーに登録すると、"
            "このサイトを見に来なくても新しいレポートがそこに届きます。",
            "どちらにするか迷ったら Atom を選んでください。"
            "今のフィードリーダーならどれでも読めるうえ、レポートが修正されたことも伝わります。"
            "RSS は Atom を読めないリーダー向けです。",
        )
    ]
    assert re.findall(r'<h2 class="card__title feed__name">(.*?)</h2>', html) == [
        'Atom <span class="tag">おすすめ</span>',
        "RSS",
    ]
    assert addresses(html) == [
        ("feed-address-atom", "http://testserver/feed/"),
        ("feed-address-rss", "http://testserver/feed/rss/"),
    ]


def test_feeds_page_in_english_gives_the_english_feeds(client):
    html = client.get("/en/feeds/").content.decode()

    assert '<html lang="en">' in html
    assert re.findall(r'<h1 class="page-title">(.*?)</h1>', html) == ["Follow new reports"]
    assert "If you are not sure which one to choose, choose Atom" in html
    assert addresses(html) == [
        ("feed-address-atom", "http://testserver/en/feed/"),
        ("feed-address-rss", "http://testserver/en/feed/rss/"),
    ]
    assert copy_buttons(html) == [
        ("feed-address-atom", "Copy the Atom address", "Copy"),
        ("feed-address-rss", "Copy the RSS address", "Copy"),
    ]


def test_each_address_on_the_page_is_its_feed(client):
    make_report(published=True, title="公開したレポート")

    for language in ("", "/en"):
        html = client.get(f"{language}/feeds/").content.decode()
        answers = [client.get(address) for _id, address in addresses(html)]

        assert [answer["Content-Type"] for answer in answers] == [ATOM, RSS]
        titles = [[e.title for e in feedparser.parse(a.content).entries] for a in answers]
        assert titles == [["公開したレポート"], ["公開したレポート"]]


def test_copy_buttons_wait_for_the_script_and_say_what_they_copy(client):
    html = client.get("/feeds/").content.decode()

    # Without JavaScript a button would do nothing: it is sent hidden, the script shows it.
    assert copy_buttons(html) == [
        ("feed-address-atom", "Atom のアドレスをコピー", "コピー"),
        ("feed-address-rss", "RSS のアドレスをコピー", "コピー"),
    ]
    assert re.findall(r'<script src="([^"]+)" defer></script>', html) == [
        "/static/blog/copy-button.js"
    ]
    assert re.findall(r'<p class="feed__status" id="([^"]+)" role="status"></p>', html) == [
        "feed-address-atom-status",
        "feed-address-rss-status",
    ]


def test_feeds_page_takes_no_query_whatever_is_published(client):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/feeds/").status_code == 200
        return len(captured)

    empty = queries()
    for _ in range(3):
        make_section(make_report(published=True))

    assert empty == queries() == 0


@pytest.mark.parametrize(
    ("url", "link", "label"),
    [
        ("/", "/feeds/", "更新情報を受け取る（RSS・Atom）"),
        ("/search/", "/feeds/", "更新情報を受け取る（RSS・Atom）"),
        ("/en/", "/en/feeds/", "Follow new reports (RSS, Atom)"),
    ],
)
def test_the_footer_links_to_the_feeds_page_not_to_the_feeds(client, url, link, label):
    html = client.get(url).content.decode()

    assert re.findall(r'<p class="site-footer__feeds"><a href="([^"]+)">([^<]+)</a></p>', html) == [
        (link, label)
    ]
    assert "/feed/" not in footer(html)
    # Feed readers still find the feeds themselves in the head.
    assert re.findall(r'<link rel="alternate" type="[^"]+"[^>]*href="([^"]+)"', html) == [
        f"{link.removesuffix('feeds/')}feed/",
        f"{link.removesuffix('feeds/')}feed/rss/",
    ]


# The feeds themselves: a browser gets them as a feed reader does, never redirected.


@pytest.mark.parametrize(("url", "content_type"), [("/feed/", ATOM), ("/feed/rss/", RSS)])
def test_a_browser_gets_the_feed_itself_with_its_type(client, settings, url, content_type):
    settings.PAGE_CACHE_ENABLED = True
    make_report(published=True)
    browser = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}

    for attempt in ("rendered", "kept"):
        response = client.get(url, headers=browser)

        assert (response.status_code, response["Content-Type"]) == (200, content_type), attempt
        assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<')


@pytest.mark.parametrize("language", ["", "/en"])
@pytest.mark.parametrize("url", ["/feed/", "/feed/rss/"])
def test_a_feed_links_back_to_the_site_and_to_itself(client, url, language):
    feed = feedparser.parse(client.get(f"{language}{url}").content).feed

    assert feed.link == f"http://testserver{language}/"
    assert [link.href for link in feed.links if link.rel == "self"] == [
        f"http://testserver{language}{url}"
    ]
