"""Reviews, locking, decisions and their publication."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kotolupaus import mail, public_side
from kotolupaus.models import MessageKind
from submissions.models import Campaign, Entry, EntryStatus

from .. import staleness
from ..audit import audit
from ..models import (
    AuditAction,
    Criterion,
    Decision,
    Outcome,
    Review,
    ReviewSettings,
    Score,
)
from .common import ReviewError, _page_language, can_score
from .conflicts import is_conflicted


def _check_review(reviewer: User, entry: Entry, scores: dict[str, Any]) -> None:
    review_settings = ReviewSettings.for_campaign(entry.campaign)
    if review_settings.is_locked:
        raise ReviewError(
            _("The review of this campaign is locked; reviews can no longer be changed.")
        )
    if not can_score(reviewer):
        raise ReviewError(_("You are not a reviewer."))
    if is_conflicted(reviewer, entry):
        raise ReviewError(_("You have declared a conflict of interest with this entry."))
    criteria = {c.pk: c for c in Criterion.objects.filter(campaign=entry.campaign)}
    if set(scores) != set(criteria):
        raise ReviewError(_("Give a score for every criterion."))
    for criterion_id, value in scores.items():
        criterion = criteria[criterion_id]
        if value is None or not criterion.scale_min <= value <= criterion.scale_max:
            raise ReviewError(
                _("The score for “%(criterion)s” must be from %(min)s to %(max)s.")
                % {"criterion": criterion, "min": criterion.scale_min, "max": criterion.scale_max}
            )


def save_review(
    reviewer: User,
    entry: Entry,
    *,
    scores: dict[str, Any],
    comment: str,
    recommendation: str,
    seen_version: int | None = None,
) -> Review:
    """Create or change the reviewer's review of an entry (scores: criterion id → value).
    The review records the entry's version it scores; `seen_version`, the id of the
    version the reviewer's page showed, refuses the save (staleness.ChangedMeanwhile)
    when the entry changed since."""
    _check_review(reviewer, entry, scores)
    with transaction.atomic():
        version = staleness.current(Entry.objects.select_for_update().get(pk=entry.pk))
        if seen_version is not None and seen_version != version.pk:
            raise staleness.ChangedMeanwhile(seen_version, version)
        review, created = Review.objects.select_for_update().get_or_create(
            entry=entry,
            reviewer=reviewer,
            defaults={"comment": comment, "recommendation": recommendation},
        )
        before = (
            {}
            if created
            else {
                "scores": {str(s.criterion_id): s.value for s in review.scores.all()},
                "comment": review.comment,
                "recommendation": review.recommendation,
            }
        )
        review.comment = comment
        review.recommendation = recommendation
        review.language = _page_language()
        rescored_version = review.version_id != version.pk
        review.version = version
        review.save()
        for criterion_id, value in scores.items():
            Score.objects.update_or_create(
                review=review, criterion_id=criterion_id, defaults={"value": value}
            )
        after: dict[str, Any] = {
            "scores": {str(k): v for k, v in scores.items()},
            "comment": comment,
            "recommendation": recommendation,
        }
        if created:
            audit(
                reviewer, AuditAction.SCORED, entry.campaign, entry, version=version.number, **after
            )
        elif before != after or rescored_version:
            audit(
                reviewer,
                AuditAction.SCORE_CHANGED,
                entry.campaign,
                entry,
                before=before,
                after=after,
                version=version.number,
            )
    return review


def set_locked(campaign: Campaign, locked: bool, by: User) -> ReviewSettings:
    with transaction.atomic():
        review_settings = ReviewSettings.objects.select_for_update().get(
            pk=ReviewSettings.for_campaign(campaign).pk
        )
        if review_settings.is_locked != locked:
            review_settings.locked_at = timezone.now() if locked else None
            review_settings.save(update_fields=["locked_at"])
            audit(
                by, AuditAction.REVIEW_LOCKED if locked else AuditAction.REVIEW_UNLOCKED, campaign
            )
    return review_settings


def record_decision(
    entry: Entry, outcome: str, rationale: str, by: User, *, language: str | None = None
) -> Decision:
    """Decide an entry's programme inclusion; provisional until the decisions are published.

    `language` is the language the rationale is written in (the page's by default)."""
    language = language or get_language()
    if outcome not in Outcome.values:
        raise ReviewError(_("Choose a decision."))
    if not rationale.strip():
        raise ReviewError(_("Give a rationale for the decision."))
    with transaction.atomic():
        # The entry as it is now (the caller's copy may be older), held until we are done.
        entry = Entry.objects.select_for_update().select_related("campaign").get(pk=entry.pk)
        if entry.status != EntryStatus.SUBMITTED:
            raise ReviewError(_("Only a sent entry that has not been withdrawn can be decided."))
        decision = Decision.objects.select_for_update().filter(entry=entry).first()
        previous = (
            None
            if decision is None
            else (decision.outcome, decision.rationale, decision.rationale_language)
        )
        if decision is None:
            decision = Decision(entry=entry)
        if previous == (outcome, rationale, language):
            return decision
        decision.outcome = outcome
        decision.rationale = rationale
        decision.rationale_language = language
        decision.decided_by = by
        decision.published_at = None  # a changed decision is provisional again
        decision.save()
        audit(
            by,
            AuditAction.DECIDED,
            entry.campaign,
            entry,
            outcome=outcome,
            rationale=rationale,
            language=language,
            previous=list(previous) if previous else None,
        )
        # A decision taken back from the programme is provisional again: not public.
        public_side.model_changed(decision, by=by)
    return decision


def provisional_decisions(campaign: Campaign) -> QuerySet[Decision]:
    return Decision.objects.filter(entry__campaign=campaign, published_at__isnull=True)


def decisions_to_publish(campaign: Campaign) -> dict[str, Any]:
    """What "Publish decisions" would do: decisions and e-mails per language."""
    counts = dict(
        provisional_decisions(campaign)
        .values_list("entry__contact_language")
        .annotate(count=Count("pk"))
        .values_list("entry__contact_language", "count")
    )
    mailed = dict(
        provisional_decisions(campaign)
        .filter(mail.deliverable_q("entry__contact_email"))
        .values_list("entry__contact_language")
        .annotate(count=Count("pk"))
        .values_list("entry__contact_language", "count")
    )
    return {"decisions": sum(counts.values()), "by_language": counts, "mailed": mailed}


def decisions_to_list(campaign: Campaign) -> QuerySet[Decision]:
    """The provisional decisions as "Publish decisions" lists them, by reference."""
    return (
        provisional_decisions(campaign)
        .select_related("entry")
        .prefetch_related("entry__translations")
        .order_by("entry__number")
    )


def publish_decisions(
    campaign: Campaign,
    by: User,
    *,
    listed: Iterable[int] | None = None,
    shown_at: datetime | None = None,
) -> int:
    """Make provisional decisions final and tell each submitter, in their language.

    `listed` (decision ids) and `shown_at` say what the coordinator was shown: only
    those decisions are published, and none that changed after the list was shown, so
    nothing becomes final unseen. One e-mail per decision is queued in this
    transaction; a failure to deliver one never stops the others (each is its own job)."""
    chosen = provisional_decisions(campaign)
    if listed is not None:
        chosen = chosen.filter(pk__in=listed)
    if shown_at is not None:
        chosen = chosen.filter(decided_at__lte=shown_at)
    with transaction.atomic():
        decisions = list(
            chosen.select_for_update(of=("self",))
            .select_related("entry", "entry__campaign")
            .prefetch_related("entry__translations", "entry__campaign__translations")
        )
        now = timezone.now()
        for decision in decisions:
            decision.published_at = now
            decision.save(update_fields=["published_at"])
            entry = decision.entry
            mail.queue(
                MessageKind.DECISION,
                to=entry.contact_email,
                language=entry.contact_language,
                entry=entry,
                context={"decision": decision},
            )
        if decisions:
            audit(
                by,
                AuditAction.DECISIONS_PUBLISHED,
                campaign,
                None,
                entries=[d.entry.reference for d in decisions],
                about=[d.entry for d in decisions],
            )
            # The included entries are in the programme now.
            public_side.model_changed(*decisions, by=by)
    return len(decisions)
