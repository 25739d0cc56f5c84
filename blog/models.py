import contextlib
import functools
import html
import math
from collections import defaultdict
from collections.abc import Callable
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField
from reversion.models import Version

from blog import images, markdown
from blog.enums import (
    EDITORS,
    ReportAction,
    ReportStatus,
    SectionAction,
    SectionStatus,
)
from cms.slugs import unique_slug
from sessions.models import Session, SessionSpeaker


def with_derived_fields(update_fields, derived: dict[str, str]) -> list[str] | None:
    """Widen a partial save so that fields derived in save() are written with their source.

    Without this, `save(update_fields=["body"])` would store new Markdown beside stale HTML.
    """
    if update_fields is None:
        return None
    fields = set(update_fields)
    fields |= {target for source, target in derived.items() if source in fields}
    return sorted(fields)


# Silent reading of Japanese prose runs at roughly 400-600 characters a minute; the
# middle of that range, counted over the visible text (markup and spaces left out).
READING_CHARACTERS_PER_MINUTE = 500


# What a dropped photo's reference says until the writer describes it. The section
# cannot be saved while a reference still says this (in any of the site's languages).
PHOTO_ALT_PLACEHOLDER = _("Describe this photo here (alternative text)")
PHOTO_CAPTION_PLACEHOLDER = _("Caption (optional)")


@functools.cache
def _in_every_language(message) -> frozenset[str]:
    texts = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts.add(str(message))
    return frozenset(texts)


def is_alt_placeholder(text: str) -> bool:
    return text.strip() in _in_every_language(PHOTO_ALT_PLACEHOLDER)


def is_caption_placeholder(text: str) -> bool:
    return text.strip() in _in_every_language(PHOTO_CAPTION_PLACEHOLDER)


def photo_reference_errors(rendered: markdown.Rendered, photos: dict) -> list[ValidationError]:
    """What stops a text from being saved: references to missing or undescribed photos."""
    errors = []
    for reference in rendered.photo_references:
        number = reference.photo_id
        photo = photos.get(number)
        if photo is None:
            errors.append(
                ValidationError(
                    _(
                        "There is no photo %(number)s in this report. Drop the image into "
                        "the text again, or correct the number in photo:%(number)s."
                    ),
                    code="unknown_photo",
                    params={"number": number},
                )
            )
            continue
        alt = reference.alt.strip() or photo.alt_text
        if not alt.strip() or is_alt_placeholder(alt):
            errors.append(
                ValidationError(
                    _(
                        "Describe photo %(number)s for readers who cannot see it: in "
                        "![…](photo:%(number)s), write what the photo shows between the "
                        "square brackets."
                    ),
                    code="photo_without_alt",
                    params={"number": number},
                )
            )
        if is_caption_placeholder(reference.caption):
            errors.append(
                ValidationError(
                    _(
                        "Photo %(number)s still has the caption placeholder: write a caption "
                        "between the quotation marks, or delete the quoted text."
                    ),
                    code="caption_placeholder",
                    params={"number": number},
                )
            )
    return errors


class MarkdownFieldsMixin:
    """Markdown fields rendered once between clean() and save(), with errors on the field.

    A model lists `markdown_fields` ({"body": "body_html"}) and says which prefix the
    ids in each field's HTML carry (`markdown_anchor_prefix`).
    """

    markdown_fields: dict[str, str] = {}

    def markdown_anchor_prefix(self, field: str) -> str:
        raise NotImplementedError

    def markdown_photos(self) -> dict[int, "Photo"]:
        """The photos this object's text may show: its report's, by id."""
        raise NotImplementedError

    def render_as(self, field: str, text: str) -> markdown.Rendered:
        """`text` rendered as it would be stored in `field` (the editor's preview)."""
        return markdown.render(
            text, anchor_prefix=self.markdown_anchor_prefix(field), photos=self.markdown_photos()
        )

    def rendered_markdown(self, field: str) -> markdown.Rendered:
        """The field rendered as it is now; raises markdown.MarkdownRefused."""
        text, prefix = getattr(self, field), self.markdown_anchor_prefix(field)
        cache = self.__dict__.setdefault("_rendered_markdown", {})
        if cache.get(field, (None, None, None))[:2] != (text, prefix):
            cache[field] = (text, prefix, self.render_as(field, text))
        return cache[field][2]

    def markdown_errors(self) -> dict[str, list]:
        errors: dict[str, list] = {}
        for field in self.markdown_fields:
            try:
                rendered = self.rendered_markdown(field)
            except markdown.MarkdownRefused as refusal:
                errors[field] = refusal.error_list
                continue
            if problems := photo_reference_errors(rendered, self.markdown_photos()):
                errors[field] = problems
        return errors

    def describe_placed_photos(self, photos) -> None:
        """Copy how the text describes each of `photos` onto the photo's own row.

        The text is where a writer describes a photo they placed; the row keeps the same
        words for the admin's lists and for the figure list under a section, should
        the photo be taken out of the text later.
        """
        owned = {photo.pk: photo for photo in photos}
        for field in self.markdown_fields:
            for reference in self.rendered_markdown(field).photo_references:
                photo = owned.get(reference.photo_id)
                alt, caption = reference.alt.strip(), reference.caption.strip()
                if photo is None or not alt or is_alt_placeholder(alt):
                    continue
                if is_caption_placeholder(caption):
                    caption = ""
                if (photo.alt_text, photo.caption) != (alt, caption):
                    Photo.objects.filter(pk=photo.pk).update(alt_text=alt, caption=caption)
                    photo.alt_text, photo.caption = alt, caption

    def render_markdown_fields(self, update_fields) -> bool:
        """Store the HTML of every Markdown field that this save writes; True if any."""
        written = False
        for field, target in self.markdown_fields.items():
            if update_fields is None or field in update_fields:
                setattr(self, target, self.rendered_markdown(field).html)
                written = True
        return written


def published_condition(prefix: str = "") -> Q:
    """The one definition of what readers may see: published, and due.

    A scheduled report (publication time in the future) waits for its time. `prefix`
    applies the same rule through a relation, e.g. "report__" for a report's sections.
    """
    return Q(
        **{f"{prefix}status": ReportStatus.PUBLISHED, f"{prefix}published_at__lte": timezone.now()}
    )


def plain_text(fragment: str) -> str:
    """The visible text of stored, sanitised HTML."""
    return html.unescape(strip_tags(fragment or ""))


def reading_minutes_for(*fragments: str) -> int:
    """Whole minutes to read the visible text of `fragments`; 0 for no text at all."""
    characters = sum(len("".join(plain_text(fragment).split())) for fragment in fragments)
    return math.ceil(characters / READING_CHARACTERS_PER_MINUTE)


class AuthorProfile(models.Model):
    """How a staff member appears in bylines."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="author_profile",
        verbose_name=_("user"),
    )
    display_name = models.CharField(_("display name"), max_length=100)
    team = models.CharField(_("team"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("author profile")
        verbose_name_plural = _("author profiles")

    def __str__(self) -> str:
        return self.display_name


def display_name_of(user) -> str:
    """The name a byline prints for `user`, from the profile when there is one."""
    profile = getattr(user, "author_profile", None)
    if profile is not None and profile.display_name:
        return profile.display_name
    return user.get_full_name() or user.get_username()


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, blank=True)

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


class ReportQuerySet(models.QuerySet):
    def published(self) -> "ReportQuerySet":
        """What readers may see: published, and due (a scheduled report waits for its time)."""
        return self.filter(published_condition())

    def with_last_modified(self) -> "ReportQuerySet":
        """Annotate `last_modified`: the latest change to the report or any of its sections.

        A correction to a section changes the page without touching the report's row.
        """
        newest_section = (
            Section.objects.filter(report=OuterRef("pk"))
            .order_by("-updated_at")
            .values("updated_at")[:1]
        )
        return self.annotate(
            last_modified=Greatest("updated_at", Coalesce(Subquery(newest_section), "updated_at"))
        )

    def for_feed(self) -> "ReportQuerySet":
        """Reports with every section's author, for feeds: a fixed number of queries."""
        authored = Section.objects.select_related("author__author_profile").order_by(
            "position", "pk"
        )
        return (
            self.with_last_modified()
            .prefetch_related("tags", Prefetch("sections", queryset=authored))
            .order_by("-published_at", "-pk")
        )

    def visible_to(self, user) -> "ReportQuerySet":
        """Reports `user` may preview at any status: editors all, writers those they write in."""
        if not user.is_authenticated or not user.is_staff:
            return self.none()
        if user.is_superuser or user.groups.filter(name=EDITORS).exists():
            return self
        return self.filter(sections__author=user).distinct()

    def for_listing(self) -> "ReportQuerySet":
        return (
            self.select_related("event").prefetch_related("tags").order_by("-published_at", "-pk")
        )

    def for_page(self) -> "ReportQuerySet":
        """Everything the combined page shows, in a fixed number of queries."""
        sections = (
            Section.objects.select_related("author__author_profile", "session")
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
        return self.select_related("event").prefetch_related(
            "tags",
            Prefetch("sections", queryset=sections),
            Prefetch("photos", queryset=Photo.objects.order_by("position", "pk")),
        )

    def matching(self, query: str) -> "ReportQuerySet":
        """Reports in which every word of `query` appears somewhere a reader would see it.

        Looked for: the title, the lead, each section's heading and text, and the title
        and speakers of the sessions the sections cover. Substring matching, because
        Japanese has no spaces between words for a word index to split on; on PostgreSQL
        trigram indexes (migration 0003) serve these `icontains` lookups.
        """
        for word in query.split():
            spoken_by = SessionSpeaker.objects.filter(speaker__name__icontains=word)
            in_sections = Section.objects.filter(
                Q(heading__icontains=word)
                | Q(body__icontains=word)
                | Q(session__title__icontains=word)
                | Q(session__in=spoken_by.values("session"))
            )
            self = self.filter(
                Q(title__icontains=word)
                | Q(lead__icontains=word)
                | Q(pk__in=in_sections.values("report"))
            )
        return self


class Report(MarkdownFieldsMixin, models.Model):
    """The combined post: a lead, sections by several authors, a closing and a gallery."""

    markdown_fields = {"lead": "lead_html", "closing": "closing_html"}

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=80,
        unique=True,
        blank=True,
        help_text=_(
            "Used in the address. Left empty, it is made from the title; it never "
            "changes by itself afterwards."
        ),
    )
    event = models.ForeignKey(
        "conference.Event",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("event"),
        help_text=_("Leave empty for a plain blog post."),
    )
    lead = MarkdownxField(_("lead"), blank=True)
    lead_html = models.TextField(editable=False, blank=True)
    closing = MarkdownxField(_("closing"), blank=True)
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
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(published_at__isnull=False),
                name="published_report_has_time",
                violation_error_message=_("A published report needs a publication time."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.title, fallback="report")
        texts_written = self.render_markdown_fields(kwargs.get("update_fields"))
        self.reading_minutes = self.count_reading_minutes()
        # The reading time follows the HTML, which follows the Markdown.
        update_fields = with_derived_fields(
            kwargs.get("update_fields"), {"lead": "lead_html", "closing": "closing_html"}
        )
        kwargs["update_fields"] = with_derived_fields(
            update_fields, {"lead_html": "reading_minutes", "closing_html": "reading_minutes"}
        )
        super().save(*args, **kwargs)
        if texts_written:
            self.describe_placed_photos(self.photos.filter(section__isnull=True))

    def get_absolute_url(self) -> str:
        return reverse("blog:report_detail", kwargs={"slug": self.slug})

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == ReportStatus.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def is_live(self) -> bool:
        """Published or scheduled: its sections are locked for their writers."""
        return self.status == ReportStatus.PUBLISHED

    def unapproved_sections(self) -> models.QuerySet:
        return self.sections.exclude(status=SectionStatus.APPROVED)

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
        if errors:
            raise ValidationError(errors)

    def markdown_anchor_prefix(self, field: str) -> str:
        # The page shows one lead and one closing, so their ids need no number.
        return f"{field}-"

    def markdown_photos(self) -> dict[int, "Photo"]:
        return {photo.pk: photo for photo in self.photos.all()} if self.pk else {}

    @property
    def is_published(self) -> bool:
        return (
            self.status == ReportStatus.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    # The helpers below read the prefetches made by `ReportQuerySet.for_page()`.

    @cached_property
    def ordered_sections(self) -> list["Section"]:
        return list(self.sections.all())

    @cached_property
    def _photos_by_section(self) -> dict[int | None, list["Photo"]]:
        grouped: dict[int | None, list[Photo]] = defaultdict(list)
        for photo in self.photos.all():
            if not photo.in_gallery:
                grouped[photo.section_id].append(photo)
        return grouped

    @cached_property
    def gallery(self) -> list["Photo"]:
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

        Each item is {"sections": [...], "is_session_part": bool}; a session part gets
        a heading of its own so that the sessions read as one chapter of the report.
        """
        parts: list[dict] = []
        for section in self.ordered_sections:
            is_session = section.session_id is not None
            if is_session and parts and parts[-1]["is_session_part"]:
                parts[-1]["sections"].append(section)
            else:
                parts.append({"sections": [section], "is_session_part": is_session})
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
        return Truncator(" ".join(plain_text(self.lead_html).split())).chars(120)

    @cached_property
    def share_image(self) -> "Photo | None":
        """The picture shown where the report is shared: the cover, else the first in the
        gallery. Reads the photos prefetched by `for_page()`."""
        photos = list(self.photos.all())
        cover = next((photo for photo in photos if photo.pk == self.cover_id), None)
        return cover or next((photo for photo in photos if photo.in_gallery), None)

    def structured_data(self, absolute: Callable[[str], str]) -> dict:
        """schema.org `BlogPosting` for search engines (JSON-LD), from `for_page()` data.

        `absolute` turns a path into a full URL (the request's `build_absolute_uri`).
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
            "dateModified": max(
                [self.updated_at, *(section.updated_at for section in self.ordered_sections)]
            ).isoformat(),
            "author": [self._author_data(author, absolute) for author in self.authors],
            "publisher": {"@type": "Organization", "name": settings.SITE_NAME},
            "keywords": [tag.name for tag in self.tags.all()],
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


def author_url(user) -> str:
    """The page listing what `user` wrote (it exists once they have a published section)."""
    return reverse("blog:author_detail", kwargs={"username": user.get_username()})


class SectionQuerySet(models.QuerySet):
    def published(self) -> "SectionQuerySet":
        """Sections readers may see: those of published, due reports."""
        return self.filter(published_condition("report__"))

    def for_listing(self) -> "SectionQuerySet":
        """Sections listed on their own (session, speaker, author pages): newest report
        first, with report, event, session, speakers and byline in a fixed number of queries.
        """
        return (
            self.select_related("report__event", "session__event", "author__author_profile")
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

    def visible_to(self, user) -> "SectionQuerySet":
        """Sections `user` may open in the admin: editors every one, writers their own."""
        if not user.is_authenticated or not user.is_staff:
            return self.none()
        if user.is_superuser or user.groups.filter(name=EDITORS).exists():
            return self
        return self.filter(author=user)

    def awaiting_review(self) -> "SectionQuerySet":
        """What editors should look at next: submitted sections, oldest submission first."""
        return (
            self.filter(status=SectionStatus.IN_REVIEW)
            .select_related(
                "report", "session", "author__author_profile", "reviewer__author_profile"
            )
            .order_by("submitted_at", "pk")
        )


class Section(MarkdownFieldsMixin, models.Model):
    """One author's part of a report, reviewed on its own.

    Its `status` is changed only by `blog.workflow`; `version` counts saves and
    lets two people editing at once notice each other.
    """

    markdown_fields = {"body": "body_html"}

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
    )
    body = MarkdownxField(_("body"), blank=True)
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
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, editable=False)
    approved_version = models.PositiveIntegerField(
        _("approved version"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SectionQuerySet.as_manager()

    class Meta:
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
        # Browsers send text areas with CRLF; one form of newline keeps comparisons honest.
        self.body = self.body.replace("\r\n", "\n")
        # Rendered before anything is written: a refused body raises here.
        body_written = self.render_markdown_fields(kwargs.get("update_fields"))
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
        if numbered and body_written:
            self.describe_placed_photos(self.photos.all())
        if body_written:
            self.report.refresh_reading_minutes()

    def get_absolute_url(self) -> str:
        """The section in its report's page."""
        return f"{self.report.get_absolute_url()}#{self.anchor}"

    def markdown_anchor_prefix(self, field: str) -> str:
        # Unique on the combined page: two sections may both have a heading "まとめ".
        return f"{self.anchor}-" if self.pk else "section-new-"

    def markdown_photos(self) -> dict[int, "Photo"]:
        if not self.report_id:
            return {}
        return {photo.pk: photo for photo in Photo.objects.filter(report_id=self.report_id)}

    @cached_property
    def inline_photo_ids(self) -> set[int]:
        """Photos that the stored body already shows as figures."""
        return markdown.inline_photo_ids(self.body_html)

    def clean(self):
        errors = self.markdown_errors()
        if self.session_id is None and not self.heading.strip():
            errors["heading"] = [_("Give the section a heading, or choose its session.")]
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
        return Truncator(" ".join(plain_text(self.body_html).split())).chars(140)


def _photo_upload_to(instance: "Photo", filename: str) -> str:
    return images.new_name("photos/originals", filename.rsplit(".", 1)[-1].lower())


def validate_raster_image(upload) -> None:
    # Validating is the whole pipeline (decode, orient, strip, encode); the result is kept
    # on the upload, so that saving the photo afterwards does not do it twice.
    if upload and not getattr(upload, "_committed", True):
        images.prepare(upload)


class Photo(models.Model):
    """An image in a report: a figure of one section, or part of the gallery."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="photos", verbose_name=_("report")
    )
    section = models.ForeignKey(
        Section,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="photos",
        verbose_name=_("section"),
    )
    image = models.ImageField(
        _("image"),
        upload_to=_photo_upload_to,
        validators=[validate_raster_image],
    )
    alt_text = models.CharField(
        _("alternative text"),
        max_length=300,
        help_text=_("What the image shows, for readers who cannot see it."),
    )
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    credit_text = models.CharField(_("credit"), max_length=200, blank=True)
    credit_url = models.URLField(_("credit link"), blank=True)
    position = models.PositiveIntegerField(_("order"), default=0)
    in_gallery = models.BooleanField(_("in the gallery"), default=False)
    width = models.PositiveIntegerField(_("width"), default=0, editable=False)
    height = models.PositiveIntegerField(_("height"), default=0, editable=False)
    renditions = models.JSONField(_("renditions"), default=list, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["report", "position", "pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(alt_text=""),
                name="photo_has_alt_text",
                violation_error_message=_("Describe the image in the alternative text."),
            ),
            models.CheckConstraint(
                condition=models.Q(in_gallery=False) | models.Q(section__isnull=True),
                name="gallery_photo_has_no_section",
                violation_error_message=_(
                    "A gallery photo belongs to the whole report, not to one section."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.caption or self.alt_text

    def save(self, *args, **kwargs):
        replaced: list[str] = []
        written: list[str] = []
        if self.image and not self.image._committed:
            # Raises ValidationError before anything is written.
            prepared = images.prepare(self.image)
            if self.pk:
                previous = Photo.objects.filter(pk=self.pk).first()
                replaced = previous.stored_names if previous else []
            storage = self.image.storage
            try:
                self.image.save(
                    f"upload.{prepared.extension}", ContentFile(prepared.original), save=False
                )
                written.append(self.image.name)
                renditions = images.store_renditions(storage, self.image.name, prepared)
                written += [rendition.name for rendition in renditions]
                self.width, self.height = prepared.width, prepared.height
                self.renditions = [rendition.as_dict() for rendition in renditions]
                super().save(*args, **kwargs)
            except BaseException:
                # No file may outlive a photo that was not saved.
                images.delete_quietly(storage, written)
                raise
        else:
            super().save(*args, **kwargs)
        if replaced:
            storage = self.image.storage
            transaction.on_commit(lambda: images.delete_quietly(storage, replaced))
        self.refresh_texts_showing_it()

    @property
    def stored_names(self) -> list[str]:
        """Every file this photo keeps in storage: the original and its renditions."""
        return [name for name in [self.image.name, *(r["name"] for r in self.renditions)] if name]

    def clean(self):
        if self.section_id and self.report_id and self.section.report_id != self.report_id:
            raise ValidationError({"section": _("This section belongs to another report.")})
        if is_alt_placeholder(self.alt_text):
            raise ValidationError(
                {"alt_text": _("Describe what the photo shows in place of the placeholder.")}
            )

    @classmethod
    def drop_into(cls, target: "Section | Report", upload) -> "Photo":
        """A photo made from an image dropped into the text of `target`, not yet described.

        Raises ValidationError (with the writer's message) before anything is written
        when the upload is not a photo we accept.
        """
        section = target if isinstance(target, Section) else None
        report = section.report if section else target
        last = cls.objects.filter(report=report, section=section).aggregate(models.Max("position"))[
            "position__max"
        ]
        photo = cls(
            report=report,
            section=section,
            image=upload,
            alt_text=str(PHOTO_ALT_PLACEHOLDER),
            position=0 if last is None else last + 1,
        )
        photo.save()
        return photo

    def markdown_reference(self) -> str:
        """What the editor inserts for this photo: placeholders the writer replaces."""
        return f'![{PHOTO_ALT_PLACEHOLDER}](photo:{self.pk} "{PHOTO_CAPTION_PLACEHOLDER}")'

    @property
    def is_described(self) -> bool:
        """False for a dropped photo whose writer has not described it yet."""
        return bool(self.alt_text.strip()) and not is_alt_placeholder(self.alt_text)

    def refresh_texts_showing_it(self) -> None:
        Photo.refresh_texts_showing(self.pk, self.report_id)

    @staticmethod
    def refresh_texts_showing(photo_id: int, report_id: int) -> None:
        """Render again the texts that show a photo, so that their figures stay current.

        Written with update(): a derived field changes, not the writer's text, so no new
        version and no description copied back.
        """
        marker = f"photo:{photo_id}"
        for section in Section.objects.filter(report_id=report_id, body__contains=marker):
            with contextlib.suppress(markdown.MarkdownRefused):
                html = section.rendered_markdown("body").html
                Section.objects.filter(pk=section.pk).update(body_html=html)
        texts = models.Q(lead__contains=marker) | models.Q(closing__contains=marker)
        for report in Report.objects.filter(texts, pk=report_id):
            with contextlib.suppress(markdown.MarkdownRefused):
                Report.objects.filter(pk=report.pk).update(
                    lead_html=report.rendered_markdown("lead").html,
                    closing_html=report.rendered_markdown("closing").html,
                )

    def _renditions_of(self, fmt: str) -> list[dict]:
        return [r for r in self.renditions if r["format"] == fmt]

    def _srcset(self, renditions: list[dict]) -> str:
        storage = self.image.storage
        return ", ".join(f"{storage.url(r['name'])} {r['width']}w" for r in renditions)

    @property
    def webp_srcset(self) -> str:
        return self._srcset(self._renditions_of("webp"))

    @property
    def fallback_srcset(self) -> str:
        return self._srcset([r for r in self.renditions if r["format"] != "webp"])

    @property
    def fallback(self) -> dict | None:
        """The largest fallback rendition, for `src`, `width` and `height`."""
        fallbacks = [r for r in self.renditions if r["format"] != "webp"]
        return max(fallbacks, key=lambda r: r["width"]) if fallbacks else None

    @property
    def src(self) -> str:
        fallback = self.fallback
        return self.image.storage.url(fallback["name"]) if fallback else self.image.url


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
    body = models.TextField(_("comment"), max_length=5000)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")

    def __str__(self) -> str:
        return self.body[:50]


class SectionAutosave(models.Model):
    """The text a person is typing, kept every few seconds without leaving a revision."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="autosaves")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(blank=True)
    base_version = models.PositiveIntegerField()
    saved_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["section", "user"], name="one_autosave_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.section} ({self.user})"


class ReportTransition(models.Model):
    """A publication event of a report: published, scheduled or unpublished, by whom."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(_("action"), max_length=20, choices=ReportAction)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("publication time"), null=True, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.report}: {self.action}"


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
