"""Coordinator tools in the admin panel: a contact person's personal data."""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from kotolupaus.access import coordinator_required
from review import services as review_services
from submissions.access import can_view_contact_data

from . import personal_data


class PersonalDataForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("The person's e-mail address"), max_length=254)
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I have checked the person's identity and want to erase their "
            "contact data. This cannot be undone."
        ),
        required=False,
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def personal_data_view(request):
    if not can_view_contact_data(request.user):
        raise PermissionDenied
    form = PersonalDataForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if request.POST.get("action") == "export":
            data = personal_data.export(email, request.user)
            response = HttpResponse(
                json.dumps(data, ensure_ascii=False, indent=1),
                content_type="application/json; charset=utf-8",
            )
            response["Content-Disposition"] = 'attachment; filename="personal-data.json"'
            return response
        if request.POST.get("action") == "erase":
            if not form.cleaned_data["confirm"]:
                form.add_error("confirm", _("Tick the box to confirm the erasure."))
            else:
                counts = personal_data.erase(email, request.user)
                messages.success(
                    request,
                    _(
                        "Erased: %(entries)s entries' contact data, %(partner_invitations)s partner "
                        "invitations, %(messages_to_initiatives)s messages and %(drafts)s drafts."
                    )
                    % counts,
                )
                return redirect("personal_data")
    return render(
        request,
        "publishing/staff/personal_data.html",
        {
            **admin.site.each_context(request),
            "can_coordinate": review_services.can_coordinate(request.user),
            "can_view_contact_data": True,
            "title": _("Personal data of a contact person"),
            "form": form,
        },
    )
