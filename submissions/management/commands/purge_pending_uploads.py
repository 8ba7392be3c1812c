"""Delete images kept between form steps that were never sent. The job queue runs this
daily (submissions/tasks.py); the command is for running it by hand."""

from django.core.management.base import BaseCommand

from submissions.images import purge_pending


class Command(BaseCommand):
    help = "Delete pending uploads older than --hours (default 48)."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=48)

    def handle(self, *args, hours, **options):
        removed = purge_pending(hours)
        self.stdout.write(f"Removed {removed} pending upload(s) older than {hours} hours.")
