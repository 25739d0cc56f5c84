"""What readers may see, defined once, and what the models derive for the reader's site."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from blog import editing, trash
from blog.models import PHOTO_ALT_PLACEHOLDER, Photo, Report, Section
from blog.public import public_authors, public_events, public_sessions, public_speakers, public_tags
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

FUTURE = datetime.datetime(2999, 1, 1, tzinfo=datetime.UTC)


def make_hidden_reports(event=None):
    """A draft and a scheduled report, each with a section that could leak."""
    draft = make_report(title="下書きのレポート", event=event)
    scheduled = make_report(
        title="予約投稿のレポート", event=event, status="published", published_at=FUTURE
    )
    for report in (draft, scheduled):
        make_section(report, status="approved")
    return draft, scheduled


def test_published_sections_are_those_of_published_due_reports():
    visible = make_section(make_report(published=True))
    make_hidden_reports()

    assert list(Section.objects.published()) == [visible]


def test_public_conference_data_comes_only_from_published_reports():
    shown_event, hidden_event = make_event(), make_event()
    shown_speaker, hidden_speaker = make_speaker(), make_speaker()
    shown_session = make_session(shown_event, speakers=(shown_speaker,))
    hidden_session = make_session(hidden_event, speakers=(hidden_speaker,))
    writer, hidden_writer = make_user(group="Writers"), make_user(group="Writers")
    make_section(
        make_report(published=True, event=shown_event), session=shown_session, author=writer
    )
    for hidden in make_hidden_reports(event=hidden_event):
        make_section(hidden, session=hidden_session, author=hidden_writer, status="approved")

    assert list(public_events()) == [shown_event]
    assert list(public_sessions()) == [shown_session]
    assert list(public_speakers()) == [shown_speaker]
    assert list(public_authors()) == [writer]


def test_public_authors_are_staff_only():
    make_section(make_report(published=True), author=make_user())  # not staff

    assert list(public_authors()) == []


def test_public_tags_are_those_of_published_reports():
    shown = make_report(published=True)
    shown.tags.create(name="公開タグ")
    for hidden in make_hidden_reports():
        hidden.tags.create(name=f"隠れたタグ {hidden.pk}")

    assert [tag.name for tag in public_tags()] == ["公開タグ"]


def test_reading_time_counts_visible_characters_at_500_a_minute():
    report = make_report(lead="あ" * 200, closing="")
    make_section(report, body="い" * 300)  # 500 characters: one minute
    assert Report.objects.get(pk=report.pk).reading_minutes == 1

    make_section(report, body="**う**" * 1)  # markup is not read: 501 characters
    assert Report.objects.get(pk=report.pk).reading_minutes == 2


def test_reading_time_follows_an_edited_and_a_deleted_section():
    report = make_report(lead="", closing="")
    section = make_section(report, body="あ" * 1200)
    other = make_section(report, body="い" * 600)
    assert Report.objects.get(pk=report.pk).reading_minutes == 4

    section.body = "あ" * 100
    editing.save_section(section, by=make_user("editor-of-the-test", group="Editors"))
    assert Report.objects.get(pk=report.pk).reading_minutes == 2

    trash.trash_section(other, by=make_user("another-editor", group="Editors"))
    assert Report.objects.get(pk=report.pk).reading_minutes == 1


def test_reading_time_follows_the_lead_on_a_partial_save():
    report = make_report(lead="", closing="")
    report.lead = "あ" * 1001
    report.save(update_fields=["lead"])

    assert Report.objects.get(pk=report.pk).reading_minutes == 3


def test_cover_must_be_a_photo_of_the_same_report():
    report, other = make_report(), make_report()
    report.cover = make_photo(other)

    with pytest.raises(ValidationError) as error:
        report.full_clean()
    assert error.value.message_dict["cover"] == [
        "カバー写真にはこのレポートの写真を選んでください。"
    ]


def test_cover_must_be_a_described_photo():
    report = make_report()
    report.cover = make_photo(report)
    Photo.objects.filter(pk=report.cover.pk).update(alt_text=str(PHOTO_ALT_PLACEHOLDER))
    report.cover.refresh_from_db()

    with pytest.raises(ValidationError) as error:
        report.full_clean()
    assert error.value.message_dict["cover"] == [
        "カバーにする前に、この写真の説明を節で書いてください。"
    ]


def test_share_image_is_the_cover_else_the_first_gallery_photo():
    report = make_report(published=True)
    figure = make_photo(report, make_section(report))
    first_in_gallery = make_photo(report, in_gallery=True, position=1)
    make_photo(report, in_gallery=True, position=2)

    assert Report.objects.for_page().get(pk=report.pk).share_image == first_in_gallery
    report.cover = figure
    report.save()
    assert Report.objects.for_page().get(pk=report.pk).share_image == figure


def test_deleting_the_cover_photo_keeps_the_report():
    report = make_report()
    report.cover = make_photo(report)
    report.save()

    report.cover.delete()

    assert Report.objects.get(pk=report.pk).cover is None


def test_japanese_substring_search_on_each_database():
    """PostgreSQL answers from a trigram index; SQLite, which has none, scans."""
    section = make_section(make_report(), body="可観測性の話")

    search = Section.objects.filter(body__icontains="観測性").order_by().values("pk")

    assert list(search) == [{"pk": section.pk}]
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE '%trgm%'")
            assert cursor.fetchall() == []
        return
    with connection.cursor() as cursor:
        # On a tiny table a scan is cheapest; leave the planner only bitmap scans, which
        # an index must serve (a trigram GIN index can serve nothing else).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        sql, params = search.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "blog_section_body_trgm" in plan
