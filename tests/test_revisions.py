"""The compare view shows what changed, with a little context, and folds the rest; a section
back in review is compared with the version its editor asked changes of."""

import datetime

import pytest
from django.utils import timezone
from reversion.models import Revision, Version

from blog import editing, workflow
from blog.models import Section, SectionTransition
from blog.revisions import CONTEXT_LINES, changed_lines, since_requests
from tests.factories import make_report, make_section, make_writer_of


def test_changed_lines_keep_context_and_fold_long_unchanged_stretches():
    before = [f"行{number}" for number in range(1, 21)]
    after = [*before]
    after[9] = "十行目を書き換えた"

    lines = changed_lines(before, after)

    assert lines == [
        ("skipped", str(9 - CONTEXT_LINES)),
        ("same", "行8"),
        ("same", "行9"),
        ("removed", "行10"),
        ("added", "十行目を書き換えた"),
        ("same", "行11"),
        ("same", "行12"),
        ("skipped", str(20 - 10 - CONTEXT_LINES)),
    ]


def test_a_single_unchanged_line_is_shown_not_folded():
    lines = changed_lines(["一", "二", "三"], ["一", "二", "三", "四"])

    assert lines == [("same", "一"), ("same", "二"), ("same", "三"), ("added", "四")]


def test_blank_lines_are_lines_like_any_other():
    lines = changed_lines(["段落一", "", "段落二"], ["段落一", "", "段落二を直した"])

    assert lines == [
        ("same", "段落一"),
        ("same", ""),
        ("removed", "段落二"),
        ("added", "段落二を直した"),
    ]


# --- Since a request for changes -----------------------------------------------------------------


def save_body(section: Section, body: str, *, by) -> Section:
    section.body = body
    editing.save_section(section, by=by)
    return section


def since_latest_request(section: Section):
    requests = SectionTransition.objects.latest_change_requests([section])
    return since_requests(requests)[section.pk]


def versions_oldest_first(section: Section) -> list[Version]:
    return list(Version.objects.get_for_object(section).order_by("pk"))


def send_back_and_resubmit(section: Section, *, author, editor, body: str | None = None) -> None:
    workflow.submit(section, by=author)
    workflow.request_changes(section, by=editor, comment="出典を足してください")
    if body is not None:
        save_body(section, body, by=author)
    workflow.submit(section, by=author)


@pytest.mark.django_db
def test_the_version_at_a_request_is_the_last_saved_before_it(author, editor):
    section = make_section(make_report(), author=author)
    save_body(section, "一稿", by=author)
    save_body(section, "二稿", by=author)

    send_back_and_resubmit(section, author=author, editor=editor, body="三稿")

    _first, second, third = versions_oldest_first(section)
    since = since_latest_request(section)
    assert (since.at_request, since.latest, since.changed) == (second, third, True)
    assert since.request.comment == "出典を足してください"


@pytest.mark.django_db
def test_the_latest_of_several_requests_is_the_one_compared_from(author, editor):
    section = save_body(make_section(make_report(), author=author), "一稿", by=author)
    send_back_and_resubmit(section, author=author, editor=editor, body="二稿")
    workflow.request_changes(section, by=editor, comment="もう一度お願いします")
    save_body(section, "三稿", by=author)
    workflow.submit(section, by=author)

    _first, second, third = versions_oldest_first(section)
    since = since_latest_request(section)
    assert (since.request.comment, since.at_request, since.latest) == (
        "もう一度お願いします",
        second,
        third,
    )


@pytest.mark.django_db
def test_a_request_on_a_section_not_saved_since_it_was_written_compares_from_then(author, editor):
    report = make_report()
    make_writer_of(report, author)
    section = Section(report=report, author=author, heading="新しい節", body="初稿")
    editing.save_section(section, by=author)  # written in the admin: its only version

    send_back_and_resubmit(section, author=author, editor=editor, body="直した稿")

    created, resubmitted = versions_oldest_first(section)
    since = since_latest_request(section)
    assert (since.at_request, since.latest, since.changed) == (created, resubmitted, True)


@pytest.mark.django_db
def test_a_section_never_saved_in_the_admin_before_the_request_has_nothing_to_compare_from(
    author, editor
):
    section = make_section(make_report(), author=author)  # no version at all

    send_back_and_resubmit(section, author=author, editor=editor, body="直した稿")

    since = since_latest_request(section)
    assert (since.at_request, since.latest, since.changed) == (
        None,
        versions_oldest_first(section)[0],
        True,
    )


@pytest.mark.django_db
def test_a_section_with_no_version_and_no_save_since_the_request_has_not_changed(author, editor):
    section = make_section(make_report(), author=author)

    send_back_and_resubmit(section, author=author, editor=editor)

    since = since_latest_request(section)
    assert (since.at_request, since.latest, since.changed) == (None, None, False)


@pytest.mark.django_db
def test_two_saves_in_the_same_instant_before_a_request_compare_from_the_later(author, editor):
    section = make_section(make_report(), author=author)
    save_body(section, "一稿", by=author)
    save_body(section, "二稿", by=author)
    workflow.submit(section, by=author)
    workflow.request_changes(section, by=editor, comment="出典を足してください")
    # A coarse clock: both saves and the request carry the same time.
    instant = timezone.now() - datetime.timedelta(minutes=5)
    Revision.objects.filter(version__object_id=str(section.pk)).update(date_created=instant)
    SectionTransition.objects.filter(section=section).update(created_at=instant)

    save_body(section, "三稿", by=author)
    workflow.submit(section, by=author)

    _first, second, third = versions_oldest_first(section)
    since = since_latest_request(section)
    assert (since.at_request, since.latest) == (second, third)


@pytest.mark.django_db
def test_a_resubmission_without_a_save_has_not_changed(author, editor):
    section = save_body(make_section(make_report(), author=author), "一稿", by=author)

    send_back_and_resubmit(section, author=author, editor=editor)

    (only,) = versions_oldest_first(section)
    since = since_latest_request(section)
    assert (since.at_request, since.latest, since.changed) == (only, only, False)


@pytest.mark.django_db
def test_a_text_changed_and_changed_back_since_the_request_has_not_changed(author, editor):
    section = save_body(make_section(make_report(), author=author), "一稿", by=author)
    workflow.submit(section, by=author)
    workflow.request_changes(section, by=editor, comment="出典を足してください")
    save_body(section, "書き換えた稿", by=author)
    save_body(section, "一稿", by=author)
    workflow.submit(section, by=author)

    since = since_latest_request(section)
    assert since.at_request != since.latest
    assert since.changed is False
