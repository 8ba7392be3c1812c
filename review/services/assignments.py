"""Assigning entries to reviewers and telling them."""

from __future__ import annotations

import csv
import io
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from kotolupaus import mail
from kotolupaus.models import MessageKind
from kotolupaus.spreadsheets import as_typed
from submissions.models import Campaign, Entry, Organisation

from .. import notifications
from ..audit import audit
from ..models import (
    Assignment,
    AuditAction,
    Review,
    ReviewSettings,
)
from .common import ReviewError, can_score, reviewable_entries
from .conflicts import conflicted_entry_ids, is_conflicted

log = logging.getLogger(__name__)


# A reviewer gets at most one such e-mail in this time, listing every review withdrawn
# since the last one.
TOLD_AT_MOST_EVERY = timedelta(days=1)


def _untold(reviewer: User) -> QuerySet[Review]:
    """Reviews of the reviewer withdrawn by someone else that they were not told of."""
    return Review.objects.filter(
        reviewer=reviewer, withdrawn_at__isnull=False, withdrawal_told_at__isnull=True
    ).exclude(withdrawn_by=reviewer)


def _last_told(reviewer: User) -> datetime | None:
    last: datetime | None = Review.objects.filter(reviewer=reviewer).aggregate(
        last=Max("withdrawal_told_at")
    )["last"]
    return last


def _tell_reviewer_soon(reviewer: User) -> None:
    """Queue the job that e-mails the reviewer (in this transaction): now, or a day
    after the last such e-mail. A job already waiting for them tells this one too."""
    from procrastinate.contrib.django.models import ProcrastinateJob
    from procrastinate.exceptions import AlreadyEnqueued

    from .. import tasks

    lock = f"reviews_withdrawn:{reviewer.pk}"
    if ProcrastinateJob.objects.filter(queueing_lock=lock, status="todo").exists():
        return
    last = _last_told(reviewer)
    due = None if last is None else last + TOLD_AT_MOST_EVERY
    schedule_at = due if due and due > timezone.now() else None
    try:
        # A savepoint: the queueing lock's unique violation must not break the change.
        with transaction.atomic():
            tasks.tell_reviewer_of_withdrawn_reviews.configure(
                queueing_lock=lock, schedule_at=schedule_at
            ).defer(reviewer_id=reviewer.pk)
    except AlreadyEnqueued:  # another process queued it a moment ago
        pass


def tell_reviewer(reviewer_id: int) -> int:
    """The job's work: one e-mail to the reviewer, in their language (that of the page
    they last saved a review on), listing each review someone else withdrew since the
    last one, why and by whom. Not within a day of the last one: then later. Returns
    the number of reviews told of."""
    from django.contrib.auth import get_user_model

    with transaction.atomic():
        reviewer = get_user_model().objects.select_for_update().filter(pk=reviewer_id).first()
        if reviewer is None:
            return 0
        now = timezone.now()
        last = _last_told(reviewer)
        if last is not None and now < last + TOLD_AT_MOST_EVERY:
            _tell_reviewer_soon(reviewer)
            return 0
        reviews = list(
            _untold(reviewer)
            .select_for_update(of=("self",))
            .select_related("entry", "entry__campaign", "withdrawn_by")
            .prefetch_related("entry__translations", "entry__campaign__translations")
            .order_by("withdrawn_at", "entry__number")
        )
        if not reviews:
            return 0
        language = (
            Review.objects.filter(reviewer=reviewer)
            .order_by("-updated_at")
            .values_list("language", flat=True)
            .first()
        ) or settings.LANGUAGE_CODE
        with override(language):
            queue_url = settings.SITE_URL + reverse("review:queue")
        mail.queue(
            MessageKind.REVIEWS_WITHDRAWN,
            to=reviewer.email,
            language=language,
            context={
                "reviewer": reviewer,
                "reviews": reviews,
                "campaign": reviews[-1].entry.campaign,
                "queue_url": queue_url,
            },
        )
        Review.objects.filter(pk__in=[r.pk for r in reviews]).update(withdrawal_told_at=now)
    log.info("reviewer %s told of %s withdrawn reviews", reviewer_id, len(reviews))
    return len(reviews)


def _campaigns_of_organisation(organisation: Organisation) -> list[Campaign]:
    from submissions.models import Campaign

    return list(
        Campaign.objects.filter(
            Q(entries__lead_organisation=organisation)
            | Q(entries__partnerships__organisation=organisation)
        ).distinct()
    )


def assign(entry: Entry, reviewer: User, by: User, *, tell: bool = True) -> Assignment:
    """Assign an entry to a reviewer: never to a conflicted reviewer, and never beyond the
    campaign's maximum per reviewer (the same rules as automatic assignment). The
    reviewer is e-mailed (review/notifications.py) unless `tell` is False: the caller
    tells them of its whole batch."""
    if not can_score(reviewer):
        raise ReviewError(_("%(user)s is not a reviewer.") % {"user": reviewer})
    if is_conflicted(reviewer, entry):
        raise ReviewError(
            _("%(user)s has declared a conflict of interest with %(entry)s.")
            % {"user": reviewer, "entry": entry.reference}
        )
    with transaction.atomic():
        review_settings = ReviewSettings.objects.select_for_update().get(
            pk=ReviewSettings.for_campaign(entry.campaign).pk
        )
        if Assignment.objects.filter(entry=entry, reviewer=reviewer).exists():
            return Assignment.objects.get(entry=entry, reviewer=reviewer)
        load = Assignment.objects.filter(entry__campaign=entry.campaign, reviewer=reviewer).count()
        if load >= review_settings.max_per_reviewer:
            raise ReviewError(
                _(
                    "%(user)s already has %(count)s entries, the most one reviewer may have "
                    "in this campaign (see the review settings)."
                )
                % {"user": reviewer, "count": load}
            )
        assignment = Assignment.objects.create(entry=entry, reviewer=reviewer, assigned_by=by)
        audit(by, AuditAction.ASSIGNED, entry.campaign, entry, reviewer=reviewer.username)
        if tell:
            notifications.assigned([assignment])
    return assignment


def import_assignments(
    campaign: Campaign, text: str, by: User, reviewers: Iterable[User]
) -> tuple[int, list[str]]:
    """Assignments from CSV lines "reference,reviewer" (a header line is allowed); each
    line is assigned like any other assignment or reported as a problem."""
    users = {u.username: u for u in reviewers}
    entries = {e.reference: e for e in Entry.objects.filter(campaign=campaign)}
    created, problems = 0, []
    made: list[Assignment] = []
    for line, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if line == 1 and row[:2] == ["reference", "reviewer"]:
            continue
        if len(row) < 2:
            problems.append(
                _("Line %(line)s: expected a reference and a user name.") % {"line": line}
            )
            continue
        # A user name like "-anna" comes back from the export with the apostrophe that
        # keeps it from being a formula.
        reference, username = row[0].strip(), as_typed(row[1].strip())
        entry, user = entries.get(reference), users.get(username)
        if entry is None:
            problems.append(
                _("Line %(line)s: no entry %(reference)s.") % {"line": line, "reference": reference}
            )
        elif user is None:
            problems.append(
                _("Line %(line)s: no reviewer %(user)s.") % {"line": line, "user": username}
            )
        else:
            try:
                existed = Assignment.objects.filter(entry=entry, reviewer=user).exists()
                assignment = assign(entry, user, by, tell=False)
                created += 0 if existed else 1
                if not existed:
                    made.append(assignment)
            except ReviewError as error:
                problems.append(_("Line %(line)s: %(error)s") % {"line": line, "error": error})
    with transaction.atomic():
        notifications.assigned(made)  # one e-mail per reviewer for the whole file
    return created, problems


def unassign(entry: Entry, reviewer: User, by: User) -> None:
    with transaction.atomic():
        deleted, _ = Assignment.objects.filter(entry=entry, reviewer=reviewer).delete()
        if deleted:
            audit(by, AuditAction.UNASSIGNED, entry.campaign, entry, reviewer=reviewer.username)


@dataclass
class AutoAssignment:
    created: int = 0
    short: dict[str, int] = field(default_factory=dict)  # reference -> reviews still missing


def _assigned_reviewers(campaign: Campaign) -> defaultdict[int, set[int]]:
    """{entry id: ids of the reviewers it is assigned to}"""
    existing = defaultdict(set)
    for entry_id, reviewer_id in Assignment.objects.filter(entry__campaign=campaign).values_list(
        "entry_id", "reviewer_id"
    ):
        existing[entry_id].add(reviewer_id)
    return existing


def _least_loaded(reviewers: Iterable[User], load: dict[int, int], wanted: int) -> list[User]:
    return sorted(reviewers, key=lambda r: (load[r.pk], r.username))[: max(wanted, 0)]


def auto_assign(
    campaign: Campaign,
    by: User,
    reviewers: Iterable[User],
    *,
    per_entry: int | None = None,
    max_per_reviewer: int | None = None,
) -> AutoAssignment:
    """Give every entry `per_entry` reviewers, nobody more than `max_per_reviewer` entries,
    keeping loads balanced and never assigning a reviewer an entry they are conflicted with.

    Greedy and deterministic: entries with the fewest reviewers first, each to the
    eligible reviewers with the smallest load (ties by username).
    """
    review_settings = ReviewSettings.for_campaign(campaign)
    per_entry = per_entry or review_settings.reviews_per_entry
    max_per_reviewer = max_per_reviewer or review_settings.max_per_reviewer
    reviewers = sorted((r for r in reviewers if can_score(r)), key=lambda r: r.username)
    result = AutoAssignment()
    with transaction.atomic():
        ReviewSettings.objects.select_for_update().get(pk=review_settings.pk)
        entries = list(
            reviewable_entries(campaign)
            .annotate(assigned=Count("assignments"))
            .order_by("assigned", "number")
        )
        existing = _assigned_reviewers(campaign)
        load = {
            r.pk: Assignment.objects.filter(entry__campaign=campaign, reviewer=r).count()
            for r in reviewers
        }
        blocked = {r.pk: conflicted_entry_ids(r, campaign) for r in reviewers}
        new = []
        for entry in entries:
            eligible = [
                r
                for r in reviewers
                if r.pk not in existing[entry.pk]
                and entry.pk not in blocked[r.pk]
                and load[r.pk] < max_per_reviewer
            ]
            for reviewer in _least_loaded(eligible, load, per_entry - len(existing[entry.pk])):
                new.append(Assignment(entry=entry, reviewer=reviewer, assigned_by=by))
                existing[entry.pk].add(reviewer.pk)
                load[reviewer.pk] += 1
            if len(existing[entry.pk]) < per_entry:
                result.short[entry.reference] = per_entry - len(existing[entry.pk])
        Assignment.objects.bulk_create(new)
        notifications.assigned(new)
        result.created = len(new)
        audit(
            by,
            AuditAction.ASSIGNED,
            campaign,
            None,
            automatic=True,
            created=len(new),
            per_entry=per_entry,
            max_per_reviewer=max_per_reviewer,
            reviewers=[r.username for r in reviewers],
            pairs=[[a.entry.reference, a.reviewer.username] for a in new],
            about=[a.entry for a in new],
        )
    return result
