"""The moderation queue is ordered by when each publication's status last changed, not
by its last save (an edit of the internal note moved it to the end). Existing rows start
from their last save."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0011_public_files"),
    ]

    operations = [
        migrations.AddField(
            model_name="publication",
            name="status_changed_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, verbose_name="in this state since"
            ),
        ),
        migrations.AddField(
            model_name="reportpublication",
            name="status_changed_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, verbose_name="in this state since"
            ),
        ),
        migrations.RunSQL(
            "UPDATE publishing_publication SET status_changed_at = updated_at;"
            "UPDATE publishing_reportpublication SET status_changed_at = updated_at;",
            migrations.RunSQL.noop,
        ),
    ]
