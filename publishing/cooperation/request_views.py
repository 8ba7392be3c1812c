"""Pages of requests to join: the public form ("we want to join") and the contact's
answer from the management page (publishing.cooperation.requests)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from kotolupaus.access import post_rate
from submissions.forms import HoneypotForm
from submissions.models import Entry, EntryKind, OrganisationType

from ..models import PublicEntry
from ..queries import public_text
from ..views import _no_longer_public
from . import requests
from .requests import Answer


class JoinForm(HoneypotForm):
    organisation = forms.CharField(label=gettext_lazy("Your organisation"), max_length=200)
    organisation_type = forms.ChoiceField(
        label=gettext_lazy("Type of organisation"),
        required=False,
        choices=[("", gettext_lazy("Not given")), *OrganisationType.choices],
    )
    name = forms.CharField(label=gettext_lazy("Your name"), max_length=200)
    email = forms.EmailField(
        label=gettext_lazy("Your e-mail"),
        max_length=254,
        help_text=gettext_lazy(
            "The contact person sees your address only if they accept your request. We "
            "tell you the answer at this address."
        ),
    )
    message = forms.CharField(
        label=gettext_lazy("Message"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("Tell them who you are and how you would like to take part."),
    )


class DeclineForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("A sentence to the organisation (optional)"),
        required=False,
        max_length=requests.NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].help_text = _(
            "It is quoted in our e-mail as your words. At most %(max)s characters."
        ) % {"max": requests.NOTE_MAX_LENGTH}


def _not_taking_requests(request, entry):
    """404 with the reason in words: the entry is public but looks for nobody now
    (partners found, or never asked). What was typed is shown back, not lost."""
    return render(
        request,
        "publishing/cooperation/join_closed.html",
        {
            "entry": entry,
            "text": public_text(entry),
            "typed": (request.POST.get("message") or "")[:3000] if request.POST else "",
        },
        status=404,
    )


@ratelimit(key="ip", rate=post_rate, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def join(request, pk):
    """The form "we want to join": a request to the entry's contact, in the page's
    language. An entry no longer public answers 410 and nothing is sent."""
    entry = PublicEntry.objects.select_related("campaign").filter(pk=pk).first()
    if entry is None:
        return _no_longer_public(request, pk)
    if not (entry.seeks_partners or entry.open_to_cooperation):
        return _not_taking_requests(request, entry)
    text = public_text(entry)
    form = JoinForm(request.POST or None)
    context = {"entry": entry, "text": text, "form": form}
    if request.method == "POST" and form.is_valid():
        fields = ("organisation", "organisation_type", "name", "email", "message")
        try:
            requests.relay_join_request(
                entry.entry_id,
                language=get_language(),
                **{name: form.cleaned_data[name] for name in fields},
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return render(request, "publishing/cooperation/join_sent.html", context)
    return render(request, "publishing/cooperation/join.html", context)


# --- The contact's answer ------------------------------------------------------------------


def _told(entry, answer, join) -> tuple[str, str]:
    """(level, message) for the management page after an answer."""
    name = {"organisation": join.organisation} if join else {}
    pledge = entry.kind == EntryKind.PLEDGE
    if answer == Answer.ACCEPTED:
        return "success", _(
            "You accepted the request of %(organisation)s. We e-mailed them an invitation "
            "to confirm taking part as a partner."
        ) % name
    if answer == Answer.ALREADY_PARTNER:
        return "info", _(
            "%(organisation)s was already invited as a partner, so the request was marked "
            "accepted and no second invitation was sent."
        ) % name
    if answer == Answer.DECLINED:
        return "success", _(
            "You declined the request of %(organisation)s. We told them by e-mail."
        ) % name
    if answer == Answer.CLOSED:
        return "error", (
            _("Partners can no longer be added to this pledge, so the request was not accepted.")
            if pledge
            else _(
                "Partners can no longer be added to this initiative, so the request was not "
                "accepted."
            )
        )
    if answer == Answer.TRY_LATER:
        return "error", _(
            "That address has been sent as many invitations today as we send in a day. "
            "Accept the request again tomorrow."
        )
    return "info", _("This request has already been answered, or it is no longer waiting.")


def _back(token):
    return redirect(reverse("submissions:manage", args=[token]) + "#join-requests")


@ratelimit(key="ip", rate=post_rate, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def answer_join_request(request, token, pk):
    """Accept or decline one waiting request (a POST from the management page). A note
    too long for the decline is shown again on a page of its own, with the error next
    to it; a link that does not work goes to the management page, which explains."""
    entry = Entry.objects.by_token(token).select_related("campaign").first()
    if entry is None or entry.is_unconfirmed:
        return redirect("submissions:manage", token=token)
    join = entry.join_requests.filter(pk=pk).first()
    if join is None:
        raise Http404
    form = DeclineForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "accept":
            answer, _join = requests.accept_join_request(entry, pk)
        elif action == "decline" and form.is_valid():
            answer, _join = requests.decline_join_request(entry, pk, form.cleaned_data["note"])
        else:
            return _decline_page(request, entry, token, join, form)
        level, text = _told(entry, answer, join)
        getattr(messages, level)(request, text)
        return _back(token)
    if join.status != requests.WAITING:
        return _back(token)
    return _decline_page(request, entry, token, join, form)


def _decline_page(request, entry, token, join, form):
    return render(
        request,
        "publishing/cooperation/decline.html",
        {"entry": entry, "token": token, "join": join, "form": form},
    )
