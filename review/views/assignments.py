"""Who reviews what: automatic assignment and CSV export and import."""

from django.contrib import messages
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from kotolupaus.access import coordinator_required

from .. import exports, services
from ..forms import (
    AssignmentImportForm,
    AutoAssignForm,
    reviewers,
)
from ..models import ReviewSettings
from .common import _campaign, _render

# --- Assignments ---------------------------------------------------------------------------


@coordinator_required
@require_http_methods(["GET", "POST"])
def auto_assign(request):
    campaign = _campaign(request)
    settings = ReviewSettings.for_campaign(campaign)
    form = AutoAssignForm(
        request.POST or None,
        initial={
            "reviewers": reviewers(),
            "per_entry": settings.reviews_per_entry,
            "max_per_reviewer": settings.max_per_reviewer,
        },
    )
    result = None
    if request.method == "POST" and form.is_valid():
        result = services.auto_assign(
            campaign,
            request.user,
            form.cleaned_data["reviewers"],
            per_entry=form.cleaned_data["per_entry"],
            max_per_reviewer=form.cleaned_data["max_per_reviewer"],
        )
        messages.success(
            request,
            ngettext("%(count)s assignment made.", "%(count)s assignments made.", result.created)
            % {"count": result.created},
        )
    return _render(
        request,
        "review/auto_assign.html",
        _("Assign automatically"),
        {
            "campaign": campaign,
            "form": form,
            "result": result,
        },
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def assignments_csv(request):
    campaign = _campaign(request)
    if request.method == "GET" and request.GET.get("download"):
        return exports.assignments_response(campaign)
    form = AssignmentImportForm(request.POST or None, request.FILES or None)
    problems, created = [], 0
    if request.method == "POST" and form.is_valid():
        try:
            text = form.cleaned_data["file"].read().decode("utf-8-sig")
        except UnicodeDecodeError:
            form.add_error("file", _("The file is not UTF-8 text."))
        else:
            created, problems = services.import_assignments(
                campaign, text, request.user, reviewers()
            )
            messages.success(
                request,
                ngettext(
                    "%(count)s assignment imported.", "%(count)s assignments imported.", created
                )
                % {"count": created},
            )
    return _render(
        request,
        "review/assignments_csv.html",
        _("Assignments as CSV"),
        {
            "campaign": campaign,
            "form": form,
            "problems": problems,
        },
    )
