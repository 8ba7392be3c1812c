"""Erase contact data of campaigns closed longer than the retention period (run daily)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from publishing.personal_data import purge_after_retention


class Command(BaseCommand):
    help = (
        "Erase contact persons' data of campaigns closed more than --days days ago "
        "(default CONTACT_DATA_RETENTION_DAYS), except where they agreed to be contacted."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.CONTACT_DATA_RETENTION_DAYS)

    def handle(self, *args, days, **options):
        purged = purge_after_retention(days)
        for slug, count in purged.items():
            self.stdout.write(f"{slug}: contact data of {count} entries erased")
        self.stdout.write(self.style.SUCCESS(f"Retention {days} days: done."))
