"""Remove entries whose contact never confirmed the e-mail address in time
(UNCONFIRMED_ENTRY_DAYS). The job queue runs this hourly (submissions/tasks.py); the
command is for running it by hand."""

from django.conf import settings
from django.core.management.base import BaseCommand

from submissions.services import remove_unconfirmed


class Command(BaseCommand):
    help = "Remove entries not confirmed within UNCONFIRMED_ENTRY_DAYS, with their uploads."

    def handle(self, *args, **options):
        removed = remove_unconfirmed()
        self.stdout.write(
            f"Removed {removed} entries not confirmed within "
            f"{settings.UNCONFIRMED_ENTRY_DAYS} days."
        )
