import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

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


def build_report(section_count: int):
    event = make_event(name="KubeCon NA", city="Detroit, Michigan, USA")
    report = make_report(
        published=True, event=event, title="参加レポート", lead="リード", closing="締め"
    )
    make_section(report, position=0, heading="イベント概要")
    for position in range(1, section_count):
        session = make_session(event, speakers=(make_speaker(), make_speaker()))
        # Every other one with a heading of its own, the session's title printed under it.
        heading = f"見出し {position}" if position % 2 else ""
        section = make_section(report, position=position, session=session, heading=heading)
        make_photo(report, section)
    make_photo(report, in_gallery=True, caption="ギャラリー")
    return report


def test_report_page_shows_all_parts_in_order(client):
    event = make_event(
        name="KubeCon NA", city="Detroit, Michigan, USA", venue="Huntington Place", format="hybrid"
    )
    report = make_report(
        published=True,
        event=event,
        title="参加レポート",
        lead="これは**リード**です。",
        closing="また来年。",
    )
    writer = make_user("writer", team="計測システム部 SREブロック")
    make_section(report, position=0, heading="イベント概要", author=writer)
    lin, mitch = (
        make_speaker(name="Lin Sun", affiliation="Solo.io"),
        make_speaker(name="Mitch Connors", affiliation="Google"),
    )
    istio = make_session(event, title="Istio Today and Tomorrow", speakers=(lin, mitch))
    istio_section = make_section(report, position=1, session=istio, author=writer)
    make_photo(
        report,
        istio_section,
        caption="構成図",
        credit_text="出典: 講演資料",
        credit_url="https://example.com/slides",
    )
    make_photo(report, in_gallery=True, caption="デトロイト川")

    response = client.get(report.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    headings = re.findall(r'class="report-section__title">\s*(.*?)\s*</h', html)
    # A session section's title links to the session's page; the text is the same.
    assert [re.sub(r"<[^>]+>", "", heading) for heading in headings] == [
        "イベント概要",
        "Istio Today and Tomorrow",
    ]
    assert "<strong>リード</strong>" in html
    assert "Huntington Place" in html
    assert "ハイブリッド" in html or "Hybrid" in html
    assert re.findall(r'speaker__name">(.*?)<', html) == ["Lin Sun", "Mitch Connors"]
    assert re.findall(r'speaker__affiliation">(.*?)<', html) == ["Solo.io", "Google"]
    # Counted on the page itself: the JSON-LD for search engines names the author too.
    shown = re.sub(r'<script type="application/ld\+json">.*?</script>', "", html, flags=re.S)
    assert shown.count("writer 表示名") == 2
    assert "計測システム部 SREブロック" in html
    toc = html.split('class="toc"')[1].split("</nav>")[0]
    assert re.findall(r'href="#([^"]+)"', toc) == [
        f"section-{report.sections.first().pk}",
        "session-reports",
        f"section-{istio_section.pk}",
        "closing",
        "gallery",
    ]
    assert (
        '<a href="https://example.com/slides" rel="noopener noreferrer">出典: 講演資料</a>' in html
    )
    assert "また来年。" in html
    assert "デトロイト川" in html


def test_a_session_section_with_its_own_heading_shows_the_session_s_title_under_it(client):
    event = make_event(name="KubeCon NA")
    report = make_report(published=True, event=event)
    istio = make_session(event, title="Istio Today and Tomorrow")
    ebpf = make_session(event, title="eBPF in Production")
    headed = make_section(report, position=0, session=istio, heading="サイドカーなしの Istio")
    same = make_section(report, position=1, session=ebpf, heading="eBPF in Production")

    html = client.get(report.get_absolute_url()).content.decode()

    headings = re.findall(r'class="report-section__title">\s*(.*?)\s*</h', html)
    assert headings == [
        "サイドカーなしの Istio",  # no longer the link: the session's title under it is
        f'<a href="{ebpf.get_absolute_url()}">eBPF in Production</a>',
    ]
    under = re.findall(r'<p class="report-section__session">(.*?)</p>', html)
    assert under == [
        '<span class="report-section__session-label">セッション</span> '
        f'<a href="{istio.get_absolute_url()}">Istio Today and Tomorrow</a>'
    ]
    # The contents keep to the writers' headings, short.
    toc = html.split('class="toc"')[1].split("</nav>")[0]
    assert re.findall(r'<a href="#section-\d+">(.*?)</a>', toc) == [
        headed.title,
        same.title,
    ]


def test_report_page_images_carry_srcset_size_and_alt(client):
    report = build_report(2)

    html = client.get(report.get_absolute_url()).content.decode()

    images = re.findall(r"<img [^>]*>", html)
    assert len(images) == 2
    for tag in images:
        assert 'loading="lazy"' in tag
        assert re.search(r'width="\d+" height="\d+"', tag)
        assert 'alt="会場の写真"' in tag
        assert re.search(r'srcset="[^"]+ 64w"', tag)
    assert html.count('<source type="image/webp"') == 2


@pytest.mark.parametrize(
    "status_fields",
    [
        {},  # a draft
        {"status": "published", "published_at": "2999-01-01T00:00:00Z"},  # scheduled
    ],
)
def test_unpublished_report_is_404_for_anonymous_readers(client, status_fields):
    report = make_report(title="Secret", **status_fields)

    response = client.get(report.get_absolute_url())

    assert response.status_code == 404
    assert "Secret" not in response.content.decode()


def test_unpublished_report_is_404_even_for_staff_on_the_public_url(client, editor):
    report = make_report(title="Secret")
    client.force_login(editor)

    assert client.get(report.get_absolute_url()).status_code == 404


def test_index_lists_published_reports_newest_first(client):
    newer = make_report(published=True, title="Newer")
    older = make_report(published=True, title="Older")
    older.published_at = newer.published_at.replace(year=newer.published_at.year - 1)
    older.save()
    make_report(title="Draft report")

    html = client.get("/").content.decode()

    assert re.findall(r'report-card__title"><a [^>]*>(.*?)</a>', html) == ["Newer", "Older"]


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_report_page_query_count_does_not_grow_with_sections(client):
    small = build_report(2)
    large = build_report(20)

    assert count_queries(client, small.get_absolute_url()) == 5
    assert count_queries(client, large.get_absolute_url()) == 5


def test_index_query_count_does_not_grow_with_reports(client):
    for _ in range(2):
        make_report(published=True)
    few = count_queries(client, "/")
    for _ in range(8):
        make_report(published=True)

    assert few == count_queries(client, "/") == 3


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/")

    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
