"""Old addresses of public pages, so that a link shared before a slug changed still works."""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OldSlugQuerySet(models.QuerySet):
    def moved(self, queryset: models.QuerySet, slug: str) -> models.Model | None:
        """The object of `queryset` that used to answer to `slug`, if any.

        Every old slug points at the object itself, not at the next slug, so a chain of
        renames (a → b → c) needs no walking: a and b both lead straight to c.
        """
        kind = ContentType.objects.get_for_model(queryset.model)
        object_ids = self.filter(content_type=kind, slug=slug).values("object_id")
        return queryset.filter(pk__in=object_ids).first()


class OldSlug(models.Model):
    """A slug an object had before an editor changed it, kept for a permanent redirect.

    Written by `cms.slugs.record_slug_change()`. A live slug always wins: a new object
    may take an old slug, and the old one then simply stops redirecting.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    slug = models.SlugField(_("old slug"), max_length=80, allow_unicode=True, db_index=False)
    retired_at = models.DateTimeField(_("changed"), default=timezone.now)

    objects = OldSlugQuerySet.as_manager()

    class Meta:
        verbose_name = _("old slug")
        verbose_name_plural = _("old slugs")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "slug"], name="old_slug_leads_to_one_object"
            ),
        ]

    def __str__(self) -> str:
        return self.slug
