"""The management page's suggestions (publishing.cooperation.suggestions): a one-click
request to join a suggested entry, and the switch of the monthly e-mail. Both behind the
entry's private link; both answer by going back to the management page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from kotolupaus.access import post_rate
from submissions.models import Entry, PartnerSearch

from ..addresses import entry_urls
from ..changes import public_change
from ..models import PublicEntry
from .suggestions import suggestions_for


def _entry(token):
    """The entry behind a management token, or None. (The management page itself
    explains a dead link: a request with one is sent there.)"""
    return Entry.objects.by_token(token).select_related("campaign", "lead_organisation").first()


def _back(token):
    return redirect(reverse("submissions:manage", args=[token]) + "#suggestions-heading")


def join_message(entry: Entry, public: bool) -> str:
    """The request's words, in the requesting contact's language."""
    with override(entry.contact_language):
        entry.set_current_language(entry.original_language)
        text = _(
            "We found your organisation through the suggestions of Kotolupaus. Our entry: %(title)s"
        ) % {"title": entry.title}
        if public:
            text += " " + entry_urls(entry.pk)[entry.contact_language]
        return text


@ratelimit(key="ip", rate=post_rate, method="POST", block=True)
@require_POST
def suggestion_join(request, token, pk):
    """Send a join request to a suggested entry in the requesting entry's name."""
    entry = _entry(token)
    if entry is None or entry.is_withdrawn or entry.is_unconfirmed:
        return _back(token)
    if not any(s.entry.entry_id == pk for s in suggestions_for(entry, limit=50)):
        messages.error(request, _("That entry is no longer among your suggestions."))
        return _back(token)
    from publishing.cooperation.requests import relay_join_request

    organisation = entry.lead_organisation
    try:
        relay_join_request(
            pk,
            organisation=organisation.name,
            name=entry.contact_name,
            email=entry.contact_email,
            message=join_message(entry, PublicEntry.objects.filter(entry_id=entry.pk).exists()),
            language=entry.contact_language,
            organisation_type=organisation.type,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back(token)
    messages.success(
        request,
        _("Your request to join was sent. The entry's contact person answers you by e-mail."),
    )
    return _back(token)


@ratelimit(key="ip", rate=post_rate, method="POST", block=True)
@require_POST
def suggestions_by_email(request, token):
    """Switch the monthly e-mail of suggestions on or off."""
    entry = _entry(token)
    if entry is None or entry.is_withdrawn:
        return _back(token)
    wanted = request.POST.get("by_email") == "on"
    with transaction.atomic():
        search, _created = PartnerSearch.objects.select_for_update().get_or_create(entry=entry)
        search.suggestions_by_email = wanted
        search.save()
        public_change(entry=entry)
    messages.success(
        request,
        _("We will e-mail you suggestions at most once a month.")
        if wanted
        else _("We will no longer e-mail you suggestions."),
    )
    return _back(token)
