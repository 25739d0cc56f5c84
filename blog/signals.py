from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from blog.models import Photo, Report, Section


@receiver(post_delete, sender=Photo)
def remove_photo_files(sender, instance: Photo, **kwargs) -> None:
    """Delete the stored original and renditions once the deletion is committed.

    Waiting for the commit means a rolled-back delete never leaves a row
    pointing at files that are gone.
    """
    storage, names = instance.image.storage, instance.stored_names

    def remove() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove)


@receiver(post_delete, sender=Section)
def refresh_reading_minutes(sender, instance: Section, **kwargs) -> None:
    """A removed section no longer counts towards its report's reading time."""
    # The report may be going too (a cascade); then there is nothing to refresh.
    report = Report.objects.filter(pk=instance.report_id).first()
    if report is not None:
        report.refresh_reading_minutes()
