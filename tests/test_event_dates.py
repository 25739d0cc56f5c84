"""An event's days as each language writes them, in one place for the page and the exports."""

import datetime

import pytest
from django.utils import translation

from blog.export import build
from sessions.dates import DateRange
from tests.factories import make_event, make_report

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
