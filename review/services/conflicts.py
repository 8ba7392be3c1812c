"""Conflicts of interest and the reviews they withdraw."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from submissions.models import Campaign, Entry, Organisation

from ..audit import audit
from ..models import (
    Assignment,
    AuditAction,
    Conflict,
    Review,
)


def conflicted_entry_ids(reviewer: User, campaign: Campaign) -> set[int]:
    """Entries of the campaign the reviewer may not review: declared directly, or through
    an organisation (matched by business ID or name) that leads or partners in them."""
    from .common import reviewable_entries

    conflicts = list(Conflict.objects.filter(reviewer=reviewer).select_related("organisation"))
    ids = {c.entry_id for c in conflicts if c.entry_id}
    organisations = [c.organisation for c in conflicts if c.organisation is not None]
    if organisations:
        business_ids = {o.business_id for o in organisations if o.business_id}
        names = {o.name.lower() for o in organisations}
        org_ids = {o.pk for o in organisations}
        entries = reviewable_entries(campaign).annotate(
            lead_name=Lower("lead_organisation__name"),
            partner_name=Lower("partnerships__organisation__name"),
        )
        match = (
            Q(lead_organisation__in=org_ids)
            | Q(partnerships__organisation__in=org_ids)
            | Q(lead_name__in=names)
            | Q(partner_name__in=names)
        )
        if business_ids:
            match |= Q(lead_organisation__business_id__in=business_ids)
        ids |= set(entries.filter(match).values_list("pk", flat=True))
    return ids


def is_conflicted(reviewer: User, entry: Entry) -> bool:
    return entry.pk in conflicted_entry_ids(reviewer, entry.campaign)


def declare_conflict(
    reviewer: User,
    reason: str,
    *,
    entry: Entry | None = None,
    organisation: Organisation | None = None,
    by: User | None = None,
) -> Conflict:
    """Record a reviewer's conflict of interest with an entry or an organisation: the
    reviewer declares it, or a coordinator records it for them (`by`). Their assignments
    of the entries concerned go, their reviews of them stop counting; a reviewer whose
    reviews someone else withdrew is told (review.tasks, at most once a day)."""
    from .assignments import _campaigns_of_organisation
    from .common import ReviewError, can_coordinate

    by = by or reviewer
    if by != reviewer and not can_coordinate(by):
        raise ReviewError(_("Only a coordinator can record a reviewer's conflict of interest."))
    if not reason.strip():
        raise ReviewError(_("Give a reason for the conflict of interest."))
    campaign = entry.campaign if entry else None
    with transaction.atomic():
        conflict, _created = Conflict.objects.get_or_create(
            reviewer=reviewer,
            entry=entry,
            organisation=organisation,
            defaults={"reason": reason},
        )
        campaigns = (
            [campaign]
            if campaign
            else _campaigns_of_organisation(organisation)
            if organisation is not None
            else []
        )
        for each in campaigns:
            blocked = conflicted_entry_ids(reviewer, each)
            removed = Assignment.objects.filter(reviewer=reviewer, entry__in=blocked)
            removed_refs = list(removed.values_list("entry__reference", flat=True))
            removed.delete()
            audit(
                by,
                AuditAction.CONFLICT_DECLARED,
                each,
                entry,
                **({"reviewer": reviewer.username} if by != reviewer else {}),
                organisation=organisation.name if organisation else None,
                reason=reason,
                assignments_removed=removed_refs,
            )
            _withdraw_reviews(reviewer, blocked, reason, by=by)
        if not campaigns:  # an organisation with no entries yet: recorded all the same
            audit(
                reviewer,
                AuditAction.CONFLICT_DECLARED,
                None,
                entry,
                organisation=organisation.name if organisation else None,
                reason=reason,
                assignments_removed=[],
            )
    return conflict


def _withdraw_reviews(
    reviewer: User, entry_ids: Iterable[int], reason: str, *, by: User | None, **details: Any
) -> int:
    """Reviews the reviewer made before the conflict stop counting; the audit trail
    keeps what they said. `by`: who recorded the conflict (None: a change made by the
    submitter). A reviewer whose review someone else withdrew is told."""
    from .assignments import _tell_reviewer_soon

    now = timezone.now()
    withdrawn = 0
    for review in (
        Review.objects.counting()
        .filter(reviewer=reviewer, entry__in=entry_ids)
        .select_related("entry__campaign")
        .prefetch_related("scores")
    ):
        review.withdrawn_at = now
        review.withdrawn_reason = reason[:500]
        review.withdrawn_by = by
        review.save(update_fields=["withdrawn_at", "withdrawn_reason", "withdrawn_by"])
        audit(
            by,
            AuditAction.SCORE_WITHDRAWN,
            review.entry.campaign,
            review.entry,
            reviewer=reviewer.username,
            reason=reason,
            scores={str(s.criterion_id): s.value for s in review.scores.all()},
            recommendation=review.recommendation,
            **details,
        )
        withdrawn += 1
    if withdrawn and by != reviewer:
        _tell_reviewer_soon(reviewer)
    return withdrawn


def _organisations_of(entry: Entry) -> list[Organisation]:
    """The lead and partner organisations of an entry, as conflicts match them."""
    organisations = [entry.lead_organisation]
    organisations += [p.organisation for p in entry.partnerships.select_related("organisation")]
    return organisations


def _matching_conflict(
    conflicts: list[Conflict], entry: Entry, organisations: list[Organisation]
) -> Conflict | None:
    for conflict in conflicts:
        if conflict.entry_id == entry.pk:
            return conflict
        theirs = conflict.organisation
        if theirs is None:
            continue
        for organisation in organisations:
            if (
                organisation.pk == theirs.pk
                or organisation.name.lower() == theirs.name.lower()
                or (
                    theirs.business_id
                    and organisation.pk == entry.lead_organisation_id
                    and organisation.business_id == theirs.business_id
                )
            ):
                return conflict
    return None


def withdraw_conflicted_reviews(entry: Entry) -> int:
    """After the submitter changed who takes part in an entry (a partner organisation
    added or corrected, the lead organisation renamed): a reviewer who declared a
    conflict of interest with an organisation now in it is conflicted with the entry.
    Their assignment goes and their review stops counting — a change they did not make,
    so they are told. Returns how many reviews were withdrawn."""
    entry = Entry.objects.select_related("campaign", "lead_organisation").get(pk=entry.pk)
    reviewer_ids = set(
        Review.objects.counting().filter(entry=entry).values_list("reviewer", flat=True)
    ) | set(Assignment.objects.filter(entry=entry).values_list("reviewer", flat=True))
    if not reviewer_ids:
        return 0
    organisations = _organisations_of(entry)
    conflicts = defaultdict(list)
    for conflict in Conflict.objects.filter(reviewer__in=reviewer_ids).select_related(
        "organisation", "reviewer"
    ):
        conflicts[conflict.reviewer].append(conflict)
    withdrawn = 0
    with transaction.atomic():
        for reviewer, theirs in conflicts.items():
            matching = _matching_conflict(theirs, entry, organisations)
            if matching is None:
                continue
            organisation = matching.organisation.name if matching.organisation else None
            if Assignment.objects.filter(entry=entry, reviewer=reviewer).delete()[0]:
                audit(
                    None,
                    AuditAction.UNASSIGNED,
                    entry.campaign,
                    entry,
                    reviewer=reviewer.username,
                    reason=matching.reason,
                    organisation=organisation,
                )
            withdrawn += _withdraw_reviews(
                reviewer, [entry.pk], matching.reason, by=None, organisation=organisation
            )
    return withdrawn
