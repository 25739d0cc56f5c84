"""Readable, unique, stable slugs for any title, and the old addresses they leave behind.

Japanese stays Japanese: `参加レポート` gives the slug `参加レポート`, `KubeCon 参加レポート`
gives `kubecon-参加レポート`. We chose Unicode slugs over romanising (pykakasi, cutlet):
readers of a Japanese blog read the Japanese title in the address bar and in a shared
link, every current browser shows it that way, and it is exact, where readings of kanji
guessed by a dictionary are often wrong for names and technical terms (and the
romanised form is read by nobody here). On the wire the address is percent-encoded
ASCII: `reverse()` and `get_absolute_url()` quote it, so sitemaps, feeds, canonical
links and `Location` headers carry valid URIs, and browsers show the readable IRI.

Emoji are not word characters; a title made only of them is named after them
(`🎉` → `party-popper`) rather than falling back to a bare `report`.

A slug is made once, when the row is first saved, and does not follow later title
edits (published URLs must not move by themselves). An editor may change it; the old
one is then kept (`record_slug_change`) and answers with a permanent redirect.
"""

import unicodedata

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from cms.models import OldSlug
from cms.text_validators import no_invisible_characters

MAX_SLUG_LENGTH = 80

# What editors read under every slug field.
SLUG_HELP_FROM_TITLE = _(
    "Used in the address; Japanese is kept. Left empty, it is made from the title; it never "
    "changes by itself afterwards. When you change it, the old address leads to the new one."
)
SLUG_HELP_FROM_NAME = _(
    "Used in the address; Japanese is kept. Left empty, it is made from the name. When you "
    "change it, the old address leads to the new one."
)


def readable_slug_field(help_text: str = "") -> models.SlugField:
    """The slug of every object with a public page: unique, Japanese kept, made by
    `unique_slug` when left empty, and free of invisible characters."""
    return models.SlugField(
        _("slug"),
        max_length=MAX_SLUG_LENGTH,
        unique=True,
        blank=True,
        allow_unicode=True,
        help_text=help_text,
        validators=[no_invisible_characters],
    )


def readable_slug(source: str) -> str:
    """The slug a title reads as, or "" when it has nothing a slug can keep."""
    slug = slugify(source, allow_unicode=True)[:MAX_SLUG_LENGTH].strip("-_")
    if slug:
        return slug
    symbol_names = [
        unicodedata.name(character, "")
        for character in source
        if unicodedata.category(character) == "So"
    ]
    return slugify(" ".join(symbol_names))[:MAX_SLUG_LENGTH].strip("-_")


def unique_slug(instance: models.Model, source: str, fallback: str, field: str = "slug") -> str:
    """Return a slug for `instance` that no other row of its model uses.

    `fallback` is used when `source` has nothing a slug can keep (punctuation only).
    """
    base = readable_slug(source) or fallback
    # The base manager sees every row, those in the trash too: a report in the trash keeps
    # its address until it is purged, so that restoring it never clashes.
    others = type(instance)._base_manager.exclude(pk=instance.pk)
    candidate, counter = base, 2
    while others.filter(**{field: candidate}).exists():
        suffix = f"-{counter}"
        candidate = f"{base[: MAX_SLUG_LENGTH - len(suffix)].rstrip('-_')}{suffix}"
        counter += 1
    return candidate


def stored_slug(instance: models.Model) -> str | None:
    """The slug `instance` has in the database now (None for a new row)."""
    if instance.pk is None:
        return None
    manager = type(instance)._default_manager
    return manager.filter(pk=instance.pk).values_list("slug", flat=True).first()


def record_slug_change(instance: models.Model, previous: str | None) -> None:
    """After `instance` was saved: keep `previous` as an old address if the slug changed.

    Called by the one place each kind of object is saved through (blog/editing.py for
    reports, the admin for the rest), inside its transaction.
    """
    if not previous or previous == instance.slug:
        return
    kind = ContentType.objects.get_for_model(instance)
    # Its new slug may be one it had before: that address is live again.
    OldSlug.objects.filter(content_type=kind, slug=instance.slug).delete()
    OldSlug.objects.update_or_create(
        content_type=kind, slug=previous, defaults={"object_id": instance.pk}
    )
