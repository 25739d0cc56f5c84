from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from blog import images
from blog.models import Photo, Report, Section


@receiver(post_delete, sender=Photo)
def remove_photo_files(sender, instance: Photo, **kwargs) -> None:
    """Delete the stored original and renditions once the deletion is committed.

    Waiting for the commit means a rolled-back delete never leaves a row
    pointing at files that are gone.
    """
    storage, names = instance.image.storage, instance.stored_names
    # Taken now: by the time of the commit, Django has set the instance's pk to None.
    photo_id, report_id = instance.pk, instance.report_id

    def remove() -> None:
        images.delete_quietly(storage, names)
        # Texts that showed the photo now show a notice in its place. After the commit,
        # so that a report being deleted whole is not rendered again on its way out.
        Photo.refresh_texts_showing(photo_id, report_id)

    transaction.on_commit(remove)


@receiver(post_delete, sender=Section)
def refresh_reading_minutes(sender, instance: Section, **kwargs) -> None:
    """A removed section no longer counts towards its report's reading time."""
    # The report may be going too (a cascade); then there is nothing to refresh.
    report = Report.objects.filter(pk=instance.report_id).first()
    if report is not None:
        report.refresh_reading_minutes()
