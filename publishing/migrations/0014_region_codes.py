"""The read model carries each public entry's region codes (issue 26); the rows already
there get them from their municipalities here, as publishing.read_model.build() would."""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0013_public_read_model"),
        ("submissions", "0016_regions"),
    ]

    operations = [
        migrations.AddField(
            model_name="publicentry",
            name="region_codes",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(max_length=2), default=list, size=None
            ),
        ),
        migrations.AddIndex(
            model_name="publicentry",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["region_codes"], name="public_entry_regions"
            ),
        ),
        migrations.RunSQL(
            """
            UPDATE publishing_publicentry entry SET region_codes = ARRAY(
                SELECT DISTINCT place.region_id FROM submissions_municipality place
                WHERE place.id = ANY(entry.municipality_ids) ORDER BY 1
            )
            """,
            migrations.RunSQL.noop,
        ),
    ]
