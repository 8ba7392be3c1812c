"""Prizes: the coordinators' ranked vote on a shortlist, and awarding the prize from its
result."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from kotolupaus.access import coordinator_required

from .. import services, voting
from ..forms import AwardFromVoteForm, BallotForm
from ..models import AwardCategory, Ballot, Nomination
from .common import _render, _title

# --- Prizes ---------------------------------------------------------------------------------


def _cast_ballot(request, category, form):
    try:
        services.cast_ballot(category, request.user, form.ranks())
    except services.ReviewError as error:
        form.add_error(None, str(error))
        return None
    messages.success(request, _("Your ballot was saved."))
    return redirect("review:vote", category_id=category.pk)


def _award_winners(request, category, award_form):
    try:
        prizes = services.award_vote_winners(
            category, award_form.chosen(), award_form.citations(), request.user
        )
    except services.ReviewError as error:
        award_form.add_error(None, str(error))
        return None
    messages.success(
        request,
        ngettext(
            "The prize was awarded to %(entries)s.",
            "The prize was awarded to %(entries)s.",
            len(prizes),
        )
        % {"entries": ", ".join(prize.entry.reference for prize in prizes)},
    )
    return redirect("review:vote", category_id=category.pk)


VOTE_ACTIONS = {"ballot": _cast_ballot, "award": _award_winners}


@coordinator_required
@require_http_methods(["GET", "POST"])
def vote(request, category_id):
    category = get_object_or_404(AwardCategory, pk=category_id)
    nominations = list(
        Nomination.objects.filter(category=category)
        .select_related("entry")
        .prefetch_related("entry__translations")
        .order_by("entry__number")
    )
    entries = {n.entry_id: n.entry for n in nominations}
    ballots, order, pairwise = services.vote_result(category)
    awarded = list(
        category.awards.select_related("entry", "awarded_by").order_by("awarded_at", "pk")
    )
    awarded_ids = {prize.entry_id for prize in awarded}
    first = (
        [entries[pk] for pk in voting.winners(order) if pk not in awarded_ids] if ballots else []
    )

    ballot = Ballot.objects.filter(category=category, voter=request.user).first()
    initial = {f"entry_{k}": v for k, v in ballot.ranks.items()} if ballot else None
    action = request.POST.get("action", "ballot") if request.method == "POST" else None
    form = BallotForm(
        request.POST if action == "ballot" else None, initial=initial, nominations=nominations
    )
    award_form = AwardFromVoteForm(
        request.POST if action == "award" else None, winners=first, prefix="award"
    )
    bound = {"ballot": form, "award": award_form}.get(action)
    if bound is not None and bound.is_valid():
        response = VOTE_ACTIONS[action](request, category, bound)
        if response is not None:
            return response
    return _render(
        request,
        "review/vote.html",
        str(category),
        {
            "category": category,
            "form": form,
            "award_form": award_form,
            "awarded": awarded,
            "ballot_count": len(ballots),
            **_results(entries, order, pairwise),
        },
    )


def _results(entries, order, pairwise):
    """The places and the pairwise table of a vote."""
    return {
        "results": [
            (entries[pk], *_title(entries[pk]), wins, place, tied)
            for pk, wins, place, tied in voting.places(order)
        ],
        "tied_first": len(voting.winners(order)) > 1,
        "columns": list(entries.values()),
        "pairwise": [
            (entries[a], [None if a == b else pairwise[a][b] for b in entries]) for a in entries
        ],
    }
