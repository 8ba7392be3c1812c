"""The management page behind the private link and its edit form."""

from django.contrib import messages
from django.core import signing
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from kotolupaus.access import post_rate

from .. import services
from ..extensions import (
    notices_for,
    published_entries,
    sections_for,
)
from ..forms import (
    SubmissionForm,
    partner_search_initial,
)
from ..models import (
    ENTRY_TEXT_FIELDS,
    Entry,
    RetiredLinkKind,
    consent_wording,
)
from .entry_form import _closed
from .private_links import _by_kind, _dead_link, _entry_for_token, _private_gone
from .reports import _progress_context


@ratelimit(key="ip", rate=post_rate, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def manage(request, token):
    entry = _entry_for_token(token)
    if entry is None:
        return _dead_link(request, token, RetiredLinkKind.MANAGE)
    if request.method == "POST":
        action = MANAGE_ACTIONS.get(request.POST.get("action"))
        if action is not None:
            action(request, entry)
        return redirect("submissions:manage", token=token)
    return render(
        request,
        "submissions/manage.html",
        {
            "entry": entry,
            "token": token,
            "partnerships": entry.partnerships.all(),
            "consent_wording": consent_wording(entry.kind),
            "confirm_by": services.confirmation_deadline(entry),
            "notices": notices_for(entry),
            "sections": sections_for(entry, token),
            **_progress_context(entry),
        },
    )


def _confirm_address(request, entry):
    if not entry.is_unconfirmed:
        return
    entry = services.confirm_address(entry)
    messages.success(
        request,
        _(
            "Your e-mail address is confirmed and the entry was sent to the ministry. "
            "Its reference is %(reference)s."
        )
        % {"reference": entry.reference},
    )


def _withdraw_consent(request, entry):
    services.set_consent(entry, False)
    messages.success(
        request,
        _by_kind(
            entry,
            _("Your consent to publish was withdrawn. The pledge is not shown publicly."),
            _("Your consent to publish was withdrawn. The initiative is not shown publicly."),
        ),
    )


def _resume_reminders(request, entry):
    services.resume_reminders(entry)
    messages.success(
        request,
        _by_kind(
            entry,
            _("The reminders are on again for this pledge."),
            _("The reminders are on again for this initiative."),
        ),
    )


def _give_consent(request, entry):
    services.set_consent(entry, True)
    messages.success(
        request,
        _by_kind(
            entry,
            _("Thank you: you allowed the pledge to be published."),
            _("Thank you: you allowed the initiative to be published."),
        ),
    )


def _withdraw_entry(request, entry):
    if entry.is_unconfirmed:
        return  # an entry that was never sent is deleted when not confirmed in time
    if request.POST.get("confirm") != "yes":
        messages.error(
            request,
            _by_kind(
                entry,
                _("Tick the box to confirm that you want to withdraw the pledge."),
                _("Tick the box to confirm that you want to withdraw the initiative."),
            ),
        )
        return
    services.withdraw_entry(entry)
    messages.success(
        request,
        _by_kind(
            entry,
            _("The pledge was withdrawn. It will not be reviewed or published."),
            _("The initiative was withdrawn. It will not be reviewed or published."),
        ),
    )


MANAGE_ACTIONS = {
    "confirm_address": _confirm_address,
    "withdraw_consent": _withdraw_consent,
    "resume_reminders": _resume_reminders,
    "give_consent": _give_consent,
    "withdraw_entry": _withdraw_entry,
}


def _withdrawn(request, entry, token):
    return _private_gone(
        request,
        heading=_by_kind(entry, _("This pledge was withdrawn"), _("This initiative was withdrawn")),
        message=_by_kind(
            entry,
            _("A withdrawn pledge can no longer be edited."),
            _("A withdrawn initiative can no longer be edited."),
        ),
        links=[(reverse("submissions:manage", args=[token]), _("Back to the private page"))],
    )


def _say_saved(request, entry, public):
    if not public:
        messages.success(request, _("Your changes were saved."))
        return
    messages.success(
        request,
        _by_kind(
            entry,
            _(
                "Your changes were saved. They are shown after the campaign's "
                "staff have checked them; until then the published version of "
                "the pledge stays on the website."
            ),
            _(
                "Your changes were saved. They are shown after the campaign's "
                "staff have checked them; until then the published version of "
                "the initiative stays on the website."
            ),
        ),
    )


def _initial_from_entry(entry):
    organisation = entry.lead_organisation
    initial = {
        "org_name": organisation.name,
        "org_business_id": organisation.business_id,
        "org_type": organisation.type,
        "org_municipality": organisation.municipality_id,
        "org_website": organisation.website,
        "themes": [t.pk for t in entry.themes.all()],
        "target_groups": [t.pk for t in entry.target_groups.all()],
        "municipalities": [m.pk for m in entry.municipalities.all()],
        "whole_country": entry.whole_country,
        "original_language": entry.original_language,
        "pledge_deadline": entry.pledge_deadline,
        "contact_name": entry.contact_name,
        "contact_email": entry.contact_email,
        "contact_phone": entry.contact_phone,
        "consent_publish": entry.consent_publish,
        "consent_contact": entry.consent_contact,
        "authorised": entry.authorised,
        "challenge_of": entry.challenge_of_id,
        "submission_key": entry.submission_key,
    }
    for name in ENTRY_TEXT_FIELDS:
        initial[name] = entry.original_text(name) or ""
    initial.update(partner_search_initial(entry))
    return initial


@ratelimit(key="ip", rate=post_rate, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def manage_edit(request, token):
    entry = _entry_for_token(token)
    if entry is None:
        return _dead_link(request, token, RetiredLinkKind.MANAGE)
    status = 403 if request.method == "POST" else 200
    if entry.is_withdrawn:
        return _withdrawn(request, entry, token)
    if not entry.can_be_edited:
        return _closed(request, entry.campaign, status=status)
    # A published entry's changes wait for the staff; the published version stays up.
    public = published_entries(Entry.objects.filter(pk=entry.pk)).exists()
    if request.method == "POST":
        form = SubmissionForm(request.POST, request.FILES, kind=entry.kind)
        if form.is_valid():
            try:
                services.update_entry(entry, form.cleaned_data)
            except services.CampaignClosed:
                return _closed(request, entry.campaign, status=403)
            _say_saved(request, entry, public)
            return redirect("submissions:manage", token=token)
    else:
        form = SubmissionForm(initial=_initial_from_entry(entry), kind=entry.kind)
    return render(
        request,
        "submissions/entry_form.html",
        {
            "campaign": entry.campaign,
            "kind": entry.kind,
            "form": form,
            "entry": entry,
            "token": token,
            # What the staff asked when they returned it, above the form.
            "notices": [notice for notice in notices_for(entry) if notice.quote],
            "published_now": public,
        },
    )


CORRECTED = {
    services.PartnerCorrected.ADDRESS: _lazy(
        "The address was corrected and the partner invited again."
    ),
    services.PartnerCorrected.LANGUAGE_INVITED_AGAIN: _lazy(
        "The language was changed and the invitation sent again in it."
    ),
    services.PartnerCorrected.LANGUAGE: _lazy(
        "The language was changed: our next e-mails to the partner are in it."
    ),
}


def _removed(entry, partnership, name):
    """What the page says after removing a partner (which was told by e-mail when it had
    been invited and had not declined: services.remove_partner)."""
    if not entry.is_unconfirmed and partnership.declined_at is None:
        return _("%(name)s was removed from the partners and told by e-mail.") % {"name": name}
    return _by_kind(
        entry,
        _("The partner was removed from the pledge."),
        _("The partner was removed from the initiative."),
    )


def _form_errors(form, error):
    """A service's ValidationError shown next to the form's fields (or above them)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            for each in errors:
                form.add_error(field if field in form.fields else None, each)
    else:
        for each in error.messages:
            form.add_error(None, each)


@csrf_exempt  # RFC 8058 one-click: mail programs POST here without a form
@ratelimit(key="ip", rate=post_rate, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def reminders_stop(request, signature):
    """The "stop reminding me" link of a reminder e-mail: a page with one button (link
    checkers open links), and the one-click unsubscribe mail programs offer."""
    try:
        entry_id = signing.loads(signature, salt=services.REMINDER_SALT)
    except signing.BadSignature:
        raise Http404 from None
    entry = get_object_or_404(Entry.objects.select_related("campaign"), pk=entry_id)
    if request.method == "POST" and request.POST.get("action") == "resume":
        services.resume_reminders(entry)
        messages.success(
            request,
            _by_kind(
                entry,
                _("The reminders are on again for this pledge."),
                _("The reminders are on again for this initiative."),
            ),
        )
        return redirect("submissions:reminders_stop", signature=signature)
    if request.method == "POST":
        # The page's button, or a mail program's one-click POST (which sends
        # "List-Unsubscribe=One-Click" and wants a 200, not a redirect).
        entry = services.stop_reminders(entry)
    response = render(request, "submissions/reminders_stop.html", {"entry": entry})
    response["Cache-Control"] = "no-store"
    return response
