"""Sessions get readable slugs (their pages move from /sessions/<id>/, which still answers
with a redirect); every slug may hold Japanese."""

from django.db import migrations, models

from cms.slugs import MAX_SLUG_LENGTH, readable_slug


def give_sessions_slugs(apps, schema_editor):
    Session = apps.get_model("conference", "Session")
    taken = set()
    for session in Session.objects.order_by("pk").only("pk", "title"):
        base = readable_slug(session.title) or "session"
        slug, counter = base, 2
        while slug in taken:
            suffix = f"-{counter}"
            slug = f"{base[: MAX_SLUG_LENGTH - len(suffix)].rstrip('-_')}{suffix}"
            counter += 1
        taken.add(slug)
        Session.objects.filter(pk=session.pk).update(slug=slug)


class Migration(migrations.Migration):
    dependencies = [("conference", "0003_schedule_import")]

    operations = [
        migrations.AddField(
            model_name="session",
            name="slug",
            field=models.SlugField(
                allow_unicode=True, blank=True, db_index=False, default="", max_length=80
            ),
            preserve_default=False,
        ),
        migrations.RunPython(give_sessions_slugs, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="session",
            name="slug",
            field=models.SlugField(
                allow_unicode=True,
                blank=True,
                help_text="Used in the address. Left empty, it is made from the title; it never changes by itself afterwards.",
                max_length=80,
                unique=True,
                verbose_name="slug",
            ),
        ),
    ]
