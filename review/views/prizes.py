"""Prizes: the coordinators' ranked vote on a shortlist."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kotolupaus.access import coordinator_required

from .. import services
from ..forms import (
    BallotForm,
)
from ..models import (
    AwardCategory,
    Ballot,
    Nomination,
)
from ..voting import schulze
from .common import _render

# --- Prizes ---------------------------------------------------------------------------------


@coordinator_required
@require_http_methods(["GET", "POST"])
def vote(request, category_id):
    category = get_object_or_404(AwardCategory, pk=category_id)
    nominations = list(
        Nomination.objects.filter(category=category)
        .select_related("entry")
        .prefetch_related("entry__translations")
    )
    ballot = Ballot.objects.filter(category=category, voter=request.user).first()
    initial = {f"entry_{k}": v for k, v in ballot.ranks.items()} if ballot else None
    form = BallotForm(request.POST or None, initial=initial, nominations=nominations)
    if request.method == "POST" and form.is_valid():
        try:
            services.cast_ballot(category, request.user, form.ranks())
        except services.ReviewError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your ballot was saved."))
            return redirect("review:vote", category_id=category.pk)
    ballots = [{int(k): v for k, v in b.ranks.items()} for b in category.ballots.all()]
    entries = {n.entry_id: n.entry for n in nominations}
    order, pairwise = schulze(list(entries), ballots) if entries else ([], {})
    return _render(
        request,
        "review/vote.html",
        str(category),
        {
            "category": category,
            "form": form,
            "ballot_count": len(ballots),
            "results": [(entries[e], wins) for e, wins in order],
            "columns": list(entries.values()),
            "pairwise": [
                (entries[a], [None if a == b else pairwise[a][b] for b in entries]) for a in entries
            ],
        },
    )
