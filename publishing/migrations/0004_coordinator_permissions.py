"""Coordinators moderate, translate and edit the programme; reviewers see nothing here."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = [
    "view_publication",
    "change_publication",
    "view_publictext",
    "change_publictext",
    "view_programme",
    "add_programme",
    "change_programme",
    "view_joinrequest",
]


def ensure_permissions(apps):
    """Permissions are normally made after migrating; the groups need them now."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def grant(apps, schema_editor):
    ensure_permissions(apps)
    grant_roles(apps)


def grant_roles(apps):
    group = apps.get_model("auth", "Group").objects.filter(name="coordinator").first()
    if group:
        group.permissions.add(
            *apps.get_model("auth", "Permission").objects.filter(
                content_type__app_label="publishing", codename__in=GRANTS
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0003_public_text"),
        ("review", "0002_roles_audit_guard_default_criteria"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
