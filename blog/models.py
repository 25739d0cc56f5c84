import contextlib
import functools
from collections import defaultdict
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField

from blog import images, markdown
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


class ReportQuerySet(models.QuerySet):
    def published(self) -> "ReportQuerySet":
        """What readers may see: published, and due (a scheduled report waits for its time)."""
        return self.filter(status=ReportStatus.PUBLISHED, published_at__lte=timezone.now())

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
        kwargs["update_fields"] = with_derived_fields(
            kwargs.get("update_fields"), {"lead": "lead_html", "closing": "closing_html"}
        )
        super().save(*args, **kwargs)
        if texts_written:
            self.describe_placed_photos(self.photos.filter(section__isnull=True))

    def get_absolute_url(self) -> str:
        return reverse("blog:report_detail", kwargs={"slug": self.slug})

    def markdown_anchor_prefix(self, field: str) -> str:
        # The page shows one lead and one closing, so their ids need no number.
        return f"{field}-"

    def markdown_photos(self) -> dict[int, "Photo"]:
        return {photo.pk: photo for photo in self.photos.all()} if self.pk else {}

    def clean(self):
        if errors := self.markdown_errors():
            raise ValidationError(errors)
        if self.status == ReportStatus.PUBLISHED:
            if self.published_at is None:
                self.published_at = timezone.now()
            if self.pk and self.sections.exclude(status=SectionStatus.APPROVED).exists():
                raise ValidationError(
                    {"status": _("Every section must be approved before the report is published.")}
                )

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


class Section(MarkdownFieldsMixin, models.Model):
    """One author's part of a report, reviewed on its own."""

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
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

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
            transaction.on_commit(lambda: [storage.delete(name) for name in replaced])
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
