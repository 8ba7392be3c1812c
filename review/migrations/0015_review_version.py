import django.db.models.deletion
from django.db import migrations, models


def scored_versions(apps, schema_editor):
    """A review saved before reviews recorded their version scored the entry's latest
    version made by then (or its first one, when every version came later)."""
    Review = apps.get_model("review", "Review")
    EntryVersion = apps.get_model("submissions", "EntryVersion")
    for review in Review.objects.filter(version__isnull=True).iterator():
        versions = EntryVersion.objects.filter(entry_id=review.entry_id)
        version = (
            versions.filter(made_at__lte=review.updated_at).order_by("-number").first()
            or versions.order_by("number").first()
        )
        if version is not None:
            Review.objects.filter(pk=review.pk).update(version=version)


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0014_audit_actions_together"),
        ("submissions", "0014_entry_versions"),
    ]

    operations = [
        migrations.AddField(
            model_name="review",
            name="version",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="submissions.entryversion",
                verbose_name="version scored",
            ),
        ),
        migrations.RunPython(scored_versions, migrations.RunPython.noop),
    ]
