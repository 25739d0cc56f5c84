"""The trash: deleting a report, a section or a photo moves it here, whole.

A report goes with its sections and photos, a section with its photos; their history
(review moves, comments, revisions, audit entries) and files stay where they are, so a
restore brings back exactly what was there. Editors move things to the trash and
restore them; only admins delete for good (`purge`), or the retention period does
(`purge_expired`, run daily by `manage.py purge_trash`).

One rule for what may go (and come back): nothing of a published or scheduled report
(`in_open_report` in blog/rules.py); unpublish it first. A section or photo that went
with its report comes back with it, not on its own. A report in the trash keeps its
address (slug) until it is purged, so restoring never clashes.

Each function is one transaction: it locks the report first (publishing locks it too,
so nothing is published halfway through a move), marks or unmarks the rows, keeps the
derived rows current through blog/editing.py, and writes the audit entry.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reversion.models import Version

from blog import audit, editing
from blog.enums import ReportAction
from blog.models import Photo, Report, Section

Trashable = Report | Section | Photo


class TrashRefused(ValidationError):
    """The object's state does not allow the move (a published report, a restore out of
    order); the message says what to do instead."""


@dataclass(frozen=True)
class TrashOutcome:
    obj: Trashable
    changed: bool  # False when it already was where it was asked to go
    edit: editing.PhotoEdit | None = None  # what became of approvals (photos)

    def messages(self) -> list[str]:
        return self.edit.messages() if self.edit else []


def label(obj: Trashable) -> str:
    """How the trash and the audit trail name an object."""
    if isinstance(obj, Photo):
        return obj.alt_text  # its description, which every photo has
    return obj.title


def _locked_report(report_id: int) -> Report:
    return Report.all_objects.select_for_update().get(pk=report_id)


def _live_refusal(report: Report, *, restoring: bool = False) -> TrashRefused:
    if restoring:
        message = _("“%(report)s” is published: unpublish it before restoring anything into it.")
    else:
        message = _(
            "“%(report)s” is published: unpublish it before moving anything of it to the trash."
        )
    return TrashRefused(message % {"report": report.title}, code="report_live")


def _permission(obj: Trashable) -> str:
    return f"blog.delete_{type(obj)._meta.model_name}"


def _check_may_trash(obj: Trashable, report: Report, by) -> None:
    if by.has_perm(_permission(obj), obj):
        return
    if refusal(obj, by=by):
        raise _live_refusal(report)
    raise PermissionDenied(_("You may not move this to the trash."))


def refusal(obj: Trashable, *, by=None) -> str:
    """Why `obj` cannot go to the trash now, or "" (for the admin, before it asks).

    The reason asks for the report to be unpublished: with `by`, it is given only to
    someone who may do that; anyone else is simply refused."""
    report = obj if isinstance(obj, Report) else obj.report
    if report.is_live and (by is None or by.has_perm("blog.publish_report", report)):
        return str(_live_refusal(report).message)
    return ""


@dataclass(frozen=True)
class Going:
    """What a move of `obj` to the trash would take with it, for the page that asks first."""

    obj: Trashable
    sections: int = 0  # in use now, that would go with it
    photos: int = 0
    refusal: str = ""  # why it would stay, for someone who may not move it

    def summary(self) -> str:
        """The sentence that says what goes with it (or why it stays)."""
        if self.refusal:
            return self.refusal
        if isinstance(self.obj, Report):
            return _("Its %(sections)s and %(photos)s go with it.") % {
                "sections": ngettext("%(count)s section", "%(count)s sections", self.sections)
                % {"count": self.sections},
                "photos": ngettext("%(count)s photo", "%(count)s photos", self.photos)
                % {"count": self.photos},
            }
        if isinstance(self.obj, Section):
            if not self.photos:
                return _("It has no photos: only its text goes.")
            return ngettext(
                "Its photo goes with it.", "Its %(count)s photos go with it.", self.photos
            ) % {"count": self.photos}
        return _("Where a text places it, a notice stands in its place until it comes back.")


def going(obj: Trashable, *, by) -> Going:
    """What goes to the trash with `obj` if `by` moves it now; nothing is changed."""
    if not by.has_perm(_permission(obj), obj):
        return Going(obj, refusal=refusal(obj, by=by) or _("You may not move this to the trash."))
    if isinstance(obj, Report):
        sections = Section.objects.filter(report=obj).count()
        return Going(obj, sections=sections, photos=Photo.objects.filter(report=obj).count())
    if isinstance(obj, Section):
        return Going(obj, photos=Photo.objects.filter(section=obj).count())
    return Going(obj)


def _mark(queryset, now, by) -> list[int]:
    ids = list(queryset.filter(trashed_at__isnull=True).values_list("pk", flat=True))
    queryset.model.all_objects.filter(pk__in=ids).update(trashed_at=now, trashed_by=by)
    return ids


def _unmark(queryset, trashed_at) -> list[int]:
    ids = list(queryset.filter(trashed_at=trashed_at).values_list("pk", flat=True))
    queryset.model.all_objects.filter(pk__in=ids).update(trashed_at=None, trashed_by=None)
    return ids


def _let_go_of_cover(report: Report, photo_ids: list[int]) -> None:
    # The cover menu offers the report's photos out of the trash only.
    if report.cover_id in photo_ids:
        Report.all_objects.filter(pk=report.pk).update(cover=None)


# --- Into the trash ------------------------------------------------------------------------------


def trash_report(report: Report, *, by) -> TrashOutcome:
    """Move `report`, its sections and its photos to the trash."""
    with transaction.atomic():
        locked = _locked_report(report.pk)
        if locked.in_trash:
            return TrashOutcome(locked, changed=False)
        _check_may_trash(locked, locked, by)
        now = timezone.now()
        _mark(Report.all_objects.filter(pk=locked.pk), now, by)
        _mark(Section.all_objects.filter(report=locked), now, by)
        _mark(Photo.all_objects.filter(report=locked), now, by)
        audit.record(ReportAction.TRASH, report=locked, by=by)
    report.refresh_from_db()
    return TrashOutcome(report, changed=True)


def trash_section(section: Section, *, by) -> TrashOutcome:
    """Move `section` and its photos to the trash; its report's reading time follows, and
    texts that placed its photos show a notice in their place."""
    with transaction.atomic():
        report = _locked_report(section.report_id)
        locked = Section.all_objects.select_for_update(of=("self",)).get(pk=section.pk)
        if locked.in_trash:
            return TrashOutcome(locked, changed=False)
        _check_may_trash(locked, report, by)
        now = timezone.now()
        _mark(Section.all_objects.filter(pk=locked.pk), now, by)
        photo_ids = _mark(Photo.all_objects.filter(section=locked), now, by)
        _let_go_of_cover(report, photo_ids)
        editing.refresh_reading_minutes(report)
        for photo_id in photo_ids:
            editing.after_photo_changed(photo_id, report.pk, None, by=by)
        audit.record(ReportAction.TRASH, report=report, by=by, subject=locked.title)
    section.refresh_from_db()
    return TrashOutcome(section, changed=True)


def trash_photo(photo: Photo, *, by, follow_up: bool = True) -> TrashOutcome:
    """Move `photo` to the trash. The texts that place it show a notice instead, and a
    section it belonged to or that showed it is reviewed again (blog/editing.py).

    `follow_up=False` leaves that to the caller: a section's save that removed one of
    its figures does it once for the whole save.
    """
    with transaction.atomic():
        if follow_up:
            report = _locked_report(photo.report_id)
        else:
            # Inside a section's save, which holds the section's row lock: publishing
            # needs that lock too, so it cannot start meanwhile, and taking the report's
            # lock now (publishing takes it first) could deadlock with it.
            report = Report.all_objects.get(pk=photo.report_id)
        locked = Photo.all_objects.select_for_update(of=("self",)).get(pk=photo.pk)
        if locked.in_trash:
            return TrashOutcome(locked, changed=False)
        _check_may_trash(locked, report, by)
        _mark(Photo.all_objects.filter(pk=locked.pk), timezone.now(), by)
        _let_go_of_cover(report, [locked.pk])
        edit = None
        if follow_up:
            edit = editing.after_photo_changed(locked.pk, report.pk, locked.section_id, by=by)
        audit.record(ReportAction.TRASH, report=report, by=by, subject=label(locked))
    photo.refresh_from_db()
    return TrashOutcome(photo, changed=True, edit=edit)


def move_to_trash(obj: Trashable, *, by) -> TrashOutcome:
    if isinstance(obj, Report):
        return trash_report(obj, by=by)
    if isinstance(obj, Section):
        return trash_section(obj, by=by)
    return trash_photo(obj, by=by)


# --- Out of the trash ----------------------------------------------------------------------------


def _check_may_restore(by) -> None:
    if not by.has_perm("blog.restore_from_trash"):
        raise PermissionDenied(_("Only editors restore from the trash."))


def restore_report(report: Report, *, by) -> TrashOutcome:
    """Bring back `report` with the sections and photos that went to the trash with it
    (not those trashed on their own before: they stay in the trash)."""
    _check_may_restore(by)
    with transaction.atomic():
        locked = _locked_report(report.pk)
        if not locked.in_trash:
            return TrashOutcome(locked, changed=False)
        when = locked.trashed_at
        _unmark(Section.all_objects.filter(report=locked), when)
        _unmark(Photo.all_objects.filter(report=locked), when)
        _unmark(Report.all_objects.filter(pk=locked.pk), when)
        editing.render_texts_of(locked)
        audit.record(ReportAction.RESTORE, report=locked, by=by)
    report.refresh_from_db()
    return TrashOutcome(report, changed=True)


def restore_section(section: Section, *, by) -> TrashOutcome:
    """Bring back `section` and the photos trashed with it, into its report.

    Refused while the report is in the trash (the section comes back with it) or
    published (restoring would put unreviewed text on a public page).
    """
    _check_may_restore(by)
    with transaction.atomic():
        report = _locked_report(section.report_id)
        locked = Section.all_objects.select_for_update(of=("self",)).get(pk=section.pk)
        if not locked.in_trash:
            return TrashOutcome(locked, changed=False)
        _check_container(locked, report, None)
        _check_room_for(locked)
        when = locked.trashed_at
        photo_ids = _unmark(Photo.all_objects.filter(section=locked), when)
        _unmark(Section.all_objects.filter(pk=locked.pk), when)
        editing.refresh_reading_minutes(report)
        editing.render_texts_of(report)
        for photo_id in photo_ids:
            editing.after_photo_changed(photo_id, report.pk, None, by=by)
        audit.record(ReportAction.RESTORE, report=report, by=by, subject=locked.title)
    section.refresh_from_db()
    return TrashOutcome(section, changed=True)


def restore_photo(photo: Photo, *, by) -> TrashOutcome:
    """Bring back `photo`; refused while its report or section is in the trash."""
    _check_may_restore(by)
    with transaction.atomic():
        report = _locked_report(photo.report_id)
        locked = Photo.all_objects.select_for_update(of=("self",)).get(pk=photo.pk)
        if not locked.in_trash:
            return TrashOutcome(locked, changed=False)
        section = Section.all_objects.get(pk=locked.section_id) if locked.section_id else None
        _check_container(locked, report, section)
        _unmark(Photo.all_objects.filter(pk=locked.pk), locked.trashed_at)
        edit = editing.after_photo_changed(locked.pk, report.pk, locked.section_id, by=by)
        audit.record(ReportAction.RESTORE, report=report, by=by, subject=label(locked))
    photo.refresh_from_db()
    return TrashOutcome(photo, changed=True, edit=edit)


def waits_for(obj: Trashable) -> Report | Section | None:
    """The report or section in the trash that must come back before `obj` can."""
    if isinstance(obj, Report):
        return None
    if obj.report.in_trash:
        return obj.report
    if isinstance(obj, Photo) and obj.section_id and obj.section.in_trash:
        return obj.section
    return None


def _check_container(obj: Section | Photo, report: Report, section: Section | None) -> None:
    if report.in_trash and report.trashed_at == obj.trashed_at:
        raise TrashRefused(
            _("“%(report)s” is in the trash: restore the report, and this comes back with it.")
            % {"report": report.title},
            code="report_in_trash",
        )
    if report.in_trash:
        # Trashed on its own before its report: it stays when the report comes back
        # (restore_report), as someone put it there on purpose; then it can follow.
        raise TrashRefused(
            _(
                "“%(report)s” is in the trash too: restore the report first, then this. It "
                "went to the trash on its own, so it does not come back with the report."
            )
            % {"report": report.title},
            code="report_in_trash",
        )
    if section is not None and section.in_trash:
        raise TrashRefused(
            _("The section “%(section)s” is in the trash: restore the section first.")
            % {"section": section.title},
            code="section_in_trash",
        )
    if report.is_live:
        raise _live_refusal(report, restoring=True)


def _check_room_for(section: Section) -> None:
    """A section about a session comes back only where its writer could take the session
    now (blog/coverage.py): not beside their own new section about it, and not past the
    writers the session allows, if others have taken it meanwhile."""
    if section.session_id is None:
        return
    from blog import coverage  # here: coverage moves un-assigned drafts to the trash

    try:
        own = coverage.own_section_or_room(section.session, section.report, section.author)
    except coverage.CoverageRefused as refused:
        raise TrashRefused(refused.message, code=refused.code) from refused
    if own is not None:
        raise TrashRefused(
            _(
                "%(name)s already writes about “%(session)s” in this report, in another "
                "section: restoring this one would make two."
            )
            % {"name": section.author_name, "session": section.session.title},
            code="twice",
        )


def restore(obj: Trashable, *, by) -> TrashOutcome:
    if isinstance(obj, Report):
        return restore_report(obj, by=by)
    if isinstance(obj, Section):
        return restore_section(obj, by=by)
    return restore_photo(obj, by=by)


def moved_with(obj: Trashable) -> Trashable:
    """What took `obj` (in the trash) there: itself when it was moved on its own, else its
    report or section; the rows moved together share `trashed_at`."""
    if isinstance(obj, Report):
        return obj
    if obj.report.trashed_at == obj.trashed_at:
        return obj.report
    if isinstance(obj, Photo) and obj.section_id and obj.section.trashed_at == obj.trashed_at:
        return obj.section
    return obj


# --- For good ------------------------------------------------------------------------------------


def is_in_trash(obj: Trashable) -> bool:
    """In the trash itself, or with the report (or section) it belongs to."""
    if obj.in_trash:
        return True
    if isinstance(obj, Report):
        return False
    if obj.report.in_trash:
        return True
    return isinstance(obj, Photo) and obj.section_id is not None and obj.section.in_trash


def purge(obj: Trashable, *, by) -> None:
    """Delete `obj` for good, with everything that hangs off it (sections, photos, their
    review history and revisions); photo files go once the deletion is committed
    (blog/signals.py). Only admins, and only what is in the trash. `by` None is the
    retention period (`purge_expired`)."""
    if by is not None and not by.has_perm("blog.purge_trash"):
        raise PermissionDenied(_("Only administrators delete from the trash for good."))
    if not is_in_trash(obj):
        raise TrashRefused(
            _("Only what is in the trash can be deleted for good."), code="not_in_trash"
        )
    with transaction.atomic():
        report = _locked_report(obj.report_id if not isinstance(obj, Report) else obj.pk)
        subject = "" if isinstance(obj, Report) else label(obj)
        audit.record(ReportAction.PURGE, report=report, by=by, subject=subject)
        _forget_revisions(obj)
        obj.delete()


def _forget_revisions(obj: Trashable) -> None:
    """The saved versions of what is purged go with it: nothing is left to restore."""
    if isinstance(obj, Photo):
        return
    if isinstance(obj, Report):
        section_ids = Section.all_objects.filter(report=obj).values_list("pk", flat=True)
        Version.objects.get_for_object(obj).delete()
    else:
        section_ids = [obj.pk]
    Version.objects.get_for_model(Section).filter(
        object_id__in=[str(pk) for pk in section_ids]
    ).delete()


def _purge_each(queryset, by) -> int:
    purged = 0
    for obj in queryset.order_by("pk"):
        # It may have gone already, with a report or section purged just before.
        if type(obj).all_objects.filter(pk=obj.pk).exists():
            purge(obj, by=by)
            purged += 1
    return purged


def retention() -> datetime.timedelta:
    """How long the trash keeps what is moved there: `manage.py purge_trash`, run daily,
    deletes for good what is older (`purge_expired`)."""
    return datetime.timedelta(days=settings.TRASH_RETENTION_DAYS)


def restorable_until(obj: Trashable) -> datetime.datetime:
    """When `obj`, in the trash, stops being restorable."""
    return obj.trashed_at + retention()


def purge_expired(older_than: datetime.timedelta) -> int:
    """Delete for good what has been in the trash longer than `older_than`, as the site
    (no one's action); returns how many reports, sections and photos were purged, each
    counted once with what went with it."""
    cutoff = timezone.now() - older_than
    return sum(
        _purge_each(model.all_objects.filter(trashed_at__lt=cutoff), None)
        for model in (Report, Section, Photo)
    )


def empty(*, by) -> int:
    """Delete for good everything in the trash (admins only); the number purged."""
    if not by.has_perm("blog.purge_trash"):
        raise PermissionDenied(_("Only administrators delete from the trash for good."))
    return sum(_purge_each(model.all_objects.in_trash(), by) for model in (Report, Section, Photo))
