from django.contrib.auth.management import create_permissions
from django.db import migrations

# Frozen copy: a migration must not change when blog/roles.py changes later.
ROLE_PERMISSIONS = {
    "Writers": {
        "blog": ["view_report", "add_section", "change_section", "view_section",
                 "add_photo", "change_photo", "delete_photo", "view_photo", "view_tag"],
        "conference": ["view_event", "view_session", "view_speaker"],
    },
    "Editors": {
        "blog": ["add_report", "change_report", "delete_report", "view_report",
                 "add_section", "change_section", "delete_section", "view_section",
                 "add_photo", "change_photo", "delete_photo", "view_photo",
                 "add_tag", "change_tag", "delete_tag", "view_tag",
                 "view_authorprofile"],
        "conference": ["add_event", "change_event", "delete_event", "view_event",
                       "add_session", "change_session", "delete_session", "view_session",
                       "add_sessionspeaker", "change_sessionspeaker",
                       "delete_sessionspeaker", "view_sessionspeaker",
                       "add_speaker", "change_speaker", "delete_speaker", "view_speaker"],
    },
}


def create_roles(apps, schema_editor):
    # Permissions are normally made after all migrations ran (post_migrate);
    # make them now so that the groups can hold them on a fresh database.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, by_app in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for app_label, codenames in by_app.items():
            permissions = Permission.objects.filter(
                content_type__app_label=app_label, codename__in=codenames
            )
            assert permissions.count() == len(codenames), (group_name, app_label)
            group.permissions.add(*permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0001_initial"),
        ("conference", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
