"""The default criteria as reviewed with the .po files (locale/TERMS.md): "Konkrethet",
not "Konkretion"; "Uudenlaisuus" and "Nyskapande" for the novelty of the work.

Frozen data: (language, field, text before, text after). Only rows that still hold the
old default text change; a criterion that staff have renamed is left alone.
"""

from django.db import migrations

CHANGES = [
    ("sv", "name", "Konkretion", "Konkrethet"),
    ("fi", "name", "Uutuus", "Uudenlaisuus"),
    ("sv", "name", "Nyhet", "Nyskapande"),
    (
        "sv",
        "guidance",
        "Är det ett nytt sätt att främja integration som andra kan ta efter?",
        "Är det en ny sorts integrationsarbete som andra kan ta efter?",
    ),
]


def forwards(apps, schema_editor):
    translation = apps.get_model("review", "CriterionTranslation")
    for language, field, before, after in CHANGES:
        translation.objects.filter(language_code=language, **{field: before}).update(
            **{field: after}
        )


def backwards(apps, schema_editor):
    translation = apps.get_model("review", "CriterionTranslation")
    for language, field, before, after in CHANGES:
        translation.objects.filter(language_code=language, **{field: after}).update(
            **{field: before}
        )


class Migration(migrations.Migration):
    dependencies = [("review", "0008_withdrawn_reviews_and_audit_actions")]

    operations = [migrations.RunPython(forwards, backwards)]
