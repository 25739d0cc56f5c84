"""Rows whose slug was a fallback (`report`, `tag-2`: Japanese used to slugify to nothing)
get a readable slug from their title; the old one stays as a redirect."""

import re

from django.db import migrations
from django.utils.text import slugify

from cms.slugs import MAX_SLUG_LENGTH, readable_slug

# (app label, model, field the slug is made from, the fallback it used to get)
SLUGGED = [
    ("blog", "report", "title", "report"),
    ("blog", "tag", "name", "tag"),
    ("conference", "event", "name", "event"),
    ("conference", "speaker", "name", "speaker"),
]


def readable_slugs(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    OldSlug = apps.get_model("cms", "OldSlug")
    for app_label, model_name, source, fallback in SLUGGED:
        model = apps.get_model(app_label, model_name)
        kind, _created = ContentType.objects.get_or_create(app_label=app_label, model=model_name)
        was_fallback = re.compile(rf"^{fallback}(-\d+)?$")
        for row in model.objects.order_by("pk"):
            title = getattr(row, source)
            base = readable_slug(title)
            # A fallback, not a slug someone chose: the old ASCII-only slugify had nothing.
            was_made_by_fallback = was_fallback.match(row.slug) and not slugify(title)
            if not was_made_by_fallback or not base or base == fallback:
                continue
            slug, counter = base, 2
            while model.objects.filter(slug=slug).exclude(pk=row.pk).exists():
                suffix = f"-{counter}"
                slug = f"{base[: MAX_SLUG_LENGTH - len(suffix)].rstrip('-_')}{suffix}"
                counter += 1
            OldSlug.objects.update_or_create(
                content_type=kind, slug=row.slug, defaults={"object_id": row.pk}
            )
            model.objects.filter(pk=row.pk).update(slug=slug)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_old_slugs"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("blog", "0008_unicode_slugs"),
        ("conference", "0005_unicode_slugs"),
    ]

    operations = [migrations.RunPython(readable_slugs, migrations.RunPython.noop)]
