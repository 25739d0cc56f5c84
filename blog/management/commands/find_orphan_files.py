"""List, and with --delete remove, stored media files that no row points to."""

import datetime

from django.apps import apps
from django.core.files.storage import Storage, default_storage
from django.core.management.base import BaseCommand
from django.db import models
from django.utils import timezone

from blog.models import Photo


def stored_names(storage: Storage, directory: str = "") -> list[str]:
    """Every file under `directory`, through the storage API (so object storage works)."""
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:  # a file system storage before its first upload
        return []
    prefix = f"{directory}/" if directory else ""
    names = [prefix + name for name in files]
    for child in directories:
        names += stored_names(storage, prefix + child)
    return names


def referenced_names(storage: Storage) -> set[str]:
    """Every name a row keeps in `storage`: file fields, and photos' renditions.

    Through the base managers, so that rows a default manager hides (a trash, say)
    still keep their files.
    """
    names = set()
    for photo in Photo._base_manager.only("image", "renditions").iterator():
        names.update(photo.stored_names)
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField) and field.storage == storage:
                names |= set(
                    model._base_manager.exclude(**{field.name: ""}).values_list(
                        field.name, flat=True
                    )
                )
    return names


class Command(BaseCommand):
    help = (
        "List the files in media storage that no photo (or other row) points to, such as "
        "those left by a request that was killed mid-upload; --delete removes them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="Remove the files listed.")
        parser.add_argument(
            "--min-age",
            type=int,
            default=60,
            metavar="MINUTES",
            help=(
                "Only files older than this (default 60), so that an upload whose "
                "transaction has not committed yet is never taken for an orphan."
            ),
        )

    def handle(self, *args, delete: bool, min_age: int, **options):
        storage = default_storage
        referenced = referenced_names(storage)
        cutoff = timezone.now() - datetime.timedelta(minutes=min_age)
        orphans = [
            name
            for name in sorted(stored_names(storage))
            if name not in referenced and storage.get_modified_time(name) <= cutoff
        ]
        for name in orphans:
            if delete:
                storage.delete(name)
            self.stdout.write(name)
        verb = "Removed" if delete else "Found"
        self.stdout.write(f"{verb} {len(orphans)} file(s) that no row points to.")
