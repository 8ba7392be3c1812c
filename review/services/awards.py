"""Nominations, ballots and awards."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from kotolupaus import public_side
from submissions.models import Entry

from .. import voting
from ..audit import audit
from ..models import (
    AuditAction,
    Award,
    AwardCategory,
    Ballot,
    Nomination,
)
from .common import ReviewError


def nominate(category: AwardCategory, entry: Entry, by: User) -> Nomination:
    if entry.campaign_id != category.campaign_id:
        raise ReviewError(_("The entry belongs to another campaign."))
    with transaction.atomic():
        nomination, created = Nomination.objects.get_or_create(
            category=category, entry=entry, defaults={"nominated_by": by}
        )
        if created:
            audit(by, AuditAction.NOMINATED, category.campaign, entry, category=str(category))
    return nomination


def cast_ballot(category: AwardCategory, voter: User, ranks: dict[int, int]) -> Ballot:
    """A coordinator ranks the shortlist: entry id → rank (1 = best; ties allowed)."""
    shortlist = set(category.nominations.values_list("entry_id", flat=True))
    if set(ranks) != shortlist:
        raise ReviewError(_("Rank every shortlisted entry."))
    if any(not 1 <= rank <= len(shortlist) for rank in ranks.values()):
        raise ReviewError(_("Ranks go from 1 to the number of shortlisted entries."))
    with transaction.atomic():
        ballot, _created = Ballot.objects.update_or_create(
            category=category,
            voter=voter,
            defaults={"ranks": {str(k): v for k, v in ranks.items()}},
        )
        audit(voter, AuditAction.VOTED, category.campaign, None, category=str(category))
    return ballot


def award(
    category: AwardCategory, entry: Entry, citations: dict[str, str], by: User, **details: Any
) -> Award:
    """Award the category's prize to an entry, with a citation in at least one language;
    `details` go to the audit trail with it."""
    if not any(text.strip() for text in citations.values()):
        raise ReviewError(_("Write a citation for the prize."))
    with transaction.atomic():
        if Award.objects.filter(category=category, entry=entry).exists():
            raise ReviewError(
                _("%(reference)s has already been awarded this prize.")
                % {"reference": entry.reference}
            )
        prize = Award(category=category, entry=entry, awarded_by=by)
        for language, text in citations.items():
            if text.strip():
                prize.set_current_language(language)
                prize.citation = text
        prize.save()
        audit(by, AuditAction.AWARDED, category.campaign, entry, category=str(category), **details)
        public_side.model_changed(prize, by=by)
    return prize


def vote_result(category: AwardCategory) -> tuple[list[dict[int, Any]], list[Any], dict[Any, Any]]:
    """The Schulze count of the category's ballots: (ballots, order, pairwise), the order
    as voting.schulze gives it ([(entry id, wins)], best first)."""
    entry_ids = list(category.nominations.order_by("entry__number").values_list("entry", flat=True))
    ballots = [{int(k): v for k, v in b.ranks.items()} for b in category.ballots.all()]
    if not entry_ids:
        return ballots, [], {}
    order, pairwise = voting.schulze(entry_ids, ballots)
    return ballots, order, pairwise


def award_vote_winners(
    category: AwardCategory, entries: list[Entry], citations: dict[str, str], by: User
) -> list[Award]:
    """ "Award the prize" from the vote's result: to the entry ranked first, or to those
    of the entries tied for the first place that the coordinator picks. Counted again
    here, under a lock on the category, so a ballot cast meanwhile is not overlooked."""
    if not entries:
        raise ReviewError(_("Choose the entry that gets the prize."))
    with transaction.atomic():
        category = AwardCategory.objects.select_for_update().get(pk=category.pk)
        ballots, order, _pairwise = vote_result(category)
        if not ballots:
            raise ReviewError(_("Nobody has voted yet: the prize is awarded from the result."))
        first = voting.winners(order)
        refused = [entry.reference for entry in entries if entry.pk not in first]
        if refused:
            raise ReviewError(
                _(
                    "Only entries in the first place of the vote can get the prize from it. Not "
                    "in the first place: %(entries)s."
                )
                % {"entries": ", ".join(refused)}
            )
        references = dict(Entry.objects.filter(pk__in=first).values_list("pk", "reference"))
        return [
            award(
                category,
                entry,
                citations,
                by,
                from_vote=True,
                ballots=len(ballots),
                tied_with=sorted(references[pk] for pk in first if pk != entry.pk),
            )
            for entry in entries
        ]
