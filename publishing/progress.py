"""What became of published pledges and initiatives, as the public sees it: approved
progress reports on public entries, their figures summed, the statuses of a pledge's
challenge takers, progress across the campaign (the open data's reports are in
publishing/open_data.py).

A report is public while it is approved and its entry is public (in the read model,
PublicEntry); everything here starts from those two conditions.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, F, Max, Prefetch, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from submissions.models import Indicator, ProgressReport, ProgressStatus, ReportFigure

from .models import PublicationStatus, PublicEntry

NO_REPORT = "none"


def approved_reports():
    return ProgressReport.objects.filter(publication__status=PublicationStatus.APPROVED)


def public_reports(entry_ids):
    """Approved progress reports of the given public entries, newest first, with their
    texts, figures (with indicator names) and the names of the confirmed partners who
    took part (`contributor_names`), in a fixed number of queries."""
    reports = list(
        approved_reports()
        .filter(entry_id__in=entry_ids)
        .prefetch_related(
            "translations",
            Prefetch(
                "figures",
                queryset=ReportFigure.objects.select_related("indicator").prefetch_related(
                    "indicator__translations"
                ),
            ),
        )
        .select_related("publication")
        .order_by("-reported_on", "-created_at")
    )
    names = {}
    for report, name in (
        ProgressReport.contributors.through.objects.filter(
            progressreport_id__in=[report.pk for report in reports],
            partnership__confirmed_at__isnull=False,
            partnership__declined_at__isnull=True,
        )
        .order_by("partnership_id")
        .values_list("progressreport_id", "partnership__organisation__name")
    ):
        names.setdefault(report, []).append(name)
    for report in reports:
        report.contributor_names = names.get(report.pk, [])
    return reports


def latest_progress(entry) -> str:
    """The status of the entry's newest approved progress report ("" when none)."""
    return (
        approved_reports()
        .filter(entry=entry)
        .order_by("-reported_on", "-created_at")
        .values_list("status", flat=True)
        .first()
        or ""
    )


@dataclass
class ReportText:
    """A report's text in one language: the visitor's, else the one it was written in."""

    language: str
    text: str
    original_language: str

    @property
    def is_staff_translation(self):
        return self.language != self.original_language

    @property
    def is_translation_missing(self):
        return self.language != get_language() and self.language == self.original_language


def report_text(report, language=None) -> ReportText:
    language = language or get_language()
    texts = {t.language_code: t.text for t in report.translations.all() if t.text}
    shown = language if language in texts else report.original_language
    return ReportText(shown, texts.get(shown, ""), report.original_language)


@dataclass
class FigureTotal:
    indicator: Indicator
    total: int


def summed_figures(reports) -> list[FigureTotal]:
    """Each indicator's figures added up over the reports, in the indicators' order."""
    totals = {}
    for report in reports:
        for figure in report.figures.all():
            indicator = figure.indicator
            if indicator.pk not in totals:
                totals[indicator.pk] = FigureTotal(indicator, 0)
            totals[indicator.pk].total += figure.value
    return sorted(totals.values(), key=lambda t: (t.indicator.position, t.indicator.slug))


@dataclass
class Timeline:
    """An entry's public follow-up: the latest status, the reports newest first (each
    with its text in the visitor's language), the figures summed."""

    status: str
    reports: list = field(default_factory=list)
    totals: list = field(default_factory=list)

    @property
    def status_label(self):
        return ProgressStatus(self.status).label if self.status else ""


def timeline(entry, language=None) -> Timeline:
    reports = public_reports([entry.pk]) if entry.reports else []
    for report in reports:
        report.public_text = report_text(report, language)
    status = reports[0].status if reports else ""
    return Timeline(status, reports, summed_figures(reports))


def challenge_progress(statuses) -> list[tuple[str, str, int]]:
    """[(status, label, number of takers)] for the statuses the (public) challenge
    takers have reached ("" for none yet), "no report yet" last."""
    counts = Counter(status or NO_REPORT for status in statuses)
    return [(status, label, counts[status]) for status, label in status_choices() if counts[status]]


def status_choices():
    return [*ProgressStatus.choices, (NO_REPORT, _("No report yet"))]


@dataclass
class FollowUpRow:
    entry: object
    status: str
    label: str
    last_report_on: object


def follow_up_rows(entries) -> list[FollowUpRow]:
    """The programme's follow-up: each (public) entry's latest published status and the
    date of its newest published report, in one query."""
    last = dict(
        approved_reports()
        .filter(entry__in=[entry.pk for entry in entries])
        .order_by()
        .values_list("entry")
        .annotate(day=Max("reported_on"))
    )
    labels = dict(status_choices())
    rows = []
    for entry in entries:
        status = entry.progress_status or NO_REPORT
        rows.append(FollowUpRow(entry, status, labels[status], last.get(entry.pk)))
    return rows


# --- Across the campaign (the statistics page) ----------------------------------------------


def status_counts(by):
    """{(value of `by`, a field of the read model or an expression on it, status or
    NO_REPORT): number of public entries}, one query."""
    counts = {}
    for value, status, n in (
        PublicEntry.objects.annotate(key=F(by) if isinstance(by, str) else by)
        .order_by()
        .values_list("key", "progress_status")
        .annotate(n=Count("pk"))
    ):
        counts[(value, status or NO_REPORT)] = n
    return counts


def totals(counts) -> dict:
    """{value: number of entries} from status_counts(), all statuses together."""
    summed: Counter = Counter()
    for (value, _status), n in counts.items():
        summed[value] += n
    return dict(summed)


@dataclass
class IndicatorSum:
    name: str
    unit: str
    total: int
    entries: int
    slug: str = ""


def indicator_sums(campaign=None) -> list[IndicatorSum]:
    """Each indicator's figures summed over approved reports of public entries (of one
    campaign, when given), with how many entries reported it. Indicators of different
    campaigns with the same slug are added up under the newest campaign's name."""
    figures = ReportFigure.objects.filter(
        report__publication__status=PublicationStatus.APPROVED,
        report__entry__public__isnull=False,
    )
    if campaign is not None:
        figures = figures.filter(report__entry__campaign=campaign)
    rows = (
        figures.order_by()
        .values("indicator__slug")
        .annotate(total=Sum("value"), entries=Count("report__entry", distinct=True))
    )
    sums = {row["indicator__slug"]: row for row in rows}
    if not sums:
        return []
    named: dict = {}
    for indicator in (
        Indicator.objects.filter(slug__in=sums)
        .select_related("campaign")
        .prefetch_related("translations")
        .order_by("-campaign__opens_at", "position")
    ):
        named.setdefault(indicator.slug, indicator)
    ordered = sorted(named.values(), key=lambda i: (i.position, i.slug))
    return [
        IndicatorSum(
            str(indicator),
            indicator.safe_translation_getter("unit", any_language=True) or "",
            sums[indicator.slug]["total"],
            sums[indicator.slug]["entries"],
            indicator.slug,
        )
        for indicator in ordered
    ]


def reports_count(campaign=None) -> int:
    reports = approved_reports().filter(entry__public__isnull=False)
    if campaign is not None:
        reports = reports.filter(entry__campaign=campaign)
    return reports.count()


# --- Open data ----------------------------------------------------------------------------


def current_indicators():
    """The indicators of the current campaign (for the open data's documentation)."""
    from submissions.models import Campaign

    campaign = Campaign.objects.current()
    return Indicator.objects.filter(campaign=campaign).prefetch_related("translations")
