import datetime

import pytest
from django.core import mail
from django.utils import timezone

from blog import editing, workflow
from blog.models import Report, ReportTransition, Section, SectionTransition
from tests.factories import make_report, make_section

pytestmark = pytest.mark.django_db

ACTIONS = {
    "submit": lambda section, by: workflow.submit(section, by=by),
    "approve": lambda section, by: workflow.approve(section, by=by),
    "request_changes": lambda section, by: workflow.request_changes(
        section, by=by, comment="図の出典を追記してください。"
    ),
    "reopen": lambda section, by: workflow.reopen(section, by=by),
}

# (action, from state) -> resulting state; every other pair is refused.
ALLOWED = {
    ("submit", "draft"): "in_review",
    ("submit", "changes_requested"): "in_review",
    ("approve", "in_review"): "approved",
    ("request_changes", "in_review"): "changes_requested",
    ("reopen", "approved"): "draft",
}
STATES = ["draft", "in_review", "changes_requested", "approved"]


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_transition_from_every_state(author, editor, action, state):
    section = make_section(make_report(), author=author, status=state)

    expected = ALLOWED.get((action, state))
    target = {
        "submit": "in_review",
        "approve": "approved",
        "request_changes": "changes_requested",
        "reopen": "draft",
    }[action]
    if expected:
        outcome = ACTIONS[action](section, editor)
        assert (outcome.changed, section.status) == (True, expected)
        transition = SectionTransition.objects.get(section=section)
        assert (transition.from_status, transition.to_status, transition.actor) == (
            state,
            expected,
            editor,
        )
    elif state == target:
        outcome = ACTIONS[action](section, editor)
        assert (outcome.changed, section.status) == (False, state)
        assert SectionTransition.objects.count() == 0
    else:
        with pytest.raises(workflow.WorkflowError) as error:
            ACTIONS[action](section, editor)
        assert error.value.code == "wrong_state"
        section.refresh_from_db()
        assert section.status == state
        assert SectionTransition.objects.count() == 0


def test_wrong_state_message_is_clear(editor, author):
    section = make_section(make_report(), author=author, status="draft")

    with pytest.raises(workflow.WorkflowError) as error:
        workflow.approve(section, by=editor)

    assert error.value.messages == ["「下書き」の節は承認できません。"]


def test_writer_cannot_approve_own_section(author):
    section = make_section(make_report(), author=author, status="in_review")

    with pytest.raises(workflow.WorkflowPermissionDenied):
        workflow.approve(section, by=author)
    section.refresh_from_db()
    assert section.status == "in_review"


def test_writer_cannot_submit_another_writers_section(author, coauthor):
    section = make_section(make_report(), author=author)

    with pytest.raises(workflow.WorkflowPermissionDenied):
        workflow.submit(section, by=coauthor)


@pytest.mark.parametrize("body", ["", " \n\u3000\n"])
def test_a_section_without_text_is_not_submitted(author, editor, body):
    section = make_section(make_report(), author=author, body=body)

    for person in (author, editor):
        with pytest.raises(workflow.WorkflowError) as error:
            workflow.submit(section, by=person)

        assert error.value.messages == [
            "この節にはまだ本文がありません。本文を書いてから、レビューを依頼してください。"
            "節は下書きのまま保存されています。"
        ]
        section.refresh_from_db()
        assert section.status == "draft"
        assert not section.transitions.exists()


def test_request_changes_needs_a_comment(author, editor):
    section = make_section(make_report(), author=author, status="in_review")

    with pytest.raises(workflow.WorkflowError) as error:
        workflow.request_changes(section, by=editor, comment="   ")

    assert error.value.messages == ["どこを直すべきか書いてください。コメントは必須です。"]
    section.refresh_from_db()
    assert section.status == "in_review"


def test_submit_notifies_the_editors_and_approval_the_author(
    author, editor, django_capture_on_commit_callbacks
):
    author.email, editor.email = "author@example.com", "editor@example.com"
    author.save()
    editor.save()
    section = make_section(make_report(), author=author)

    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(section, by=author)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.approve(section, by=editor)

    assert [(m.to, m.subject.split("] ")[1]) for m in mail.outbox] == [
        (["editor@example.com"], f"レビュー依頼: {section.title}"),
        (["author@example.com"], f"承認されました: {section.title}"),
    ]


def test_assigned_reviewer_is_the_one_notified(author, editor, django_capture_on_commit_callbacks):
    from tests.factories import make_user

    other_editor = make_user("other-editor", group="Editors", email="other@example.com")
    editor.email = "editor@example.com"
    editor.save()
    section = make_section(make_report(), author=author, reviewer=other_editor)

    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(section, by=author)

    assert [m.to for m in mail.outbox] == [["other@example.com"]]


def test_request_changes_mails_the_comment_to_the_author(
    author, editor, django_capture_on_commit_callbacks
):
    author.email = "author@example.com"
    author.save()
    section = make_section(make_report(), author=author, status="in_review")

    with django_capture_on_commit_callbacks(execute=True):
        workflow.request_changes(section, by=editor, comment="結論を先に書いてください。")

    assert len(mail.outbox) == 1
    assert "結論を先に書いてください。" in mail.outbox[0].body


def test_approval_records_the_approved_version(author, editor):
    section = make_section(make_report(), author=author, status="in_review")

    workflow.approve(section, by=editor)

    assert section.approved_version == section.version


def test_edit_after_approval_sends_the_section_back_to_review(author, superuser):
    section = make_section(make_report(), author=author, status="in_review")
    workflow.approve(section, by=superuser)

    section.body = "承認後に書き換えた本文"
    edit = editing.save_section(section, by=superuser)

    section.refresh_from_db()
    assert (section.status, section.approved_version) == ("in_review", None)
    assert edit.messages() == [
        f"「{section.title}」は承認済みでしたが、内容を変更したためレビューに戻りました。"
    ]
    assert SectionTransition.objects.filter(section=section).last().action == "review_again"


def test_editor_correction_on_a_published_report_stays_approved(author, editor):
    section = make_section(make_report(published=True), author=author, status="approved")

    section.body = "誤字を修正"
    editing.save_section(section, by=editor)

    section.refresh_from_db()
    assert (section.status, section.approved_version) == ("approved", section.version)
    assert section.approval_holds()
    assert SectionTransition.objects.get(section=section).action == "correct"


# --- Publishing ----------------------------------------------------------------------------------


def test_publish_refused_while_a_section_is_not_approved(editor, author):
    report = make_report()
    make_section(report, author=author, status="approved")
    waiting = make_section(report, author=author, status="in_review", heading="未承認の節")

    with pytest.raises(workflow.WorkflowError) as error:
        workflow.publish(report, by=editor)

    assert error.value.messages == [
        "すべての節が今の内容で承認されるまで公開できません。"
        f"公開できない節: 「{waiting.title}」: まだ承認されていません（レビュー中）"
    ]
    report.refresh_from_db()
    assert (report.status, report.published_at) == ("draft", None)
    assert list(Report.objects.published()) == []


def test_publish_needs_an_editor(author):
    report = make_report()
    make_section(report, author=author, status="approved")

    with pytest.raises(workflow.WorkflowPermissionDenied):
        workflow.publish(report, by=author)


def test_publish_now_makes_the_report_public(editor, author):
    report = make_report()
    make_section(report, author=author, status="approved")

    workflow.publish(report, by=editor)

    assert list(Report.objects.published()) == [report]
    assert ReportTransition.objects.get(report=report).action == "publish"
    assert list(report.editors.all()) == [editor]


def test_scheduled_report_is_invisible_before_its_time_and_visible_after(
    editor, author, client, monkeypatch
):
    report = make_report()
    make_section(report, author=author, status="approved")
    at = timezone.now() + datetime.timedelta(hours=2)

    workflow.publish(report, by=editor, at=at)

    assert list(Report.objects.published()) == []
    assert client.get(report.get_absolute_url()).status_code == 404
    later = at + datetime.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert list(Report.objects.published()) == [report]
    assert client.get(report.get_absolute_url()).status_code == 200


def test_schedule_form_refuses_a_time_in_the_past():
    from blog.forms import ScheduleForm

    form = ScheduleForm({"publish_at": "2020-01-01T10:00"})

    assert form.errors == {"publish_at": ["予約公開には未来の日時を指定してください。"]}


def test_unpublish_hides_the_report_and_keeps_sections_approved(editor, author):
    report = make_report(published=True)
    section = make_section(report, author=author, status="approved")

    workflow.unpublish(report, by=editor)

    assert list(Report.objects.published()) == []
    section.refresh_from_db()
    assert section.status == "approved"


def test_published_report_sections_cannot_be_reopened(editor, author):
    section = make_section(make_report(published=True), author=author, status="approved")

    with pytest.raises(workflow.WorkflowError) as error:
        workflow.reopen(section, by=editor)

    assert error.value.code == "report_live"


def test_nothing_else_writes_a_status():
    """The workflow module is the one place that assigns Section.status or Report.status."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    writers = []
    for path in [*root.glob("blog/**/*.py"), *root.glob("sessions/**/*.py")]:
        if "migrations" in path.parts or "demo" in path.parts:
            continue
        text = path.read_text()
        if ".status = " in text:
            writers.append(path.relative_to(root).as_posix())
    assert writers == ["blog/workflow.py"]


def test_section_refetch_is_the_saved_state(author, editor):
    section = make_section(make_report(), author=author)
    workflow.submit(section, by=author)

    assert Section.objects.get(pk=section.pk).status == "in_review"
