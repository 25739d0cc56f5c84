"""What search engines, link previews and browsers read: titles, canonical links,
OpenGraph, Twitter cards, JSON-LD and the interface language."""

import datetime
import json
import re

import pytest
from django.utils import timezone

from blog.models import Report
from tests.factories import (
    make_event,
    make_photo,
    make_report,
    make_section,
    make_session,
    make_speaker,
    make_user,
)

pytestmark = pytest.mark.django_db


def meta(html: str) -> dict[str, str]:
    """Every <meta name|property=... content=...> of the page."""
    return dict(re.findall(r'<meta (?:name|property)="([^"]+)" content="([^"]*)"', html))


def whole_seconds(moment) -> str:
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def json_ld(html: str) -> list[dict]:
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(script) for script in scripts]


def test_structured_data_describes_post_authors_event_and_sessions():
    event = make_event(
        name="KubeCon NA",
        city="Detroit, Michigan, USA",
        venue="Huntington Place",
        format="hybrid",
        time_zone="America/Detroit",
    )
    report = make_report(published=True, event=event, title="参加レポート", lead="リード文。")
    report.tags.create(name="SRE")
    lin = make_speaker(name="Lin Sun", affiliation="Solo.io", slug="lin-sun")
    session = make_session(
        event,
        speakers=(lin,),
        title="Istio Today and Tomorrow",
        starts_at=datetime.datetime(2022, 10, 26, 15, 55, tzinfo=datetime.UTC),
    )
    sato, suzuki = make_user("sato", group="Writers"), make_user("suzuki", group="Writers")
    make_section(report, author=sato, position=0)
    make_section(report, session=session, author=suzuki, position=1)
    make_section(report, author=sato, position=2)
    cover = make_photo(report, in_gallery=True)
    report = Report.objects.for_page().get(pk=report.pk)

    data = report.structured_data(lambda path: f"https://blog.example{path}")

    assert data["@type"] == "BlogPosting"
    assert data["headline"] == "参加レポート"
    assert data["datePublished"] == report.published_at.isoformat()
    assert data["author"] == [
        {"@type": "Person", "name": "sato 表示名", "url": "https://blog.example/authors/sato/"},
        {"@type": "Person", "name": "suzuki 表示名", "url": "https://blog.example/authors/suzuki/"},
    ]
    assert data["publisher"] == {"@type": "Organization", "name": "SRE Tech Blog"}
    assert data["image"] == [f"https://blog.example{cover.src}"]
    assert data["keywords"] == ["SRE"]
    assert data["about"] == {
        "@type": "Event",
        "name": "KubeCon NA",
        "startDate": "2022-10-24",
        "endDate": "2022-10-28",
        "eventAttendanceMode": "https://schema.org/MixedEventAttendanceMode",
        "url": f"https://blog.example/events/{event.slug}/",
        "location": {
            "@type": "Place",
            "name": "Huntington Place",
            "address": "Detroit, Michigan, USA",
        },
    }
    assert data["mentions"] == [
        {
            "@type": "Event",
            "name": "Istio Today and Tomorrow",
            "url": "https://blog.example/sessions/istio-today-and-tomorrow/",
            # As the conference had it, in Detroit, like the session's page.
            "startDate": "2022-10-26T11:55:00-04:00",
            "performer": [
                {
                    "@type": "Person",
                    "name": "Lin Sun",
                    "affiliation": {"@type": "Organization", "name": "Solo.io"},
                }
            ],
        }
    ]


@pytest.fixture
def report_with_cover():
    report = make_report(published=True, title="参加レポート", lead="**リード**の文です。")
    report.tags.create(name="SRE")
    make_section(report, author=make_user("sato", group="Writers"))
    report.cover = make_photo(report, in_gallery=True, alt_text="会場の入口")
    report.save()
    return report


def test_report_page_has_title_description_canonical_and_social_cards(client, report_with_cover):
    report = report_with_cover
    url = f"http://testserver{report.get_absolute_url()}"

    html = client.get(report.get_absolute_url(), {"utm_source": "x"}).content.decode()

    assert re.findall(r"<title>(.*?)</title>", html) == ["参加レポート | SRE Tech Blog"]
    assert re.findall(r'<link rel="canonical" href="([^"]+)">', html) == [url]
    image = f"http://testserver{report.cover.src}"
    assert meta(html) == {
        "viewport": "width=device-width, initial-scale=1",
        "theme-color": "#1f5fbf",
        "description": "リードの文です。",
        "og:site_name": "SRE Tech Blog",
        "og:type": "article",
        "og:title": "参加レポート",
        "og:description": "リードの文です。",
        "og:url": url,
        "og:locale": "ja_JP",
        "og:image": image,
        "og:image:width": "64",
        "og:image:height": "48",
        "og:image:alt": "会場の入口",
        "twitter:card": "summary_large_image",
        "twitter:image": image,
        "twitter:image:alt": "会場の入口",
        "twitter:title": "参加レポート",
        "twitter:description": "リードの文です。",
        "color-scheme": "light dark",
        "article:published_time": whole_seconds(report.published_at),
        "article:modified_time": whole_seconds(Report.objects.get(pk=report.pk).updated_at),
        "article:tag": "SRE",
    }


def test_report_page_embeds_its_structured_data(client, report_with_cover):
    report = Report.objects.for_page().get(pk=report_with_cover.pk)

    html = client.get(report.get_absolute_url()).content.decode()

    expected = report.structured_data(lambda path: f"http://testserver{path}")
    assert json_ld(html) == [expected]


def test_a_report_published_at_a_set_time_was_modified_no_earlier_than_then(client):
    report = make_report(published=True)
    make_section(report)
    saved = report.published_at - datetime.timedelta(minutes=2)  # the editor's last save
    Report.objects.filter(pk=report.pk).update(updated_at=saved)
    report.sections.update(updated_at=saved)

    html = client.get(report.get_absolute_url()).content.decode()

    published = whole_seconds(report.published_at)
    assert meta(html)["article:modified_time"] == published
    assert json_ld(html)[0]["dateModified"] == report.published_at.isoformat()


def test_structured_data_cannot_close_its_script_element(client):
    report = make_report(published=True, title="</script><script>alert(1)</script>")

    html = client.get(report.get_absolute_url()).content.decode()

    script = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(script) == 1
    assert "\\u003C/script\\u003E\\u003Cscript\\u003Ealert(1)" in script[0]
    assert json_ld(html)[0]["headline"] == "</script><script>alert(1)</script>"


def test_page_without_a_picture_gets_a_summary_card(client):
    speaker = make_speaker(name="Lin Sun", slug="lin-sun")
    event = make_event()
    make_section(make_report(published=True, event=event), session=make_session(event, (speaker,)))

    html = client.get("/speakers/lin-sun/").content.decode()

    assert meta(html)["twitter:card"] == "summary"
    assert "og:image" not in meta(html)
    assert re.findall(r"<title>(.*?)</title>", html) == ["Lin Sun | SRE Tech Blog"]


def test_canonical_link_keeps_the_page_number_only(client):
    for _ in range(11):
        make_report(published=True)

    html = client.get("/", {"page": "2", "ref": "feed"}).content.decode()
    first = client.get("/", {"page": "1"}).content.decode()

    assert re.findall(r'<link rel="canonical" href="([^"]+)">', html) == [
        "http://testserver/?page=2"
    ]
    assert re.findall(r'<link rel="canonical" href="([^"]+)">', first) == ["http://testserver/"]


def test_interface_speaks_english_under_en(client):
    make_report(published=True)

    html = client.get("/en/").content.decode()

    assert '<html lang="en">' in html
    assert re.findall(r'<h1 class="page-title">(.*?)</h1>', html) == ["Latest reports"]
    assert re.findall(r'<article lang="([^"]+)">', html) == ["ja"]


def test_language_is_chosen_by_the_address_not_the_browser(client):
    make_report(published=True)

    response = client.get("/", headers={"accept-language": "en"})

    assert '<html lang="ja">' in response.content.decode()
    assert "Vary" not in response


@pytest.mark.parametrize("path", ["/", "/reports/report/", "/search/?q=x"])
def test_an_english_page_served_before_leaves_the_next_address_in_japanese(client, path):
    # One server thread answers one reader after another; the language an English page
    # leaves active must not decide how the next, unprefixed address is read.
    make_report(published=True, slug="report")
    assert client.get(f"/en{path}").status_code == 200

    response = client.get(path, headers={"accept-language": "en"})

    assert response.status_code == 200
    assert response["Content-Language"] == "ja"
    assert '<html lang="ja">' in response.content.decode()


def test_language_switch_is_a_link_to_the_same_page_in_the_other_language(client):
    report = make_report(published=True)
    make_section(report)
    address = report.get_absolute_url()
    japanese = client.get(address, {"page": "1"}).content.decode()
    english = client.get(f"/en{address}").content.decode()

    switch = r'<nav class="language-switch"[^>]*>\s*<ul>(.*?)</ul>'
    link = r'<a href="([^"]+)" hreflang="(\w+)" lang="\w+"( aria-current="page")?>([^<]+)</a>'
    assert re.findall(link, re.search(switch, japanese).group(1)) == [
        (f"{address}?page=1", "ja", ' aria-current="page"', "日本語"),
        (f"/en{address}?page=1", "en", "", "English"),
    ]
    assert re.findall(link, re.search(switch, english).group(1)) == [
        (address, "ja", "", "日本語"),
        (f"/en{address}", "en", ' aria-current="page"', "English"),
    ]
    assert "<form" not in re.search(r"<footer.*</footer>", japanese, re.S).group(0)


def test_each_language_version_is_announced_with_hreflang(client):
    html = client.get("/en/search/", {"q": "Istio", "utm_source": "x"}).content.decode()

    assert re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html) == [
        ("ja", "http://testserver/search/?q=Istio"),
        ("x-default", "http://testserver/search/?q=Istio"),
        ("en", "http://testserver/en/search/?q=Istio"),
    ]


def test_structured_data_writes_japanese_as_characters(client):
    make_report(published=True, title="参加レポート", slug="sanka")

    html = client.get("/reports/sanka/").content.decode()

    script = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[0]
    assert '"headline": "参加レポート"' in script
    assert "\\u" not in script
