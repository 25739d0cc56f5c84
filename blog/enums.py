"""States, actions and roles of the editorial workflow: the vocabulary every layer shares."""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

WRITERS = "Writers"
EDITORS = "Editors"
# The role groups' names as an administrator reads them where people are given a role
# (the groups are found by their stored names above, which stay in English).
ROLE_GROUP_LABELS = {
    WRITERS: _("Writers (write sections of the reports they join)"),
    EDITORS: _("Editors (review, approve and publish)"),
}


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class SectionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")


# The states in which a writer may still change their own section.
EDITABLE_BY_AUTHOR = frozenset({SectionStatus.DRAFT, SectionStatus.CHANGES_REQUESTED})


class SectionAction(models.TextChoices):
    """Everything that moves a section, as recorded in its history."""

    SUBMIT = "submit", _("Submitted for review")
    APPROVE = "approve", _("Approved")
    REQUEST_CHANGES = "request_changes", _("Changes requested")
    REOPEN = "reopen", _("Reopened")
    REVIEW_AGAIN = "review_again", _("Changed after approval: back to review")
    WITHDRAW_APPROVAL = "withdraw_approval", _("Approval withdrawn: back to review")
    CORRECT = "correct", _("Corrected after publication")


class ReportAction(models.TextChoices):
    """Everything a report's audit trail records besides its sections' review moves."""

    PUBLISH = "publish", _("Published")
    SCHEDULE = "schedule", _("Scheduled")
    UNPUBLISH = "unpublish", _("Unpublished")
    CANCEL_SCHEDULE = "cancel_schedule", _("Schedule cancelled")
    ADD_WRITER = "add_writer", _("Writer added")
    REMOVE_WRITER = "remove_writer", _("Writer removed")
    TRASH = "trash", _("Moved to the trash")
    RESTORE = "restore", _("Restored from the trash")
    PURGE = "purge", _("Deleted permanently")
    REORDER = "reorder", _("Sections reordered")


# The entries of a report's trail that change what readers see of it.
PUBLICATION_ACTIONS = frozenset(
    {
        ReportAction.PUBLISH,
        ReportAction.SCHEDULE,
        ReportAction.UNPUBLISH,
        ReportAction.CANCEL_SCHEDULE,
    }
)


class Recipients(models.TextChoices):
    """Who is emailed about a move of a section (besides never the person who made it)."""

    NOBODY = "", _("nobody")
    REVIEWERS = "reviewers", _("its reviewer, or every editor while it has none")
    AUTHOR = "author", _("its author")


class ExportFormat(models.TextChoices):
    """The forms a report leaves the site in (blog/export.py), for the company blog."""

    HATENA = "hatena", _("Hatena Blog Markdown")
    HTML = "html", _("standalone HTML")


class DeadlineState(models.TextChoices):
    """Where unfinished work stands against its due date."""

    LATE = "late", _("Late")
    DUE_SOON = "due_soon", _("Due soon")


# "Due soon": due today or within this many days.
DUE_SOON_DAYS = 3


def deadline_state(due, today) -> DeadlineState | None:
    """Late, due soon or neither, for unfinished work due on `due` (a date or None)."""
    if due is None:
        return None
    if due < today:
        return DeadlineState.LATE
    if due <= today + datetime.timedelta(days=DUE_SOON_DAYS):
        return DeadlineState.DUE_SOON
    return None
