"""kotolupaus 0009: Message.entry (a foreign key to submissions.Entry) became entry_id, a
plain number in the same column. The migration drops only the constraint: the ids stay,
the column keeps its index, and it runs back as well."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.conftest import make_campaign, make_entry

BEFORE = [("kotolupaus", "0008_review_mail_kinds")]
AFTER = [("kotolupaus", "0009_message_entry_id_without_foreign_key")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def foreign_keys_of_messages():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_constraint "
            "WHERE conrelid = 'kotolupaus_message'::regclass AND contype = 'f'"
        )
        return cursor.fetchone()[0]


def entry_id_indexes():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_indexes WHERE tablename = 'kotolupaus_message' "
            "AND indexdef LIKE '%(entry_id)%'"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_the_message_keeps_the_id_of_its_entry_through_the_migration_and_back():
    entry = make_entry(make_campaign())
    try:
        old_apps = migrate(BEFORE)
        assert foreign_keys_of_messages() == 1
        old = old_apps.get_model("kotolupaus", "Message").objects.create(
            kind="withdrawn",
            recipient="maija@example.fi",
            recipient_key="maija@example.fi",
            language="fi",
            entry_id=entry.pk,
            subject="Vetäytyminen",
            message_id="<before-0009@example.fi>",
        )

        new_apps = migrate(AFTER)
        Message = new_apps.get_model("kotolupaus", "Message")

        assert Message.objects.get(pk=old.pk).entry_id == entry.pk
        assert foreign_keys_of_messages() == 0
        assert entry_id_indexes() == 1
        # No constraint: an id of no entry is stored as it is.
        gone = Message.objects.create(
            kind="withdrawn",
            recipient="maija@example.fi",
            recipient_key="maija@example.fi",
            language="fi",
            entry_id=entry.pk + 1_000_000,
            subject="Vetäytyminen",
            message_id="<after-0009@example.fi>",
        )

        back = migrate(BEFORE).get_model("kotolupaus", "Message")
        assert foreign_keys_of_messages() == 1
        assert back.objects.get(pk=old.pk).entry_id == entry.pk
        # Going back, the id of an entry that is gone is cleared (as SET_NULL did).
        assert back.objects.get(pk=gone.pk).entry_id is None
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert foreign_keys_of_messages() == 0
