"""Progress reports written through the private link."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from kotolupaus.access import post_rate

from .. import services
from ..extensions import (
    published_entries,
    report_states,
)
from ..forms import (
    ProgressReportForm,
)
from ..models import (
    Entry,
    RetiredLinkKind,
)
from .private_links import _dead_link, _entry_for_token


def _progress_context(entry):
    """The management page's follow-up section: the reports and whether more can be sent."""
    reports = list(entry.progress_reports.prefetch_related("translations"))
    states = report_states(reports)
    for report in reports:
        report.state = states.get(report.pk, "")
    return {
        "reports": reports,
        "can_report": published_entries(Entry.objects.filter(pk=entry.pk)).exists(),
    }


def _report_page(request, *, entry, token, form, report=None, refusal=None, status=200):
    return render(
        request,
        "submissions/report_form.html",
        {
            "entry": entry,
            "token": token,
            "form": form,
            "report": report,
            "refusal": refusal,
            "form_hours": settings.REPORT_EDIT_HOURS,
        },
        status=status,
    )


@ratelimit(key="ip", rate=post_rate, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def report_new(request, token):
    """The submitter reports what became of a published pledge or initiative."""
    entry = _entry_for_token(token)
    if entry is None:
        return _dead_link(request, token, RetiredLinkKind.MANAGE)
    indicators = entry.campaign.indicators.prefetch_related("translations")
    if not published_entries(Entry.objects.filter(pk=entry.pk)).exists():
        return _report_page(
            request,
            entry=entry,
            token=token,
            form=None,
            refusal=_(
                "Progress can be reported once the entry has been published, and only while "
                "it is published."
            ),
            status=403 if request.method == "POST" else 200,
        )
    form = ProgressReportForm(
        request.POST or None, request.FILES or None, entry=entry, indicators=indicators
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.add_report(entry, form.cleaned_data, language=form.cleaned_data["language"])
        except services.ReportRefused as refusal:
            return _report_page(
                request, entry=entry, token=token, form=form, refusal=str(refusal), status=403
            )
        messages.success(
            request,
            _("Thank you for the report. It is published once the campaign's staff have read it."),
        )
        return redirect("submissions:manage", token=token)
    return _report_page(request, entry=entry, token=token, form=form)


@ratelimit(key="ip", rate=post_rate, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def report_edit(request, token, report_id):
    entry = _entry_for_token(token)
    if entry is None:
        return _dead_link(request, token, RetiredLinkKind.MANAGE)
    report = get_object_or_404(
        entry.progress_reports.prefetch_related("translations", "figures", "contributors"),
        pk=report_id,
    )
    if not report.can_be_edited:
        return _report_page(
            request,
            entry=entry,
            token=token,
            form=None,
            report=report,
            refusal=_("This report is part of the record now and can no longer be changed."),
            status=403 if request.method == "POST" else 200,
        )
    indicators = entry.campaign.indicators.prefetch_related("translations")
    form = ProgressReportForm(
        request.POST or None,
        request.FILES or None,
        entry=entry,
        indicators=indicators,
        initial=_initial_from_report(report, indicators),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_report(
                report, form.cleaned_data, language=form.cleaned_data["language"]
            )
        except services.ReportRefused as refusal:
            return _report_page(
                request,
                entry=entry,
                token=token,
                form=form,
                report=report,
                refusal=str(refusal),
                status=403,
            )
        messages.success(request, _("Your changes to the report were saved."))
        return redirect("submissions:manage", token=token)
    return _report_page(request, entry=entry, token=token, form=form, report=report)


def _initial_from_report(report, indicators):
    figures = {f.indicator_id: f.value for f in report.figures.all()}
    return {
        "status": report.status,
        "reason": report.reason,
        "reported_on": report.reported_on,
        "text": report.text_in(report.original_language),
        "language": report.original_language,
        "contributors": list(report.contributors.all()),
        **{f"figure_{i.slug}": figures.get(i.pk) for i in indicators},
    }
