"""The staff's view of follow-up: which published entries reported what, which are
overdue, and what the campaign's indicators add up to.

"Overdue" is decided in the database, so that the follow-up page can filter and count
it over any number of entries: an entry is overdue when one of its reminder dates
(publishing.reminders.due_dates: months after its publication, a month before the
programme ends) has passed and no progress report was sent since a month before it
(reminders.RECENT_REPORT_DAYS) — the same rule by which reminders are skipped.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import (
    BooleanField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from submissions.models import Indicator, ProgressReport, ReminderSent, ReportFigure

from .models import PublicationStatus
from .progress import NO_REPORT, status_choices
from .queries import published
from .reminders import RECENT_REPORT_DAYS, add_months


class _DueDate(Func):
    """PostgreSQL: the local date `months` after a date, less `days` days (month ends
    clamp as in reminders.add_months: 31 January + 1 month is 28 or 29 February)."""

    output_field = DateField()

    def __init__(self, expression, *, months, days=0):
        self.months, self.days = int(months), int(days)
        super().__init__(expression)

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return (
            f"(({sql}) + make_interval(months => {self.months}, days => {-self.days}))::date",
            params,
        )


def _kept(reports):
    """Reports that count: all but those staff decided not to publish."""
    return reports.exclude(publication__status=PublicationStatus.REJECTED)


def overdue_condition(campaign, today):
    """A Q on entries annotated by `annotate()`: a reminder date has passed without a
    report since a month before it."""
    terms = Q(pk__in=[])
    for months in campaign.reminder_month_list:
        # Published on or before `today - months`: the due date has passed.
        passed = Q(published_on__lte=add_months(today, -months))
        uncovered = Q(last_report_on__isnull=True) | Q(
            last_report_on__lt=_DueDate(F("published_on"), months=months, days=RECENT_REPORT_DAYS)
        )
        terms |= passed & uncovered
    if campaign.programme_ends_on:
        due = add_months(campaign.programme_ends_on, -1)
        if due <= today:
            terms |= Q(published_on__lt=due) & (
                Q(last_report_on__isnull=True)
                | Q(last_report_on__lt=due - timedelta(days=RECENT_REPORT_DAYS))
            )
    return terms


def entries(campaign, today=None):
    """The campaign's published entries, each with its latest reported status, the dates
    of its last report and last reminder, its number of reports and `overdue`."""
    today = today or timezone.localdate()
    newest = _kept(ProgressReport.objects.filter(entry=OuterRef("pk"))).order_by(
        "-reported_on", "-created_at"
    )
    annotated = (
        published()
        .filter(campaign=campaign)
        .select_related("lead_organisation", "publication")
        .prefetch_related("translations")
        .annotate(
            published_on=TruncDate("publication__first_published_at"),
            latest_status=Subquery(newest.values("status")[:1]),
            last_report_at=Subquery(
                ProgressReport.objects.filter(entry=OuterRef("pk"))
                .order_by("-created_at")
                .values("created_at")[:1]
            ),
            last_report_on=TruncDate("last_report_at"),
            report_count=Subquery(
                _kept(ProgressReport.objects.filter(entry=OuterRef("pk")))
                .order_by()
                .values("entry")
                .annotate(n=Count("pk"))
                .values("n")
            ),
            last_reminder_at=Subquery(
                ReminderSent.objects.filter(entry=OuterRef("pk"), mailed=True)
                .order_by("-sent_at")
                .values("sent_at")[:1]
            ),
            awaiting_moderation=Exists(
                ProgressReport.objects.filter(
                    entry=OuterRef("pk"),
                    publication__status__in=[PublicationStatus.PENDING, PublicationStatus.FIXED],
                )
            ),
        )
    )
    return annotated.annotate(
        overdue=ExpressionWrapper(overdue_condition(campaign, today), output_field=BooleanField())
    )


def filter_entries(rows, *, status="", kind="", overdue=False):
    if status == NO_REPORT:
        rows = rows.filter(latest_status__isnull=True)
    elif status:
        rows = rows.filter(latest_status=status)
    if kind:
        rows = rows.filter(kind=kind)
    if overdue:
        rows = rows.filter(overdue=True)
    return rows


@dataclass
class StatusRow:
    status: str
    label: str
    counts: list  # [n] in the order of the kinds given
    total: int


def by_status(rows, kinds):
    """[StatusRow] for every status and "no report yet", counted by kind, in one query."""
    counts = {}
    for status, kind, n in (
        rows.order_by().values_list("latest_status", "kind").annotate(n=Count("pk"))
    ):
        counts.setdefault(status or NO_REPORT, {})[kind] = n
    return [
        StatusRow(
            status,
            label,
            [counts.get(status, {}).get(kind, 0) for kind, _label in kinds],
            sum(counts.get(status, {}).values()),
        )
        for status, label in status_choices()
    ]


@dataclass
class IndicatorTotal:
    indicator: Indicator
    approved: int
    pending: int
    entries: int


def indicator_totals(campaign):
    """Each indicator of the campaign with the sum of its figures over approved reports
    of public entries (what the public sees), over reports still awaiting moderation,
    and how many entries reported it."""
    figures = ReportFigure.objects.filter(report__entry__in=published().filter(campaign=campaign))
    approved = Q(report__publication__status=PublicationStatus.APPROVED)
    pending = Q(
        report__publication__status__in=[PublicationStatus.PENDING, PublicationStatus.FIXED]
    )
    sums = {
        row["indicator"]: row
        for row in figures.order_by()
        .values("indicator")
        .annotate(
            approved=Sum("value", filter=approved, default=0),
            pending=Sum("value", filter=pending, default=0),
            entries=Count("report__entry", filter=approved | pending, distinct=True),
        )
    }
    return [
        IndicatorTotal(
            indicator,
            sums.get(indicator.pk, {}).get("approved", 0),
            sums.get(indicator.pk, {}).get("pending", 0),
            sums.get(indicator.pk, {}).get("entries", 0),
        )
        for indicator in Indicator.objects.filter(campaign=campaign).prefetch_related(
            "translations"
        )
    ]


def figures_by_entry(entry_ids):
    """{entry id: {indicator id: sum over the entry's approved reports}}."""
    result = {}
    for entry_id, indicator_id, total in (
        ReportFigure.objects.filter(
            report__entry_id__in=entry_ids,
            report__publication__status=PublicationStatus.APPROVED,
        )
        .order_by()
        .values_list("report__entry_id", "indicator_id")
        .annotate(total=Sum("value"))
    ):
        result.setdefault(entry_id, {})[indicator_id] = total
    return result


def awaiting_moderation(campaign):
    return ProgressReport.objects.filter(
        entry__campaign=campaign,
        publication__status__in=[PublicationStatus.PENDING, PublicationStatus.FIXED],
    ).count()
