"""The page behind the private link where the contact says what partners the entry
looks for (publishing.cooperation.wanted), and the management page's switches: partners
found, looking again, open to cooperation. Every change is public at once."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from kotolupaus.access import post_rate
from submissions.forms import PartnerSearchForm, partner_search_initial
from submissions.models import RetiredLinkKind
from submissions.private import dead_link, entry_for_token, private_gone

from . import wanted


def _back(token):
    return redirect(reverse("submissions:manage", args=[token]) + "#partners-wanted-heading")


def _withdrawn(request, entry, token):
    pledge = entry.kind == "pledge"
    return private_gone(
        request,
        heading=_("This pledge was withdrawn") if pledge else _("This initiative was withdrawn"),
        message=_("A withdrawn entry cannot look for partners."),
        links=[(reverse("submissions:manage", args=[token]), _("Back to the private page"))],
    )


def _switch(request, entry, action):
    """The management page's buttons."""
    if action == "found":
        wanted.set_looking(entry, False)
        messages.success(request, _("The search for partners is no longer shown."))
    elif action == "again":
        wanted.set_looking(entry, True)
        messages.success(request, _("The search for partners is shown again."))
    elif action in ("open", "closed"):
        wanted.set_open(entry, action == "open")
        messages.success(
            request,
            _("Other organisations may now ask to join.")
            if action == "open"
            else _("The entry is no longer marked as open to cooperation."),
        )


@ratelimit(key="ip", rate=post_rate, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def manage_partners_wanted(request, token):
    entry = entry_for_token(token)
    if entry is None:
        return dead_link(request, token, RetiredLinkKind.MANAGE)
    if entry.is_withdrawn:
        return _withdrawn(request, entry, token)
    text = entry.original_text("partners_sought") or ""
    action = request.POST.get("action", "save")
    if request.method == "POST" and action != "save":
        _switch(request, entry, action)
        return _back(token)
    if request.method == "POST":
        form = PartnerSearchForm(request.POST, text=text)
        if form.is_valid():
            wanted.save_search(entry, form.cleaned_data)
            messages.success(request, _("Your search for partners was saved. It is shown at once."))
            return _back(token)
    else:
        form = PartnerSearchForm(initial=partner_search_initial(entry), text=text)
    return render(
        request,
        "publishing/cooperation/partners_wanted.html",
        {
            "entry": entry,
            "token": token,
            "form": form,
            "text": text,
            "text_language": entry.original_language,
        },
    )
