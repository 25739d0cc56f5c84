from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from blog.models import Photo


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
