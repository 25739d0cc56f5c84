"""Slugs that stay valid and unique when the source text is Japanese.

`slugify("参加レポート")` is the empty string, so every model that derives a slug
falls back to a stable prefix and makes it unique with a counter. A slug is
made once, when the row is first saved, and never follows later title edits:
published URLs must not move.
"""

from django.db import models
from django.utils.text import slugify

MAX_SLUG_LENGTH = 80


def unique_slug(instance: models.Model, source: str, fallback: str, field: str = "slug") -> str:
    """Return a slug for `instance` that no other row of its model uses.

    `fallback` is used when `source` has nothing slugify can keep (Japanese,
    emoji, punctuation only).
    """
    base = slugify(source)[:MAX_SLUG_LENGTH].strip("-") or fallback
    # The base manager sees every row, those in the trash too: a report in the trash keeps
    # its address until it is purged, so that restoring it never clashes.
    others = type(instance)._base_manager.exclude(pk=instance.pk)
    candidate, counter = base, 2
    while others.filter(**{field: candidate}).exists():
        suffix = f"-{counter}"
        candidate = f"{base[: MAX_SLUG_LENGTH - len(suffix)]}{suffix}"
        counter += 1
    return candidate
