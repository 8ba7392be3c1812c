from django.db import migrations


def create_publications(apps, schema_editor):
    entry = apps.get_model("submissions", "Entry")
    publication = apps.get_model("publishing", "Publication")
    publication.objects.bulk_create(
        [publication(entry=e) for e in entry.objects.filter(publication__isnull=True)]
    )


class Migration(migrations.Migration):
    dependencies = [("publishing", "0001_initial")]

    operations = [migrations.RunPython(create_publications, migrations.RunPython.noop)]
