"""The ranking: each entry's reviews combined into comparable figures.

A review's total is the weighted mean of its scores on the criteria that count toward
the total: Σ(weight × score) / Σ(weight), on the criteria's own scale (e.g. 1–5).
For an entry: the mean and median of its reviews' totals, their number, and the spread
(highest − lowest). Reviewers differ in strictness, so each review total is also shown
normalised as a z-score against that reviewer's own totals in the campaign:
z = (total − reviewer's mean) / reviewer's standard deviation (population), shown only
once the reviewer has reviewed `min_reviews_for_normalisation` entries and their totals
vary at all. The entry's mean z averages the z-scores it has.

Everything is computed from four queries, whatever the number of entries. Reviews
withdrawn after a conflict of interest count nowhere; each row says how many there were.
A score given to an older version of its entry (the entry changed since, see
review/staleness.py) is marked; the ranking can leave such scores out.
"""

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Max, Sum

from submissions.models import Entry, EntryVersion

from .models import Decision, Recommendation, Review, ReviewSettings, Score


@dataclass
class ReviewTotal:
    reviewer_id: int
    reviewer: str
    total: float
    recommendation: str
    z: float | None = None
    stale: bool = False  # given to an older version of the entry (review/staleness.py)
    version: int | None = None  # the number of the version scored


@dataclass
class RankedEntry:
    entry: Entry
    reviews: list[ReviewTotal] = field(default_factory=list)
    withdrawn: int = 0  # reviews withdrawn after a conflict of interest: not counted
    left_out: int = 0  # scores of an older version left out (ranking(current_only=True))

    @property
    def stale(self):
        """How many of the counted scores were given to an older version of the entry."""
        return sum(1 for r in self.reviews if r.stale)

    @property
    def count(self):
        return len(self.reviews)

    @property
    def totals(self):
        return [r.total for r in self.reviews]

    @property
    def mean(self):
        return statistics.fmean(self.totals) if self.reviews else None

    @property
    def median(self):
        return statistics.median(self.totals) if self.reviews else None

    @property
    def spread(self):
        return max(self.totals) - min(self.totals) if self.reviews else None

    @property
    def mean_z(self):
        zs = [r.z for r in self.reviews if r.z is not None]
        return statistics.fmean(zs) if zs else None

    @property
    def recommendations(self):
        """[(label, count)] of the reviewers' recommendations, most common first."""
        counts = Counter(r.recommendation for r in self.reviews)
        return [(Recommendation(value).label, n) for value, n in counts.most_common()]

    @property
    def decision(self):
        try:
            return self.entry.decision
        except Decision.DoesNotExist:
            return None


def review_totals(campaign):
    """{entry id: [ReviewTotal]} for every review in the campaign (two queries: the
    totals, and each entry's latest version to mark scores of an older one)."""
    weighted = ExpressionWrapper(
        F("value") * F("criterion__weight"),
        output_field=DecimalField(max_digits=12, decimal_places=4),
    )
    rows = (
        Score.objects.filter(
            review__entry__campaign=campaign,
            review__withdrawn_at__isnull=True,
            criterion__counts_toward_total=True,
        )
        .values(
            "review_id",
            "review__entry_id",
            "review__reviewer_id",
            "review__reviewer__username",
            "review__recommendation",
            "review__version__number",
        )
        .annotate(weighted=Sum(weighted), weights=Sum("criterion__weight"))
        .order_by("review__entry_id", "review__reviewer__username")
    )
    latest = dict(
        EntryVersion.objects.filter(entry__campaign=campaign)
        .values_list("entry_id")
        .annotate(number=Max("number"))
        .values_list("entry_id", "number")
    )
    totals = defaultdict(list)
    for row in rows:
        version = row["review__version__number"]
        totals[row["review__entry_id"]].append(
            ReviewTotal(
                reviewer_id=row["review__reviewer_id"],
                reviewer=row["review__reviewer__username"],
                total=float(row["weighted"] / row["weights"]),
                recommendation=row["review__recommendation"],
                version=version,
                stale=version is not None and version < latest.get(row["review__entry_id"], 0),
            )
        )
    return totals


def add_z_scores(totals, min_reviews):
    by_reviewer = defaultdict(list)
    for reviews in totals.values():
        for review in reviews:
            by_reviewer[review.reviewer_id].append(review)
    for reviews in by_reviewer.values():
        values = [r.total for r in reviews]
        if len(values) < min_reviews:
            continue
        mean, deviation = statistics.fmean(values), statistics.pstdev(values)
        if deviation == 0:
            continue
        for review in reviews:
            review.z = (review.total - mean) / deviation


SORTS = {
    "mean": lambda row: (row.mean is None, -(row.mean or 0)),
    "median": lambda row: (row.median is None, -(row.median or 0)),
    "z": lambda row: (row.mean_z is None, -(row.mean_z or 0)),
    "count": lambda row: row.count,
    "spread": lambda row: (row.spread is None, -(row.spread or 0)),
    "reference": lambda row: row.entry.number,
}


def ranking(campaign, entries, *, sort="mean", current_only=False, settings=None, totals=None):
    """RankedEntry rows for the given entries, sorted; the settings say what is disputed.
    With `current_only`, scores given to an older version of their entry count nowhere
    (not in the means, nor in the reviewers' z-scores); each row says how many went.
    `settings` and `totals` (review_totals) when the caller has them already."""
    settings = settings or ReviewSettings.for_campaign(campaign)
    totals = review_totals(campaign) if totals is None else totals
    left_out = Counter()
    if current_only:
        for entry_id, reviews in totals.items():
            left_out[entry_id] = sum(1 for r in reviews if r.stale)
            reviews[:] = [r for r in reviews if not r.stale]
    add_z_scores(totals, settings.min_reviews_for_normalisation)
    withdrawn = dict(
        Review.objects.filter(entry__campaign=campaign, withdrawn_at__isnull=False)
        .values_list("entry_id")
        .annotate(n=Count("pk"))
        .values_list("entry_id", "n")
    )
    rows = [
        RankedEntry(entry, totals.get(entry.pk, []), withdrawn.get(entry.pk, 0), left_out[entry.pk])
        for entry in entries
    ]
    rows.sort(key=SORTS.get(sort, SORTS["mean"]))
    disputed = float(settings.disputed_spread)
    for row in rows:
        row.disputed = row.count > 1 and row.spread >= disputed
    return rows


def reviews_for_export(campaign):
    return (
        Review.objects.counting()
        .filter(entry__campaign=campaign)
        .select_related("entry", "reviewer")
        .prefetch_related("scores__criterion__translations")
        .order_by("entry__number", "reviewer__username")
    )
