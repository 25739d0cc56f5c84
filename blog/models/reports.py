"""The combined post, its tags, publication history and share links."""

import datetime
from collections import defaultdict
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Min, OuterRef, Prefetch, Q, Subquery, prefetch_related_objects
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField

from blog import roles
from blog.enums import (
    DUE_SOON_DAYS,
    DeadlineState,
    ReportAction,
    ReportStatus,
    SectionStatus,
    deadline_state,
)
from blog.models.people import author_url, display_name_of
from blog.models.text import (
    MarkdownFieldsMixin,
    is_alt_placeholder,
    normalized_text,
    prose_text,
    reading_minutes_for,
    with_derived_fields,
)
from blog.models.trash import Trashable, TrashQuerySetMixin, WithoutTrashManager
from cms.slugs import SLUG_HELP_FROM_TITLE, readable_slug_field, unique_slug
from cms.text_validators import no_invisible_characters, no_invisible_characters_in_headings
from sessions.models import SessionSpeaker

if TYPE_CHECKING:
    from blog.models.photos import Photo
    from blog.models.sections import Section


def published_condition(prefix: str = "") -> Q:
    """The one definition of what readers may see: published, and due.

    A scheduled report (publication time in the future) waits for its time. `prefix`
    applies the same rule through a relation, e.g. "report__" for a report's sections.
    """
    return Q(
        **{f"{prefix}status": ReportStatus.PUBLISHED, f"{prefix}published_at__lte": timezone.now()}
    )


def outline_parts(sections) -> list[dict]:
    """`sections`, in order, cut into the parts of the report's page: each run of sections
    about sessions is one part under one heading, every other section a part of its own.
    A report whose session sections are split by another section has several session parts
    (the editor's list of sections warns of it); each has an anchor of its own."""
    parts: list[dict] = []
    session_parts = 0
    for section in sections:
        is_session = section.session_id is not None
        if is_session and parts and parts[-1]["is_session_part"]:
            parts[-1]["sections"].append(section)
            continue
        anchor = ""
        if is_session:
            session_parts += 1
            anchor = "session-reports" if session_parts == 1 else f"session-reports-{session_parts}"
        parts.append({"sections": [section], "is_session_part": is_session, "anchor": anchor})
    return parts


class Tag(models.Model):
    name = models.CharField(
        _("name"), max_length=60, unique=True, validators=[no_invisible_characters]
    )
    slug = readable_slug_field()

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.name, fallback="tag")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("blog:tag_detail", kwargs={"slug": self.slug})


def page_prefetches() -> tuple:
    """What the combined page shows beyond the report's own row and its event."""
    from blog.models.photos import Photo
    from blog.models.sections import Section

    sections = (
        # The session's event: its time zone is the one the session's time is given in.
        Section.objects.select_related("author__author_profile", "session__event")
        .prefetch_related(
            Prefetch(
                "session__appearances",
                queryset=SessionSpeaker.objects.select_related("speaker").order_by(
                    "position", "pk"
                ),
            ),
        )
        .order_by("position", "pk")
    )
    return (
        "tags",
        Prefetch("sections", queryset=sections),
        Prefetch("photos", queryset=Photo.objects.order_by("position", "pk")),
    )


class ReportQuerySet(TrashQuerySetMixin, models.QuerySet):
    def published(self) -> "ReportQuerySet":
        """What readers may see: published, and due (a scheduled report waits for its time)."""
        return self.filter(published_condition())

    def scheduled(self) -> "ReportQuerySet":
        """Published with a time still to come: waiting for it, soonest first."""
        return self.filter(status=ReportStatus.PUBLISHED, published_at__gt=timezone.now()).order_by(
            "published_at", "pk"
        )

    def next_publication_time(self) -> "datetime.datetime | None":
        """When the next scheduled report becomes public: readers' pages change then."""
        return self.scheduled().aggregate(next=Min("published_at"))["next"]

    def with_last_modified(self) -> "ReportQuerySet":
        """Annotate `last_modified`: when what readers see of the report last changed.

        That is its publication, or a later change to the report or to any of its sections
        (a correction to a section changes the page without touching the report's row).
        Never before the publication: a report published at a set time was saved before
        readers could see it, and for them it changed when it appeared. The feeds, the
        sitemap and the report page's metadata all read this.
        """
        from blog.models.sections import Section

        newest_section = (
            Section.objects.filter(report=OuterRef("pk"))
            .order_by("-updated_at")
            .values("updated_at")[:1]
        )
        # Coalesce: SQLite's (and MySQL's) GREATEST is NULL when any argument is, and a
        # draft has no publication time and may have no sections.
        return self.annotate(
            last_modified=Greatest(
                Coalesce("published_at", "updated_at"),
                "updated_at",
                Coalesce(Subquery(newest_section), "updated_at"),
            )
        )

    def for_feed(self) -> "ReportQuerySet":
        """Reports with every section's author, for feeds: a fixed number of queries."""
        from blog.models.sections import Section

        authored = Section.objects.select_related("author__author_profile").order_by(
            "position", "pk"
        )
        return (
            self.with_last_modified()
            .prefetch_related("tags", Prefetch("sections", queryset=authored))
            .order_by("-published_at", "-pk")
        )

    def visible_to(self, user) -> "ReportQuerySet":
        """Reports `user` may open at any status: editors every one, writers those they are a
        writer of (the same rule as `blog.view_report` in blog/rules.py, as a filter)."""
        if roles.is_editor(user):
            return self
        if roles.is_writer(user):
            return self.filter(memberships__user=user)
        return self.none()

    def open_for_writing(self) -> "ReportQuerySet":
        """Reports that still take new sections: not published or scheduled."""
        return self.exclude(status=ReportStatus.PUBLISHED)

    def late_or_due_soon(self, today: datetime.date) -> "ReportQuerySet":
        """Reports still being written whose due date has passed or comes within
        `DUE_SOON_DAYS` days, soonest first."""
        horizon = today + datetime.timedelta(days=DUE_SOON_DAYS)
        return self.open_for_writing().filter(due_on__lte=horizon).order_by("due_on", "pk")

    def with_review_progress(self) -> "ReportQuerySet":
        """Annotate `section_total` and `approved_total`: the sections (out of the trash)
        and how many of them are approved. Counted through a join, which the default
        manager's filter does not reach, hence the condition on the trash."""
        live = Q(sections__trashed_at__isnull=True)
        approved = live & Q(sections__status=SectionStatus.APPROVED)
        return self.annotate(
            section_total=Count("sections", filter=live, distinct=True),
            approved_total=Count("sections", filter=approved, distinct=True),
        )

    def for_listing(self) -> "ReportQuerySet":
        return (
            self.select_related("event").prefetch_related("tags").order_by("-published_at", "-pk")
        )

    def for_page(self) -> "ReportQuerySet":
        """Everything the combined page shows, in a fixed number of queries."""
        return (
            self.with_last_modified().select_related("event").prefetch_related(*page_prefetches())
        )

    def matching(self, query: str) -> "ReportQuerySet":
        """Reports in which every word of `query` appears somewhere a reader would see it.

        Looked for: the title, the lead and the closing, each section's heading and text,
        the title and speakers of the sessions the sections cover, and the captions and
        credits of the report's photos. Substring matching, because Japanese has no spaces
        between words for a word index to split on; on PostgreSQL trigram indexes
        (migration 0003) serve these `icontains` lookups.
        """
        from blog.models.photos import Photo
        from blog.models.sections import Section

        for word in query.split():
            in_sections = Section.objects.containing([word])
            in_photos = Photo.objects.described_by([word])
            self = self.filter(
                Q(title__icontains=word)
                | Q(lead__icontains=word)
                | Q(closing__icontains=word)
                | Q(pk__in=in_sections.values("report"))
                | Q(pk__in=in_photos.values("report"))
            )
        return self


class Report(MarkdownFieldsMixin, Trashable, models.Model):
    """The combined post: a lead, sections by several authors, a closing and a gallery."""

    markdown_fields = {"lead": "lead_html", "closing": "closing_html"}
    Status = ReportStatus  # for templates: report.Status.PUBLISHED

    title = models.CharField(_("title"), max_length=200, validators=[no_invisible_characters])
    slug = readable_slug_field(SLUG_HELP_FROM_TITLE)
    event = models.ForeignKey(
        "conference.Event",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("event"),
        help_text=_("Leave empty for a plain blog post."),
    )
    lead = MarkdownxField(_("lead"), blank=True, validators=[no_invisible_characters_in_headings])
    lead_html = models.TextField(editable=False, blank=True)
    closing = MarkdownxField(
        _("closing"), blank=True, validators=[no_invisible_characters_in_headings]
    )
    closing_html = models.TextField(editable=False, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="reports", verbose_name=_("tags"))
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus, default=ReportStatus.DRAFT
    )
    published_at = models.DateTimeField(
        _("publication time"),
        null=True,
        blank=True,
        help_text=_("A time in the future schedules the report."),
    )
    editors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="edited_reports",
        verbose_name=_("editors"),
    )
    writers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="ReportMember",
        through_fields=("report", "user"),
        blank=True,
        related_name="writing_reports",
        verbose_name=_("writers"),
    )
    cover = models.ForeignKey(
        "Photo",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cover photo"),
        help_text=_(
            "Shown where the report is shared. One of this report's photos; left empty, "
            "the first gallery photo is used."
        ),
    )
    reading_minutes = models.PositiveIntegerField(
        _("reading time in minutes"), default=0, editable=False
    )
    due_on = models.DateField(
        _("due date"),
        null=True,
        blank=True,
        help_text=_(
            "When every section should be ready. A section without its own due date is "
            "due then. Set by editors."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = WithoutTrashManager.from_queryset(ReportQuerySet)()
    all_objects = models.Manager.from_queryset(ReportQuerySet)()  # the trash included

    class Meta(Trashable.Meta):
        ordering = ["-published_at", "-created_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=ReportStatus.PUBLISHED)
                | models.Q(published_at__isnull=False),
                name="published_report_has_time",
                violation_error_message=_("A published report needs a publication time."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.title, fallback="report")
        self.lead, self.closing = normalized_text(self.lead), normalized_text(self.closing)
        self.render_markdown_fields(kwargs.get("update_fields"))
        self.reading_minutes = self.count_reading_minutes()
        # The reading time follows the HTML, which follows the Markdown.
        update_fields = with_derived_fields(
            kwargs.get("update_fields"), {"lead": "lead_html", "closing": "closing_html"}
        )
        kwargs["update_fields"] = with_derived_fields(
            update_fields, {"lead_html": "reading_minutes", "closing_html": "reading_minutes"}
        )
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("blog:report_detail", kwargs={"slug": self.slug})

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == ReportStatus.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    def deadline_state(self, today: datetime.date) -> DeadlineState | None:
        return None if self.is_live else deadline_state(self.due_on, today)

    @property
    def is_live(self) -> bool:
        """Published or scheduled: its sections are locked for their writers."""
        return self.status == ReportStatus.PUBLISHED

    def count_reading_minutes(self) -> int:
        """Minutes to read the lead, every section and the closing (one query)."""
        bodies = list(self.sections.values_list("body_html", flat=True)) if self.pk else []
        return reading_minutes_for(self.lead_html, *bodies, self.closing_html)

    def refresh_reading_minutes(self) -> None:
        """Store the reading time again after a section changed or went."""
        self.reading_minutes = self.count_reading_minutes()
        # update(), not save(): a section's edit is not an edit of the report itself.
        Report.objects.filter(pk=self.pk).update(reading_minutes=self.reading_minutes)

    def clean(self):
        errors = self.markdown_errors()
        if self.cover_id and self.cover.report_id != self.pk:
            errors["cover"] = [_("The cover must be one of this report's photos.")]
        elif self.cover_id and is_alt_placeholder(self.cover.alt_text):
            # Its description goes with it wherever the report is shared.
            errors["cover"] = [_("Describe this photo in its section before making it the cover.")]
        # The form's own uniqueness check reads the default manager, which leaves the trash
        # out; a report in the trash keeps its address until it is purged.
        if (
            self.slug
            and Report.all_objects.in_trash().filter(slug=self.slug).exclude(pk=self.pk).exists()
        ):
            errors["slug"] = [
                _(
                    "A report in the trash still uses this address: restore it, or choose "
                    "another address."
                )
            ]
        if errors:
            raise ValidationError(errors)

    def markdown_anchor_prefix(self, field: str) -> str:
        # The page shows one lead and one closing, so their ids need no number.
        return f"{field}-"

    def markdown_title_level(self, field: str) -> int:
        # The lead sits under the report's <h1>; the closing under its own <h2>.
        return {"lead": 1, "closing": 2}[field]

    def markdown_photos(self) -> dict[int, "Photo"]:
        return {photo.pk: photo for photo in self.photos.all()} if self.pk else {}

    @property
    def is_published(self) -> bool:
        return (
            self.status == ReportStatus.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    # The helpers below read what the page shows: prefetched by `ReportQuerySet.for_page()`,
    # or fetched on first use, all at once. The public page reads the report alone and
    # needs the rest only when its kept fragments are out of date (blog/pagecache.py).

    def load_page_content(self) -> None:
        if "sections" not in getattr(self, "_prefetched_objects_cache", {}):
            prefetch_related_objects([self], *page_prefetches())

    @cached_property
    def ordered_sections(self) -> list["Section"]:
        self.load_page_content()
        return list(self.sections.all())

    @cached_property
    def shown_tags(self) -> list["Tag"]:
        self.load_page_content()
        return list(self.tags.all())

    @cached_property
    def _photos_by_section(self) -> dict[int | None, list["Photo"]]:
        self.load_page_content()
        grouped: dict[int | None, list[Photo]] = defaultdict(list)
        for photo in self.photos.all():
            if not photo.in_gallery:
                grouped[photo.section_id].append(photo)
        return grouped

    @cached_property
    def gallery(self) -> list["Photo"]:
        self.load_page_content()
        return [photo for photo in self.photos.all() if photo.in_gallery]

    def figures_for(self, section: "Section") -> list["Photo"]:
        """Photos shown under a section: those not placed in its text, and described."""
        placed = section.inline_photo_ids
        return [
            photo
            for photo in self._photos_by_section.get(section.pk, [])
            if photo.pk not in placed and photo.is_described
        ]

    @cached_property
    def outline(self) -> list[dict]:
        """Sections grouped for the page: runs of session sections share one part heading.

        Each item is {"sections": [...], "is_session_part": bool, "anchor": str}; a session
        part gets a heading of its own so that the sessions read as one chapter of the report.
        """
        parts = outline_parts(self.ordered_sections)
        for section in self.ordered_sections:
            section.figures = self.figures_for(section)
        return parts

    @cached_property
    def authors(self) -> list:
        seen, authors = set(), []
        for section in self.ordered_sections:
            if section.author_id not in seen:
                seen.add(section.author_id)
                authors.append(section.author)
        return authors

    @property
    def summary(self) -> str:
        """The lead as plain text, short enough for a meta description or a feed."""
        return Truncator(prose_text(self.lead_html)).chars(120)

    @cached_property
    def share_image(self) -> "Photo | None":
        """The picture shown where the report is shared: the cover, else the first in the
        gallery."""
        self.load_page_content()
        photos = list(self.photos.all())
        cover = next((photo for photo in photos if photo.pk == self.cover_id), None)
        return cover or next((photo for photo in photos if photo.in_gallery), None)

    def structured_data(self, absolute: Callable[[str], str]) -> dict:
        """schema.org `BlogPosting` for search engines (JSON-LD), from the page's content.

        `absolute` turns a path into a full URL (the request's `build_absolute_uri`). The
        report comes from a queryset `with_last_modified()`, as the page's and `for_page()`.
        """
        data = {
            "@context": "https://schema.org",
            "@type": "BlogPosting",
            "headline": self.title,
            "description": self.summary,
            "url": absolute(self.get_absolute_url()),
            "mainEntityOfPage": absolute(self.get_absolute_url()),
            "inLanguage": settings.LANGUAGE_CODE,
            "datePublished": self.published_at.isoformat(),
            "dateModified": self.last_modified.isoformat(),  # from `with_last_modified()`
            "author": [self._author_data(author, absolute) for author in self.authors],
            "publisher": {"@type": "Organization", "name": settings.SITE_NAME},
            "keywords": [tag.name for tag in self.shown_tags],
        }
        if self.share_image is not None:
            data["image"] = [absolute(self.share_image.src)]
        if self.event is not None:
            data["about"] = self.event.structured_data(absolute)
        sessions = [section.session for section in self.ordered_sections if section.session]
        if sessions:
            data["mentions"] = [session.structured_data(absolute) for session in sessions]
        return data

    @staticmethod
    def _author_data(author, absolute: Callable[[str], str]) -> dict:
        data = {"@type": "Person", "name": display_name_of(author)}
        if author.is_staff:  # only staff members have an author page
            data["url"] = absolute(author_url(author))
        return data


class ReportMember(models.Model):
    """A writer of a report: they may add sections to it and read its drafts.

    Editors add and remove writers; a writer claiming a session on the coverage
    board becomes one too.
    """

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("report")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="report_memberships",
        verbose_name=_("writer"),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    added_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name = _("writer of the report")
        verbose_name_plural = _("writers of the report")
        constraints = [
            models.UniqueConstraint(fields=["report", "user"], name="one_membership_per_writer"),
        ]

    def __str__(self) -> str:
        return display_name_of(self.user)


class ReportTransition(models.Model):
    """One entry of a report's audit trail: published, scheduled, unpublished, a writer
    added or removed, a section moved in the order, something moved to the trash,
    restored or deleted for good.

    The trail editors read is these rows together with the sections' review moves
    (`SectionTransition`, which the review thread also shows): each fact is one row in
    one table, and `blog.audit.trail()` reads both. Written only through
    `blog.audit.record()`, by the service that makes the change, in its transaction.
    The report is kept by title as well, so that the entry of its permanent deletion
    outlives it.
    """

    report = models.ForeignKey(
        Report,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="transitions",
        verbose_name=_("report"),
    )
    report_title = models.CharField(_("report title"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=ReportAction)
    # None: done by the site itself (the trash's retention period).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    # What the entry is about when it is not the report as a whole: a section's title,
    # a photo's description, a writer's name.
    subject = models.CharField(_("about"), max_length=300, blank=True)
    # A reorder: the section's place in the report's order (1 the first) before and after.
    from_place = models.PositiveSmallIntegerField(_("from place"), null=True, blank=True)
    to_place = models.PositiveSmallIntegerField(_("to place"), null=True, blank=True)
    published_at = models.DateTimeField(_("publication time"), null=True, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")

    def __str__(self) -> str:
        return f"{self.report_title}: {self.action}"


class ShareLinkQuerySet(models.QuerySet):
    def usable(self) -> "ShareLinkQuerySet":
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ShareLink(models.Model):
    """A signed, expiring preview of a report for a reviewer without an account."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="share_links")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("share link")
        verbose_name_plural = _("share links")

    def __str__(self) -> str:
        return f"{self.report} ({self.expires_at:%Y-%m-%d %H:%M})"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
