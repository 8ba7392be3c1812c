"""Build the open-data files and the programme PDFs now (the jobs do it after changes)."""

import resource
import time

from django.core.management.base import BaseCommand

from publishing import public_files


class Command(BaseCommand):
    help = (
        "Build the open-data files (JSON, CSV and their gzips in every language) and every "
        "campaign's programme PDF now, even if they are up to date; the background jobs "
        "build them PUBLIC_FILES_REBUILD_SECONDS after public changes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--open-data", action="store_true", help="only the open data")
        parser.add_argument("--pdf", action="store_true", help="only the programme PDFs")
        parser.add_argument(
            "--if-needed",
            action="store_true",
            help="skip the files that already include the last public change",
        )

    def handle(self, *args, open_data, pdf, if_needed, **options):
        both = not open_data and not pdf
        force = not if_needed
        if open_data or both:
            began = time.monotonic()
            count = public_files.build_open_data(force=force)
            took = time.monotonic() - began
            if count is None:
                self.stdout.write("Open data: up to date.")
            else:
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                self.stdout.write(
                    f"Open data: {count} entries in {took:.1f} s "
                    f"(peak memory of this process {peak:.0f} MB)."
                )
        if pdf or both:
            began = time.monotonic()
            built = public_files.build_programme_pdfs(force=force)
            self.stdout.write(
                f"Programme PDFs: {built} rendered in {time.monotonic() - began:.1f} s."
            )
