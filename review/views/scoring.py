"""The reviewer's queue and scoring form."""

from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kotolupaus.access import reviewer_required
from submissions import versions
from submissions.models import EntryStatus, EntryVersion

from .. import notifications, services, staleness
from ..forms import (
    ConflictForm,
    ScoreForm,
)
from ..models import (
    Assignment,
    Criterion,
    Review,
    ReviewerPreference,
    ReviewSettings,
)
from .common import _campaign, _entries_with_text, _render, _title

# --- The reviewer's queue and scoring form --------------------------------------------------


def _queue(user, campaign):
    """Entries the reviewer may review: assigned first, then those with fewest reviews."""
    blocked = services.conflicted_entry_ids(user, campaign)
    entries = (
        services.reviewable_entries(campaign)
        .exclude(pk__in=blocked)
        .annotate(
            assigned_to_me=Exists(Assignment.objects.filter(entry=OuterRef("pk"), reviewer=user)),
            reviewed_by_me=Exists(Review.objects.filter(entry=OuterRef("pk"), reviewer=user)),
            review_count=Count(
                "reviews", filter=Q(reviews__withdrawn_at__isnull=True), distinct=True
            ),
        )
        .select_related("lead_organisation")
        .prefetch_related("translations")
    )
    # Entries changed since the reviewer's review come right after those still to do.
    return staleness.annotate_for_reviewer(entries, user).order_by(
        "reviewed_by_me", "-changed_since_my_review", "-assigned_to_me", "review_count", "number"
    )


@reviewer_required
@require_http_methods(["GET", "POST"])
def queue(request):
    campaign = _campaign(request)
    if request.method == "POST":
        # The reviewer's e-mail choice, in the language of this page.
        wants = request.POST.get("mail") == "on"
        notifications.set_choice(request.user, no_mail=not wants, language=get_language())
        messages.success(
            request,
            _("You will get e-mails about your assignments.")
            if wants
            else _("You will get no e-mails about your assignments."),
        )
        return redirect(request.get_full_path())
    entries = _queue(request.user, campaign)
    settings = ReviewSettings.for_campaign(campaign)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return _render(
        request,
        "review/queue.html",
        _("Review queue"),
        {
            "campaign": campaign,
            "page": page,
            "settings": settings,
            "todo": entries.filter(assigned_to_me=True, reviewed_by_me=False).count(),
            "progress": staleness.progress(request.user, campaign, entries),
            "hide_names": settings.hide_names and not services.can_coordinate(request.user),
            "wants_mail": not ReviewerPreference.objects.filter(
                reviewer=request.user, no_mail=True
            ).exists(),
            "withdrawn": [
                (review, *_title(review.entry))
                for review in Review.objects.filter(
                    reviewer=request.user, entry__campaign=campaign, withdrawn_at__isnull=False
                )
                .select_related("entry", "withdrawn_by")
                .prefetch_related("entry__translations")
                .order_by("-withdrawn_at")
            ],
        },
    )


def _next_in_queue(request, campaign, after_entry):
    skipped = set(request.session.get("review_skipped", []))
    for entry_id in (
        _queue(request.user, campaign)
        .filter(reviewed_by_me=False)
        .exclude(pk=after_entry.pk)
        .values_list("pk", flat=True)[:200]
    ):
        if entry_id not in skipped:
            return entry_id
    return None


@reviewer_required
@require_http_methods(["GET", "POST"])
def score(request, entry_id):
    entry = get_object_or_404(_entries_with_text(), pk=entry_id, status=EntryStatus.SUBMITTED)
    campaign = entry.campaign
    if services.is_conflicted(request.user, entry):
        raise PermissionDenied
    review_settings = ReviewSettings.for_campaign(campaign)
    criteria = Criterion.objects.filter(campaign=campaign).prefetch_related("translations")
    review = (
        Review.objects.filter(entry=entry, reviewer=request.user)
        .select_related("version")
        .prefetch_related("scores")
        .first()
    )
    current_version = versions.latest(entry.pk)
    # Reviewing without names: no organisation's name nor logo before their own review.
    hide_names = (
        review_settings.hide_names and review is None and not services.can_coordinate(request.user)
    )
    changed = meanwhile = None
    if review is not None and review.withdrawn_at is None:
        changed = staleness.change_since(review.version, current_version)
    initial = {}
    if review:
        initial = {"comment": review.comment, "recommendation": review.recommendation}
        initial.update({f"criterion_{s.criterion_id}": s.value for s in review.scores.all()})
    form = ScoreForm(initial=initial, criteria=criteria)
    conflict_form = ConflictForm()

    if request.method == "POST":
        page = SimpleNamespace(
            form=form,
            conflict_form=conflict_form,
            current_version=current_version,
            meanwhile=None,
            names=not hide_names,
        )
        act = SCORE_ACTIONS.get(request.POST.get("action"), _save_review)
        response = act(request, entry, criteria, page)
        if response is not None:
            return response
        form, conflict_form = page.form, page.conflict_form
        if page.meanwhile is not None:
            current_version, meanwhile, changed = page.current_version, page.meanwhile, None

    return _render(
        request,
        "review/score.html",
        entry.reference,
        {
            "entry": entry,
            "form": form,
            "conflict_form": conflict_form,
            "review": review,
            "current_version": current_version,
            "changed": changed,
            "meanwhile": meanwhile,
            "hide_names": hide_names,
            "locked": review_settings.is_locked,
            "assigned": Assignment.objects.filter(entry=entry, reviewer=request.user).exists(),
        },
    )


def _following(request, entry):
    following = _next_in_queue(request, entry.campaign, entry)
    return redirect(
        reverse("review:score", args=[following]) if following else reverse("review:queue")
    )


def _skip(request, entry, criteria, page):
    skipped = request.session.get("review_skipped", [])
    request.session["review_skipped"] = [*skipped, entry.pk][-500:]
    return _following(request, entry)


def _declare_conflict(request, entry, criteria, page):
    page.conflict_form = ConflictForm(request.POST)
    if not page.conflict_form.is_valid():
        return None
    scope = page.conflict_form.cleaned_data["scope"]
    services.declare_conflict(
        request.user,
        page.conflict_form.cleaned_data["reason"],
        entry=entry if scope == "entry" else None,
        organisation=entry.lead_organisation if scope == "organisation" else None,
    )
    messages.success(
        request,
        _("Your conflict of interest was recorded; the entry was removed from your queue."),
    )
    return _following(request, entry)


def _save_review(request, entry, criteria, page):
    """Saves the scores; "save_next" goes on to the next entry in the queue."""
    page.form = form = ScoreForm(request.POST, criteria=criteria)
    if not form.is_valid():
        return None
    seen = request.POST.get("seen_version", "")
    try:
        services.save_review(
            request.user,
            entry,
            scores=form.scores(),
            comment=form.cleaned_data["comment"],
            recommendation=form.cleaned_data["recommendation"],
            seen_version=int(seen) if seen.isdigit() else None,
        )
    except services.ReviewError as error:
        form.add_error(None, str(error))
        return None
    except staleness.ChangedMeanwhile as changed_meanwhile:
        # Nothing saved: the reviewer sees what changed, with their scores kept in the
        # form, and saves again to give them to this version.
        seen_version = EntryVersion.objects.filter(pk=changed_meanwhile.seen, entry=entry).first()
        page.current_version = changed_meanwhile.now
        page.meanwhile = staleness.change_since(
            seen_version, changed_meanwhile.now, names=page.names
        )
        form.add_error(
            None,
            _(
                "The entry changed while you had this page open. Your review was not saved "
                "yet: look at what changed, then save again."
            ),
        )
        return None
    messages.success(
        request, _("Your review of %(reference)s was saved.") % {"reference": entry.reference}
    )
    if request.POST.get("action") == "save_next":
        return _following(request, entry)
    return redirect("review:score", entry_id=entry.pk)


SCORE_ACTIONS = {"skip": _skip, "conflict": _declare_conflict}
