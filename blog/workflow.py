"""The one door through which a section's review status and a report's publication change.

Every move of a section is a row of `SECTION_ACTIONS`: from which states, to which, who
may, whether a comment is needed, what the person is told, and whom to email. The
admin's buttons (`available_actions()`), the transition view, the messages and the
notifications all read that table; nothing else writes a status.

Each move checks, in this order: that the person may see the section at all (a refusal
says nothing about a section they may not see), that they may make this kind of move,
then that the state allows it. It locks the row, saves only the fields it owns, writes a
history row, and queues the emails for after the commit.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from blog import audit, notifications, roles
from blog.enums import (
    EDITABLE_BY_AUTHOR,
    Recipients,
    ReportAction,
    ReportStatus,
    SectionAction,
    SectionStatus,
)
from blog.models import Photo, Report, ReviewComment, Section, SectionTransition


class WorkflowError(ValidationError):
    """The object's state does not allow the move (or a required comment is missing)."""


class WorkflowPermissionDenied(PermissionDenied):
    """The person may not make this move."""


@dataclass(frozen=True)
class Action:
    """One kind of move of a section through review."""

    name: SectionAction
    sources: frozenset[str]
    target: SectionStatus
    permission: str  # asked with the section: blog/rules.py says who may
    refused: str  # told to someone who may see the section but not make this move
    wrong_state: str  # told when the state does not allow it; %(status)s is the state
    done: str  # told to the person who made the move
    label: str = ""  # the button; an action without one follows from an edit, not a click
    hint: str = ""  # under the button, where two buttons could be mistaken for each other
    after_edit: str = ""  # told to the person whose save of content led to this move
    needs_comment: bool = False
    needs_text: bool = False  # the section must have a body: an empty one is nothing to review
    primary: bool = False  # the button drawn as the expected next step
    # None: any time; False: only before publication; True: only on a published report.
    while_live: bool | None = False
    notify: Recipients = Recipients.NOBODY  # whom to email
    subject: str = ""  # of the email, with %(title)s
    opening: str = ""  # the email's first line, with %(actor)s, %(title)s and %(report)s

    @property
    def is_button(self) -> bool:
        return bool(self.label)

    def offered_to(self, user, section: Section) -> bool:
        """Whether `user` gets this move's button on `section` now."""
        return (
            self.is_button and self.allowed_on(section) and user.has_perm(self.permission, section)
        )

    def allowed_on(self, section: Section) -> bool:
        """Whether the section's state (and its report's) lets this move happen."""
        if section.status not in self.sources:
            return False
        return self.while_live is None or self.while_live == section.report.is_live


# An approved section back in review: whether a change to its content led there
# (REVIEW_AGAIN) or an editor chose it (WITHDRAW_APPROVAL), the move itself is the same.
_BACK_TO_REVIEW = dict(
    sources=frozenset({SectionStatus.APPROVED}),
    target=SectionStatus.IN_REVIEW,
    permission="blog.change_section",
    refused=gettext_lazy("You may not change this section."),
    wrong_state=gettext_lazy("Only an approved section goes back to review."),
    done=gettext_lazy("“%(title)s” is back in review and must be approved again."),
)

SECTION_ACTIONS: dict[str, Action] = {
    action.name: action
    for action in [
        Action(
            SectionAction.SUBMIT,
            sources=EDITABLE_BY_AUTHOR,
            target=SectionStatus.IN_REVIEW,
            permission="blog.submit_section",
            label=gettext_lazy("Submit for review"),
            refused=gettext_lazy("Only the section's author or an editor submits it."),
            wrong_state=gettext_lazy("A section that is “%(status)s” cannot be submitted."),
            done=gettext_lazy("Submitted for review."),
            needs_text=True,
            notify=Recipients.REVIEWERS,
            subject=gettext_lazy("Review requested: %(title)s"),
            opening=gettext_lazy("%(actor)s submitted “%(title)s” in “%(report)s” for review."),
        ),
        Action(
            SectionAction.APPROVE,
            sources=frozenset({SectionStatus.IN_REVIEW}),
            target=SectionStatus.APPROVED,
            permission="blog.approve_section",
            label=gettext_lazy("Approve"),
            primary=True,
            refused=gettext_lazy("Only editors approve sections."),
            wrong_state=gettext_lazy("A section that is “%(status)s” cannot be approved."),
            done=gettext_lazy("Approved."),
            notify=Recipients.AUTHOR,
            subject=gettext_lazy("Approved: %(title)s"),
            opening=gettext_lazy("%(actor)s approved your section “%(title)s”."),
        ),
        Action(
            SectionAction.REQUEST_CHANGES,
            sources=frozenset({SectionStatus.IN_REVIEW}),
            target=SectionStatus.CHANGES_REQUESTED,
            permission="blog.request_changes_section",
            label=gettext_lazy("Request changes"),
            needs_comment=True,
            refused=gettext_lazy("Only editors ask for changes."),
            wrong_state=gettext_lazy(
                "Changes can only be requested on a section in review; this one is “%(status)s”."
            ),
            done=gettext_lazy("Sent back to the author with your comment."),
            notify=Recipients.AUTHOR,
            subject=gettext_lazy("Changes requested: %(title)s"),
            opening=gettext_lazy("%(actor)s asks for changes to your section “%(title)s”:"),
        ),
        Action(
            SectionAction.REOPEN,
            sources=frozenset({SectionStatus.APPROVED}),
            target=SectionStatus.DRAFT,
            permission="blog.reopen_section",
            label=gettext_lazy("Reopen for changes"),
            hint=gettext_lazy("Back to a draft its writer can edit again."),
            refused=gettext_lazy("Only editors reopen sections."),
            wrong_state=gettext_lazy(
                "Only an approved section can be reopened; this one is “%(status)s”."
            ),
            done=gettext_lazy("Reopened: the author can edit it again."),
            notify=Recipients.AUTHOR,
            subject=gettext_lazy("Reopened: %(title)s"),
            opening=gettext_lazy(
                "%(actor)s reopened your section “%(title)s”; you can edit it again."
            ),
        ),
        Action(
            # Follows from a change to approved content before publication.
            SectionAction.REVIEW_AGAIN,
            **_BACK_TO_REVIEW,
            after_edit=gettext_lazy(
                "“%(title)s” was approved; your change to its content sends it back to review."
            ),
            notify=Recipients.REVIEWERS,
            subject=gettext_lazy("Changed after approval: %(title)s"),
            opening=gettext_lazy(
                "%(actor)s changed “%(title)s” in “%(report)s” after it was approved; "
                "it waits for review again."
            ),
        ),
        Action(
            # Chosen, with nothing changed: e.g. for content changed outside the editor, or
            # an approval given too soon. Recorded as such, not as a change of content.
            SectionAction.WITHDRAW_APPROVAL,
            **_BACK_TO_REVIEW,
            label=gettext_lazy("Send back to review"),
            hint=gettext_lazy(
                "Withdraws the approval: it waits for review again, still locked for its writer."
            ),
            notify=Recipients.REVIEWERS,
            subject=gettext_lazy("Approval withdrawn: %(title)s"),
            opening=gettext_lazy(
                "%(actor)s withdrew the approval of “%(title)s” in “%(report)s”; it waits for "
                "review again."
            ),
        ),
        Action(
            # Follows from an editor's change to a published section: the new text is live.
            SectionAction.CORRECT,
            sources=frozenset({SectionStatus.APPROVED}),
            target=SectionStatus.APPROVED,
            permission="blog.change_section",
            while_live=True,
            refused=gettext_lazy("Only editors correct published sections."),
            wrong_state=gettext_lazy("Only an approved section can be corrected."),
            done=gettext_lazy("Recorded as a correction of the published text."),
            after_edit=gettext_lazy(
                "“%(title)s” is published: your change is recorded as a correction."
            ),
            notify=Recipients.AUTHOR,
            subject=gettext_lazy("Corrected: %(title)s"),
            opening=gettext_lazy("%(actor)s corrected your published section “%(title)s”."),
        ),
    ]
}


@dataclass(frozen=True)
class Outcome:
    section: Section
    changed: bool  # False when the section already was where the move leads


def available_actions(section: Section, user) -> list[Action]:
    """The buttons `user` may press on `section` now, in the table's order."""
    return [action for action in SECTION_ACTIONS.values() if action.offered_to(user, section)]


def unlockers(section: Section) -> list:
    """Whom the author asks to get a section back to edit while it is locked for them (in
    review or approved): writers cannot take a submission back, so an editor asks for
    changes or reopens it. Its reviewer when it has one, else the editors."""
    return roles.reviewers_of(section)


def may(section: Section, user, action: str) -> bool:
    return SECTION_ACTIONS[action].offered_to(user, section)


def move_section(
    section: Section, action: str, *, by, comment: str = "", seen_version: int | None = None
) -> Outcome:
    """Move `section` by `action` on behalf of `by`.

    Holds a row lock on the section, so two editors clicking at once cannot both act on
    a stale state; repeating a move that is already done changes nothing. `seen_version`
    is the version the person was looking at: an approval of a text that has changed
    since is refused. Raises WorkflowPermissionDenied when `by` may not make the move,
    WorkflowError when the state does not allow it or a comment is missing.
    """
    move = SECTION_ACTIONS[action]
    comment = comment.strip()
    with transaction.atomic():
        # Lock only the section row: PostgreSQL cannot lock the nullable side of
        # the joins (reviewer), and those rows are only read.
        locked = (
            Section.objects.select_for_update(of=("self",))
            .select_related("report", "author", "reviewer")
            .get(pk=section.pk)
        )
        if not by.has_perm("blog.view_section", locked):
            raise WorkflowPermissionDenied(_("You may not do this with this section."))
        if not by.has_perm(move.permission, locked):
            raise WorkflowPermissionDenied(str(move.refused))
        if locked.status == move.target and move.name != SectionAction.CORRECT:
            return Outcome(locked, changed=False)
        if locked.status not in move.sources:
            raise WorkflowError(
                str(move.wrong_state) % {"status": locked.get_status_display()},
                code="wrong_state",
            )
        if not move.allowed_on(locked):
            raise WorkflowError(
                _("The report is published: unpublish it before changing its sections' review."),
                code="report_live",
            )
        if move.needs_comment and not comment:
            raise WorkflowError(
                _("Say what should change: a comment is required."), code="comment_required"
            )
        if move.needs_text and not locked.body.strip():
            raise WorkflowError(
                _(
                    "The section has no text yet: write its text, then ask for review. "
                    "It is kept as a draft."
                ),
                code="no_text",
            )
        if seen_version is not None and seen_version != locked.version:
            raise WorkflowError(
                _(
                    "The section was changed after you opened it. Read the new version, "
                    "then decide again."
                ),
                code="stale",
            )
        _apply(locked, move, by, comment)
    section.refresh_from_db()
    return Outcome(section, changed=True)


def _apply(section: Section, move: Action, by, comment: str) -> None:
    """Save the new state of a locked section, record the move and queue the emails."""
    now = timezone.now()
    previous = section.status
    section.status = move.target
    if move.target == SectionStatus.APPROVED:
        section.approved_version = section.version
        section.approved_digest = section.content_digest()
    else:
        section.approved_version = None
        section.approved_digest = ""
    if move.name == SectionAction.SUBMIT:
        section.submitted_at = now
    section.save(
        update_fields=[
            "status",
            "submitted_at",
            "approved_version",
            "approved_digest",
            "updated_at",
        ]
    )
    SectionTransition.objects.create(
        section=section,
        action=move.name,
        from_status=previous,
        to_status=move.target,
        actor=by,
        version=section.version,
        comment=comment,
        created_at=now,
    )
    transaction.on_commit(lambda: notifications.section_moved(section, move, by, comment))


def submit(section: Section, *, by) -> Outcome:
    return move_section(section, SectionAction.SUBMIT, by=by)


def approve(section: Section, *, by, seen_version: int | None = None) -> Outcome:
    return move_section(section, SectionAction.APPROVE, by=by, seen_version=seen_version)


def request_changes(section: Section, *, by, comment: str) -> Outcome:
    return move_section(section, SectionAction.REQUEST_CHANGES, by=by, comment=comment)


def reopen(section: Section, *, by) -> Outcome:
    return move_section(section, SectionAction.REOPEN, by=by)


def content_changed(section: Section, *, by) -> Action | None:
    """Called by blog/editing.py after content of `section` was saved.

    An approval is of content (`Section.content_digest()`): when the content is still
    what was approved, nothing happens, whatever was saved. Otherwise an approved
    section of a report not yet out goes back to review; on a published report the
    change is an editor's correction and the new content counts as approved.
    Returns the action taken, if any.
    """
    with transaction.atomic():
        locked = (
            Section.objects.select_for_update(of=("self",))
            .select_related("report")
            .get(pk=section.pk)
        )
        if locked.status != SectionStatus.APPROVED or locked.approval_holds():
            return None
        action = SectionAction.CORRECT if locked.report.is_live else SectionAction.REVIEW_AGAIN
        move = SECTION_ACTIONS[action]
        if not by.has_perm(move.permission, locked):
            raise WorkflowPermissionDenied(str(move.refused))
        _apply(locked, move, by, "")
    section.refresh_from_db()
    return move


def comment_on(section: Section, *, by, body: str) -> ReviewComment:
    """Add a message to the section's review thread and tell the other side."""
    if not by.has_perm("blog.comment_section", section):
        raise WorkflowPermissionDenied(_("You may not comment on this section."))
    body = body.strip()
    if not body:
        raise WorkflowError(_("Write a comment first."), code="empty_comment")
    comment = ReviewComment.objects.create(section=section, author=by, body=body)
    transaction.on_commit(lambda: notifications.commented(comment))
    return comment


def assign_reviewer(section: Section, reviewer, *, by) -> bool:
    """Make `reviewer` (an editor, or None) the section's reviewer; True if it changed."""
    if not by.has_perm("blog.assign_reviewer", section):
        raise WorkflowPermissionDenied(_("Only editors assign reviewers."))
    if reviewer is not None and not reviewer.has_perm("blog.review_sections"):
        raise WorkflowError(_("The reviewer must be an editor."), code="not_an_editor")
    if section.reviewer_id == (reviewer.pk if reviewer else None):
        return False
    Section.objects.filter(pk=section.pk).update(reviewer=reviewer)
    section.reviewer = reviewer
    if reviewer is not None and section.status == SectionStatus.IN_REVIEW:
        transaction.on_commit(lambda: notifications.reviewer_assigned(section, by))
    return True


# --- Reports -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportMove:
    permission: str
    refused: str
    done: str


REPORT_ACTIONS: dict[str, ReportMove] = {
    ReportAction.PUBLISH: ReportMove(
        "blog.publish_report",
        gettext_lazy("Only editors publish reports."),
        gettext_lazy("Published: readers can see it now."),
    ),
    ReportAction.SCHEDULE: ReportMove(
        "blog.publish_report",
        gettext_lazy("Only editors publish reports."),
        gettext_lazy("Scheduled: readers will see it from %(time)s."),
    ),
    ReportAction.UNPUBLISH: ReportMove(
        "blog.publish_report",
        gettext_lazy("Only editors unpublish reports."),
        gettext_lazy("Unpublished: readers no longer see it."),
    ),
    ReportAction.CANCEL_SCHEDULE: ReportMove(
        "blog.publish_report",
        gettext_lazy("Only editors unpublish reports."),
        gettext_lazy("Schedule cancelled: the report is being written again and will not go out."),
    ),
}


@dataclass(frozen=True)
class Blocker:
    """A section that stops its report from being published, and why."""

    section: Section
    reason: str


@dataclass(frozen=True)
class ReportOutcome:
    report: Report
    action: str | None  # what was done, None when nothing needed doing


def publication_blockers(report: Report, sections=None) -> list[Blocker]:
    """Every section that is not approved, or whose content is no longer what was approved.

    Three queries however long the report: its sections, sessions and photos.
    """
    if sections is None:
        sections = list(report.sections.select_related("session").order_by("position", "pk"))
    photos = list(Photo.objects.filter(report_id=report.pk))
    blockers = []
    for section in sections:
        if section.status != SectionStatus.APPROVED:
            reason = _("not approved yet (“%(status)s”)") % {"status": section.get_status_display()}
        elif not section.approval_holds(photos):
            reason = _(
                "its content changed after it was approved (version %(version)s was "
                "approved): send it back to review and approve it again"
            ) % {"version": section.approved_version or "—"}
        else:
            continue
        blockers.append(Blocker(section, reason))
    return blockers


def publish(report: Report, *, by, at: datetime.datetime | None = None) -> ReportOutcome:
    """Publish `report` now, or at `at`: later schedules it, earlier backdates it.

    Refused unless `by` is an editor and every section's approved content is the content
    that would go out. Publishing a published report without a new time changes
    nothing and records nothing, so two editors publishing at once end in one
    publication. The report and its sections are locked together, so nothing changes
    between the check and the switch; readers see all of it or none of it.
    """
    move = REPORT_ACTIONS[ReportAction.PUBLISH]
    if not by.has_perm(move.permission, report):
        raise WorkflowPermissionDenied(str(move.refused))
    now = timezone.now()
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.status == ReportStatus.PUBLISHED and at in (None, locked.published_at):
            report.refresh_from_db()
            return ReportOutcome(report, None)
        sections = list(
            Section.objects.select_for_update(of=("self",))
            .filter(report=locked)
            .order_by("position", "pk")
        )
        if not sections:
            raise WorkflowError(_("A report needs at least one section."), code="empty")
        if blockers := publication_blockers(locked, sections):
            raise WorkflowError(
                _("Every section must be approved as it stands. Not ready: %(sections)s")
                % {
                    "sections": "; ".join(
                        f"「{blocker.section.title}」: {blocker.reason}" for blocker in blockers
                    )
                },
                code="unapproved",
            )
        action = ReportAction.SCHEDULE if at and at > now else ReportAction.PUBLISH
        locked.status = ReportStatus.PUBLISHED
        locked.published_at = at or now
        locked.save(update_fields=["status", "published_at", "updated_at"])
        locked.editors.add(by)
        audit.record(action, report=locked, by=by, published_at=locked.published_at)
    report.refresh_from_db()
    return ReportOutcome(report, action)


def unpublish(report: Report, *, by) -> ReportOutcome:
    """Take `report` off the site, or cancel its schedule if readers have not seen it yet;
    its sections stay approved."""
    move = REPORT_ACTIONS[ReportAction.UNPUBLISH]
    if not by.has_perm(move.permission, report):
        raise WorkflowPermissionDenied(str(move.refused))
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.status != ReportStatus.PUBLISHED:
            report.refresh_from_db()
            return ReportOutcome(report, None)
        action = ReportAction.CANCEL_SCHEDULE if locked.is_scheduled else ReportAction.UNPUBLISH
        locked.status = ReportStatus.DRAFT
        locked.published_at = None
        locked.save(update_fields=["status", "published_at", "updated_at"])
        audit.record(action, report=locked, by=by)
    report.refresh_from_db()
    return ReportOutcome(report, action)
