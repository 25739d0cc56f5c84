"""Search results point: the passage with the match highlighted, a link to its section,
sections grouped under their report."""

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
)

pytestmark = pytest.mark.django_db


def search(client, query: str) -> str:
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def passages(html: str) -> list[tuple[str, str, str]]:
    """(link, section title, excerpt) of each matching section, in page order."""
    return re.findall(
        r'<a class="search-hit__section" href="([^"]+)">(.*?)</a>\s*'
        r'<p class="search-hit__excerpt">(.*?)</p>',
        html,
        re.S,
    )


def test_a_match_in_a_section_shows_its_passage_and_links_to_it(client):
    report = make_report(published=True, title="参加レポート", slug="sanka")
    section = make_section(report, heading="概要", body="初日は障害対応の振り返りを聞きました。")

    html = search(client, "振り返り")

    assert passages(html) == [
        (
            f"/reports/sanka/#section-{section.pk}",
            "概要",
            "初日は障害対応の<mark>振り返り</mark>を聞きました。",
        )
    ]


def test_sections_of_one_report_are_grouped_under_it_in_page_order(client):
    report = make_report(published=True, title="参加レポート", lead="リード")
    second = make_section(report, position=1, heading="二つ目", body="観測の話の続き")
    make_section(report, position=2, heading="関係ない節", body="別の話")
    first = make_section(report, position=0, heading="一つ目", body="観測の話")

    html = search(client, "観測")

    assert html.count('class="card search-hit"') == 1
    assert [link.split("#")[1] for link, _title, _excerpt in passages(html)] == [
        first.anchor,
        second.anchor,
    ]
    # The lead does not contain the word, and sections do: no lead excerpt.
    assert 'search-hit__excerpt">リード' not in html


def test_a_match_in_the_lead_shows_the_lead_highlighted(client):
    make_report(published=True, title="参加レポート", lead="分散トレーシングを導入しました。")

    html = search(client, "トレーシング")

    assert re.findall(r'<p class="card__summary search-hit__excerpt">(.*?)</p>', html) == [
        "分散<mark>トレーシング</mark>を導入しました。"
    ]
    assert passages(html) == []


def test_a_session_or_speaker_match_points_to_the_section_covering_it(client):
    event = make_event()
    session = make_session(
        event, speakers=(make_speaker(name="Mitch Connors"),), title="Sidecars and Beyond"
    )
    report = make_report(published=True, event=event, title="参加レポート", slug="sanka")
    section = make_section(report, session=session, body="サイドカーの話でした。")

    by_title, by_speaker = search(client, "sidecars"), search(client, "connors")

    assert passages(by_title) == [
        (
            f"/reports/sanka/#section-{section.pk}",
            "<mark>Sidecars</mark> and Beyond",
            "サイドカーの話でした。",
        )
    ]
    assert [link for link, _t, _e in passages(by_speaker)] == [
        f"/reports/sanka/#section-{section.pk}"
    ]


def test_excerpt_is_cut_around_the_match(client):
    report = make_report(published=True, title="長い節")
    make_section(report, heading="節", body="あ" * 300 + "目印" + "い" * 300)

    [(_link, _title, excerpt)] = passages(search(client, "目印"))

    assert excerpt == "…" + "あ" * 40 + "<mark>目印</mark>" + "い" * 98 + "…"


def test_every_word_of_the_query_is_marked_in_any_case(client):
    report = make_report(published=True, title="Kubernetes 観測")
    make_section(report, heading="節", body="kubernetes の観測と KUBERNETES")

    html = search(client, "kubernetes 観測")

    assert (
        passages(html)[0][2]
        == "<mark>kubernetes</mark> の<mark>観測</mark>と <mark>KUBERNETES</mark>"
    )
    assert "<mark>Kubernetes</mark> <mark>観測</mark></a></h3>" in html


def test_nothing_a_writer_typed_reaches_the_results_as_html(client):
    report = make_report(published=True, title="<b>観測</b> & <i>")
    make_section(report, heading="<img src=x onerror=alert(1)>観測", body="`<script>観測</script>`")

    html = search(client, "観測")

    assert "&lt;b&gt;<mark>観測</mark>&lt;/b&gt; &amp; &lt;i&gt;" in html
    [(_link, title, excerpt)] = passages(html)
    assert title == "&lt;img src=x onerror=alert(1)&gt;<mark>観測</mark>"
    assert excerpt == "&lt;script&gt;<mark>観測</mark>&lt;/script&gt;"
    assert "<script>" not in html and "<img src=x" not in html


def test_a_query_that_looks_like_a_pattern_is_taken_literally(client):
    report = make_report(published=True, title="正規表現 (1+1)?")
    make_section(report, heading="節", body="a+b と (1+1)? を書く")

    html = search(client, "(1+1)?")

    assert passages(html)[0][2] == "a+b と <mark>(1+1)?</mark> を書く"


def query_count(client, query: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        search(client, query)
    return len(queries)


def test_search_costs_the_same_queries_for_one_report_or_three(client):
    event = make_event()
    speaker = make_speaker(name="Lin Sun")
    report = make_report(published=True, event=event, title="観測 1")
    report.tags.create(name="KubeCon")
    make_section(report, heading="観測の節", body="観測")
    one = query_count(client, "観測")

    for number in (2, 3):
        other = make_report(published=True, event=event, title=f"観測 {number}")
        other.tags.create(name=f"タグ {number}")
        make_section(other, session=make_session(event, speakers=(speaker,)), body="観測の話")
        make_section(other, heading="もう一つ", body="観測の続き")
    three = query_count(client, "観測")

    # The count, the reports, their tags, one for every matching section of the page, and
    # one for every matching photo caption or credit.
    assert (one, three) == (5, 5)


def test_excerpt_starts_at_a_word_not_inside_one(client):
    report = make_report(published=True, title="英語の節")
    make_section(report, heading="節", body="abcdefghij " * 10 + "目印" + " klmnopq" * 20)

    [(_link, _title, excerpt)] = passages(search(client, "目印"))

    assert excerpt.startswith("…abcdefghij abcdefghij abcdefghij <mark>目印</mark> klmnopq")


def test_words_under_the_photos_and_in_the_closing_find_the_report(client):
    report = make_report(
        published=True,
        slug="shashin",
        title="写真の多いレポート",
        closing="来年は**モントリオール**で。",
    )
    section = make_section(report, heading="会場の節", body="本文です。")
    make_photo(report, in_gallery=True, caption="会場の横を流れるデトロイト川")
    make_photo(report, section=section, caption="基調講演のステージ", credit_text="撮影: 山本")
    make_photo(make_report(published=True, slug="betsu"), in_gallery=True, caption="別の川")

    assert passages(search(client, "デトロイト川")) == [
        (
            "/reports/shashin/#gallery",
            "番外編: 会場の様子",
            "会場の横を流れる<mark>デトロイト川</mark>",
        )
    ]
    assert passages(search(client, "山本")) == [
        (
            f"/reports/shashin/#section-{section.pk}",
            "会場の節",
            "基調講演のステージ 撮影: <mark>山本</mark>",
        )
    ]
    assert passages(search(client, "モントリオール")) == [
        ("/reports/shashin/#closing", "最後に", "来年は<mark>モントリオール</mark>で。")
    ]
