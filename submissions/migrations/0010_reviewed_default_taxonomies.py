"""The default target groups as reviewed with the .po files (locale/TERMS.md): "Vasta
maahan muuttaneet", as the rest of the Finnish pages say, not "Äskettäin maahan
muuttaneet".

Frozen data: (model, slug, language, name before, name after). Only rows that still
hold the old default text change; names that staff have edited are left alone.
"""

from django.db import migrations

CHANGES = [
    (
        "TargetGroup",
        "newly-arrived",
        "fi",
        "Äskettäin maahan muuttaneet",
        "Vasta maahan muuttaneet",
    ),
]


def _apply(apps, forwards):
    for model_name, slug, language, before, after in CHANGES:
        translation = apps.get_model("submissions", f"{model_name}Translation")
        old, new = (before, after) if forwards else (after, before)
        translation.objects.filter(
            master__slug=slug, language_code=language, name=old
        ).update(name=new)


def forwards(apps, schema_editor):
    _apply(apps, forwards=True)


def backwards(apps, schema_editor):
    _apply(apps, forwards=False)


class Migration(migrations.Migration):
    dependencies = [("submissions", "0009_retired_links")]

    operations = [migrations.RunPython(forwards, backwards)]
