"""Every change in the review goes through here: checked, saved and written to the audit
trail in one transaction; e-mails leave after it commits."""

import csv
import io
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings as django_settings
from django.db import transaction
from django.db.models import Count, Max, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from kotolupaus import mail, public_side
from kotolupaus.access import COORDINATE, SCORE, has_role
from kotolupaus.models import MessageKind
from kotolupaus.spreadsheets import as_typed
from submissions.models import Entry, EntryStatus

from . import notifications, staleness, voting
from .audit import audit
from .models import (
    Assignment,
    AuditAction,
    Award,
    AwardCategory,
    Ballot,
    Conflict,
    Criterion,
    Decision,
    Nomination,
    Outcome,
    Review,
    ReviewSettings,
    Score,
)

log = logging.getLogger(__name__)


class ReviewError(Exception):
    """A review action that is not allowed; the message is shown to the staff member."""


def can_coordinate(user) -> bool:
    return has_role(user, COORDINATE)


def can_score(user) -> bool:
    return has_role(user, SCORE)


def _page_language():
    """The language of the page being served (the default one outside a request)."""
    language = get_language() or django_settings.LANGUAGE_CODE
    languages = dict(django_settings.LANGUAGES)
    return language if language in languages else django_settings.LANGUAGE_CODE


def entry_status_changed(entry, change, *, by=None, before=None, reason="", **kwargs):
    """A staff member changed an entry's status (e.g. personal data erasure withdrew
    it): the audit trail says who, when, from what to what, and why (called by
    submissions.services.change_status through submissions.extensions)."""
    if by is None or before is None:
        return
    audit(
        by,
        AuditAction.ENTRY_STATUS,
        entry.campaign,
        entry,
        before=before,
        after=change,
        **({"reason": reason} if reason else {}),
    )


def entry_edited(entry, change, **kwargs):
    """The submitter may have renamed the lead organisation (or given its business ID)
    to one a reviewer declared a conflict of interest with (called through
    submissions.extensions)."""
    if change == "edited":
        withdraw_conflicted_reviews(entry)


def partners_changed(entry, change):
    """A partner organisation added, corrected or answering may be one a reviewer
    declared a conflict of interest with: their review of the entry stops counting
    (called through submissions.extensions)."""
    withdraw_conflicted_reviews(entry)


def reviewable_entries(campaign):
    return Entry.objects.submitted().filter(campaign=campaign)


# --- Conflicts of interest ---------------------------------------------------------------


def conflicted_entry_ids(reviewer, campaign) -> set[int]:
    """Entries of the campaign the reviewer may not review: declared directly, or through
    an organisation (matched by business ID or name) that leads or partners in them."""
    conflicts = list(Conflict.objects.filter(reviewer=reviewer).select_related("organisation"))
    ids = {c.entry_id for c in conflicts if c.entry_id}
    organisations = [c.organisation for c in conflicts if c.organisation_id]
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


def is_conflicted(reviewer, entry) -> bool:
    return entry.pk in conflicted_entry_ids(reviewer, entry.campaign)


def declare_conflict(reviewer, reason, *, entry=None, organisation=None, by=None) -> Conflict:
    """Record a reviewer's conflict of interest with an entry or an organisation: the
    reviewer declares it, or a coordinator records it for them (`by`). Their assignments
    of the entries concerned go, their reviews of them stop counting; a reviewer whose
    reviews someone else withdrew is told (review.tasks, at most once a day)."""
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
        campaigns = [campaign] if campaign else _campaigns_of_organisation(organisation)
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


def _withdraw_reviews(reviewer, entry_ids, reason, *, by, **details):
    """Reviews the reviewer made before the conflict stop counting; the audit trail
    keeps what they said. `by`: who recorded the conflict (None: a change made by the
    submitter). A reviewer whose review someone else withdrew is told."""
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


def _organisations_of(entry):
    """The lead and partner organisations of an entry, as conflicts match them."""
    organisations = [entry.lead_organisation]
    organisations += [p.organisation for p in entry.partnerships.select_related("organisation")]
    return organisations


def _matching_conflict(conflicts, entry, organisations):
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


def withdraw_conflicted_reviews(entry) -> int:
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
            conflict = _matching_conflict(theirs, entry, organisations)
            if conflict is None:
                continue
            organisation = conflict.organisation.name if conflict.organisation else None
            if Assignment.objects.filter(entry=entry, reviewer=reviewer).delete()[0]:
                audit(
                    None,
                    AuditAction.UNASSIGNED,
                    entry.campaign,
                    entry,
                    reviewer=reviewer.username,
                    reason=conflict.reason,
                    organisation=organisation,
                )
            withdrawn += _withdraw_reviews(
                reviewer, [entry.pk], conflict.reason, by=None, organisation=organisation
            )
    return withdrawn


# --- Telling reviewers whose reviews someone else withdrew -----------------------------

# A reviewer gets at most one such e-mail in this time, listing every review withdrawn
# since the last one.
TOLD_AT_MOST_EVERY = timedelta(days=1)


def _untold(reviewer):
    """Reviews of the reviewer withdrawn by someone else that they were not told of."""
    return Review.objects.filter(
        reviewer=reviewer, withdrawn_at__isnull=False, withdrawal_told_at__isnull=True
    ).exclude(withdrawn_by=reviewer)


def _last_told(reviewer):
    return Review.objects.filter(reviewer=reviewer).aggregate(last=Max("withdrawal_told_at"))[
        "last"
    ]


def _tell_reviewer_soon(reviewer) -> None:
    """Queue the job that e-mails the reviewer (in this transaction): now, or a day
    after the last such e-mail. A job already waiting for them tells this one too."""
    from procrastinate.contrib.django.models import ProcrastinateJob
    from procrastinate.exceptions import AlreadyEnqueued

    from . import tasks

    lock = f"reviews_withdrawn:{reviewer.pk}"
    if ProcrastinateJob.objects.filter(queueing_lock=lock, status="todo").exists():
        return
    last = _last_told(reviewer)
    due = None if last is None else last + TOLD_AT_MOST_EVERY
    when = {"schedule_at": due} if due and due > timezone.now() else {}
    try:
        # A savepoint: the queueing lock's unique violation must not break the change.
        with transaction.atomic():
            tasks.tell_reviewer_of_withdrawn_reviews.configure(queueing_lock=lock, **when).defer(
                reviewer_id=reviewer.pk
            )
    except AlreadyEnqueued:  # another process queued it a moment ago
        pass


def tell_reviewer(reviewer_id) -> int:
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
        )
        with override(language):
            queue_url = django_settings.SITE_URL + reverse("review:queue")
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


def _campaigns_of_organisation(organisation):
    from submissions.models import Campaign

    return list(
        Campaign.objects.filter(
            Q(entries__lead_organisation=organisation)
            | Q(entries__partnerships__organisation=organisation)
        ).distinct()
    )


# --- Assignments ---------------------------------------------------------------------------


def assign(entry, reviewer, by, *, tell=True) -> Assignment:
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
        settings = ReviewSettings.objects.select_for_update().get(
            pk=ReviewSettings.for_campaign(entry.campaign).pk
        )
        if Assignment.objects.filter(entry=entry, reviewer=reviewer).exists():
            return Assignment.objects.get(entry=entry, reviewer=reviewer)
        load = Assignment.objects.filter(entry__campaign=entry.campaign, reviewer=reviewer).count()
        if load >= settings.max_per_reviewer:
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


def import_assignments(campaign, text, by, reviewers) -> tuple[int, list[str]]:
    """Assignments from CSV lines "reference,reviewer" (a header line is allowed); each
    line is assigned like any other assignment or reported as a problem."""
    users = {u.username: u for u in reviewers}
    entries = {e.reference: e for e in Entry.objects.filter(campaign=campaign)}
    created, problems, made = 0, [], []
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


def unassign(entry, reviewer, by):
    with transaction.atomic():
        deleted, _ = Assignment.objects.filter(entry=entry, reviewer=reviewer).delete()
        if deleted:
            audit(by, AuditAction.UNASSIGNED, entry.campaign, entry, reviewer=reviewer.username)


@dataclass
class AutoAssignment:
    created: int = 0
    short: dict = field(default_factory=dict)  # reference -> reviews still missing


def auto_assign(campaign, by, reviewers, *, per_entry=None, max_per_reviewer=None):
    """Give every entry `per_entry` reviewers, nobody more than `max_per_reviewer` entries,
    keeping loads balanced and never assigning a reviewer an entry they are conflicted with.

    Greedy and deterministic: entries with the fewest reviewers first, each to the
    eligible reviewers with the smallest load (ties by username).
    """
    settings = ReviewSettings.for_campaign(campaign)
    per_entry = per_entry or settings.reviews_per_entry
    max_per_reviewer = max_per_reviewer or settings.max_per_reviewer
    reviewers = sorted((r for r in reviewers if can_score(r)), key=lambda r: r.username)
    result = AutoAssignment()
    with transaction.atomic():
        ReviewSettings.objects.select_for_update().get(pk=settings.pk)
        entries = list(
            reviewable_entries(campaign)
            .annotate(assigned=Count("assignments"))
            .order_by("assigned", "number")
        )
        existing = defaultdict(set)
        for entry_id, reviewer_id in Assignment.objects.filter(
            entry__campaign=campaign
        ).values_list("entry_id", "reviewer_id"):
            existing[entry_id].add(reviewer_id)
        load = {
            r.pk: Assignment.objects.filter(entry__campaign=campaign, reviewer=r).count()
            for r in reviewers
        }
        blocked = {r.pk: conflicted_entry_ids(r, campaign) for r in reviewers}
        new = []
        for entry in entries:
            missing = per_entry - len(existing[entry.pk])
            candidates = sorted(
                (
                    r
                    for r in reviewers
                    if r.pk not in existing[entry.pk]
                    and entry.pk not in blocked[r.pk]
                    and load[r.pk] < max_per_reviewer
                ),
                key=lambda r: (load[r.pk], r.username),
            )
            for reviewer in candidates[: max(missing, 0)]:
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


# --- Reviews ---------------------------------------------------------------------------------


def save_review(
    reviewer, entry, *, scores: dict, comment: str, recommendation: str, seen_version=None
) -> Review:
    """Create or change the reviewer's review of an entry (scores: criterion id → value).
    The review records the entry's version it scores; `seen_version`, the id of the
    version the reviewer's page showed, refuses the save (staleness.ChangedMeanwhile)
    when the entry changed since."""
    settings = ReviewSettings.for_campaign(entry.campaign)
    if settings.is_locked:
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
        after = {
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


def set_locked(campaign, locked: bool, by):
    with transaction.atomic():
        settings = ReviewSettings.objects.select_for_update().get(
            pk=ReviewSettings.for_campaign(campaign).pk
        )
        if settings.is_locked != locked:
            settings.locked_at = timezone.now() if locked else None
            settings.save(update_fields=["locked_at"])
            audit(
                by, AuditAction.REVIEW_LOCKED if locked else AuditAction.REVIEW_UNLOCKED, campaign
            )
    return settings


# --- Decisions -------------------------------------------------------------------------------


def record_decision(entry, outcome, rationale, by, *, language=None) -> Decision:
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


def provisional_decisions(campaign):
    return Decision.objects.filter(entry__campaign=campaign, published_at__isnull=True)


def decisions_to_publish(campaign) -> dict:
    """What "Publish decisions" would do: decisions and e-mails per language."""
    counts = dict(
        provisional_decisions(campaign)
        .values_list("entry__contact_language")
        .annotate(count=Count("pk"))
        .values_list("entry__contact_language", "count")
    )
    mailed = dict(
        provisional_decisions(campaign)
        .exclude(entry__contact_email="")
        .exclude(entry__contact_email__endswith=".invalid")
        .values_list("entry__contact_language")
        .annotate(count=Count("pk"))
        .values_list("entry__contact_language", "count")
    )
    return {"decisions": sum(counts.values()), "by_language": counts, "mailed": mailed}


def decisions_to_list(campaign):
    """The provisional decisions as "Publish decisions" lists them, by reference."""
    return (
        provisional_decisions(campaign)
        .select_related("entry")
        .prefetch_related("entry__translations")
        .order_by("entry__number")
    )


def publish_decisions(campaign, by, *, listed=None, shown_at=None) -> int:
    """Make provisional decisions final and tell each submitter, in their language.

    `listed` (decision ids) and `shown_at` say what the coordinator was shown: only
    those decisions are published, and none that changed after the list was shown, so
    nothing becomes final unseen. One e-mail per decision is queued in this
    transaction; a failure to deliver one never stops the others (each is its own job)."""
    decisions = provisional_decisions(campaign)
    if listed is not None:
        decisions = decisions.filter(pk__in=listed)
    if shown_at is not None:
        decisions = decisions.filter(decided_at__lte=shown_at)
    with transaction.atomic():
        decisions = list(
            decisions.select_for_update(of=("self",))
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


# --- Prizes ----------------------------------------------------------------------------------


def nominate(category, entry, by) -> Nomination:
    if entry.campaign_id != category.campaign_id:
        raise ReviewError(_("The entry belongs to another campaign."))
    with transaction.atomic():
        nomination, created = Nomination.objects.get_or_create(
            category=category, entry=entry, defaults={"nominated_by": by}
        )
        if created:
            audit(by, AuditAction.NOMINATED, category.campaign, entry, category=str(category))
    return nomination


def cast_ballot(category, voter, ranks: dict[int, int]) -> Ballot:
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


def award(category, entry, citations: dict[str, str], by, **details) -> Award:
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


def vote_result(category):
    """The Schulze count of the category's ballots: (ballots, order, pairwise), the order
    as voting.schulze gives it ([(entry id, wins)], best first)."""
    entry_ids = list(category.nominations.order_by("entry__number").values_list("entry", flat=True))
    ballots = [{int(k): v for k, v in b.ranks.items()} for b in category.ballots.all()]
    if not entry_ids:
        return ballots, [], {}
    order, pairwise = voting.schulze(entry_ids, ballots)
    return ballots, order, pairwise


def award_vote_winners(category, entries, citations: dict[str, str], by) -> list[Award]:
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
