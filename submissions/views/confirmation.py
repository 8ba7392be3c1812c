"""Confirming the contact's address."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from kotolupaus.access import post_rate

from .. import services
from ..models import (
    Entry,
    RetiredLinkKind,
)
from .private_links import _dead_link


@ratelimit(key="ip", rate=post_rate, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """The one-time link in the first e-mail: confirming sends the entry to staff.

    A GET only shows the entry and a button (link checkers in mail systems open links);
    the POST confirms. A used link says the entry is confirmed, the link of an entry
    deleted unconfirmed says so (410, without a way to the entry); a forged one is a
    plain 404."""
    entry = (
        Entry.objects.by_confirmation_token(token)
        .select_related("campaign", "lead_organisation")
        .prefetch_related("translations")
        .first()
    )
    if entry is None:
        return _dead_link(request, token, RetiredLinkKind.CONFIRM)
    if request.method == "POST":
        entry = services.confirm_address(entry)
        request.session["confirmed"] = entry.pk
        return redirect("submissions:confirmed")
    return render(request, "submissions/confirm.html", {"entry": entry})


@require_GET
def confirmed(request):
    entry = Entry.objects.submitted().filter(pk=request.session.get("confirmed") or 0).first()
    if entry is None:
        return redirect("home")
    return render(request, "submissions/confirmed.html", {"entry": entry})
