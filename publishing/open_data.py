"""The open-data files: every published entry as JSON (with its progress reports nested)
or CSV, and the progress reports as CSV of their own. The records are written one at a
time as the entries stream from the database; the layout is documented on the open
data page (templates/publishing/open_data.html) and its columns come from here.
"""

import csv
import json

from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kotolupaus.spreadsheets import inert_row
from submissions.models import ENTRY_TEXT_FIELDS

from .addresses import entry_url_patterns, entry_urls
from .queries import in_programme

LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"


def entry_record(entry, patterns) -> dict:
    translations = {
        t.language_code: {name: getattr(t, name) or "" for name in ENTRY_TEXT_FIELDS}
        for t in entry.translations.all()
    }
    urls = entry_urls(entry.pk, patterns)
    reports = entry.public_progress_reports
    return {
        "reference": entry.reference,
        # The page in the file's language (/sv/open-data/… links /sv/ pages), and all three.
        "url": urls[get_language()],
        "urls": urls,
        "campaign": entry.campaign.slug,
        "kind": entry.kind,
        "original_language": entry.original_language,
        "text": translations,
        "lead_organisation": {
            "name": entry.lead_organisation.name,
            "business_id": entry.lead_organisation.business_id or None,
            "type": entry.lead_organisation.type,
            "municipality_code": entry.lead_organisation.municipality.code
            if entry.lead_organisation.municipality
            else None,
        },
        "partners": [p.organisation.name for p in entry.confirmed_partners],
        "themes": [t.slug for t in entry.themes.all()],
        "target_groups": [g.slug for g in entry.target_groups.all()],
        "whole_country": entry.whole_country,
        "municipality_codes": [m.code for m in entry.municipalities.all()],
        "pledge_deadline": entry.pledge_deadline.isoformat() if entry.pledge_deadline else None,
        "published_at": entry.publication.first_published_at.isoformat(),
        "in_programme": in_programme(entry),
        "awards": [str(a.category) for a in entry.awards.all()],
        "challenge_of": entry.challenge_of.reference if entry.challenge_of_id else None,
        # The newest report's status (reports are listed oldest first).
        "progress_status": reports[-1].status if reports else None,
        "progress_reports": [report_record(report) for report in reports],
    }


CSV_COLUMNS = [
    "reference",
    "url",
    "campaign",
    "kind",
    "original_language",
    "title_fi",
    "title_sv",
    "title_en",
    "summary_fi",
    "summary_sv",
    "summary_en",
    "lead_organisation",
    "business_id",
    "organisation_type",
    "partners",
    "themes",
    "target_groups",
    "whole_country",
    "municipality_codes",
    "published_at",
    "in_programme",
    "awards",
    "progress_status",
    "progress_reports",
]


def entry_csv_row(record) -> list:
    text = record["text"]
    return [
        record["reference"],
        record["url"],
        record["campaign"],
        record["kind"],
        record["original_language"],
        *[text.get(lang, {}).get("title", "") for lang in ("fi", "sv", "en")],
        *[text.get(lang, {}).get("summary", "") for lang in ("fi", "sv", "en")],
        record["lead_organisation"]["name"],
        record["lead_organisation"]["business_id"] or "",
        record["lead_organisation"]["type"],
        "|".join(record["partners"]),
        "|".join(record["themes"]),
        "|".join(record["target_groups"]),
        "true" if record["whole_country"] else "false",
        "|".join(record["municipality_codes"]),
        record["published_at"],
        "true" if record["in_programme"] else "false",
        "|".join(record["awards"]),
        record["progress_status"] or "",
        len(record["progress_reports"]),
    ]


def _records(entries):
    patterns = entry_url_patterns()
    for entry in entries:
        yield entry, entry_record(entry, patterns)


def json_lines(entries):
    """The JSON file in pieces: the licence, then one entry per line."""
    head = json.dumps(
        {
            "licence": LICENCE,
            "licence_url": LICENCE_URL,
            "publisher": str(_("Ministry of Economic Affairs and Employment of Finland")),
            "schema": settings.SITE_URL + reverse("publishing:open_data_docs"),
        },
        ensure_ascii=False,
    )[:-1]
    yield head + ', "entries": ['
    for index, (_entry, record) in enumerate(_records(entries)):
        yield ("," if index else "") + "\n" + json.dumps(record, ensure_ascii=False)
    yield "\n]}\n"


def report_record(report) -> dict:
    return {
        "reported_on": report.reported_on.isoformat(),
        "status": report.status,
        "reason": report.reason or None,
        "original_language": report.original_language,
        "text": {t.language_code: t.text for t in report.translations.all() if t.text},
        "figures": {f.indicator.slug: f.value for f in report.figures.all()},
        "contributors": [p.organisation.name for p in report.confirmed_contributors],
        "published_at": report.publication.first_published_at.isoformat(),
    }


REPORT_CSV_COLUMNS = [
    "entry_reference",
    "entry_url",
    "reported_on",
    "status",
    "reason",
    "original_language",
    "text_fi",
    "text_sv",
    "text_en",
    "figures",
    "contributors",
    "published_at",
]


def report_csv_row(entry_record, report) -> list:
    record = report_record(report)
    return [
        entry_record["reference"],
        entry_record["url"],
        record["reported_on"],
        record["status"],
        record["reason"] or "",
        record["original_language"],
        *[record["text"].get(language, "") for language in ("fi", "sv", "en")],
        "|".join(f"{slug}={value}" for slug, value in record["figures"].items()),
        "|".join(record["contributors"]),
        record["published_at"],
    ]


class _Line:
    """A file-like object whose write() returns the line, for streaming csv.writer."""

    def write(self, value):
        return value


def csv_lines(entries, *, reports=False):
    """The entries' CSV, or with reports=True the progress reports' CSV (one row per
    report, oldest first within each entry); every cell inert for spreadsheets."""
    writer = csv.writer(_Line())
    if reports:
        yield writer.writerow(REPORT_CSV_COLUMNS)
        for entry, record in _records(entries):
            for report in entry.public_progress_reports:
                yield writer.writerow(inert_row(report_csv_row(record, report)))
    else:
        yield writer.writerow(CSV_COLUMNS)
        for _entry, record in _records(entries):
            yield writer.writerow(inert_row(entry_csv_row(record)))
