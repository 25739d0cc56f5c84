"""Images of a report: figures of a section, or the gallery."""

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from blog import images, roles
from blog.models.reports import Report
from blog.models.sections import Section
from blog.models.text import PHOTO_ALT_PLACEHOLDER, PHOTO_CAPTION_PLACEHOLDER, is_alt_placeholder
from blog.models.trash import (
    Trashable,
    TrashQuerySetMixin,
    WithoutTrashManager,
    moved_apart_from,
)


def _photo_upload_to(instance: "Photo", filename: str) -> str:
    return images.new_name("photos/originals", filename.rsplit(".", 1)[-1].lower())


def validate_raster_image(upload) -> None:
    # Validating is the whole pipeline (decode, orient, strip, encode); the result is kept
    # on the upload, so that saving the photo afterwards does not do it twice.
    if upload and not getattr(upload, "_committed", True):
        images.prepare(upload)


class PhotoQuerySet(TrashQuerySetMixin, models.QuerySet):
    def trashed_on_their_own(self) -> "PhotoQuerySet":
        """In the trash, not moved there with their report or section (though either may
        have followed)."""
        return self.in_trash().filter(moved_apart_from("report"), moved_apart_from("section"))

    def visible_to(self, user) -> "PhotoQuerySet":
        """Photos `user` may open in the admin (`blog.view_photo` in blog/rules.py, as a
        filter): editors every one, writers those of their own sections."""
        if roles.is_editor(user):
            return self
        if roles.is_writer(user):
            return self.filter(section__author=user, report__memberships__user=user)
        return self.none()

    def described_by(self, words: list[str]) -> "PhotoQuerySet":
        """Photos whose caption or credit, shown under them, holds any of `words` (search)."""
        condition = Q(pk__in=[])
        for word in words:
            condition |= Q(caption__icontains=word) | Q(credit_text__icontains=word)
        return self.filter(condition)


class Photo(Trashable, models.Model):
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

    objects = WithoutTrashManager.from_queryset(PhotoQuerySet)()
    all_objects = models.Manager.from_queryset(PhotoQuerySet)()  # the trash included

    class Meta(Trashable.Meta):
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
                # The row may yet be rolled back with the transaction around this save.
                images.delete_unless_committed(storage, written, using=self._state.db)
            except BaseException:
                # No file may outlive a photo that was not saved.
                images.delete_quietly(storage, written)
                raise
        else:
            super().save(*args, **kwargs)
        if replaced:
            storage = self.image.storage
            transaction.on_commit(lambda: images.delete_quietly(storage, replaced))

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
