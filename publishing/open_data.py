"""The open-data files: every published entry as JSON (with its progress reports nested)
or CSV, and the progress reports as CSV of their own, in each language: a record's `url`
is the entry's page in the file's language (the Swedish file links /sv/ pages) and a
prize's name is in that language too; everything else is the same in every file.

`write()` makes all of them in one pass over the published entries, a chunk at a time:
each chunk's details come as plain values in a few queries (no model instances), and
each record is serialised once and written to every language's files, so memory stays
flat and the time grows with the entries alone. The files are built in the background
and served as files (publishing/public_files.py); the layout is documented on the open
data page (templates/publishing/open_data.html) and its columns come from here.
"""

import csv
import json
from collections import defaultdict
from itertools import islice

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from kotolupaus.spreadsheets import inert, inert_row
from review.models import Award, AwardCategory, Outcome
from submissions.models import ENTRY_TEXT_FIELDS, Entry, Partnership, ProgressReport, ReportFigure

from .addresses import entry_url_patterns, entry_urls
from .progress import approved_reports
from .queries import published

LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
# The files of each language, by the name they are published under.
NAMES = ("entries.json", "entries.csv", "reports.csv")
# Entries whose details are fetched together: a handful of queries per chunk.
CHUNK = 2000

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
URL_COLUMN = CSV_COLUMNS.index("url")
AWARDS_COLUMN = CSV_COLUMNS.index("awards")

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
REPORT_URL_COLUMN = REPORT_CSV_COLUMNS.index("entry_url")


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


def report_csv_row(entry_record, record) -> list:
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


# --- The records, a chunk of entries at a time -----------------------------------------------

ENTRY_VALUES = (
    "pk",
    "reference",
    "campaign__slug",
    "kind",
    "original_language",
    "lead_organisation__name",
    "lead_organisation__business_id",
    "lead_organisation__type",
    "lead_organisation__municipality__code",
    "whole_country",
    "pledge_deadline",
    "publication__first_published_at",
    "decision__outcome",
    "decision__published_at",
    "challenge_of__reference",
)


def _chunks(iterable, size):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _grouped(rows):
    """{first value: [the rest of the row, …]} in the rows' order."""
    groups = defaultdict(list)
    for key, *rest in rows:
        groups[key].append(rest[0] if len(rest) == 1 else rest)
    return groups


def _reports(entry_ids) -> dict:
    """{entry id: [report record, …]}: each entry's approved progress reports, oldest first."""
    rows = list(
        approved_reports()
        .filter(entry_id__in=entry_ids)
        .order_by("reported_on", "created_at")
        .values_list(
            "pk",
            "entry_id",
            "reported_on",
            "status",
            "reason",
            "original_language",
            "publication__first_published_at",
        )
    )
    if not rows:
        return {}
    ids = [row[0] for row in rows]
    texts = _grouped(
        ProgressReport._parler_meta.root_model.objects.filter(master_id__in=ids)
        .exclude(text="")
        .order_by("pk")
        .values_list("master_id", "language_code", "text")
    )
    figures = _grouped(
        ReportFigure.objects.filter(report_id__in=ids)
        .order_by("indicator__position", "indicator__slug")
        .values_list("report_id", "indicator__slug", "value")
    )
    contributors = _grouped(
        ProgressReport.contributors.through.objects.filter(
            progressreport_id__in=ids,
            partnership__in=Partnership.objects.confirmed(),
        )
        .order_by("partnership_id")
        .values_list("progressreport_id", "partnership__organisation__name")
    )
    reports = defaultdict(list)
    for pk, entry_id, reported_on, status, reason, language, published_at in rows:
        reports[entry_id].append(
            {
                "reported_on": reported_on.isoformat(),
                "status": status,
                "reason": reason or None,
                "original_language": language,
                "text": dict(texts.get(pk, ())),
                "figures": dict(figures.get(pk, ())),
                "contributors": contributors.get(pk, []),
                "published_at": published_at.isoformat(),
            }
        )
    return reports


def records():
    """(record, prize category ids) for every published entry, in the order of the
    campaigns and the entries' numbers. The record is the JSON file's entry without its
    `url` and with `awards` left empty: both depend on the file's language."""
    entries = (
        published()
        .order_by("campaign", "number")
        .values_list(*ENTRY_VALUES)
        .iterator(chunk_size=CHUNK)
    )
    translation = Entry._parler_meta.root_model
    patterns = entry_url_patterns()
    for chunk in _chunks(entries, CHUNK):
        ids = [row[0] for row in chunk]
        texts = _grouped(
            translation.objects.filter(master_id__in=ids)
            .order_by("pk")
            .values_list("master_id", "language_code", *ENTRY_TEXT_FIELDS)
        )
        through = Entry.themes.through.objects.filter(entry_id__in=ids)
        themes = _grouped(through.order_by("theme").values_list("entry_id", "theme__slug"))
        groups = _grouped(
            Entry.target_groups.through.objects.filter(entry_id__in=ids)
            .order_by("targetgroup")
            .values_list("entry_id", "targetgroup__slug")
        )
        places = _grouped(
            Entry.municipalities.through.objects.filter(entry_id__in=ids)
            .order_by("municipality")
            .values_list("entry_id", "municipality__code")
        )
        partners = _grouped(
            Partnership.objects.confirmed()
            .filter(entry_id__in=ids)
            .order_by("pk")
            .values_list("entry_id", "organisation__name")
        )
        awards = _grouped(
            Award.objects.filter(entry_id__in=ids)
            .order_by("category", "pk")
            .values_list("entry_id", "category_id")
        )
        reports = _reports(ids)
        for row in chunk:
            (
                pk,
                reference,
                campaign,
                kind,
                language,
                organisation,
                business_id,
                organisation_type,
                organisation_place,
                whole_country,
                deadline,
                published_at,
                outcome,
                decision_published_at,
                challenge_of,
            ) = row
            entry_reports = reports.get(pk, [])
            record = {
                "reference": reference,
                "url": None,
                "urls": entry_urls(pk, patterns),
                "campaign": campaign,
                "kind": kind,
                "original_language": language,
                "text": {
                    code: {
                        name: value or ""
                        for name, value in zip(ENTRY_TEXT_FIELDS, values, strict=True)
                    }
                    for code, *values in texts.get(pk, ())
                },
                "lead_organisation": {
                    "name": organisation,
                    "business_id": business_id or None,
                    "type": organisation_type,
                    "municipality_code": organisation_place,
                },
                "partners": partners.get(pk, []),
                "themes": themes.get(pk, []),
                "target_groups": groups.get(pk, []),
                "whole_country": whole_country,
                "municipality_codes": places.get(pk, []),
                "pledge_deadline": deadline.isoformat() if deadline else None,
                "published_at": published_at.isoformat(),
                "in_programme": bool(decision_published_at and outcome == Outcome.INCLUDED),
                "awards": [],
                "challenge_of": challenge_of,
                # The newest report's status (reports are listed oldest first).
                "progress_status": entry_reports[-1]["status"] if entry_reports else None,
                "progress_reports": entry_reports,
            }
            yield record, awards.get(pk, [])


# --- The files ---------------------------------------------------------------------------------


class _Line:
    """A file-like object whose write() returns the line, for csv.writer."""

    def write(self, value):
        return value


def _prize_names(languages) -> dict:
    """{category id: {language: the prize's name in it}}."""
    names = defaultdict(dict)
    for category in AwardCategory.objects.prefetch_related("translations"):
        for language in languages:
            category.set_current_language(language)
            names[category.pk][language] = str(category)
    return names


def _json_head(language, generated_at) -> str:
    with override(language):
        head = {
            "licence": LICENCE,
            "licence_url": LICENCE_URL,
            "publisher": str(_("Ministry of Economic Affairs and Employment of Finland")),
            "schema": settings.SITE_URL + reverse("publishing:open_data_docs"),
            "generated_at": generated_at.isoformat(),
        }
    return json.dumps(head, ensure_ascii=False)[:-1] + ', "entries": ['


def write(files, generated_at) -> int:
    """Write every language's files: `files` is {language: {name: a text writer}} with
    the names of NAMES. Returns the number of entries written."""
    languages = list(files)
    prize_names = _prize_names(languages)
    line = csv.writer(_Line())
    for language, outputs in files.items():
        outputs["entries.json"].write(_json_head(language, generated_at))
        outputs["entries.csv"].write(line.writerow(CSV_COLUMNS))
        outputs["reports.csv"].write(line.writerow(REPORT_CSV_COLUMNS))
    count = 0
    for record, prizes in records():
        urls = record["urls"]
        reference = record.pop("reference")
        del record["url"]
        entry_row = inert_row(entry_csv_row({"reference": reference, "url": "", **record}))
        report_rows = [
            inert_row(report_csv_row({"reference": reference, "url": ""}, report))
            for report in record["progress_reports"]
        ]
        # {"reference": …, "url": …, the rest}: the rest is serialised once for all the
        # languages, unless the prizes' names make it differ.
        head = '{"reference": ' + json.dumps(reference, ensure_ascii=False) + ', "url": '
        rest = None
        for language, outputs in files.items():
            url = urls[language]
            if prizes:
                record["awards"] = [prize_names[category][language] for category in prizes]
                entry_row[AWARDS_COLUMN] = inert("|".join(record["awards"]))
                rest = None
            if rest is None:
                rest = json.dumps(record, ensure_ascii=False)[1:]
            separator = ",\n" if count else "\n"
            outputs["entries.json"].write(f"{separator}{head}{json.dumps(url)}, {rest}")
            entry_row[URL_COLUMN] = url
            outputs["entries.csv"].write(line.writerow(entry_row))
            for report_row in report_rows:
                report_row[REPORT_URL_COLUMN] = url
                outputs["reports.csv"].write(line.writerow(report_row))
        count += 1
    for outputs in files.values():
        outputs["entries.json"].write("\n]}\n")
    return count
