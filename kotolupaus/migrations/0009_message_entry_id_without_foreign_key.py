"""Message.entry becomes Message.entry_id: the same column and its index, without the
foreign key to submissions.Entry, so that the shared layer depends on no app. No data
moves; only the constraint is dropped (its name is looked up: Django generated it)."""

from django.db import migrations, models

DROP_FOREIGN_KEY = """
DO $$
DECLARE
    name text;
BEGIN
    FOR name IN
        SELECT con.conname
        FROM pg_constraint con
        JOIN pg_attribute att
          ON att.attrelid = con.conrelid AND att.attnum = ANY (con.conkey)
        WHERE con.contype = 'f'
          AND con.conrelid = 'kotolupaus_message'::regclass
          AND att.attname = 'entry_id'
    LOOP
        EXECUTE format('ALTER TABLE kotolupaus_message DROP CONSTRAINT %I', name);
    END LOOP;
END
$$;
"""

# Back to the foreign key: ids of entries that are gone are cleared first (SET_NULL).
ADD_FOREIGN_KEY = """
UPDATE kotolupaus_message SET entry_id = NULL
WHERE entry_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM submissions_entry e WHERE e.id = kotolupaus_message.entry_id);
ALTER TABLE kotolupaus_message
    ADD CONSTRAINT kotolupaus_message_entry_id_fk_submissions_entry_id
    FOREIGN KEY (entry_id) REFERENCES submissions_entry (id) DEFERRABLE INITIALLY DEFERRED;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("kotolupaus", "0008_review_mail_kinds"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="message", name="entry"),
                migrations.AddField(
                    model_name="message",
                    name="entry_id",
                    field=models.BigIntegerField(
                        blank=True, db_index=True, editable=False, null=True
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(DROP_FOREIGN_KEY, reverse_sql=ADD_FOREIGN_KEY),
            ],
        ),
    ]
