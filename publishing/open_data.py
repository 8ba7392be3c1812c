"""The open-data files: every published entry as JSON (with its progress reports nested)
or CSV, and the progress reports as CSV of their own, in each language: a record's `url`
is the entry's page in the file's language (the Swedish file links /sv/ pages) and a
prize's name is in that language too; everything else is the same in every file.

`write()` makes all of them in one pass over the public read model (PublicEntry): one
ORM query streams its rows, the few progress reports are fetched a chunk of entries at a
time, and each record is serialised once and written to every language's files: memory
stays flat and 100,000 entries take seconds. The files are
built in the background and served as files (publishing/public_files.py); the layout is
documented on the open data page (templates/publishing/open_data.html) and its columns
come from here.
"""

import csv
import json
from collections import defaultdict
from itertools import islice

from django.conf import settings
from django.db.models import F, Func, TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from kotolupaus.spreadsheets import inert, inert_row
from review.models import AwardCategory
from submissions.models import (
    Municipality,
    Partnership,
    ProgressReport,
    Region,
    ReportFigure,
    TargetGroup,
    Theme,
)

from .addresses import entry_url_patterns, entry_urls
from .cooperation.figures import for_open_data, open_data_json
from .models import PublicEntry
from .progress import approved_reports

LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
# The files of each language, by the name they are published under.
NAMES = ("entries.json", "entries.csv", "reports.csv", "cooperation.json")
# Entries whose details are fetched together: a handful of queries per chunk.
CHUNK = 2000

LANGS = ("fi", "sv", "en")
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
    "region_codes",
    "region_names_fi",
    "region_names_sv",
    "region_names_en",
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


def entry_csv_row(record, titles) -> list:
    """`titles`: the titles in fi, sv and en, then the summaries ("" where it has none)."""
    return [
        record["reference"],
        record["url"],
        record["campaign"],
        record["kind"],
        record["original_language"],
        *titles,
        record["lead_organisation"]["name"],
        record["lead_organisation"]["business_id"] or "",
        record["lead_organisation"]["type"],
        "|".join(record["partners"]),
        "|".join(record["themes"]),
        "|".join(record["target_groups"]),
        "true" if record["whole_country"] else "false",
        "|".join(record["municipality_codes"]),
        "|".join(region["code"] for region in record["regions"]),
        *["|".join(region[f"name_{code}"] for region in record["regions"]) for code in LANGS],
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


class _IsoFormat(Func):
    """A moment as text, as datetime.isoformat() writes it in UTC (microseconds only
    when there are any): the database writes it faster than Python parses it."""

    template = (
        "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
        "CASE WHEN mod(extract(microseconds FROM %(expressions)s)::bigint, 1000000) = 0 "
        "THEN '' ELSE to_char(%(expressions)s AT TIME ZONE 'UTC', '.US') END || '+00:00'"
    )
    output_field = TextField()


# Each public entry's values from the read model, in the order unpacked in records().
ENTRY_COLUMNS = {
    "entry_pk": F("pk"),
    "entry_reference": F("reference"),
    "campaign_slug": F("campaign__slug"),
    "entry_kind": F("kind"),
    "language": F("original_language"),
    # As the database writes it: put into the JSON as it is, never parsed here.
    "entry_texts": Cast("texts", TextField()),
    "entry_languages": F("languages"),
    **{f"entry_title_{code}": F(f"title_{code}") for code in ("fi", "sv", "en")},
    **{f"entry_summary_{code}": F(f"summary_{code}") for code in ("fi", "sv", "en")},
    "organisation": F("organisation_name"),
    "organisation_id": F("organisation_business_id"),
    "organisation_kind": F("organisation_type"),
    "organisation_place": F("organisation_municipality"),
    "everywhere": F("whole_country"),
    "deadline": F("pledge_deadline"),
    "published": _IsoFormat("published_at"),
    "programme": F("in_programme"),
    "challenge": F("challenge_of"),
    "entry_themes": F("theme_ids"),
    "entry_groups": F("target_group_ids"),
    "places": F("municipality_ids"),
    "entry_partners": F("partners"),
    "prize_ids": F("prize_category_ids"),
    "entry_regions": F("region_codes"),
    "reported": F("reports"),
}


def _entries():
    """Every public entry as one row of plain values from the read model, in the order
    of the campaigns (newest first, as Campaign.Meta has it) and the entries' numbers,
    streamed from a server-side cursor."""
    entries = (
        PublicEntry.objects.order_by("-campaign__opens_at", "number")
        .values(**ENTRY_COLUMNS)
        .values_list(*ENTRY_COLUMNS)
    )
    return entries.iterator(chunk_size=CHUNK)


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
    if not entry_ids:
        return {}
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


# Where a record's texts go in its JSON (text can hold no NUL: PostgreSQL refuses it).
TEXTS = "\x00texts\x00"
TEXTS_JSON = json.dumps(TEXTS)


def records():
    """(record, prize category ids, texts, titles) for every public entry, in the order of
    the campaigns and the entries' numbers. The record is the JSON file's entry without
    its `url`, with `awards` left empty (both depend on the file's language) and TEXTS
    where `texts` goes: its texts in every language it has, as JSON. `titles`: the title
    in fi, sv and en, then the summary ("" for a language it has no text in)."""
    patterns = entry_url_patterns()
    theme_slugs = dict(Theme.objects.values_list("pk", "slug"))
    group_slugs = dict(TargetGroup.objects.values_list("pk", "slug"))
    municipalities = list(
        Municipality.objects.values_list("pk", "code").order_by("name_fi", "code")
    )
    codes = dict(municipalities)
    regions = {
        code: {"code": code, "name_fi": fi, "name_sv": sv, "name_en": en}
        for code, fi, sv, en in Region.objects.values_list("code", "name_fi", "name_sv", "name_en")
    }
    place_order = {pk: position for position, (pk, _code) in enumerate(municipalities)}
    for chunk in _chunks(_entries(), CHUNK):
        # Progress reports are few: fetched for the entries of the chunk that have any.
        reports = _reports([row[0] for row in chunk if row[-1]])
        for row in chunk:
            (
                pk,
                reference,
                campaign,
                kind,
                language,
                texts,
                languages,
                title_fi,
                title_sv,
                title_en,
                summary_fi,
                summary_sv,
                summary_en,
                organisation,
                business_id,
                organisation_type,
                organisation_place,
                whole_country,
                deadline,
                published_at,
                in_programme,
                challenge_of,
                themes,
                groups,
                places,
                partners,
                prizes,
                region_codes,
                _reported,
            ) = row
            entry_reports = reports.get(pk, [])
            record = {
                "reference": reference,
                "url": None,
                "urls": entry_urls(pk, patterns),
                "campaign": campaign,
                "kind": kind,
                "original_language": language,
                "text": TEXTS,
                "lead_organisation": {
                    "name": organisation,
                    "business_id": business_id or None,
                    "type": organisation_type,
                    "municipality_code": organisation_place or None,
                },
                "partners": partners,
                "themes": [theme_slugs[t] for t in themes if t in theme_slugs],
                "target_groups": [group_slugs[g] for g in groups if g in group_slugs],
                "whole_country": whole_country,
                "municipality_codes": [
                    codes[m] for m in sorted(places, key=lambda m: place_order.get(m, 0))
                ],
                "regions": [regions[code] for code in region_codes if code in regions],
                "pledge_deadline": deadline.isoformat() if deadline else None,
                "published_at": published_at,
                "in_programme": in_programme,
                "awards": [],
                "challenge_of": challenge_of or None,
                # The newest report's status (reports are listed oldest first).
                "progress_status": entry_reports[-1]["status"] if entry_reports else None,
                "progress_reports": entry_reports,
            }
            titles = [
                text if code in languages else ""
                for code, text in (
                    ("fi", title_fi),
                    ("sv", title_sv),
                    ("en", title_en),
                    ("fi", summary_fi),
                    ("sv", summary_sv),
                    ("en", summary_en),
                )
            ]
            yield record, prizes or [], texts, titles


# --- The files ---------------------------------------------------------------------------------


class _Line:
    """A file-like object whose write() returns the line, for csv.writer."""

    def write(self, value):
        return value


def _prize_names(languages) -> dict:
    """{category id: {language: the prize's name in it}}, in the categories' order."""
    names: defaultdict[str, dict] = defaultdict(dict)
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


def _around(line, row, column) -> tuple[str, str]:
    """The CSV line of `row` in two parts, before and after the cell `column` (the
    entry's address, which differs by language and never needs quoting)."""
    return (
        line.writerow(row[:column])[:-2] + ",",
        "," + line.writerow(row[column + 1 :]),
    )


def write(files, generated_at) -> int:
    """Write every language's files: `files` is {language: {name: a text writer}} with
    the names of NAMES. Returns the number of entries written."""
    languages = list(files)
    prize_names = _prize_names(languages)
    order = {category: index for index, category in enumerate(prize_names)}
    line = csv.writer(_Line())
    for language, outputs in files.items():
        outputs["entries.json"].write(_json_head(language, generated_at))
        outputs["entries.csv"].write(line.writerow(CSV_COLUMNS))
        outputs["reports.csv"].write(line.writerow(REPORT_CSV_COLUMNS))
    count = 0
    for record, prizes, texts, titles in records():
        urls = record["urls"]
        reference = record.pop("reference")
        del record["url"]
        # Everything but the address (and the prizes' names) is the same in every
        # language: serialised once, the address put in per language.
        # JSON: {"reference": …, "url": …, the rest}.
        head = '{"reference": ' + json.dumps(reference, ensure_ascii=False) + ', "url": '
        rest = json.dumps(record, ensure_ascii=False)[1:].replace(TEXTS_JSON, texts, 1)
        entry_row = inert_row(entry_csv_row({"reference": reference, "url": "", **record}, titles))
        entry_line = _around(line, entry_row, URL_COLUMN)
        report_lines = [
            _around(
                line,
                inert_row(report_csv_row({"reference": reference, "url": ""}, report)),
                REPORT_URL_COLUMN,
            )
            for report in record["progress_reports"]
        ]
        separator = ",\n" if count else "\n"
        for language, outputs in files.items():
            url = urls[language]
            if prizes:
                names = [
                    prize_names[category][language]
                    for category in sorted(prizes, key=lambda category: order[category])
                ]
                record["awards"] = names
                rest = json.dumps(record, ensure_ascii=False)[1:].replace(TEXTS_JSON, texts, 1)
                entry_row[AWARDS_COLUMN] = inert("|".join(names))
                entry_line = _around(line, entry_row, URL_COLUMN)
            outputs["entries.json"].write(f"{separator}{head}{json.dumps(url)}, {rest}")
            outputs["entries.csv"].write(url.join(entry_line))
            for report_line in report_lines:
                outputs["reports.csv"].write(url.join(report_line))
        count += 1
    cooperation = for_open_data() if any("cooperation.json" in o for o in files.values()) else None
    for language, outputs in files.items():
        outputs["entries.json"].write("\n]}\n")
        if cooperation is not None:  # the same head as the entries' file
            head = json.loads(
                _json_head(language, generated_at).removesuffix(', "entries": [') + "}"
            )
            outputs["cooperation.json"].write(open_data_json(cooperation, language, head))
    return count
