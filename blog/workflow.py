"""The one door through which a section's review status and a report's publication change.

Each transition is a named function that checks, in this order, that the
current state allows it and that the person may do it; locks the row; saves
only the fields it owns; writes a history row; and queues the notification
emails for after the commit. The admin, the shell and the tests all come
through here, so none of them can skip a check.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from blog import notifications
from blog.enums import EDITABLE_BY_AUTHOR, ReportAction, ReportStatus, SectionAction, SectionStatus
from blog.models import Report, ReportTransition, ReviewComment, Section, SectionTransition


class WorkflowError(ValidationError):
    """The object's state does not allow the move (or a required comment is missing)."""


class WorkflowPermissionDenied(PermissionDenied):
    """The state allows the move, but not for this person."""


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str
    permission: str
    needs_comment: bool = False


MOVES: dict[str, Move] = {
    SectionAction.SUBMIT: Move(EDITABLE_BY_AUTHOR, SectionStatus.IN_REVIEW, "blog.submit_section"),
    SectionAction.APPROVE: Move(
        frozenset({SectionStatus.IN_REVIEW}), SectionStatus.APPROVED, "blog.approve_section"
    ),
    SectionAction.REQUEST_CHANGES: Move(
        frozenset({SectionStatus.IN_REVIEW}),
        SectionStatus.CHANGES_REQUESTED,
        "blog.request_changes_section",
        needs_comment=True,
    ),
    SectionAction.REOPEN: Move(
        frozenset({SectionStatus.APPROVED}), SectionStatus.DRAFT, "blog.reopen_section"
    ),
}


@dataclass(frozen=True)
class Outcome:
    section: Section
    changed: bool  # False when the section already was where the move leads


def move_section(section: Section, action: str, *, by, comment: str = "") -> Outcome:
    """Move `section` by `action` on behalf of `by`.

    Runs in its own transaction (or the caller's), holding a row lock on the
    section so two editors clicking at once cannot both act on a stale state.
    Repeating a move that is already done changes nothing and reports so.
    Raises WorkflowError for a wrong state or a missing comment, and
    WorkflowPermissionDenied when `by` may not make the move.
    Side effects after commit: emails to the people concerned.
    """
    move = MOVES[action]
    comment = comment.strip()
    with transaction.atomic():
        # Lock only the section row: PostgreSQL cannot lock the nullable side of
        # the joins (reviewer), and those rows are only read.
        locked = (
            Section.objects.select_for_update(of=("self",))
            .select_related("report", "author", "reviewer")
            .get(pk=section.pk)
        )
        if locked.status == move.target and by.has_perm("blog.view_section", locked):
            return Outcome(locked, changed=False)
        if locked.status not in move.sources:
            raise WorkflowError(
                _wrong_state_message(action) % {"status": locked.get_status_display()},
                code="wrong_state",
            )
        if locked.report.is_live and action in {SectionAction.SUBMIT, SectionAction.REOPEN}:
            raise WorkflowError(
                _("The report is published: unpublish it before changing its sections' review."),
                code="report_live",
            )
        if not by.has_perm(move.permission, locked):
            raise WorkflowPermissionDenied(_("You may not do this with this section."))
        if move.needs_comment and not comment:
            raise WorkflowError(
                _("Say what should change: a comment is required."), code="comment_required"
            )
        _apply(locked, action, move.target, by, comment)
    section.refresh_from_db()
    return Outcome(section, changed=True)


def _apply(section: Section, action: str, target: str, by, comment: str) -> None:
    """Save the new state of a locked section, record the move and queue the emails."""
    now = timezone.now()
    previous = section.status
    section.status = target
    if action == SectionAction.SUBMIT:
        section.submitted_at = now
        section.approved_version = None
    elif action in {SectionAction.APPROVE, SectionAction.CORRECT}:
        section.approved_version = section.version
    elif action == SectionAction.REOPEN:
        section.approved_version = None
    section.save(update_fields=["status", "submitted_at", "approved_version", "updated_at"])
    SectionTransition.objects.create(
        section=section,
        action=action,
        from_status=previous,
        to_status=target,
        actor=by,
        version=section.version,
        comment=comment,
        created_at=now,
    )
    transaction.on_commit(lambda: notifications.section_moved(section, action, by, comment))


def _wrong_state_message(action: str) -> str:
    return {
        SectionAction.SUBMIT: _("A section that is “%(status)s” cannot be submitted for review."),
        SectionAction.APPROVE: _("A section that is “%(status)s” cannot be approved."),
        SectionAction.REQUEST_CHANGES: _(
            "Changes can only be requested on a section in review; this one is “%(status)s”."
        ),
        SectionAction.REOPEN: _(
            "Only an approved section can be reopened; this one is “%(status)s”."
        ),
    }[action]


def submit(section: Section, *, by) -> Outcome:
    return move_section(section, SectionAction.SUBMIT, by=by)


def approve(section: Section, *, by) -> Outcome:
    return move_section(section, SectionAction.APPROVE, by=by)


def request_changes(section: Section, *, by, comment: str) -> Outcome:
    return move_section(section, SectionAction.REQUEST_CHANGES, by=by, comment=comment)


def reopen(section: Section, *, by) -> Outcome:
    return move_section(section, SectionAction.REOPEN, by=by)


def record_edit(section: Section, *, by) -> None:
    """Called after someone saved new content into `section`.

    Approval is of a version: an approved section edited on a report that is
    not out yet goes back to review; on a published report the edit is an
    editor's correction and the new version counts as approved.
    """
    if section.status != SectionStatus.APPROVED or section.approved_version == section.version:
        return
    with transaction.atomic():
        locked = (
            Section.objects.select_for_update(of=("self",))
            .select_related("report")
            .get(pk=section.pk)
        )
        if locked.report.is_live:
            action, target = SectionAction.CORRECT, SectionStatus.APPROVED
        else:
            action, target = SectionAction.SUBMIT, SectionStatus.IN_REVIEW
        _apply(locked, action, target, by, _("Edited after approval."))
    section.refresh_from_db()


def comment_on(section: Section, *, by, body: str) -> ReviewComment:
    """Add a message to the section's review thread and tell the other side."""
    body = body.strip()
    if not body:
        raise WorkflowError(_("Write a comment first."), code="empty_comment")
    if not by.has_perm("blog.comment_section", section):
        raise WorkflowPermissionDenied(_("You may not comment on this section."))
    comment = ReviewComment.objects.create(section=section, author=by, body=body)
    transaction.on_commit(lambda: notifications.commented(comment))
    return comment


def assign_reviewer(section: Section, reviewer, *, by) -> None:
    if not by.has_perm("blog.assign_reviewer", section):
        raise WorkflowPermissionDenied(_("Only editors assign reviewers."))
    if reviewer is not None and not reviewer.has_perm("blog.review_sections"):
        raise WorkflowError(_("The reviewer must be an editor."), code="not_an_editor")
    Section.objects.filter(pk=section.pk).update(reviewer=reviewer)
    section.reviewer = reviewer
    if reviewer is not None and section.status == SectionStatus.IN_REVIEW:
        transaction.on_commit(lambda: notifications.reviewer_assigned(section, by))


# --- Reports -------------------------------------------------------------------------------------


def publish(report: Report, *, by, at: datetime.datetime | None = None) -> Report:
    """Publish `report` now, or at `at`: later schedules it, earlier backdates it.

    Refused unless `by` is an editor and every section is approved. The report
    and its sections are locked together, so no section can leave "approved"
    between the check and the switch; readers see all of it or none of it,
    because the whole page is read from rows that change in this one commit.
    """
    if not by.has_perm("blog.publish_report", report):
        raise WorkflowPermissionDenied(_("Only editors publish reports."))
    now = timezone.now()
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        sections = list(Section.objects.select_for_update(of=("self",)).filter(report=locked))
        if not sections:
            raise WorkflowError(_("A report needs at least one section."), code="empty")
        waiting = [section.title for section in sections if section.status != "approved"]
        if waiting:
            raise WorkflowError(
                _("Every section must be approved first. Not yet approved: %(titles)s")
                % {"titles": "、".join(waiting)},
                code="unapproved",
            )
        locked.status = ReportStatus.PUBLISHED
        locked.published_at = at or now
        locked.save(update_fields=["status", "published_at", "updated_at"])
        locked.editors.add(by)
        ReportTransition.objects.create(
            report=locked,
            action=ReportAction.SCHEDULE if at and at > now else ReportAction.PUBLISH,
            actor=by,
            published_at=locked.published_at,
        )
    report.refresh_from_db()
    return report


def unpublish(report: Report, *, by) -> Report:
    """Take `report` off the site (or cancel its schedule); its sections stay approved."""
    if not by.has_perm("blog.publish_report", report):
        raise WorkflowPermissionDenied(_("Only editors unpublish reports."))
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.status != ReportStatus.PUBLISHED:
            raise WorkflowError(_("The report is not published."), code="wrong_state")
        locked.status = ReportStatus.DRAFT
        locked.published_at = None
        locked.save(update_fields=["status", "published_at", "updated_at"])
        ReportTransition.objects.create(report=locked, action=ReportAction.UNPUBLISH, actor=by)
    report.refresh_from_db()
    return report
