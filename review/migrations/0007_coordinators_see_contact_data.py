"""Coordinators see contact data (submissions.view_contact_data); reviewers do not.

Frozen here on purpose: the group's name and the permission's codename and name, as
they were when this migration was written. Nothing is imported from the live apps.
"""

from django.db import migrations

GROUP = "coordinator"
APP_LABEL = "submissions"
MODEL = "entry"
CODENAME = "view_contact_data"
NAME = "Can see contact persons' names, e-mail addresses and telephone numbers"


def grant_roles(apps, schema_editor=None):
    content_type, _ = apps.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label=APP_LABEL, model=MODEL
    )
    permission, _ = apps.get_model("auth", "Permission").objects.get_or_create(
        content_type=content_type, codename=CODENAME, defaults={"name": NAME}
    )
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=GROUP)
    group.permissions.add(permission)


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group:
        group.permissions.remove(
            *apps.get_model("auth", "Permission").objects.filter(
                content_type__app_label=APP_LABEL, codename=CODENAME
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0006_security_events_staff_sessions"),
        ("submissions", "0007_contact_data_permission"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_roles, revoke)]
