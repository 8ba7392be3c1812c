"""The coordinator's ranking, decisions and their publication, and the review lock."""

from django.conf import settings as django_settings
from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from kotolupaus import mail
from kotolupaus.access import coordinator_required
from submissions import versions
from submissions.models import Entry

from .. import exports, services, staleness
from ..agreement import agreement
from ..forms import (
    DecisionForm,
    RankingFilterForm,
    RecordConflictForm,
)
from ..models import (
    Decision,
    Review,
    ReviewSettings,
)
from ..ranking import ranking, review_totals
from .common import _campaign, _entries_with_text, _paged, _render, _title

# --- The coordinator's ranking and decisions ------------------------------------------------


def _filtered_entries(campaign, filters):
    entries = (
        services.reviewable_entries(campaign)
        .select_related("lead_organisation", "decision")
        .prefetch_related("translations")
    )
    if not filters.is_valid():
        return entries
    data = filters.cleaned_data
    if data.get("kind"):
        entries = entries.filter(kind=data["kind"])
    if data.get("theme"):
        entries = entries.filter(themes=data["theme"])
    if data.get("org_type"):
        entries = entries.filter(lead_organisation__type=data["org_type"])
    region = (data.get("region") or "").strip()
    if region.lower() in ("all", "kaikki", "alla", _("all")):
        entries = entries.filter(whole_country=True)
    elif region:
        entries = entries.filter(
            Q(municipalities__name_fi__iexact=region) | Q(municipalities__name_sv__iexact=region)
        )
    if data.get("recommendation"):
        entries = entries.filter(
            reviews__recommendation=data["recommendation"], reviews__withdrawn_at__isnull=True
        )
    if data.get("decision") == "none":
        entries = entries.filter(decision__isnull=True)
    elif data.get("decision"):
        entries = entries.filter(decision__outcome=data["decision"])
    return entries.distinct()


def _decide_many(request, campaign, decision_form):
    """The same provisional decision for the chosen entries of the ranking."""
    chosen = Entry.objects.filter(campaign=campaign, pk__in=request.POST.getlist("entries"))
    if not chosen:
        messages.error(request, _("Choose the entries to decide."))
        return None
    if not decision_form.is_valid():
        return None
    recorded = 0
    for entry in chosen:
        try:
            services.record_decision(
                entry,
                decision_form.cleaned_data["outcome"],
                decision_form.cleaned_data["rationale"],
                request.user,
                language=decision_form.cleaned_data["rationale_language"],
            )
        except services.ReviewError as error:
            messages.error(
                request,
                _("%(reference)s: %(error)s") % {"reference": entry.reference, "error": error},
            )
        else:
            recorded += 1
    if recorded:
        messages.success(
            request,
            ngettext(
                "Provisional decision recorded for %(count)s entry.",
                "Provisional decisions recorded for %(count)s entries.",
                recorded,
            )
            % {"count": recorded},
        )
    return redirect(request.get_full_path())


@coordinator_required
@require_http_methods(["GET", "POST"])
def ranking_view(request):
    campaign = _campaign(request)
    filters = RankingFilterForm(request.GET or None)
    decision_form = DecisionForm()
    if request.method == "POST":
        decision_form = DecisionForm(request.POST)
        response = _decide_many(request, campaign, decision_form)
        if response is not None:
            return response

    sort = filters.cleaned_data.get("sort") if filters.is_valid() else "mean"
    current_only = filters.is_valid() and filters.cleaned_data.get("current_only")
    settings = ReviewSettings.for_campaign(campaign)
    totals = review_totals(campaign)
    rows = ranking(
        campaign,
        _filtered_entries(campaign, filters),
        sort=sort or "mean",
        current_only=current_only,
        settings=settings,
        totals=totals,
    )
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        return exports.ranking_response(campaign, rows, export, request.user)
    agreed = agreement(campaign, current_only=current_only, settings=settings, totals=totals)
    if export in ("agreement-csv", "agreement-xlsx"):
        return exports.agreement_response(campaign, agreed, export.split("-")[1])
    return _render(
        request,
        "review/ranking.html",
        _("Ranking"),
        {
            "campaign": campaign,
            "filters": filters,
            **_paged(request, rows),
            "decision_form": decision_form,
            "settings": settings,
            "provisional": services.provisional_decisions(campaign).count(),
            "current_only": current_only,
            "agreement": agreed,
            "stale": sum(row.stale for row in rows),
            "left_out": sum(row.left_out for row in rows),
        },
    )


@coordinator_required
def reviews_export(request):
    campaign = _campaign(request)
    file_format = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    return exports.reviews_response(campaign, file_format)


@coordinator_required
@require_http_methods(["GET", "POST"])
def decide(request, entry_id):
    """The entry, its reviews (a coordinator can record a reviewer's conflict of
    interest under each counting one) and the decision."""
    entry = get_object_or_404(_entries_with_text(), pk=entry_id)
    decision = Decision.objects.filter(entry=entry).first()
    reviews = list(
        Review.objects.filter(entry=entry)
        .order_by("withdrawn_at", "reviewer__username")
        .select_related("reviewer", "withdrawn_by", "version")
        .prefetch_related("scores__criterion__translations")
    )
    current_version = versions.latest(entry.pk)
    for review in reviews:
        review.stale = bool(
            review.withdrawn_at is None
            and review.version
            and current_version
            and review.version.number < current_version.number
        )
    stale = [review for review in reviews if review.stale]
    action = request.POST.get("action", "decide") if request.method == "POST" else None
    form = DecisionForm(
        request.POST if action == "decide" else None,
        initial=(
            {"outcome": decision.outcome, "rationale": decision.rationale} if decision else None
        ),
        previous=decision,
    )
    conflict_forms = {
        review.reviewer_id: RecordConflictForm(prefix=f"conflict-{review.reviewer_id}")
        for review in reviews
        if review.withdrawn_at is None
    }
    if action == "conflict":
        return_to = _record_conflict(request, entry, reviews, conflict_forms)
        if return_to is not None:
            return return_to
    if action == "decide" and form.is_valid():
        return_to = _decide_one(request, entry, form)
        if return_to is not None:
            return return_to
    return _render(
        request,
        "review/decide.html",
        entry.reference,
        {
            "entry": entry,
            "form": form,
            "decision": decision,
            "reviews": [(review, conflict_forms.get(review.reviewer_id)) for review in reviews],
            "current_version": current_version,
            "stale": stale,
            # What changed since the oldest of those scores.
            "changed": staleness.change_since(
                min((r.version for r in stale), key=lambda v: v.number), current_version
            )
            if stale
            else None,
        },
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def publish_decisions(request):
    """Asks first: which decisions become final (each listed) and how many submitters
    are e-mailed, in which languages; the POST publishes exactly those listed."""
    campaign = _campaign(request)
    if request.method == "POST":
        return _publish_listed(request, campaign)
    plan = services.decisions_to_publish(campaign)
    languages = dict(django_settings.LANGUAGES)
    return _render(
        request,
        "review/publish_decisions.html",
        _("Publish decisions"),
        {
            "campaign": campaign,
            "plan": plan,
            "decisions": _listed(services.decisions_to_list(campaign)),
            "shown_at": timezone.now().isoformat(),
            "languages": languages,
            "rows": [
                {
                    "language": languages[code],
                    "decisions": plan["by_language"].get(code, 0),
                    "mailed": plan["mailed"].get(code, 0),
                }
                for code in languages
                if plan["by_language"].get(code)
            ],
            "mailed_total": sum(plan["mailed"].values()),
        },
    )


def _listed(decisions):
    """Each decision with its entry's title in the page's language where staff translated
    it, else as written (and which language that is, for the page's lang attribute)."""
    rows = []
    for decision in decisions:
        title, language = _title(decision.entry)
        rows.append(
            {
                "decision": decision,
                "entry": decision.entry,
                "title": title,
                "title_language": language,
                "mailed": mail.deliverable(decision.entry.contact_email),
            }
        )
    return rows


def _publish_listed(request, campaign):
    listed = [int(pk) for pk in request.POST.getlist("decision") if pk.isdigit()]
    shown_at = parse_datetime(request.POST.get("shown_at", ""))
    if not listed or shown_at is None:
        messages.error(
            request,
            _("Nothing was published: the list of decisions was missing. Look at it again."),
        )
        return redirect("review:publish_decisions")
    count = services.publish_decisions(campaign, request.user, listed=listed, shown_at=shown_at)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)s decision published; the submitter is being told by e-mail.",
                "%(count)s decisions published; the submitters are being told by e-mail.",
                count,
            )
            % {"count": count},
        )
    changed = services.provisional_decisions(campaign).filter(pk__in=listed).count()
    if changed:
        messages.warning(
            request,
            ngettext(
                "%(count)s decision was changed after the list was shown and was not "
                "published. Check it and publish again.",
                "%(count)s decisions were changed after the list was shown and were not "
                "published. Check them and publish again.",
                changed,
            )
            % {"count": changed},
        )
    return redirect("review:ranking")


@coordinator_required
@require_POST
def lock(request):
    campaign = _campaign(request)
    locked = request.POST.get("locked") == "1"
    services.set_locked(campaign, locked, request.user)
    messages.success(
        request, _("The review is locked.") if locked else _("The review is open again.")
    )
    return redirect("review:dashboard")


def _record_conflict(request, entry, reviews, conflict_forms):
    """A coordinator records a reviewer's conflict of interest: their review stops counting."""
    reviewer = next(
        (r.reviewer for r in reviews if str(r.reviewer_id) == request.POST.get("reviewer")),
        None,
    )
    if reviewer is None or reviewer.pk not in conflict_forms:
        messages.error(request, _("That review does not count any more: nothing changed."))
        return redirect("review:decide", entry_id=entry.pk)
    conflict_form = RecordConflictForm(request.POST, prefix=f"conflict-{reviewer.pk}")
    conflict_forms[reviewer.pk] = conflict_form
    if not conflict_form.is_valid():
        return None
    services.declare_conflict(
        reviewer, conflict_form.cleaned_data["reason"], entry=entry, by=request.user
    )
    messages.success(
        request,
        _(
            "The conflict of interest of %(reviewer)s was recorded: their review no "
            "longer counts, and they are told by e-mail."
        )
        % {"reviewer": reviewer.get_username()},
    )
    return redirect("review:decide", entry_id=entry.pk)


def _decide_one(request, entry, form):
    try:
        services.record_decision(
            entry,
            form.cleaned_data["outcome"],
            form.cleaned_data["rationale"],
            request.user,
            language=form.cleaned_data["rationale_language"],
        )
    except services.ReviewError as error:
        form.add_error(None, str(error))
        return None
    messages.success(
        request,
        _("Provisional decision recorded for %(reference)s.") % {"reference": entry.reference},
    )
    return redirect("review:ranking")
