"""The ministry's report of a campaign (issue 26): what it received and published, where
in Finland, who took part, what was selected and awarded and what became of it, as a
coordinator's workspace page, a tagged PDF and an XLSX, in fi, sv and en.

Every figure about published entries is counted from the public read model, as the open
data and the statistics page count it (a test recomputes them from the open-data file):
an entry for all of Finland is in every region; indicator figures are those of approved
progress reports, an entry's in each of its regions and those of entries for all of
Finland in a row of their own. The few figures the public does not see (entries
received, overdue follow-ups) say so."""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, F, Func, IntegerField, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from submissions.models import (
    REGION_CODES,
    Entry,
    EntryKind,
    EntryStatus,
    OrganisationType,
    Region,
    Theme,
)

from . import follow_up, progress, region_map, regions
from .cooperation.figures import cooperation_figures, report_rows
from .models import PublicEntry

LANGUAGE_NAMES = {"fi": "suomi", "sv": "svenska", "en": "English"}


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[tuple[str, list[int]]] = field(default_factory=list)
    note: str = ""


@dataclass
class Report:
    campaign: object
    made_at: object
    received: int
    withdrawn: int
    published: int
    tables: list[Table]

    @property
    def empty(self) -> bool:
        return self.received == 0 and self.published == 0


def _by(entries, column) -> Counter:
    return Counter(dict(entries.order_by().values_list(column).annotate(n=Count("pk"))))


def _unnested(entries, column) -> Counter:
    place = Func(F(column), function="unnest", output_field=IntegerField())
    rows = entries.annotate(item=place).order_by().values_list("item").annotate(n=Count("pk"))
    return Counter(dict(rows))


def _kinds():
    return [str(label) for _value, label in EntryKind.choices]


def _received(campaign):
    """(entries received, of them withdrawn) for the campaign: every confirmed entry."""
    counted = _by(
        Entry.objects.filter(
            campaign=campaign, status__in=[EntryStatus.SUBMITTED, EntryStatus.WITHDRAWN]
        ),
        "status",
    )
    return sum(counted.values()), counted[EntryStatus.WITHDRAWN]


def _published_tables(entries, region_names) -> list[Table]:
    """The published entries by kind, type of organisation, region, language and theme."""
    kinds, types = _by(entries, "kind"), _by(entries, "organisation_type")
    languages, themes = _by(entries, "original_language"), _unnested(entries, "theme_ids")
    in_region = regions.counts(entries)
    together = _("Published entries")
    return [
        Table("kind", _("Published entries by kind"), [together],
              [(str(label), [kinds[value]]) for value, label in EntryKind.choices]),
        Table("organisation_type", _("Published entries by type of lead organisation"),
              [together],
              [(str(label), [types[value]]) for value, label in OrganisationType.choices]),
        Table("region", _("Published entries by region"), [together],
              [(region_names[code], [in_region[code]]) for code in REGION_CODES],
              _("An entry for all of Finland is counted in every region.")),
        Table("language", _("Published entries by the language they were written in"),
              [together],
              [(LANGUAGE_NAMES[code], [languages[code]]) for code in ("fi", "sv", "en")]),
        Table("theme", _("Published entries by theme"), [together],
              [(str(theme), [themes[theme.pk]])
               for theme in Theme.objects.prefetch_related("translations")]),
    ]  # fmt: skip


def _per_kind(entries, **figures) -> dict:
    """{figure: [its value for each kind]} of aggregates given per kind, in one query."""
    kinds = [value for value, _label in EntryKind.choices]
    found = entries.aggregate(
        **{
            f"{name}_{kind}": Coalesce(aggregate, 0)
            for name, (aggregate_of) in figures.items()
            for kind in kinds
            for aggregate in [aggregate_of(Q(kind=kind))]
        }
    )
    return {name: [found[f"{name}_{kind}"] for kind in kinds] for name in figures}


def _people_and_selection(entries) -> list[Table]:
    """Joint and single entries with their partner organisations; selected and awarded."""
    partners = Func(F("partners"), function="jsonb_array_length", output_field=IntegerField())
    found = _per_kind(
        entries,
        joint=lambda kind: Count("pk", filter=kind & ~Q(partners=[])),
        single=lambda kind: Count("pk", filter=kind & Q(partners=[])),
        partners=lambda kind: Sum(partners, filter=kind),
        selected=lambda kind: Count("pk", filter=kind & Q(in_programme=True)),
        awarded=lambda kind: Count("pk", filter=kind & ~Q(prize_category_ids=[])),
    )
    columns = [*_kinds(), _("Together")]

    def row(label, key):
        return (label, [*found[key], sum(found[key])])

    return [
        Table("cooperation", _("Joint and single entries"), columns, [
            row(_("Joint entries (with confirmed partner organisations)"), "joint"),
            row(_("Single entries"), "single"),
            row(_("Partner organisations in them"), "partners"),
        ]),
        Table("selection", _("Selected and awarded"), columns, [
            row(_("Selected into the cooperation programme"), "selected"),
            row(_("Awarded a prize"), "awarded"),
        ]),
    ]  # fmt: skip


def _status(status) -> Q:
    return Q(progress_status="") if status == progress.NO_REPORT else Q(progress_status=status)


def _status_tables(entries, region_names) -> list[Table]:
    """The latest reported status by kind and by region, each in one query."""
    statuses = progress.status_choices()
    by_kind = _per_kind(
        entries,
        **{
            status: (lambda kind, status=status: Count("pk", filter=kind & _status(status)))
            for status, _label in statuses
        },
    )
    counted = {
        (row["region"], row["progress_status"] or progress.NO_REPORT): row["n"]
        for row in regions.grouped(entries, "progress_status", n=Count("pk"))
    }
    return [
        Table("status_kind", _("Latest reported status by kind"), _kinds(),
              [(str(label), by_kind[status]) for status, label in statuses]),
        Table("status_region", _("Latest reported status by region"),
              [str(label) for _s, label in statuses],
              [(region_names[code], [counted.get((code, status), 0) for status, _l in statuses])
               for code in REGION_CODES],
              _("An entry for all of Finland is counted in every region.")),
    ]  # fmt: skip


def _follow_up_tables(campaign, entries, region_names) -> list[Table]:
    """The latest reported status by kind and by region, the indicator totals by region,
    the reports filed and the overdue follow-ups."""
    tables = _status_tables(entries, region_names)
    sums = progress.indicator_sums(campaign)
    figures = region_map.indicators_by_region(sums, region_names, campaign)
    if figures:
        tables.append(
            Table("indicators_region", _("Figures reported by region"), figures["indicators"],
                  figures["rows"],
                  _("An entry's figures count in each region where it names a municipality; "
                    "those of entries for all of Finland are in a row of their own."))
        )  # fmt: skip
    overdue = follow_up.entries(campaign, timezone.localdate()).filter(overdue=True).count()
    tables.append(
        Table("reports", _("Progress reports"), [pgettext("number of", "Number")], [
            (_("Progress reports published"), [progress.reports_count(campaign)]),
            (_("Published entries with an overdue report (not public)"), [overdue]),
        ])
    )  # fmt: skip
    return tables


def _cooperation_tables(campaign) -> list[Table]:
    """Cooperation in figures (publishing/cooperation/figures.py)."""
    number = [pgettext("number of", "Number")]
    return [
        Table(key, title, number, rows)
        for key, title, rows in report_rows(cooperation_figures(campaign))
    ]


def report(campaign) -> Report:
    """The report of `campaign` as it stands now."""
    received, withdrawn = _received(campaign)
    entries = PublicEntry.objects.filter(campaign=campaign)
    published = entries.count()
    tables = []
    if published:
        names = {region.code: str(region) for region in Region.objects.all()}
        tables = [
            *_published_tables(entries, names),
            *_people_and_selection(entries),
            *_cooperation_tables(campaign),
            *_follow_up_tables(campaign, entries, names),
        ]
    return Report(campaign, timezone.localtime(), received, withdrawn, published, tables)


def spreadsheet_rows(made) -> tuple[list, list]:
    """(header, rows) of the report as one long table: a row per figure."""
    header = [_("table"), _("row"), _("column"), _("value")]
    rows = [
        [_("Campaign"), str(made.campaign), "", ""],
        [_("Made at (Finnish time)"), made.made_at.replace(tzinfo=None), "", ""],
        [_("Entries received (not public)"), "", "", made.received],
        [_("of them withdrawn"), "", "", made.withdrawn],
        [_("Published entries"), "", "", made.published],
    ]
    for table in made.tables:
        for label, values in table.rows:
            rows += [[table.title, label, column, value]
                     for column, value in zip(table.columns, values, strict=True)]  # fmt: skip
    return header, rows


def pdf(made, language) -> bytes:
    """The report as a tagged PDF (PDF/UA-1) in `language` (a second or so of CPU)."""
    from django.template.loader import render_to_string
    from django.utils.translation import override

    from .pdf import page_counter, pdf_from_html

    with override(language):
        html = render_to_string(
            "publishing/campaign_report_pdf.html",
            {"report": made, "LANGUAGE_CODE": language, "page_counter": page_counter(language)},
        )
    return pdf_from_html(html, f"report-{made.campaign.slug}-{language}")
