"""Partners: the submitter's list of partners and a partner's confirmation."""

from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from kotolupaus.access import post_rate
from kotolupaus.params import as_id

from .. import services
from ..forms import (
    PartnerDetailsForm,
    PartnerForm,
)
from ..models import (
    Partnership,
    RetiredLinkKind,
)
from .manage import CORRECTED, _form_errors, _removed
from .private_links import _by_kind, _dead_link, _entry_for_token, _private_gone


@ratelimit(key="ip", rate=post_rate, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def manage_partners(request, token):
    """The submitter sees each partner's answer and, while the entry can be edited,
    corrects an address or a language (a new invitation), adds or removes a partner
    (a confirmed one only after a confirmation step: partner_remove)."""
    entry = _entry_for_token(token)
    if entry is None:
        return _dead_link(request, token, RetiredLinkKind.MANAGE)
    forms = SimpleNamespace(add=PartnerForm(prefix="add"), details={}, bound=None)
    if request.method == "POST" and not entry.is_withdrawn:
        response = _partner_action(request, token, entry, forms)
        if response is not None:
            return response
    add_form, detail_forms = forms.add, forms.details
    partnerships = list(entry.partnerships.select_related("organisation"))
    for partnership in partnerships:
        name = {"name": partnership.organisation.name}
        partnership.details_form = detail_forms.get(partnership.pk) or PartnerDetailsForm(
            prefix=f"p{partnership.pk}",
            initial={"email": partnership.invited_email, "language": partnership.language},
        )
        # Each field names its partner (screen readers list the labels).
        fields = partnership.details_form.fields
        fields["email"].label = _("E-mail address of %(name)s") % name
        fields["language"].label = _("Language of our e-mails to %(name)s") % name
    return render(
        request,
        "submissions/manage_partners.html",
        {
            "entry": entry,
            "token": token,
            "partnerships": partnerships,
            "add_form": add_form,
            "can_change": entry.can_be_edited and not entry.is_withdrawn,
            "max_partners": services.MAX_PARTNERS,
        },
    )


def _partner_action(request, token, entry, forms):
    """One POST action of manage_partners: a redirect when done, None to show the page again."""
    action = request.POST.get("action")
    partnership = entry.partnerships.filter(pk=as_id(request.POST.get("partnership"))).first()
    try:
        if action == "add":
            return _add_partner(request, token, entry, forms)
        if action == "correct" and partnership is not None:
            return _correct_partner(request, token, partnership, forms)
        if action == "remove" and partnership is not None:
            return _remove_partner(request, token, entry, partnership)
    except ValidationError as error:
        if forms.bound is not None:
            _form_errors(forms.bound, error)
        else:
            messages.error(request, " ".join(error.messages))
    return None


def _add_partner(request, token, entry, forms):
    forms.bound = forms.add = PartnerForm(request.POST, prefix="add")
    if not forms.add.is_valid():
        return None
    services.add_partner(entry, **forms.add.cleaned_data)
    messages.success(request, _("The partner was added and asked to confirm."))
    return redirect("submissions:manage_partners", token=token)


def _correct_partner(request, token, partnership, forms):
    forms.bound = PartnerDetailsForm(request.POST, prefix=f"p{partnership.pk}")
    forms.details[partnership.pk] = forms.bound
    if not forms.bound.is_valid():
        return None
    done = services.correct_partner(partnership, **forms.bound.cleaned_data)
    if done in CORRECTED:
        messages.success(request, CORRECTED[done])
    return redirect("submissions:manage_partners", token=token)


def _remove_partner(request, token, entry, partnership):
    if partnership.confirmed_at:
        # A confirmed partner is removed only after the confirmation step.
        return redirect("submissions:partner_remove", token=token, partnership_id=partnership.pk)
    name = partnership.organisation.name
    services.remove_partner(partnership)
    messages.success(request, _removed(entry, partnership, name))
    return redirect("submissions:manage_partners", token=token)


@ratelimit(key="ip", rate=post_rate, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def partner_remove(request, token, partnership_id):
    """Removing a partner, asked first: the page says what follows (the partner is told
    by e-mail, is no longer shown with the entry), a button removes it, a link goes back.
    Works without JavaScript."""
    entry = _entry_for_token(token)
    if entry is None:
        return _dead_link(request, token, RetiredLinkKind.MANAGE)
    partnership = get_object_or_404(
        entry.partnerships.select_related("organisation"), pk=partnership_id
    )
    if not entry.can_be_edited or entry.is_withdrawn:
        return redirect("submissions:manage_partners", token=token)
    if request.method == "POST":
        try:
            services.remove_partner(partnership)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _removed(entry, partnership, partnership.organisation.name))
        return redirect("submissions:manage_partners", token=token)
    response = render(
        request,
        "submissions/partner_remove.html",
        {"entry": entry, "token": token, "partnership": partnership},
    )
    response["Cache-Control"] = "no-store"
    return response


@ratelimit(key="ip", rate=post_rate, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def partner_confirm(request, token):
    partnership = (
        Partnership.objects.by_token(token)
        .select_related("entry", "entry__campaign", "entry__lead_organisation", "organisation")
        .first()
    )
    if partnership is None:
        return _dead_link(request, token, RetiredLinkKind.PARTNER)
    if partnership.entry.is_withdrawn:
        return _private_gone(
            request,
            heading=_by_kind(
                partnership.entry,
                _("This pledge was withdrawn"),
                _("This initiative was withdrawn"),
            ),
            message=_(
                "The organisation that sent it has withdrawn it, so there is nothing to confirm "
                "any more. Thank you all the same."
            ),
        )
    if request.method == "POST":
        answer = request.POST.get("answer")
        if answer in ("confirm", "decline"):
            services.answer_partnership(partnership, confirm=answer == "confirm")
            if answer == "confirm":
                messages.success(
                    request, _("Thank you: your organisation is now a confirmed partner.")
                )
            else:
                messages.success(
                    request,
                    _by_kind(
                        partnership.entry,
                        _("You declined. Your organisation will not be shown with the pledge."),
                        _("You declined. Your organisation will not be shown with the initiative."),
                    ),
                )
        return redirect("submissions:partner_confirm", token=token)
    return render(
        request,
        "submissions/partner_confirm.html",
        {"partnership": partnership, "entry": partnership.entry},
    )
