"""Coordinators moderate and translate progress reports, keep the campaign's progress
indicators and see the reports and reminders."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "publishing": [
        "view_reportpublication",
        "change_reportpublication",
        "view_publicreporttext",
        "change_publicreporttext",
    ],
    "submissions": [
        "view_indicator",
        "add_indicator",
        "change_indicator",
        "delete_indicator",
        "view_progressreport",
        "view_remindersent",
    ],
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    grant_roles(apps)


def grant_roles(apps):
    group = apps.get_model("auth", "Group").objects.filter(name="coordinator").first()
    if group is None:
        return
    Permission = apps.get_model("auth", "Permission")
    for app_label, codenames in GRANTS.items():
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0008_follow_up"),
        ("review", "0010_follow_up"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
