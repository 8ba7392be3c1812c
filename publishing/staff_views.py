"""Coordinator tools in the admin panel: a contact person's personal data, and the
follow-up of published entries."""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kotolupaus.access import coordinator_required
from kotolupaus.spreadsheets import spreadsheet_response
from review import services as review_services
from review.views.common import _campaign, _paged, _render
from submissions.access import can_view_contact_data
from submissions.models import EntryKind, ProgressStatus

from . import campaign_report, follow_up, personal_data, reminders
from .forms import FollowUpFilter
from .queries import published


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


# --- Follow-up ---------------------------------------------------------------------------


@coordinator_required
def follow_up_view(request):
    """Published entries by their latest reported status, with the last report, the
    last reminder and whether they are overdue; indicator totals; CSV and XLSX."""
    campaign = _campaign(request)
    today = timezone.localdate()
    everything = follow_up.entries(campaign, today)
    filters = FollowUpFilter(request.GET or None)
    rows = everything
    if filters.is_valid():
        rows = follow_up.filter_entries(rows, **filters.cleaned_data)
    rows = rows.order_by("-overdue", "last_report_at", "number")
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        return _follow_up_export(campaign, rows, export)
    return _render(
        request,
        "publishing/staff/follow_up.html",
        _("Follow-up"),
        {
            "campaign": campaign,
            "today": today,
            "filters": filters,
            **_paged(request, rows),
            "kinds": EntryKind.choices,
            "by_status": follow_up.by_status(everything, EntryKind.choices),
            "published_count": everything.count(),
            "overdue_count": everything.filter(overdue=True).count(),
            "awaiting_count": follow_up.awaiting_moderation(campaign),
            "indicators": follow_up.indicator_totals(campaign),
        },
    )


def _follow_up_export(campaign, rows, file_format):
    rows = list(rows)
    indicators = [total.indicator for total in follow_up.indicator_totals(campaign)]
    figures = follow_up.figures_by_entry([entry.pk for entry in rows])
    statuses = dict(ProgressStatus.choices)
    header = [
        _("reference"),
        _("kind"),
        _("title"),
        _("organisation"),
        _("published on"),
        _("latest reported status"),
        _("reports"),
        _("last report"),
        _("last reminder"),
        _("overdue"),
        *(
            f"{indicator} ({indicator.unit})" if indicator.unit else str(indicator)
            for indicator in indicators
        ),
    ]
    data = [
        [
            entry.reference,
            entry.get_kind_display(),
            entry.safe_translation_getter("title", any_language=True),
            entry.lead_organisation.name,
            entry.published_on,
            statuses.get(entry.latest_status, ""),
            entry.report_count or 0,
            entry.last_report_on,
            timezone.localdate(entry.last_reminder_at) if entry.last_reminder_at else None,
            _("yes") if entry.overdue else "",
            *(figures.get(entry.pk, {}).get(indicator.pk, 0) for indicator in indicators),
        ]
        for entry in rows
    ]
    return spreadsheet_response(f"follow-up-{campaign.slug}", header, data, file_format)


@coordinator_required
@require_POST
def send_reminder_view(request, entry_id):
    """Send a progress reminder now, by hand, from the follow-up page."""
    entry = get_object_or_404(published(), pk=entry_id)
    if reminders.send_reminder(entry, timezone.localdate(), by=request.user):
        messages.success(
            request,
            _("A reminder to report progress on %(reference)s is on its way to its contact.")
            % {"reference": entry.reference},
        )
    else:
        messages.error(
            request,
            _(
                "No reminder was sent for %(reference)s: its contact has stopped reminders "
                "or their address was erased."
            )
            % {"reference": entry.reference},
        )
    # Back to the same filters and page (only the follow-up page's own parameters).
    back = QueryDict(mutable=True)
    kept = QueryDict(request.POST.get("query", ""))
    for name in ("status", "kind", "overdue", "page", "campaign"):
        if name in kept:
            back[name] = kept[name]
    url = reverse("follow_up")
    return redirect(f"{url}?{back.urlencode()}" if back else url)


@coordinator_required
def campaign_report_view(request):
    """The ministry's report of a campaign (publishing.campaign_report): the page, or as
    a tagged PDF or an XLSX (?export=pdf|xlsx), in the page's language."""
    campaign = _campaign(request)
    made = campaign_report.report(campaign)
    export = request.GET.get("export")
    name = f"kotolupaus-report-{campaign.slug}-{get_language()}"
    if export == "xlsx":
        header, rows = campaign_report.spreadsheet_rows(made)
        return spreadsheet_response(name, header, rows, "xlsx")
    if export == "pdf":
        response = HttpResponse(
            campaign_report.pdf(made, get_language()), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response
    return _render(
        request,
        "publishing/staff/campaign_report.html",
        _("Campaign report"),
        {"report": made, "campaign": campaign},
    )
