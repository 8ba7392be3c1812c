"""Do the reviewers agree? For coordinators, beside the ranking.

Per criterion: Krippendorff's alpha (interval level, from the `krippendorff` package)
over the entries with at least two counting reviews, and the number of those entries.
α = 1 − observed disagreement / disagreement expected by chance: 1 is perfect agreement,
0 is no better than chance, below 0 systematic disagreement. Krippendorff suggests
relying on data with α ≥ 0.800 and drawing tentative conclusions only from 0.667 up.
Below two reviews of an entry there is nothing to compare: "not enough reviews yet".

Per reviewer: over the entries they reviewed that others reviewed too, the mean of
(their total − the mean of the other reviewers' totals of that entry), with the number
of entries; flagged when that mean is at least the campaign's `agreement_flag` either
way and rests on at least two entries.

Totals and scores are those the ranking counts (review.ranking.review_totals): reviews
withdrawn after a conflict of interest never count; with `current_only`, scores of an
older version of their entry neither.
"""

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass

import krippendorff

from .models import Criterion, ReviewSettings, Score
from .ranking import review_totals

# The levels Krippendorff gives for relying on the data, and for tentative conclusions.
RELIABLE = 0.800
TENTATIVE = 0.667
# A reviewer's mean difference rests on at least this many entries before it is flagged.
FLAG_AFTER = 2


@dataclass
class CriterionAgreement:
    criterion: Criterion
    alpha: float | None  # None: not enough reviews yet (or no variation at all)
    entries: int  # the entries with at least two reviews it rests on

    @property
    def level(self):
        """ "reliable", "tentative", "low", or None without a number."""
        if self.alpha is None:
            return None
        if self.alpha >= RELIABLE:
            return "reliable"
        return "tentative" if self.alpha >= TENTATIVE else "low"


@dataclass
class ReviewerDifference:
    reviewer_id: int
    reviewer: str
    mean_difference: float | None
    entries: int
    flagged: bool = False


def alpha(reliability_data) -> float | None:
    """Krippendorff's α (interval) of a reviewers × entries table (None: no score),
    or None when it cannot be computed: fewer than two values in one entry anywhere,
    or every value the same."""
    rows = [
        [math.nan if value is None else float(value) for value in row] for row in reliability_data
    ]
    paired = [
        column
        for column in zip(*rows, strict=True)
        if sum(not math.isnan(value) for value in column) >= 2
    ]
    values = {value for column in paired for value in column if not math.isnan(value)}
    if not paired or len(values) < 2:
        return None
    return float(krippendorff.alpha(reliability_data=rows, level_of_measurement="interval"))


def criteria_agreement(campaign, *, totals=None, current_only=False) -> list[CriterionAgreement]:
    """CriterionAgreement per criterion of the campaign (two queries)."""
    criteria = list(Criterion.objects.filter(campaign=campaign).prefetch_related("translations"))
    counted = None
    if current_only:
        totals = totals if totals is not None else review_totals(campaign)
        counted = {
            (entry_id, review.reviewer_id)
            for entry_id, reviews in totals.items()
            for review in reviews
            if not review.stale
        }
    values = Score.objects.filter(
        review__entry__campaign=campaign, review__withdrawn_at__isnull=True
    ).values_list("criterion_id", "review__entry_id", "review__reviewer_id", "value")
    table: defaultdict[int, dict[tuple[int, int], int]] = defaultdict(dict)  # criterion → cells
    for criterion_id, entry_id, reviewer_id, value in values:
        if counted is not None and (entry_id, reviewer_id) not in counted:
            continue
        table[criterion_id][(entry_id, reviewer_id)] = value
    result = []
    for criterion in criteria:
        cells = table.get(criterion.pk, {})
        per_entry: defaultdict[int, int] = defaultdict(int)
        for entry_id, _reviewer in cells:
            per_entry[entry_id] += 1
        entries = sorted(e for e, n in per_entry.items() if n >= 2)
        paired = set(entries)
        reviewers = sorted({r for e, r in cells if e in paired})
        data = [[cells.get((e, r)) for e in entries] for r in reviewers]
        result.append(CriterionAgreement(criterion, alpha(data) if entries else None, len(entries)))
    return result


def reviewer_differences(totals, flag_at) -> list[ReviewerDifference]:
    """ReviewerDifference per reviewer, from the ranking's totals ({entry: [ReviewTotal]}),
    in order of their user names."""
    differences = defaultdict(list)
    names = {}
    for reviews in totals.values():
        for review in reviews:
            names[review.reviewer_id] = review.reviewer
        if len(reviews) < 2:
            continue
        for review in reviews:
            others = [r.total for r in reviews if r is not review]
            differences[review.reviewer_id].append(review.total - statistics.fmean(others))
    result = []
    for reviewer_id, name in sorted(names.items(), key=lambda item: item[1]):
        found = differences.get(reviewer_id, [])
        mean = statistics.fmean(found) if found else None
        result.append(
            ReviewerDifference(
                reviewer_id,
                name,
                mean,
                len(found),
                flagged=mean is not None and len(found) >= FLAG_AFTER and abs(mean) >= flag_at,
            )
        )
    return result


@dataclass
class Agreement:
    criteria: list[CriterionAgreement]
    reviewers: list[ReviewerDifference]
    flag_at: float


def agreement(campaign, *, current_only=False, settings=None, totals=None) -> Agreement:
    """The campaign's agreement figures (a fixed number of queries; three when the
    caller gives the settings and review_totals())."""
    settings = settings or ReviewSettings.for_campaign(campaign)
    totals = review_totals(campaign) if totals is None else totals
    if current_only:
        totals = {
            entry_id: [r for r in reviews if not r.stale] for entry_id, reviews in totals.items()
        }
    flag_at = float(settings.agreement_flag)
    return Agreement(
        criteria_agreement(campaign, totals=totals, current_only=current_only),
        reviewer_differences(totals, flag_at),
        flag_at,
    )
