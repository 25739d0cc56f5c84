import datetime

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from blog.models import Photo, Report, Section, Tag
from sessions.models import Event, Speaker
from tests.factories import (
    make_event,
    make_report,
    make_section,
    make_session,
    make_speaker,
    make_user,
)

pytestmark = pytest.mark.django_db


def test_conference_app_label_does_not_clash_with_django_sessions():
    assert apps.get_app_config("conference").name == "sessions"
    assert apps.get_app_config("sessions").name == "django.contrib.sessions"
    assert Event._meta.db_table == "conference_event"


def test_report_slug_from_latin_title():
    report = make_report(title="KubeCon + CloudNativeCon North America 2022 参加レポート")

    assert report.slug == "kubecon-cloudnativecon-north-america-2022-参加レポート"


def test_report_slugs_from_japanese_titles_are_valid_and_unique():
    first = make_report(title="参加レポート")
    second = make_report(title="参加レポート")
    third = make_report(title="別のレポート")

    assert [first.slug, second.slug, third.slug] == [
        "参加レポート",
        "参加レポート-2",
        "別のレポート",
    ]


def test_slug_stays_when_title_changes():
    report = make_report(title="First title")
    report.title = "Second title"
    report.save()

    report.refresh_from_db()
    assert report.slug == "first-title"


def test_slug_is_unique_in_the_database():
    make_report(title="Same", slug="same")

    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(title="Other", slug="same")


def test_speaker_and_event_and_tag_slugs_keep_japanese_names():
    speaker = Speaker.objects.create(name="山田 太郎")
    event = make_event(name="クラウドネイティブ会議")
    tag = Tag.objects.create(name="カンファレンス")

    assert (speaker.slug, event.slug, tag.slug) == (
        "山田-太郎",
        "クラウドネイティブ会議",
        "カンファレンス",
    )


def test_long_title_slug_is_cut_to_the_field_length():
    report = make_report(title="word " * 38)
    duplicate = make_report(title="word " * 38)

    assert len(report.slug) <= 80
    assert len(duplicate.slug) <= 80
    assert duplicate.slug.endswith("-2")


def test_event_cannot_end_before_it_starts():
    event = Event(
        name="Backwards",
        city="X",
        starts_on=datetime.date(2022, 10, 28),
        ends_on=datetime.date(2022, 10, 24),
    )

    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert error.value.messages == ["最終日を初日より前にはできません。"]
    with pytest.raises(IntegrityError), transaction.atomic():
        event.save()


def test_session_speakers_keep_their_billed_order():
    event = make_event()
    zoe, adam = make_speaker(name="Zoe"), make_speaker(name="Adam")
    session = make_session(event, speakers=(zoe, adam))

    assert [s.name for s in session.ordered_speakers] == ["Zoe", "Adam"]


def test_section_without_session_needs_a_heading():
    report = make_report()
    section = Section(report=report, author=make_user(), body="本文")

    with pytest.raises(ValidationError) as error:
        section.full_clean()
    assert error.value.message_dict["heading"] == [
        "節の見出しを入力するか、紹介するセッションを選んでください。"
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        section.save()


def test_section_title_comes_from_its_session():
    event = make_event()
    session = make_session(event, title="Istio Today and Tomorrow")
    section = make_section(make_report(event=event), session=session)

    assert section.title == "Istio Today and Tomorrow"


def test_section_session_must_belong_to_the_report_event():
    report = make_report(event=make_event())
    other_session = make_session(make_event())
    section = Section(report=report, author=make_user(), session=other_session, position=1)

    with pytest.raises(ValidationError) as error:
        section.full_clean()
    assert error.value.message_dict["session"] == [
        "このセッションはレポートとは別のイベントのものです。"
    ]


def test_sections_are_ordered_by_position():
    report = make_report()
    third = make_section(report, position=3)
    first = make_section(report, position=1)
    second = make_section(report, position=2)

    assert list(report.sections.all()) == [first, second, third]


def test_section_byline_team_defaults_to_the_profile_team():
    author = make_user(team="計測システム部 SREブロック")
    section = make_section(make_report(), author=author)

    assert section.author_team == "計測システム部 SREブロック"


def test_section_body_is_rendered_and_sanitised_on_save():
    section = make_section(make_report(), body="**太字** <script>alert(1)</script>")

    assert section.body_html == "<p><strong>太字</strong> </p>"


def test_section_version_counts_saves():
    section = make_section(make_report())
    section.body = "二回目"
    section.save()

    assert section.version == 2


def test_photo_needs_alt_text():
    report = make_report()
    photo = Photo(report=report, alt_text="")

    with pytest.raises(ValidationError) as error:
        photo.full_clean(exclude=["image"])
    assert error.value.message_dict["alt_text"] == ["このフィールドは空ではいけません。"]


def test_published_queryset_hides_drafts_and_future_reports():
    visible = make_report(published=True)
    make_report()  # a draft
    make_report(
        status="published",
        published_at=datetime.datetime(2999, 1, 1, tzinfo=datetime.UTC),
    )

    assert list(Report.objects.published()) == [visible]


def test_partial_save_of_the_body_also_stores_its_html():
    section = make_section(make_report(), body="古い")
    section.body = "**新しい**"
    section.save(update_fields=["body"])

    section.refresh_from_db()
    assert section.body_html == "<p><strong>新しい</strong></p>"


def test_session_title_is_unique_within_its_event():
    event = make_event()
    make_session(event, title="Same talk")
    make_session(make_event(), title="Same talk")  # another event may reuse it

    with pytest.raises(IntegrityError), transaction.atomic():
        make_session(event, title="Same talk")


def test_gallery_photo_cannot_belong_to_a_section():
    report = make_report()
    photo = Photo(report=report, section=make_section(report), in_gallery=True, alt_text="x")

    with pytest.raises(ValidationError) as error:
        photo.full_clean(exclude=["image"])
    assert error.value.messages == [
        "ギャラリーの写真はレポート全体のもので、特定の節には属しません。"
    ]


def test_an_excerpt_is_made_of_the_texts_paragraphs_not_its_headings_lists_or_code():
    section = make_section(
        make_report(),
        body="## 会場の様子\n\n初日は混雑していました。\n\n- ポイント1: SLO\n\n"
        "```yaml\napiVersion: v1\n```\n\n| 表 |\n|---|\n| セル |\n\n次の段落です。",
    )
    listed_only = make_section(make_report(), body="- 項目だけ\n- もう一つ")
    report = make_report(lead="## 概要\n\nリードの段落。\n\n```\ncode\n```")

    assert section.excerpt == "初日は混雑していました。 次の段落です。"
    assert listed_only.excerpt == "項目だけ もう一つ"  # no paragraph: all its text
    assert report.summary == "リードの段落。"
