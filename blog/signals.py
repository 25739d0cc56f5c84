from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from blog import images
from blog.models import Photo


@receiver(post_delete, sender=Photo)
def remove_photo_files(sender, instance: Photo, **kwargs) -> None:
    """Delete the stored original and renditions once the deletion is committed.

    Waiting for the commit means a rolled-back delete never leaves a row
    pointing at files that are gone. Every way a photo goes (its own delete, its
    section's or report's) ends here, so the files go with it.
    """
    storage, names = instance.image.storage, instance.stored_names
    # Taken now: by the time of the commit, Django has set the instance's pk to None.
    photo_id, report_id = instance.pk, instance.report_id

    def remove() -> None:
        from blog import editing

        images.delete_quietly(storage, names)
        # Texts that showed the photo now show a notice in its place. After the commit,
        # so that a report being deleted whole is not rendered again on its way out.
        editing.render_texts_showing(photo_id, report_id)

    transaction.on_commit(remove)
