"""An event's days and its sessions' times as each language writes them, in one place for
the pages and the exports."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from blog.export import build
from sessions.dates import DateRange, ScheduleTime
from tests.factories import make_event, make_report, make_session

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "japanese", "english"),
    [
        (D(2022, 10, 24), D(2022, 10, 24), "2022年10月24日", "Oct. 24, 2022"),
        (D(2022, 10, 24), D(2022, 10, 28), "2022年10月24日〜28日", "Oct. 24–28, 2022"),
        (D(2023, 3, 29), D(2023, 4, 2), "2023年3月29日〜4月2日", "March 29 – April 2, 2023"),
        (
            D(2022, 12, 30),
            D(2023, 1, 2),
            "2022年12月30日〜2023年1月2日",
            "Dec. 30, 2022 – Jan. 2, 2023",
        ),
    ],
)
def test_the_days_are_written_once_with_what_they_share(starts_on, ends_on, japanese, english):
    dates = DateRange(starts_on, ends_on)

    with translation.override("ja"):
        assert str(dates) == japanese
    with translation.override("en"):
        assert str(dates) == english


def test_a_single_day_has_no_last_day():
    dates = DateRange(D(2022, 10, 24), D(2022, 10, 24))

    assert (dates.end_text, dates.separator) == ("", "")


def test_the_event_box_marks_both_days_in_either_language(client):
    report = make_report(published=True, event=make_event(), slug="report")

    japanese = client.get("/reports/report/").content.decode()
    english = client.get("/en/reports/report/").content.decode()

    assert (
        '<time datetime="2022-10-24">2022年10月24日</time>〜<time datetime="2022-10-28">28日</time>'
    ) in japanese
    assert (
        '<time datetime="2022-10-24">Oct. 24</time>–<time datetime="2022-10-28">28, 2022</time>'
    ) in english
    assert report.event.name in english


def test_a_one_day_event_shows_one_day(client):
    make_report(published=True, slug="report", event=make_event(ends_on=D(2022, 10, 24)))

    html = client.get("/reports/report/").content.decode()

    assert '<dd><time datetime="2022-10-24">2022年10月24日</time></dd>' in html


def test_the_export_writes_the_days_as_the_page_does():
    report = make_report(published=True, event=make_event(ends_on=D(2022, 11, 1)))

    with translation.override("ja"):
        facts = build(report, base_url="https://blog.example.com").event.facts

    assert facts[0].text == "2022年10月24日〜11月1日"


@pytest.mark.parametrize(
    ("time_zone", "japanese", "english"),
    [
        (
            "America/Detroit",
            "2022年10月26日 11:55 EDT（現地時間）",
            "Oct. 26, 2022, 11:55 a.m. EDT (local time)",
        ),
        (
            "Asia/Tokyo",
            "2022年10月27日 0:55 JST（現地時間）",
            "Oct. 27, 2022, 12:55 a.m. JST (local time)",
        ),
        (
            "UTC",
            "2022年10月26日 15:55 UTC（現地時間）",
            "Oct. 26, 2022, 3:55 p.m. UTC (local time)",
        ),
    ],
)
def test_a_session_s_time_is_on_its_event_s_clock_and_names_the_zone(time_zone, japanese, english):
    event = make_event(time_zone=time_zone)
    session = make_session(
        event, starts_at=datetime.datetime(2022, 10, 26, 15, 55, tzinfo=datetime.UTC)
    )

    with translation.override("ja"):
        assert str(session.start_time) == japanese
    with translation.override("en"):
        assert str(session.start_time) == english


@pytest.mark.parametrize(
    ("time_zone", "label"),
    [
        # The time zone database has no letters for these and writes "+04", "-03", "+0545".
        ("Asia/Dubai", "UTC+4"),
        ("America/Sao_Paulo", "UTC-3"),
        ("Asia/Kathmandu", "UTC+5:45"),
        ("Europe/Amsterdam", "CEST"),
    ],
)
def test_a_zone_without_an_abbreviation_is_named_by_its_offset(time_zone, label):
    moment = datetime.datetime(2022, 10, 26, 12, 0, tzinfo=ZoneInfo(time_zone))

    assert ScheduleTime(moment).zone_label == label


def test_a_session_s_machine_time_keeps_the_event_s_offset():
    event = make_event(time_zone="America/Detroit")
    session = make_session(
        event, starts_at=datetime.datetime(2022, 10, 26, 15, 55, 30, 123456, tzinfo=datetime.UTC)
    )

    assert session.start_time.machine == "2022-10-26T11:55:30-04:00"
    assert session.start_time.clock == "11:55"
    assert make_session(event).start_time is None
