from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def keep_the_current_headings(apps, schema_editor):
    # Text kept before this migration had no heading of its own: the section's, so that
    # putting the text back leaves the heading as it is.
    SectionAutosave = apps.get_model("blog", "SectionAutosave")
    Section = apps.get_model("blog", "Section")
    SectionAutosave.objects.update(
        heading=Subquery(Section.objects.filter(pk=OuterRef("section_id")).values("heading")[:1])
    )


class Migration(migrations.Migration):

    dependencies = [
        ("blog", "0012_withdraw_approval_action"),
    ]

    operations = [
        migrations.AddField(
            model_name="sectionautosave",
            name="heading",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.RunPython(keep_the_current_headings, migrations.RunPython.noop),
    ]
