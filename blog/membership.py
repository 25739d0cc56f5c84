"""Who writes in which report. Editors add and remove a report's writers; only its
writers (and editors) may add sections to it and read its drafts (blog/rules.py)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from blog import audit, roles
from blog.enums import ReportAction
from blog.models import Report, ReportMember, display_name_of
from sessions.models import Event


def _forget_cached_memberships(user) -> None:
    user.__dict__.pop("_blog_writing_reports", None)
    user.__dict__.pop("_blog_somewhere_to_write", None)


def add_writer(report: Report, user, *, by) -> ReportMember:
    """Make `user` a writer of `report`; adding someone twice changes nothing."""
    if not by.has_perm("blog.change_report", report):
        raise PermissionDenied(_("Only editors choose a report's writers."))
    if not roles.is_writer(user) and not roles.is_editor(user):
        raise ValidationError(
            _("%(name)s is not in the Writers group, so cannot write in a report.")
            % {"name": display_name_of(user)},
            code="not_a_writer",
        )
    return _join(report, user, by=by)


def join_by_claim(report: Report, user) -> ReportMember:
    """`user` claimed a session for `report` on the coverage board: they become one of its
    writers by their own hand (blog/coverage.py checks the claim itself)."""
    if not user.has_perm("blog.claim_session", report) or report.is_live:
        raise PermissionDenied(_("You may not claim sessions for this report."))
    return _join(report, user, by=user)


def _join(report: Report, user, *, by) -> ReportMember:
    """The one way in: the membership, and its line in the report's audit trail."""
    with transaction.atomic():
        member, created = ReportMember.objects.get_or_create(
            report=report, user=user, defaults={"added_by": by}
        )
        if created:
            audit.record(
                ReportAction.ADD_WRITER, report=report, by=by, subject=display_name_of(user)
            )
    _forget_cached_memberships(user)
    return member


def ensure_writer(report: Report, author, *, by):
    """Before `author` signs a section of `report`: make them a writer of it if they are
    not yet (only an editor can choose someone else as author). Returns `author` when
    that added them, None when nothing changed."""
    if roles.is_editor(author) or ReportMember.objects.filter(report=report, user=author).exists():
        return None
    add_writer(report, author, by=by)
    return author


def remove_writer(report: Report, user, *, by) -> None:
    """Take `user` off the report's writers; refused while they sign one of its sections."""
    if not by.has_perm("blog.change_report", report):
        raise PermissionDenied(_("Only editors choose a report's writers."))
    if blocking := removal_refusal(report, user):
        raise ValidationError(blocking, code="writes_sections")
    with transaction.atomic():
        removed, _counts = ReportMember.objects.filter(report=report, user=user).delete()
        if removed:
            audit.record(
                ReportAction.REMOVE_WRITER, report=report, by=by, subject=display_name_of(user)
            )
    _forget_cached_memberships(user)


def removal_refusal(report: Report, user) -> str:
    """Why `user` cannot be taken off the report's writers now, or ""."""
    titles = [section.title for section in report.sections.filter(author=user)]
    if not titles:
        return ""
    return _(
        "%(name)s still writes “%(titles)s” in this report: give the section to another "
        "author or delete it first."
    ) % {"name": display_name_of(user), "titles": "”, “".join(titles)}


def ways_in(user) -> dict:
    """For a writer who writes in no report being written: the editors who can make them a
    writer of one (those of the Editors group; any editor when it has nobody), and the
    events whose coverage board lets them claim a session, which makes them a writer of
    the event's report being written."""
    return {"editors": roles.desk(), "claimable_events": list(claimable_events(user))}


def claimable_events(user):
    """The events whose coverage board lets `user` claim a session now: those with a report
    still being written, the reports a claim goes into (blog.coverage.build_board)."""
    if not user.has_perm("blog.claim_session"):
        return Event.objects.none()
    return (
        Event.objects.filter(reports__in=Report.objects.open_for_writing())
        .distinct()
        .order_by("-starts_on", "name")
    )


def has_somewhere_to_write(user) -> bool:
    """Whether `user` may add a section now: an editor may (they choose the report), a
    writer only while a writer of a report being written."""
    if roles.is_editor(user):
        return True
    # Asked by every admin page (its menu's 追加 link): one query per user object.
    if "_blog_somewhere_to_write" not in user.__dict__:
        user.__dict__["_blog_somewhere_to_write"] = open_reports_for(user).exists()
    return user.__dict__["_blog_somewhere_to_write"]


def open_reports_for(user):
    """The reports `user` may add a section to now."""
    if roles.is_editor(user):
        return Report.objects.open_for_writing()
    return Report.objects.open_for_writing().filter(memberships__user=user)


def sessions_to_cover(user, sessions: QuerySet) -> QuerySet:
    """Of `sessions`, those `user` may choose for a section: a section covers a session of
    its report's event (Section.clean), so a writer is offered the sessions of the events of
    the reports they may add a section to (open_reports_for). An editor is offered every
    session, those of events with a report being written first; then the newest event's,
    each in schedule order."""
    being_written = Exists(open_reports_for(user).filter(event=OuterRef("event")))
    sessions = sessions.alias(event_being_written=being_written)
    if not roles.is_editor(user):
        sessions = sessions.filter(event_being_written=True)
    return sessions.order_by(
        "-event_being_written", "-event__starts_on", "event__name", "starts_at", "title"
    )
