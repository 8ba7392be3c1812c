"""The table of the shared cache (kotolupaus.cache.PostgresCache: rate limits counted by
every process when there is no Redis), and coordinators' right to see and resend
e-mail messages."""

from django.contrib.auth.management import create_permissions
from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

CACHE_TABLE = "kotolupaus_cache"
GRANTS = ["view_message", "change_message"]


def create_cache_table(apps, schema_editor):
    # The same layout as `manage.py createcachetable`; nothing happens if it exists.
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, CACHE_TABLE, dry_run=False)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {CACHE_TABLE}")


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    grant_roles(apps)


def grant_roles(apps):
    group = apps.get_model("auth", "Group").objects.filter(name="coordinator").first()
    if group:
        group.permissions.add(
            *apps.get_model("auth", "Permission").objects.filter(
                content_type__app_label="kotolupaus", codename__in=GRANTS
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("kotolupaus", "0001_initial"),
        ("review", "0002_roles_audit_guard_default_criteria"),
    ]

    operations = [
        migrations.RunPython(create_cache_table, drop_cache_table),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
