"""One author's part of a report and its review trail."""

import datetime
import hashlib
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField
from reversion.models import Version

from blog import markdown, roles
from blog.enums import (
    DUE_SOON_DAYS,
    EDITABLE_BY_AUTHOR,
    DeadlineState,
    ReportStatus,
    SectionAction,
    SectionStatus,
    deadline_state,
)
from blog.models.people import author_url, display_name_of
from blog.models.reports import Report, published_condition
from blog.models.text import (
    MarkdownFieldsMixin,
    normalized_text,
    prose_text,
    with_derived_fields,
    without_caption_placeholders,
)
from blog.models.trash import (
    Trashable,
    TrashQuerySetMixin,
    WithoutTrashManager,
    moved_apart_from,
)
from cms.text_validators import no_invisible_characters, no_invisible_characters_in_headings
from sessions.models import Session, SessionSpeaker

if TYPE_CHECKING:
    from blog.models.photos import Photo

# The longest message in a review thread, a request for changes included.
COMMENT_MAX_LENGTH = 5000


class SectionQuerySet(TrashQuerySetMixin, models.QuerySet):
    def published(self) -> "SectionQuerySet":
        """Sections readers may see: those of published, due reports."""
        return self.filter(published_condition("report__"))

    def covering(self, session) -> "SectionQuerySet":
        """The sections about `session` in its event's reports: who covers it."""
        return self.filter(session=session, report__event_id=session.event_id)

    def for_listing(self) -> "SectionQuerySet":
        """Sections listed on their own (session, speaker, author pages): newest report
        first, with report, event, session, speakers and byline in a fixed number of queries.
        """
        return (
            self.select_related("report", "session", "author__author_profile")
            .prefetch_related(
                Prefetch(
                    "session__appearances",
                    queryset=SessionSpeaker.objects.select_related("speaker").order_by(
                        "position", "pk"
                    ),
                )
            )
            .order_by("-report__published_at", "-report_id", "position", "pk")
        )

    def containing(self, words: list[str]) -> "SectionQuerySet":
        """Sections in which any of `words` appears where a reader would see it: heading,
        text, or the title and speakers of the session it covers (search, see
        `ReportQuerySet.matching`)."""
        condition = Q(pk__in=[])
        for word in words:
            spoken_by = SessionSpeaker.objects.filter(speaker__name__icontains=word)
            condition |= (
                Q(heading__icontains=word)
                | Q(body__icontains=word)
                | Q(session__title__icontains=word)
                | Q(session__in=spoken_by.values("session"))
            )
        return self.filter(condition)

    def trashed_on_their_own(self) -> "SectionQuerySet":
        """In the trash, not moved there with their report (though it may have followed)."""
        return self.in_trash().filter(moved_apart_from("report"))

    def visible_to(self, user) -> "SectionQuerySet":
        """Sections `user` may open in the admin: editors every one, writers their own in the
        reports they are a writer of (`blog.view_section` in blog/rules.py, as a filter)."""
        if roles.is_editor(user):
            return self
        if roles.is_writer(user):
            return self.filter(author=user, report__memberships__user=user)
        return self.none()

    def for_report_table(self) -> "SectionQuerySet":
        """A report's sections as its admin page lists them: in order, with their people."""
        return self.select_related(
            "session", "author__author_profile", "reviewer__author_profile"
        ).order_by("position", "pk")

    # --- Deadlines --------------------------------------------------------------------------

    def with_due_date(self) -> "SectionQuerySet":
        """Annotate `due`: the section's own due date, else its report's."""
        return self.annotate(due=Coalesce("due_on", "report__due_on"))

    def unfinished(self) -> "SectionQuerySet":
        """Work still owed: not approved, in a report still being written."""
        return self.exclude(status=SectionStatus.APPROVED).exclude(
            report__status=ReportStatus.PUBLISHED
        )

    def in_writers_hands(self) -> "SectionQuerySet":
        """Sections waiting on their writer (a draft, or changes asked for): once submitted,
        a late section waits on its editors, and its writer is neither reminded nor shown it
        as late."""
        return self.filter(status__in=EDITABLE_BY_AUTHOR)

    def late(self, today: datetime.date) -> "SectionQuerySet":
        """Unfinished sections whose due date has passed."""
        return self.unfinished().with_due_date().filter(due__lt=today)

    def due_soon(self, today: datetime.date) -> "SectionQuerySet":
        """Unfinished sections due today or within `DUE_SOON_DAYS` days."""
        horizon = today + datetime.timedelta(days=DUE_SOON_DAYS)
        return self.unfinished().with_due_date().filter(due__gte=today, due__lte=horizon)

    def late_or_due_soon(self, today: datetime.date) -> "SectionQuerySet":
        """What the admin home lists under deadlines: soonest due first."""
        horizon = today + datetime.timedelta(days=DUE_SOON_DAYS)
        return (
            self.unfinished()
            .with_due_date()
            .filter(due__lte=horizon)
            .select_related("report", "session", "author__author_profile")
            .order_by("due", "report_id", "position", "pk")
        )

    def for_board(self) -> "SectionQuerySet":
        """Sections as the coverage board shows them: author, report and due date."""
        return (
            self.with_due_date()
            .select_related("report", "author__author_profile")
            .order_by("created_at", "pk")
        )

    def awaiting_review(self) -> "SectionQuerySet":
        """What editors should look at next: submitted sections, oldest submission first."""
        return (
            self.filter(status=SectionStatus.IN_REVIEW)
            .select_related(
                "report", "session", "author__author_profile", "reviewer__author_profile"
            )
            .order_by("submitted_at", "pk")
        )


class Section(MarkdownFieldsMixin, Trashable, models.Model):
    """One author's part of a report, reviewed on its own.

    Its `status` is changed only by `blog.workflow`; `version` counts saves and
    lets two people editing at once notice each other.
    """

    markdown_fields = {"body": "body_html"}
    Status = SectionStatus  # for templates: section.Status.APPROVED

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="sections", verbose_name=_("report")
    )
    position = models.PositiveIntegerField(_("order"), default=0)
    session = models.ForeignKey(
        Session,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sections",
        verbose_name=_("session"),
        help_text=_("The talk this section is about. Its title and speakers become the heading."),
    )
    heading = models.CharField(
        _("heading"),
        max_length=200,
        blank=True,
        help_text=_("Required when the section is not about a session."),
        validators=[no_invisible_characters],
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="sections",
        verbose_name=_("author"),
    )
    author_team = models.CharField(
        _("team in the byline"),
        max_length=200,
        blank=True,
        help_text=_("Left empty, the team from the author's profile is used."),
        validators=[no_invisible_characters],
    )
    body = MarkdownxField(_("body"), blank=True, validators=[no_invisible_characters_in_headings])
    body_html = models.TextField(editable=False, blank=True)
    status = models.CharField(
        _("review status"), max_length=20, choices=SectionStatus, default=SectionStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sections_to_review",
        verbose_name=_("reviewer"),
        help_text=_("The editor who reviews this section and is notified when it is submitted."),
    )
    due_on = models.DateField(
        _("due date"),
        null=True,
        blank=True,
        help_text=_("Left empty, the report's due date applies. Set by editors."),
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, editable=False)
    approved_version = models.PositiveIntegerField(
        _("approved version"), null=True, blank=True, editable=False
    )
    # What the approval was of: `content_digest()` at the moment of approval.
    approved_digest = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = WithoutTrashManager.from_queryset(SectionQuerySet)()
    all_objects = models.Manager.from_queryset(SectionQuerySet)()  # the trash included

    class Meta(Trashable.Meta):
        ordering = ["report", "position", "pk"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(session__isnull=False) | ~models.Q(heading=""),
                name="section_has_session_or_heading",
                violation_error_message=_("Give the section a heading, or choose its session."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if self.pk and not kwargs.get("update_fields"):
            self.version += 1
        if not self.author_team:
            profile = getattr(self.author, "author_profile", None) if self.author_id else None
            self.author_team = profile.team if profile else ""
        self.body = normalized_text(self.body)
        # Rendered before anything is written: a refused body raises here.
        self.render_markdown_fields(kwargs.get("update_fields"))
        kwargs["update_fields"] = with_derived_fields(
            kwargs.get("update_fields"), {"body": "body_html", "author": "author_team"}
        )
        numbered = self.pk is not None
        super().save(*args, **kwargs)
        if not numbered:
            # The ids in the body carry the section's anchor, which needs the new number.
            self.body_html = self.rendered_markdown("body").html
            Section.objects.filter(pk=self.pk).update(body_html=self.body_html)
        self.__dict__.pop("inline_photo_ids", None)

    def get_absolute_url(self) -> str:
        """The section in its report's page."""
        return f"{self.report.get_absolute_url()}#{self.anchor}"

    def markdown_anchor_prefix(self, field: str) -> str:
        # Unique on the combined page: two sections may both have a heading "まとめ".
        return f"{self.anchor}-" if self.pk else "section-new-"

    def markdown_title_level(self, field: str) -> int:
        return self.title_level

    @property
    def title_level(self) -> int:
        """The level of the section's title on the report page: sections about a session
        are grouped under one h2 part heading ("Session reports by our members"), so
        their titles are h3; other sections stand alone as h2."""
        return 3 if self.session_id is not None else 2

    def markdown_photos(self) -> dict[int, "Photo"]:
        if not self.report_id:
            return {}
        from blog.models.photos import Photo

        return {photo.pk: photo for photo in Photo.objects.filter(report_id=self.report_id)}

    def reviewed_content(self, report_photos: Iterable["Photo"]) -> dict:
        """What a reviewer approves: the heading, the session, the text, and every photo the
        section shows with the words and credit printed beside it.

        Not the order, the reviewer, the byline's team or the figures' order: changing those
        changes nothing a reviewer vouched for. `report_photos` is any set of photos that
        holds the report's (already fetched, so that a whole report costs one query).
        """
        placed = markdown.inline_photo_ids(self.body_html)
        shown = sorted(
            (
                photo
                for photo in report_photos
                if photo.pk in placed
                or (photo.section_id == self.pk and not photo.in_gallery and photo.is_described)
            ),
            key=lambda photo: photo.pk,
        )
        return {
            "heading": self.heading.strip(),
            "session": self.session_id,
            "body": normalized_text(self.body),
            "photos": [
                {
                    "id": photo.pk,
                    "image": photo.image.name,
                    "alt": photo.alt_text,
                    "caption": photo.caption,
                    "credit": [photo.credit_text, photo.credit_url],
                }
                for photo in shown
            ],
        }

    def content_digest(self, report_photos: Iterable["Photo"] | None = None) -> str:
        """A fingerprint of `reviewed_content()`: equal digests, equal reviewed content."""
        if report_photos is None:
            from blog.models.photos import Photo

            report_photos = Photo.objects.filter(report_id=self.report_id)
        content = json.dumps(self.reviewed_content(report_photos), sort_keys=True)
        return hashlib.sha256(content.encode()).hexdigest()

    def approval_holds(self, report_photos: Iterable["Photo"] | None = None) -> bool:
        """Approved, and its content is still what was approved."""
        return (
            self.status == SectionStatus.APPROVED
            and self.approved_digest == self.content_digest(report_photos)
        )

    def move_refusal(self, to_report: "Report") -> str | None:
        """Why this section, as stored, may not move to `to_report`, or None when it may.
        Readers' pages change only by publishing: a published report neither loses a
        section nor gains an unreviewed one."""
        if to_report.pk == self.report_id:
            return None
        if self.report.is_live:
            return _(
                "This section is part of a published report and stays there. Unpublish "
                "the report first to move it."
            )
        if to_report.is_live:
            return _("A published report takes no new sections. Unpublish it first.")
        if self.photos(manager="all_objects").exists():  # the trash's too: they come back
            return _(
                "This section's photos belong to its report, so it cannot move to another "
                "one. Write it in a new section of that report instead."
            )
        return None

    def clean_fields(self, exclude=None):
        errors = {}
        try:
            super().clean_fields(exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        # A heading or session that failed its own checks (a heading too long) is not
        # missing: the one error to show is that check's.
        judged = {"heading", "session"}.isdisjoint(exclude or ()) and "heading" not in errors
        if judged and self.session_id is None and not self.heading.strip():
            errors["heading"] = [_("Give the section a heading, or choose its session.")]
        if errors:
            raise ValidationError(errors)

    def clean(self):
        errors = self.markdown_errors()
        if errors:
            raise ValidationError(errors)
        if self.session_id and self.report_id:
            event_id = Report.objects.filter(pk=self.report_id).values_list("event_id", flat=True)
            if event_id and event_id[0] and self.session.event_id != event_id[0]:
                raise ValidationError(
                    {"session": _("This session belongs to another event than the report.")}
                )

    @property
    def title(self) -> str:
        """The printed heading: the session's title when the section covers one."""
        if self.heading:
            return self.heading
        return self.session.title if self.session_id else ""

    @property
    def session_title_under_heading(self) -> str:
        """The title of the session the section covers, printed under a heading of the
        writer's own; "" when the section has no such heading (its title is the session's)."""
        if self.session_id and self.heading and self.heading.strip() != self.session.title.strip():
            return self.session.title
        return ""

    def deadline_state(self, today: datetime.date) -> DeadlineState | None:
        """Late, due soon or neither; finished work (approved, or published) is neither.

        For rows fetched `with_due_date()`, which annotates `due`."""
        if self.status == SectionStatus.APPROVED or self.report.is_live:
            return None
        return deadline_state(self.due, today)

    @property
    def anchor(self) -> str:
        return f"section-{self.pk}"

    @property
    def author_name(self) -> str:
        return display_name_of(self.author)

    @property
    def last_editor(self):
        """Who saved the current text, from the revision history."""
        version = Version.objects.get_for_object(self).select_related("revision__user").first()
        return version.revision.user if version else None

    def history(self) -> list:
        """Comments and transitions of this section, oldest first, for the review thread."""
        entries = [*self.transitions.select_related("actor__author_profile")]
        entries += [*self.comments.select_related("author__author_profile")]
        return sorted(entries, key=lambda entry: (entry.created_at, entry.pk))

    @property
    def author_url(self) -> str:
        return author_url(self.author)

    @property
    def excerpt(self) -> str:
        return Truncator(prose_text(self.body_html)).chars(140)


class SectionTransitionQuerySet(models.QuerySet):
    def latest_change_requests(self, sections: Iterable[Section]) -> dict[int, "SectionTransition"]:
        """The latest request for changes of each of `sections` that had one, by section id,
        with who asked: one query however many sections."""
        requests = (
            self.filter(section__in=sections, action=SectionAction.REQUEST_CHANGES)
            .select_related("actor__author_profile")
            .order_by("created_at", "pk")
        )
        return {request.section_id: request for request in requests}  # the latest is kept


class SectionTransition(models.Model):
    """One move of a section through review: who, when, from where to where, and why."""

    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("section")
    )
    action = models.CharField(_("action"), max_length=20, choices=SectionAction)
    from_status = models.CharField(_("from"), max_length=20, choices=SectionStatus)
    to_status = models.CharField(_("to"), max_length=20, choices=SectionStatus)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    version = models.PositiveIntegerField(_("version"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    objects = SectionTransitionQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("section transition")
        verbose_name_plural = _("section transitions")

    def __str__(self) -> str:
        return f"{self.section}: {self.from_status} → {self.to_status}"


class ReviewComment(models.Model):
    """A message in a section's review thread, between its author and the editors."""

    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="comments", verbose_name=_("section")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("comment"), max_length=COMMENT_MAX_LENGTH)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")

    def __str__(self) -> str:
        return self.body[:50]


class SectionAutosaveQuerySet(models.QuerySet):
    def after_save(self, section: Section, user, *, offered: str) -> "SectionAutosave | None":
        """Settle `user`'s kept text once they saved `section`: gone when the save took its
        place, kept when their page offered it back (`offered` is its `stamp`) and they
        saved without putting it back or discarding it, as it differs from what was saved.
        Kept, it is offered again over the saved text. Returns it when kept."""
        kept = self.filter(section=section, user=user).first()
        if kept is None:
            return None
        if kept.stamp != offered or not kept.differs_from(section):
            kept.delete()
            return None
        self.filter(pk=kept.pk).update(base_version=section.version)  # saved_at stays
        kept.base_version = section.version
        return kept


class SectionAutosave(models.Model):
    """The heading and text a person is typing, kept every few seconds without leaving a
    revision."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="autosaves")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    heading = models.CharField(max_length=Section._meta.get_field("heading").max_length, blank=True)
    body = models.TextField(blank=True)
    base_version = models.PositiveIntegerField()
    saved_at = models.DateTimeField(auto_now=True)

    objects = SectionAutosaveQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["section", "user"], name="one_autosave_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.section} ({self.user})"

    @property
    def typed(self) -> dict[str, str]:
        """What the editor's fields get back (static/blog/admin/autosave.js)."""
        return {"heading": self.heading, "body": self.body}

    @property
    def stamp(self) -> str:
        """Which keeping of the text this is: each keeping is a new time."""
        return self.saved_at.astimezone(datetime.UTC).isoformat()

    def differs_from(self, section: Section) -> bool:
        """Whether putting it back would change the section, as a save keeps both."""
        return (self.heading.strip(), _as_saved(self.body)) != (
            section.heading.strip(),
            _as_saved(section.body),
        )


def _as_saved(text: str) -> str:
    return without_caption_placeholders(normalized_text(text))[0]
