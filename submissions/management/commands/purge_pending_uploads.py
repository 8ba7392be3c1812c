"""Delete images kept between form steps that were never sent (run daily, e.g. from cron)."""

from datetime import timedelta

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.utils import timezone

from submissions.images import PENDING_DIR


class Command(BaseCommand):
    help = "Delete pending uploads older than --hours (default 48)."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=48)

    def handle(self, *args, hours, **options):
        cutoff = timezone.now() - timedelta(hours=hours)
        try:
            _dirs, files = default_storage.listdir(PENDING_DIR)
        except FileNotFoundError:
            files = []
        removed = 0
        for name in files:
            path = f"{PENDING_DIR}/{name}"
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                removed += 1
        self.stdout.write(f"Removed {removed} pending upload(s) older than {hours} hours.")
