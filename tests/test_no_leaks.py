"""Drafts and scheduled reports appear nowhere a reader can look.

Every test here builds a published report beside a draft and a scheduled report
that share its event, session, speaker, author and tag, and that have people,
sessions and tags of their own: each could leak through any public page.
"""

import datetime
import xml.etree.ElementTree as ET

import feedparser
import pytest

from tests.factories import (
    make_event,
    make_report,
    make_section,
    make_session,
    make_speaker,
    make_user,
)

pytestmark = pytest.mark.django_db

HIDDEN = "HIDDEN"  # in every title and name that only the hidden reports use
FUTURE = datetime.datetime(2999, 1, 1, tzinfo=datetime.UTC)


@pytest.fixture
def site():
    event = make_event(name="KubeCon NA")
    speaker = make_speaker(name="Lin Sun", slug="lin-sun")
    session = make_session(event, speakers=(speaker,), title="Istio Today")
    writer = make_user("sato", group="Writers")
    published = make_report(published=True, event=event, title="公開レポート 観測")
    tag = published.tags.create(name="KubeCon")
    make_section(published, session=session, author=writer, body="公開された本文")

    hidden = {}
    for kind, fields in [
        ("draft", {}),
        ("scheduled", {"status": "published", "published_at": FUTURE}),
    ]:
        report = make_report(event=event, title=f"{HIDDEN} {kind} 観測", **fields)
        report.tags.add(tag)
        own_tag = report.tags.create(name=f"{HIDDEN} tag {kind}")
        own_speaker = make_speaker(name=f"{HIDDEN} speaker {kind}", slug=f"hidden-{kind}")
        own_session = make_session(event, speakers=(own_speaker,), title=f"{HIDDEN} talk {kind}")
        own_writer = make_user(f"hidden-{kind}", group="Writers")
        # Sections on the shared session, by the shared writer, and on their own.
        make_section(report, session=session, author=writer, status="approved")
        make_section(report, session=own_session, author=own_writer, status="approved")
        make_section(
            report, heading=f"{HIDDEN} heading {kind}", author=writer, body=f"{HIDDEN} 観測"
        )
        hidden[kind] = {
            "report": report,
            "tag": own_tag,
            "speaker": own_speaker,
            "session": own_session,
            "writer": own_writer,
        }
    return {
        "event": event,
        "speaker": speaker,
        "session": session,
        "writer": writer,
        "tag": tag,
        "published": published,
        "hidden": hidden,
    }


def public_pages(site) -> list[str]:
    """The pages a reader can land on, in the sitemap's order."""
    return [
        "/",
        "/feeds/",
        site["published"].get_absolute_url(),
        site["event"].get_absolute_url(),
        site["session"].get_absolute_url(),
        site["speaker"].get_absolute_url(),
        "/authors/sato/",
        site["tag"].get_absolute_url(),
    ]


def public_urls(site) -> list[str]:
    return [
        *public_pages(site),
        "/search/?q=観測",
        "/feed/",
        "/feed/rss/",
        "/sitemap.xml",
    ]


def test_public_pages_feeds_sitemap_and_search_show_nothing_hidden(client, site):
    leaks = {}
    for url in public_urls(site):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        if HIDDEN in body or "hidden-" in body:
            leaks[url] = body
    assert list(leaks) == []


@pytest.mark.parametrize("kind", ["draft", "scheduled"])
def test_pages_of_hidden_things_are_404(client, site, kind):
    hidden = site["hidden"][kind]
    urls = [
        hidden["report"].get_absolute_url(),
        hidden["tag"].get_absolute_url(),
        hidden["speaker"].get_absolute_url(),
        hidden["session"].get_absolute_url(),
        f"/authors/{hidden['writer'].username}/",
    ]

    assert [client.get(url).status_code for url in urls] == [404] * 5


def test_search_finds_only_the_published_report(client, site):
    html = client.get("/search/?q=観測").content.decode()

    assert html.count('class="card__title report-card__title"') == 1
    assert "公開レポート <mark>観測</mark>" in html


def test_feeds_list_only_the_published_report(client, site):
    atom = feedparser.parse(client.get("/feed/").content)
    rss = feedparser.parse(client.get("/feed/rss/").content)

    assert [entry.title for entry in atom.entries] == ["公開レポート 観測"]
    assert [entry.title for entry in rss.entries] == ["公開レポート 観測"]


def test_sitemap_lists_only_public_pages(client, site):
    root = ET.fromstring(client.get("/sitemap.xml").content)
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = [loc.text for loc in root.findall("s:url/s:loc", namespace)]

    assert locations == [f"http://testserver{path}" for path in public_pages(site)]
