"""Scores of an older version: a review records the version of the entry its reviewer
saw (Review.version, a submissions.EntryVersion); when the entry has a newer version —
the submitter edited it, a partner joined, staff translated or corrected it — the
review is "changed since your review" until its reviewer saves it again.

A review without a version (saved before reviews recorded one, for an entry without
versions) is taken as current: nothing says otherwise.
"""

from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
)

from submissions import versions
from submissions.models import EntryVersion, VersionSource

from .models import Review


def latest_version(entry_ref="pk"):
    """The id of the entry's latest version, as a subquery (`entry_ref`: the outer
    query's column holding the entry's id)."""
    return Subquery(
        EntryVersion.objects.filter(entry_id=OuterRef(entry_ref))
        .order_by("-number")
        .values("pk")[:1]
    )


def latest_version_made_at(entry_ref="pk"):
    return Subquery(
        EntryVersion.objects.filter(entry_id=OuterRef(entry_ref))
        .order_by("-number")
        .values("made_at")[:1]
    )


def annotate_for_reviewer(entries, reviewer):
    """Entries with `my_version` (the version the reviewer's review scored),
    `current_version`, `changed_at` and `changed_since_my_review`."""
    mine = Review.objects.filter(entry=OuterRef("pk"), reviewer=reviewer, withdrawn_at__isnull=True)
    return entries.annotate(
        my_version=Subquery(mine.values("version_id")[:1]),
        current_version=latest_version(),
        changed_at=latest_version_made_at(),
    ).annotate(
        changed_since_my_review=ExpressionWrapper(
            Q(my_version__isnull=False) & ~Q(my_version=F("current_version")),
            output_field=BooleanField(),
        )
    )


def stale_reviews(reviews):
    """Of a Review queryset: those that scored an older version than the entry's latest."""
    return (
        reviews.annotate(current_version=latest_version("entry_id"))
        .filter(version__isnull=False)
        .exclude(version=F("current_version"))
    )


def progress(reviewer, campaign, entries) -> dict:
    """The reviewer's progress in the campaign: reviews that count ("scored"), those of
    them changed since ("changed"), assigned entries without a review ("to_do")."""
    reviews = Review.objects.counting().filter(
        reviewer=reviewer, entry__campaign=campaign, entry__in=entries
    )
    counts = reviews.annotate(current_version=latest_version("entry_id")).aggregate(
        scored=Count("pk"),
        changed=Count("pk", filter=Q(version__isnull=False) & ~Q(version=F("current_version"))),
    )
    return counts


def current(entry) -> EntryVersion:
    """The entry's latest version; one made now when it has none (an entry that reached
    staff before versions were kept)."""
    return versions.latest(entry.pk) or versions.record(entry, VersionSource.SUBMITTER)


@dataclass
class Change:
    """What changed in an entry since a review: the version scored, the one now, the
    diff between them and who made the versions in between ("the submitter", "a staff
    translation" …)."""

    scored: EntryVersion
    now: EntryVersion
    diffs: list
    made_by: tuple = ()


def change_since(scored: EntryVersion | None, now: EntryVersion | None, *, names=True):
    """The Change from `scored` to `now`, or None when there is none to show."""
    from .diffs import version_diff

    if scored is None or now is None or scored.pk == now.pk:
        return None
    between = EntryVersion.objects.filter(
        entry_id=now.entry_id, number__gt=scored.number, number__lte=now.number
    ).values_list("source", flat=True)
    labels = tuple(sorted({str(VersionSource(source).label) for source in between}))
    return Change(scored, now, version_diff(scored.content, now.content, names=names), labels)


class ChangedMeanwhile(Exception):
    """The entry changed after the reviewer opened the scoring page: the score is not
    saved until they have seen what changed (`seen`: the version they saw)."""

    def __init__(self, seen: int, now: EntryVersion) -> None:
        super().__init__(f"version {seen} seen, {now.pk} now")
        self.seen = seen
        self.now = now
