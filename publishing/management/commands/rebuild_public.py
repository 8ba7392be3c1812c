"""Recreate the public read model from the source tables and say what differed."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from publishing.changes import public_change
from publishing.rebuild import found_differences, rebuild


class Command(BaseCommand):
    help = (
        "Recreate the public read model (every public entry's row, its search document, "
        "the search vocabulary) from the source tables, and the approved versions of "
        "entries published before there were versions; report every difference found. "
        "Run it once after upgrading to the read model; on a healthy installation it "
        "finds nothing. With --check it only reports, and exits with an error when it "
        "found a difference."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="only report, change nothing")

    def handle(self, *args, check, **options):
        with transaction.atomic():
            report = rebuild(check=check)
            found = found_differences(report)
            if found and not check:
                public_change()  # a new public version: no page kept from before is served
        vocabulary = report["vocabulary"]
        lines = [
            f"Approved publications without their version: {report['versions']}",
            f"Public entries missing from the read model: {len(report['missing'])}"
            + (f" ({', '.join(report['missing'][:20])})" if report["missing"] else ""),
            f"Rows of entries that are not public: {len(report['extra'])}"
            + (f" ({', '.join(report['extra'][:20])})" if report["extra"] else ""),
            "Rows with different values: "
            + (", ".join(f"{name} {n}" for name, n in sorted(report["different"].items())) or "0"),
            f"Vocabulary: missing {vocabulary['missing']}, left over {vocabulary['extra']}, "
            f"counted wrong {vocabulary['miscounted']}",
        ]
        for line in lines:
            self.stdout.write(line)
        if not found:
            self.stdout.write("No differences.")
        elif check:
            raise CommandError("The read model differs from the source tables.")
        else:
            self.stdout.write("Recreated.")
