"""The reader's pages around the report: event, session, speaker, author, tag, errors."""

import datetime
import re

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import path

from tests.factories import (
    make_event,
    make_report,
    make_section,
    make_session,
    make_speaker,
    make_user,
)

pytestmark = pytest.mark.django_db


def titles(html: str, css_class: str) -> list[str]:
    """The text of the links in the headings with `css_class`, in page order."""
    return re.findall(rf'class="card__title {css_class}"><a [^>]*>(.*?)</a>', html)


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def conference():
    """One published report on one event: two sessions, three speakers, two writers."""
    event = make_event(name="KubeCon NA", city="Detroit, Michigan, USA", venue="Huntington Place")
    lin = make_speaker(name="Lin Sun", affiliation="Solo.io", slug="lin-sun")
    mitch = make_speaker(name="Mitch Connors", affiliation="Google", slug="mitch-connors")
    falco = make_speaker(name="Luca Guerra", affiliation="Sysdig", slug="luca-guerra")
    istio = make_session(event, speakers=(lin, mitch), title="Istio Today", track="Service Mesh")
    security = make_session(event, speakers=(falco,), title="Falco Updates")
    sato = make_user("sato", group="Writers", team="ECプラットフォーム基盤")
    suzuki = make_user("suzuki", group="Writers")
    report = make_report(published=True, event=event, title="参加レポート")
    report.tags.create(name="KubeCon")
    overview = make_section(report, position=0, heading="イベント概要", author=suzuki)
    istio_section = make_section(report, position=1, session=istio, author=sato)
    security_section = make_section(report, position=2, session=security, author=suzuki)
    return {
        "event": event,
        "report": report,
        "speakers": (lin, mitch, falco),
        "sessions": (istio, security),
        "writers": (sato, suzuki),
        "sections": (overview, istio_section, security_section),
    }


def test_report_page_links_to_event_sessions_speakers_authors_and_tags(client, conference):
    report = conference["report"]
    istio, security = conference["sessions"]

    html = client.get(report.get_absolute_url()).content.decode()

    assert re.findall(r'class="event-box__title"><a href="([^"]+)"', html) == [
        conference["event"].get_absolute_url()
    ]
    assert re.findall(r'class="report-section__title"><a href="([^"]+)"', html) == [
        istio.get_absolute_url(),
        security.get_absolute_url(),
    ]
    assert re.findall(r'<a href="([^"]+)" class="speaker__name">', html) == [
        "/speakers/lin-sun/",
        "/speakers/mitch-connors/",
        "/speakers/luca-guerra/",
    ]
    assert re.findall(r'class="byline__name" href="([^"]+)"', html) == [
        "/authors/suzuki/",
        "/authors/sato/",
        "/authors/suzuki/",
    ]
    assert re.findall(r'<a class="tag" href="([^"]+)">KubeCon</a>', html) == [
        report.tags.get().get_absolute_url()
    ]


def test_report_page_has_permalinks_and_ways_back_to_the_contents(client, conference):
    report = conference["report"]
    anchors = [section.anchor for section in conference["sections"]]

    html = client.get(report.get_absolute_url()).content.decode()

    assert re.findall(r'class="heading-anchor" href="#([^"]+)"', html) == anchors
    assert re.findall(r'<span class="visually-hidden">(節「.*?」へのリンク)</span>', html) == [
        "節「イベント概要」へのリンク",
        "節「Istio Today」へのリンク",
        "節「Falco Updates」へのリンク",
    ]
    assert re.findall(r'<p class="toc-jump"><a href="(#toc)">目次</a>', html) == ["#toc"]
    assert html.count('<p class="back-to-toc"><a href="#toc">目次に戻る</a></p>') == 3
    assert '<nav class="toc" id="toc"' in html


def test_report_page_shows_its_reading_time(client):
    report = make_report(published=True, lead="", closing="")
    make_section(report, body="あ" * 1400)

    html = client.get(report.get_absolute_url()).content.decode()
    english = client.get(f"/en{report.get_absolute_url()}").content.decode()
    index = client.get("/en/").content.decode()

    assert re.findall(r'class="report__reading-time">(.*?)<', html) == ["約3分で読めます"]
    assert re.findall(r'class="report__reading-time">(.*?)<', english) == ["3-minute read"]
    assert "3-minute read" in index


def test_byline_of_a_non_staff_author_is_not_a_link(client):
    report = make_report(published=True)
    make_section(report, author=make_user("former"))

    html = client.get(report.get_absolute_url()).content.decode()

    assert re.findall(r'<span class="byline__name">(.*?)</span>', html) == ["former 表示名"]
    assert "/authors/former/" not in html


def test_event_page_shows_facts_reports_and_covered_sessions(client, conference):
    event = conference["event"]
    make_session(event, title="Nobody wrote about this")

    response = client.get(event.get_absolute_url())

    html = response.content.decode()
    assert re.findall(r"<h1 [^>]*>(.*?)</h1>", html) == ["KubeCon NA"]
    assert "Huntington Place" in html
    assert '2022年10月24日</time>〜<time datetime="2022-10-28">28日</time>' in html
    assert titles(html, "report-card__title") == ["参加レポート"]
    assert re.findall(r'<h3 class="card__title"><a href="[^"]+">(.*?)</a>', html) == [
        "Falco Updates",
        "Istio Today",
    ]


def test_session_page_shows_facts_speakers_and_published_sections(client, conference):
    istio = conference["sessions"][0]
    other = make_report(published=True, event=conference["event"], title="もう一つのレポート")
    make_section(other, session=istio, author=conference["writers"][1])

    html = client.get(istio.get_absolute_url()).content.decode()

    assert re.findall(r"<h1 [^>]*>(.*?)</h1>", html) == ["Istio Today"]
    assert "Service Mesh" in html
    assert re.findall(r'class="speaker__name">(.*?)<', html) == ["Lin Sun", "Mitch Connors"]
    assert titles(html, "section-card__title") == ["Istio Today", "Istio Today"]
    assert re.findall(r"<span>「(.*?)」より</span>", html) == ["もう一つのレポート", "参加レポート"]


def test_a_session_without_speakers_has_no_empty_speakers_list(client, conference):
    istio, falco = conference["sessions"][:2]
    falco.speakers.clear()

    with_speakers = client.get(istio.get_absolute_url()).content.decode()
    without = client.get(falco.get_absolute_url()).content.decode()

    assert re.findall(r'<h2 id="speakers-title"[^>]*>(.*?)</h2>', with_speakers) == ["登壇者"]
    assert 'id="speakers-title"' not in without
    assert titles(without, "section-card__title") == ["Falco Updates"]


def test_session_page_says_which_room(client, conference):
    istio, falco = conference["sessions"][:2]
    istio.room = "Room 140 A-F"
    istio.save()

    with_room = client.get(istio.get_absolute_url()).content.decode()
    without = client.get(falco.get_absolute_url()).content.decode()

    assert re.findall(r"<dt>会場</dt><dd>(.*?)</dd>", with_room) == ["Room 140 A-F"]
    assert "<dt>会場</dt>" not in without


def test_session_page_gives_its_time_on_the_event_clock_with_the_zone(client, conference):
    event = conference["event"]
    event.time_zone = "America/Detroit"
    event.save()
    istio = conference["sessions"][0]
    # 11:55 in Detroit, which is 0:55 the next day in Tokyo, the site's time zone.
    istio.starts_at = datetime.datetime(2022, 10, 26, 15, 55, tzinfo=datetime.UTC)
    istio.save()

    japanese = client.get(istio.get_absolute_url()).content.decode()
    english = client.get(f"/en{istio.get_absolute_url()}").content.decode()

    when = '<time datetime="2022-10-26T11:55:00-04:00">{}</time>'
    assert re.findall(r"<dt>開始日時</dt><dd>(.*?)</dd>", japanese) == [
        when.format("2022年10月26日 11:55 EDT（現地時間）")
    ]
    assert re.findall(r"<dt>Scheduled at</dt><dd>(.*?)</dd>", english) == [
        when.format("Oct. 26, 2022, 11:55 a.m. EDT (local time)")
    ]


def test_speaker_page_lists_sections_about_their_talks_across_events(client, conference):
    lin = conference["speakers"][0]
    other_event = make_event(name="KubeCon EU")
    later_talk = make_session(other_event, speakers=(lin,), title="Ambient Mesh")
    eu_report = make_report(published=True, event=other_event, title="EU レポート")
    make_section(eu_report, session=later_talk, author=conference["writers"][0])

    html = client.get(lin.get_absolute_url()).content.decode()

    assert re.findall(r"<h1 [^>]*>(.*?)</h1>", html) == ["Lin Sun"]
    assert titles(html, "section-card__title") == ["Ambient Mesh", "Istio Today"]


def test_author_page_lists_every_published_section_they_wrote(client, conference):
    suzuki = conference["writers"][1]

    html = client.get("/authors/suzuki/").content.decode()

    assert re.findall(r"<h1 [^>]*>(.*?)</h1>", html) == ["suzuki 表示名"]
    assert titles(html, "section-card__title") == ["イベント概要", "Falco Updates"]
    assert suzuki.author_profile.team in html


def test_author_page_is_404_for_a_non_staff_user_and_for_a_staff_user_without_sections(client):
    make_section(make_report(published=True), author=make_user("visitor"))
    make_user("newcomer", group="Writers")

    assert client.get("/authors/visitor/").status_code == 404
    assert client.get("/authors/newcomer/").status_code == 404


def test_tag_page_lists_published_reports_with_the_tag(client, conference):
    tag = conference["report"].tags.get()
    untagged = make_report(published=True, title="タグなし")
    assert untagged.tags.count() == 0

    html = client.get(tag.get_absolute_url()).content.decode()

    assert re.findall(r"<h1 [^>]*>(.*?)</h1>", html) == ["KubeCon"]
    assert titles(html, "report-card__title") == ["参加レポート"]


@pytest.mark.parametrize("url", ["/events/nope/", "/sessions/999999/", "/speakers/nope/"])
def test_unknown_conference_pages_are_404(client, url):
    assert client.get(url).status_code == 404


def test_pages_of_a_list_and_a_page_past_the_end(client):
    author = make_user("prolific", group="Writers")
    for _ in range(21):
        make_section(make_report(published=True), author=author)

    first = client.get("/authors/prolific/").content.decode()
    second = client.get("/authors/prolific/?page=2").content.decode()

    assert len(titles(first, "section-card__title")) == 20
    assert len(titles(second, "section-card__title")) == 1
    assert re.findall(r'rel="next" href="([^"]+)"', first) == ["?page=2"]
    assert re.findall(r'rel="prev" href="([^"]+)"', second) == ["?"]
    assert client.get("/authors/prolific/?page=3").status_code == 404
    assert client.get("/authors/prolific/?page=x").status_code == 404


def test_event_page_pages_its_sessions_apart_from_its_reports(client):
    event = make_event()
    report = make_report(published=True, event=event)
    for _ in range(21):
        make_section(report, session=make_session(event))

    html = client.get(f"{event.get_absolute_url()}?sessions=2").content.decode()

    assert len(re.findall(r'<h3 class="card__title"><a href="/sessions/', html)) == 1
    assert titles(html, "report-card__title") == [report.title]
    assert re.findall(r'rel="prev" href="([^"]+)"', html) == ["?"]


def test_not_found_page_is_styled_and_offers_search(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert re.findall(r"<h1 [^>]*>(.*?)</h1>", html) == ["ページが見つかりません"]
    assert 'action="/search/"' in html
    assert '<link rel="stylesheet" href="/static/css/site.css">' in html


def failing_view(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", failing_view)]


@override_settings(ROOT_URLCONF=__name__)
def test_server_error_page_is_styled_and_bilingual(client):
    client.raise_request_exception = False

    response = client.get("/boom/")

    assert response.status_code == 500
    html = response.content.decode()
    assert re.findall(r"<h1 [^>]*>(.*?)</h1>", html) == ["エラーが発生しました"]
    assert '<p lang="en">' in html
    assert '<link rel="stylesheet" href="/static/css/site.css">' in html


# Query counts: the same for 2 items as for 20, because every list comes from a
# queryset method carrying its select_related/prefetch_related.


def event_with(items: int):
    event = make_event()
    for _ in range(items):
        report = make_report(published=True, event=event)
        report.tags.create(name=f"tag {report.pk}")
        session = make_session(event, speakers=(make_speaker(), make_speaker()))
        make_section(report, session=session)
    return event.get_absolute_url()


def session_with(items: int):
    event = make_event()
    session = make_session(event, speakers=(make_speaker(), make_speaker()))
    for _ in range(items):
        make_section(make_report(published=True, event=event), session=session)
    return session.get_absolute_url()


def speaker_with(items: int):
    speaker = make_speaker()
    for _ in range(items):
        event = make_event()
        session = make_session(event, speakers=(speaker, make_speaker()))
        make_section(make_report(published=True, event=event), session=session)
    return speaker.get_absolute_url()


def author_with(items: int):
    author = make_user(group="Writers")
    for _ in range(items):
        event = make_event()
        session = make_session(event, speakers=(make_speaker(),))
        make_section(make_report(published=True, event=event), session=session, author=author)
    return f"/authors/{author.username}/"


def tag_with(items: int):
    first = make_report(published=True, event=make_event())
    tag = first.tags.create(name=f"共通 {first.pk}")
    for _ in range(items - 1):
        report = make_report(published=True, event=make_event())
        report.tags.add(tag, report.tags.create(name=f"tag {report.pk}"))
    return tag.get_absolute_url()


def search_with(items: int):
    for _ in range(items):
        report = make_report(published=True, event=make_event(), title="観測 レポート")
        report.tags.create(name=f"tag {report.pk}")
        make_section(report, heading="観測の節", body="観測の話")
    return "/search/?q=観測"


@pytest.mark.parametrize(
    ("build", "queries"),
    [
        # event, reports count + list + tags, sessions count + list + speakers
        (event_with, 7),
        # session and its event, its speakers, sections count + list + speakers
        (session_with, 5),
        # speaker, sections count + list + speakers
        (speaker_with, 4),
        # author, sections count + list + speakers
        (author_with, 4),
        # tag, reports count + list + tags
        (tag_with, 4),
        # reports count + list + tags, their matching sections, their matching photos
        (search_with, 5),
    ],
    ids=["event", "session", "speaker", "author", "tag", "search"],
)
def test_page_query_count_does_not_grow_with_content(client, build, queries):
    few = build(2)
    many = build(20)

    assert count_queries(client, few) == queries
    assert count_queries(client, many) == queries
