"""The trash: deleted reports, sections and photos stay in the database until purged.

A row in the trash has `trashed_at` set. The default manager (`objects`) leaves such rows
out, so every page, feed, list, count and check that reads through it, or through a
relation (`report.sections`), sees nothing of the trash without asking. `all_objects`
sees everything: the trash page, restores and purges use it. Django's base manager, which
follows foreign keys (`section.report`) and collects cascades on a purge, sees every row
too, so a row in the trash still reaches its report and goes with it.

What is moved, restored and purged, and who may, is `blog/trash.py`'s business.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TrashQuerySetMixin:
    def in_trash(self):
        return self.filter(trashed_at__isnull=False)


def moved_apart_from(container: str) -> models.Q:
    """Rows not moved to the trash with their `container` (a foreign key's name): it is in
    use (or there is none), or went there at another time."""
    when = f"{container}__trashed_at"
    return (
        models.Q(**{f"{when}__isnull": True})
        | models.Q(**{f"{when}__lt": models.F("trashed_at")})
        | models.Q(**{f"{when}__gt": models.F("trashed_at")})
    )


class WithoutTrashManager(models.Manager):
    """The default manager: rows in the trash are not there."""

    def get_queryset(self):
        return super().get_queryset().filter(trashed_at__isnull=True)


class Trashable(models.Model):
    """When and by whom the row was moved to the trash; both empty while it is in use.

    A report's sections and photos moved with it share its `trashed_at`: that is how a
    restore knows which of them to bring back (not those trashed on their own before).
    """

    trashed_at = models.DateTimeField(
        _("moved to the trash"), null=True, blank=True, editable=False
    )
    trashed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("moved to the trash by"),
    )

    class Meta:
        abstract = True
        # Only the few rows in the trash are indexed (for the trash page and the retention
        # period): an index over the many in use would not narrow a search, and would draw
        # the planner away from the indexes that do (the trigram ones of migration 0003).
        indexes = [
            models.Index(
                fields=["trashed_at"],
                condition=models.Q(trashed_at__isnull=False),
                name="%(app_label)s_%(class)s_in_trash",
            )
        ]

    @property
    def in_trash(self) -> bool:
        return self.trashed_at is not None
