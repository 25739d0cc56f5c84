"""The one door through which content changes: sections, reports and photos.

A model's `save()` writes its own row and nothing else. What a change means for other
rows lives here: the words a text gives a photo are copied onto the photo, figures are
rendered again after a photo changed, the report's reading time follows its sections,
photos dropped into a text and then abandoned are removed, and, last, the workflow is
asked whether an approval still holds (`blog.workflow.content_changed`). A save that
changes nothing writes nothing: no new version, no revision, no change of state.

The admin (section page, the report page's rows, the photo list), revision restores and
the demo loader all come through here; each change is one transaction and one revision.
Deleting is moving to the trash (blog/trash.py), which keeps the same derived rows
current through `refresh_reading_minutes` and `after_photo_changed`. The one exception is
a photo dropped into a text and abandoned before anyone described it: nobody saw it, so
it is removed for good.
"""

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field

import reversion
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from reversion.models import Version

from blog import audit, markdown, membership, pagecache, roles, workflow
from blog.enums import ReportAction, SectionAction, SectionStatus
from blog.models import (
    Photo,
    Report,
    Section,
    display_name_of,
    display_names_of,
    normalized_text,
)
from blog.rules import is_report_writer
from cms.slugs import record_slug_change
from sessions.dates import site_time

# The fields a section's form edits. Reviewer and status belong to the workflow; the
# section's place in its report to the editors' arrows (`move_section`).
SECTION_FIELDS = (
    "report",
    "session",
    "heading",
    "author",
    "author_team",
    "body",
    "due_on",
)
# Changing only these (the due date) is not a new version of the text (lost-update
# protection is about text), nor anything a reviewer approved.
PLANNING_FIELDS = frozenset({"due_on"})
REPORT_FIELDS = ("title", "slug", "event", "lead", "closing", "cover", "due_on")

UNCHANGED = object()


@dataclass
class SectionEdit:
    """What one save of a section did, for the person's messages."""

    section: Section
    saved: bool = False  # anything was written, the reviewer included
    review: "workflow.Action | None" = None  # what became of an approval
    reviewer_changed: bool = False  # the workflow assigned another reviewer (or none)
    writer_added: object = None  # the author, made a writer of the report by this save
    abandoned_photos: int = 0  # undescribed photos the text no longer places, removed
    captions_left_out: int = 0  # photo references whose caption placeholder was dropped

    def messages(self) -> list[str]:
        notes = []
        if self.review is not None:
            notes.append(str(self.review.after_edit) % {"title": self.section.title})
        if self.reviewer_changed:
            notes.append(self._reviewer_note())
        if self.writer_added is not None:
            notes.append(
                _("%(name)s is now a writer of “%(report)s”.")
                % {
                    "name": display_name_of(self.writer_added),
                    "report": self.section.report.title,
                }
            )
        if self.abandoned_photos:
            notes.append(
                ngettext(
                    "%(count)s photo that was added but never described or placed in the "
                    "text was removed.",
                    "%(count)s photos that were added but never described or placed in the "
                    "text were removed.",
                    self.abandoned_photos,
                )
                % {"count": self.abandoned_photos}
            )
        if self.captions_left_out and self.saved:
            notes.append(captions_left_out_note(self.captions_left_out))
        return notes

    def _reviewer_note(self) -> str:
        if self.section.reviewer is None:
            return _("“%(title)s” has no reviewer now.") % {"title": self.section.title}
        return _("%(name)s now reviews “%(title)s”.") % {
            "name": display_name_of(self.section.reviewer),
            "title": self.section.title,
        }


@dataclass
class PhotoEdit:
    """What saving, trashing or restoring a photo did to the approvals of the sections
    showing it."""

    reviews: list[tuple[Section, "workflow.Action"]] = field(default_factory=list)

    def messages(self) -> list[str]:
        return [
            str(action.after_edit) % {"title": section.title} for section, action in self.reviews
        ]


@dataclass
class ReportEdit:
    report: Report
    saved: bool = False
    captions_left_out: int = 0

    def messages(self) -> list[str]:
        # A report's own fields take no section's approval away.
        if self.captions_left_out and self.saved:
            return [captions_left_out_note(self.captions_left_out)]
        return []


def captions_left_out_note(count: int) -> str:
    return ngettext(
        "%(count)s photo still had the caption placeholder and was saved without a "
        "caption. To give it one, write it in quotation marks after its number: "
        '![…](photo:number "caption").',
        "%(count)s photos still had the caption placeholder and were saved without a "
        "caption. To give one a caption, write it in quotation marks after its number: "
        '![…](photo:number "caption").',
        count,
    ) % {"count": count}


# --- Sections ------------------------------------------------------------------------------------


def save_section(
    section: Section,
    *,
    by,
    related: Callable[[], bool] | None = None,
    reviewer=UNCHANGED,
) -> SectionEdit:
    """Save `section` (new or changed) on behalf of `by`.

    `related` saves rows that hang off the section (the figures edited with it) once
    the section has its number, and says whether it changed anything. `reviewer`, when
    given, is assigned through the workflow. Raises PermissionDenied when `by` may not
    write this section into its report.
    """
    edit = SectionEdit(section)
    # The placeholder says the caption is optional: left as it is, it means none.
    edit.captions_left_out = section.drop_caption_placeholders()
    with transaction.atomic(), reversion.create_revision():
        reversion.set_user(by)
        stored = _stored_section(section, by)
        changed = _changed_fields(section, stored, SECTION_FIELDS)
        moving_in = stored is None or "report" in changed
        if moving_in and not by.has_perm("blog.write_in_report", section.report):
            raise PermissionDenied(_("You are not a writer of this report."))
        if stored is not None and (refusal := stored.move_refusal(section.report)):
            raise PermissionDenied(refusal)
        sets_due_date = "due_on" in changed and (stored is not None or section.due_on)
        if sets_due_date and not by.has_perm("blog.set_due_date", section):
            raise PermissionDenied(_("Only editors set due dates."))
        if stored is not None:
            # Who reviews is the workflow's to change, below.
            section.reviewer_id = stored.reviewer_id
        if stored is None and section.position is None:
            section.position = next_position(section.report)
        if stored is None or "author" in changed or "report" in changed:
            edit.writer_added = membership.ensure_writer(section.report, section.author, by=by)
        if stored is None or changed - PLANNING_FIELDS:
            section.save()
        elif changed:
            section.save(update_fields=[*sorted(changed), "updated_at"])
        related_changed = related() if related is not None else False
        edit.saved = stored is None or bool(changed) or related_changed
        if edit.saved:
            if related_changed:
                # Figures in the text show the photos' own credits: render them again.
                _render_section(section)
            _describe_placed_photos(section)
            edit.abandoned_photos = _remove_abandoned_photos(section)
            refresh_reading_minutes(section.report)
            if stored is not None and stored.status == SectionStatus.APPROVED:
                edit.review = workflow.content_changed(section, by=by)
        if reviewer is not UNCHANGED:
            # After the approval was asked about: who reviews is not content.
            edit.reviewer_changed = workflow.assign_reviewer(section, reviewer, by=by)
            edit.saved = edit.saved or edit.reviewer_changed
    return edit


def next_position(report: Report) -> int:
    """The position after the report's last section: where a new section goes unless
    its writer chose one."""
    last = report.sections.aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


@dataclass(frozen=True)
class SectionStep:
    """One place up or down the report's order of sections (`move_section`)."""

    offset: int
    symbol: str
    label: str  # the button's name for screen readers: what it does to which section
    done: str
    refused_at_end: str


SECTION_STEPS = {
    "up": SectionStep(
        -1,
        "↑",
        gettext_lazy("Move “%(title)s” up"),
        gettext_lazy("“%(title)s” moved one place up."),
        gettext_lazy("“%(title)s” is already the first section."),
    ),
    "down": SectionStep(
        1,
        "↓",
        gettext_lazy("Move “%(title)s” down"),
        gettext_lazy("“%(title)s” moved one place down."),
        gettext_lazy("“%(title)s” is already the last section."),
    ),
}


def move_section(section: Section, step: SectionStep, *, by) -> bool:
    """Swap `section` with its neighbour in its report's order, on behalf of `by`, and
    number the report's sections 0, 1, 2… again, so that ties and gaps left by typed
    positions go too. One transaction, one revision and one entry of the audit trail. The
    order is neither content nor an edit of the sections: no approval is touched and their
    last change stays as it was. False when the section is already at that end."""
    with transaction.atomic(), reversion.create_revision():
        report = Report.objects.select_for_update().get(pk=section.report_id)
        if not by.has_perm("blog.reorder_sections", report):
            raise PermissionDenied(_("Only editors change the order of sections."))
        order = list(
            report.sections.select_for_update(of=("self",))
            .select_related("session")
            .order_by("position", "pk")
        )
        numbers = [each.pk for each in order]
        if section.pk not in numbers:  # moved to the trash or to another report meanwhile
            raise Section.DoesNotExist
        index = numbers.index(section.pk)
        target = index + step.offset
        if not 0 <= target < len(order):
            return False
        order[index], order[target] = order[target], order[index]
        # Recorded in the report's history, whose order it is: the sections' own histories
        # are of their texts, which a move leaves as they were.
        reversion.set_user(by)
        reversion.set_comment(_("Changed the order of the report's sections"))
        reversion.add_to_revision(report)
        for position, each in enumerate(order):
            if each.position != position:
                each.position = position
                Section.objects.filter(pk=each.pk).update(position=position)
        audit.record(
            ReportAction.REORDER,
            report=report,
            by=by,
            subject=order[target].title,
            places=(index + 1, target + 1),
        )
        # update() sends no signal: readers' pages are told here.
        pagecache.content_changed()
    return True


def _stored_section(section: Section, by) -> Section | None:
    if section.pk is None:
        if not by.has_perm("blog.add_section"):
            raise PermissionDenied(_("You may not write sections."))
        return None
    stored = (
        Section.objects.select_for_update(of=("self",))
        .select_related("report", "author")
        .get(pk=section.pk)
    )
    if not by.has_perm("blog.change_section", stored):
        raise PermissionDenied(_("You may not change this section."))
    return stored


def _changed_fields(obj, stored, names) -> set[str]:
    if stored is None:
        return set(names)
    changed = set()
    for name in names:
        attname = type(obj)._meta.get_field(name).attname
        new, old = getattr(obj, attname), getattr(stored, attname)
        if isinstance(new, str) and isinstance(old, str):
            # Other line ends or a trailing newline alone are no change.
            new, old = normalized_text(new), normalized_text(old)
        if new != old:
            changed.add(name)
    return changed


def _describe_placed_photos(target: Section | Report) -> None:
    """Copy the words the text gives each photo it places onto the photo's row."""
    described = target.placed_photo_descriptions()
    if not described:
        return
    if isinstance(target, Section):
        owned = Photo.objects.filter(section=target)
    else:
        owned = Photo.objects.filter(report=target, section__isnull=True)
    for photo in owned.filter(pk__in=described):
        alt, caption = described[photo.pk]
        if (photo.alt_text, photo.caption) != (alt, caption):
            Photo.objects.filter(pk=photo.pk).update(alt_text=alt, caption=caption)


def _remove_abandoned_photos(section: Section) -> int:
    """Remove the section's photos that were dropped in, never described, and are no
    longer in the text: nobody can see them, and their placeholder would block a save."""
    placed = {
        reference.photo_id for reference in section.rendered_markdown("body").photo_references
    }
    abandoned = [
        photo
        for photo in Photo.objects.filter(section=section).exclude(pk__in=placed)
        if not photo.is_described
    ]
    for photo in abandoned:
        photo.delete()
    return len(abandoned)


def _render_section(section: Section) -> None:
    # The photos it shows changed, not the text: render again, and keep the result for
    # the description and clean-up steps that read it next.
    section.__dict__.pop("_rendered_markdown", None)
    with contextlib.suppress(markdown.MarkdownRefused):
        section.body_html = section.rendered_markdown("body").html
        # A derived field: not a new version of the writer's text.
        Section.objects.filter(pk=section.pk).update(body_html=section.body_html)
    section.__dict__.pop("inline_photo_ids", None)


def render_every_text() -> int:
    """Render every section's and report's stored HTML again; returns how many texts.

    Figures carry their photos' addresses, which change when the photos move to another
    storage or public address (MEDIA_STORAGE, MEDIA_BUCKET_PUBLIC_URL). Derived fields
    only: no new version, no change to any approval.
    """
    sections = list(Section.objects.all())
    for section in sections:
        _render_section(section)
    reports = list(Report.objects.all())
    for report in reports:
        render_report_texts(report)
    return len(sections) + len(reports)


def render_texts_of(report: Report) -> None:
    """Render the report's texts and its sections' again, e.g. after a restore from the
    trash: the photos' addresses may have moved meanwhile (`render_every_text` leaves
    the trash alone). Derived fields only."""
    for section in Section.objects.filter(report=report):
        _render_section(section)
    render_report_texts(report)


def refresh_reading_minutes(report: Report) -> None:
    """Store the report's reading time again after one of its sections changed or went."""
    report.reading_minutes = report.count_reading_minutes()
    Report.objects.filter(pk=report.pk).update(reading_minutes=report.reading_minutes)


# --- A section taken out of a person's hands -----------------------------------------------------


@dataclass(frozen=True)
class TakenAway:
    """Why a person whose page could save a section can no longer change it: what happened
    since (and who did it, when that is known), and what they can do about it."""

    reason: str
    advice: str


def taken_away(section: Section, user, *, started_from: int | None) -> TakenAway | None:
    """What changed since `user` opened `section` at version `started_from` so that they
    may no longer save it: a review move, the report's publication, another writer, the
    trash. None when they may still change it, or when it was never theirs to change (that
    refusal says whose it is, blog.admin.sections).

    `section` is looked up among all sections, the trash included.
    """
    if section.trashed_at is not None:
        if not (roles.is_editor(user) or section.author_id == user.pk):
            return None
        return _trashed(section, user)
    if user.has_perm("blog.change_section", section):
        return None
    if section.author_id != user.pk:
        return _given_away(section, user, started_from)
    editors = display_names_of(roles.desk())
    if section.report.is_live:
        return TakenAway(
            _(
                "The report “%(report)s” was published (or scheduled) after this page was "
                "opened: its writers can no longer change its sections."
            )
            % {"report": section.report.title},
            _("Editors can still correct a published section: send your text to %(names)s.")
            % {"names": editors},
        )
    if section.status in (SectionStatus.IN_REVIEW, SectionStatus.APPROVED):
        return _moved(section, user)
    if not is_report_writer(user, section.report):
        return TakenAway(
            _("You are no longer a writer of “%(report)s”, so you cannot change its sections.")
            % {"report": section.report.title},
            _("Ask %(names)s to make you one of its writers again.") % {"names": editors},
        )
    return TakenAway(
        _("You can no longer edit this section."),
        _("Ask %(names)s to let you edit it again.") % {"names": editors},
    )


def _moved(section: Section, user) -> TakenAway:
    """A section a review move took out of its writer's hands (in review or approved)."""
    move = (
        section.transitions.filter(to_status=section.status)
        .select_related("actor__author_profile")
        .order_by("-created_at", "-pk")
        .first()
    )
    names = display_names_of(workflow.unlockers(section))
    if section.status == SectionStatus.IN_REVIEW:
        advice = _(
            "A writer cannot take a submission back: ask %(names)s to send it back to you "
            "(“Request changes”). Then open the section, paste your text and save it."
        ) % {"names": names}
    else:
        advice = _(
            "Ask %(names)s to reopen it for changes. Then open the section, paste your text "
            "and save it."
        ) % {"names": names}
    if move is None:
        reason = _(
            "This section was moved to “%(status)s” after this page was opened, and its "
            "writer cannot change it now."
        ) % {"status": section.get_status_display()}
        return TakenAway(reason, advice)
    said = {"name": display_name_of(move.actor), "time": site_time(move.created_at)}
    if move.action == SectionAction.SUBMIT and move.actor_id == user.pk:
        reason = _(
            "You submitted this section for review at %(time)s, in another tab or window "
            "after this page was opened. While it is in review, its writer cannot change it."
        )
    elif move.action == SectionAction.SUBMIT:
        reason = _(
            "%(name)s submitted this section for review at %(time)s, after this page was "
            "opened. While it is in review, its writer cannot change it."
        )
    elif move.action == SectionAction.APPROVE:
        reason = _(
            "%(name)s approved this section at %(time)s, after this page was opened. Once "
            "it is approved, its writer cannot change it."
        )
    else:
        reason = _(
            "%(name)s moved this section to “%(status)s” at %(time)s, after this page was "
            "opened, and its writer cannot change it now."
        )
        said["status"] = section.get_status_display()
    return TakenAway(reason % said, advice)


def _given_away(section: Section, user, started_from: int | None) -> TakenAway | None:
    """A section an editor gave to another writer after `user`, its writer then, opened it."""
    versions = sorted(
        Version.objects.get_for_object(section).select_related("revision__user__author_profile"),
        key=lambda version: version.pk,
    )
    if not any(
        version.field_dict.get("version") == started_from
        and version.field_dict.get("author_id") == user.pk
        for version in versions
    ):
        return None
    handover = next(
        (
            version
            for version in versions
            if (version.field_dict.get("version") or 0) > (started_from or 0)
            and version.field_dict.get("author_id") != user.pk
        ),
        None,
    )
    said = {"name": display_name_of(section.author)}
    if handover is not None and handover.revision.user is not None:
        said |= {
            "editor": display_name_of(handover.revision.user),
            "time": site_time(handover.revision.date_created),
        }
        reason = _(
            "%(editor)s made %(name)s the writer of this section at %(time)s, after this "
            "page was opened. Only its writer and the editors can change it now."
        )
    else:
        reason = _(
            "%(name)s was made the writer of this section after this page was opened. Only "
            "its writer and the editors can change it now."
        )
    return TakenAway(
        reason % said,
        _("If your text should still go in, copy it and send it to %(name)s.") % said,
    )


def _trashed(section: Section, user) -> TakenAway:
    if section.trashed_by_id == user.pk:
        reason = _(
            "You moved this section to the trash at %(time)s, in another tab or window after "
            "this page was opened."
        )
    elif section.trashed_by_id is not None:
        reason = _(
            "%(name)s moved this section to the trash at %(time)s, after this page was opened."
        )
    else:
        reason = _("This section was moved to the trash after this page was opened.")
    said = {"time": site_time(section.trashed_at)}
    if section.trashed_by_id is not None:
        said["name"] = display_name_of(section.trashed_by)
    if user.has_perm("blog.restore_from_trash", section):
        advice = _("Restore it from the trash first, then save your text again.")
    else:
        advice = _(
            "An editor can restore it from the trash: ask %(names)s. Then open the section, "
            "paste your text and save it."
        ) % {"names": display_names_of(roles.desk())}
    return TakenAway(reason % said, advice)


# --- Reports -------------------------------------------------------------------------------------


def save_report(report: Report, *, by, related: Callable[[], bool] | None = None) -> ReportEdit:
    """Save `report` (its own fields) and, through `related`, what is edited with it: tags,
    writers, the section rows (each through `save_section`) and the gallery.

    The lead and the closing are the editors' own texts (only editors change reports):
    editing them sends no section back to review.
    """
    edit = ReportEdit(report, captions_left_out=report.drop_caption_placeholders())
    permission = "blog.change_report" if report.pk else "blog.add_report"
    if not by.has_perm(permission, report if report.pk else None):
        raise PermissionDenied(_("Only editors change reports."))
    with transaction.atomic(), reversion.create_revision():
        reversion.set_user(by)
        stored = Report.objects.select_for_update().get(pk=report.pk) if report.pk else None
        changed = _changed_fields(report, stored, REPORT_FIELDS)
        if changed:
            report.save()
            record_slug_change(report, stored.slug if stored else None)
            edit.saved = True
        if related is not None and related():
            edit.saved = True
            render_report_texts(report)
        if edit.saved:
            _describe_placed_photos(report)
    return edit


def render_report_texts(report: Report) -> None:
    with contextlib.suppress(markdown.MarkdownRefused):
        Report.objects.filter(pk=report.pk).update(
            lead_html=report.render_as("lead", report.lead).html,
            closing_html=report.render_as("closing", report.closing).html,
        )


# --- Photos --------------------------------------------------------------------------------------


def save_photo(photo: Photo, *, by) -> PhotoEdit:
    """Save a photo edited on its own (the photo list) and keep the texts showing it current.

    A changed description, caption, credit or image of a photo an approved section shows
    is a change to that section's content. Returns what the workflow did about approvals.
    """
    if photo.pk is None:
        allowed = by.has_perm("blog.add_photo")
    else:
        allowed = by.has_perm("blog.change_photo", Photo.objects.get(pk=photo.pk))
    if photo.section_id and not by.has_perm("blog.change_section", photo.section):
        allowed = False
    if not allowed:
        raise PermissionDenied(_("You may not change this photo."))
    with transaction.atomic():
        photo.save()
        return after_photo_changed(photo.pk, photo.report_id, photo.section_id, by=by)


def after_photo_changed(photo_id: int, report_id: int, section_id: int | None, *, by) -> PhotoEdit:
    """A photo was saved, moved to the trash or restored: render the texts that place it
    again and ask the workflow about the approvals of the sections concerned."""
    sections = render_texts_showing(photo_id, report_id)
    if section_id is not None:
        sections.add(section_id)
    edit = PhotoEdit()
    for section in Section.objects.filter(pk__in=sections):
        if (action := workflow.content_changed(section, by=by)) is not None:
            edit.reviews.append((section, action))
    return edit


def render_texts_showing(photo_id: int, report_id: int) -> set[int]:
    """Render again the texts that place a photo, so their figures stay current; returns
    the ids of the sections concerned. Derived fields only: no new version."""
    marker = f"photo:{photo_id}"
    sections = Section.objects.filter(report_id=report_id, body__contains=marker)
    for section in sections:
        _render_section(section)
    texts = Q(lead__contains=marker) | Q(closing__contains=marker)
    for report in Report.objects.filter(texts, pk=report_id):
        render_report_texts(report)
    # Called after a photo's deletion was committed too: the figures just changed.
    pagecache.content_changed()
    return {section.pk for section in sections}
