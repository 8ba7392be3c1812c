"""The staff review workspace, served inside the admin panel: the reviewer's queue and
scoring form, the coordinator's ranking, decisions, assignments, prizes and dashboard."""

import csv

from django.conf import settings as django_settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model, logout
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from kotolupaus.access import coordinator_required, reviewer_required
from submissions.access import can_view_contact_data
from submissions.models import Campaign, Entry, EntryStatus, Partnership

from . import exports, security, services
from .forms import (
    AssignmentImportForm,
    AutoAssignForm,
    BallotForm,
    ConflictForm,
    DecisionForm,
    RankingFilterForm,
    ScoreForm,
    reviewers,
)
from .models import (
    COORDINATOR_GROUP,
    REVIEWER_GROUP,
    Assignment,
    AuditEvent,
    AwardCategory,
    Ballot,
    Criterion,
    Decision,
    Nomination,
    Review,
    ReviewSettings,
)
from .ranking import ranking
from .voting import schulze


def _campaign(request):
    slug = request.GET.get("campaign")
    campaign = Campaign.objects.filter(slug=slug).first() if slug else Campaign.objects.current()
    if campaign is None:
        raise Http404
    return campaign


def _render(request, template, title, context):
    return render(
        request,
        template,
        {
            **admin.site.each_context(request),
            # The workspace has its own navigation; the admin's sidebar would open by
            # script after the page is drawn and shift everything (layout shift).
            "is_nav_sidebar_enabled": False,
            "title": title,
            "can_coordinate": services.can_coordinate(request.user),
            "can_view_contact_data": can_view_contact_data(request.user),
            **context,
        },
    )


def _entries_with_text():
    return Entry.objects.select_related(
        "lead_organisation", "lead_organisation__municipality", "campaign"
    ).prefetch_related(
        "translations",
        "themes__translations",
        "target_groups__translations",
        "municipalities",
        Prefetch(
            "partnerships",
            queryset=Partnership.objects.select_related("organisation"),
            to_attr="partner_list",
        ),
    )


# --- The reviewer's queue and scoring form --------------------------------------------------


def _queue(user, campaign):
    """Entries the reviewer may review: assigned first, then those with fewest reviews."""
    blocked = services.conflicted_entry_ids(user, campaign)
    return (
        services.reviewable_entries(campaign)
        .exclude(pk__in=blocked)
        .annotate(
            assigned_to_me=Exists(Assignment.objects.filter(entry=OuterRef("pk"), reviewer=user)),
            reviewed_by_me=Exists(Review.objects.filter(entry=OuterRef("pk"), reviewer=user)),
            review_count=Count(
                "reviews", filter=Q(reviews__withdrawn_at__isnull=True), distinct=True
            ),
        )
        .select_related("lead_organisation")
        .prefetch_related("translations")
        .order_by("reviewed_by_me", "-assigned_to_me", "review_count", "number")
    )


@reviewer_required
def queue(request):
    campaign = _campaign(request)
    entries = _queue(request.user, campaign)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return _render(
        request,
        "review/queue.html",
        _("Review queue"),
        {
            "campaign": campaign,
            "page": page,
            "settings": ReviewSettings.for_campaign(campaign),
            "todo": entries.filter(assigned_to_me=True, reviewed_by_me=False).count(),
        },
    )


def _next_in_queue(request, campaign, after_entry):
    skipped = set(request.session.get("review_skipped", []))
    for entry_id in (
        _queue(request.user, campaign)
        .filter(reviewed_by_me=False)
        .exclude(pk=after_entry.pk)
        .values_list("pk", flat=True)[:200]
    ):
        if entry_id not in skipped:
            return entry_id
    return None


@reviewer_required
@require_http_methods(["GET", "POST"])
def score(request, entry_id):
    entry = get_object_or_404(_entries_with_text(), pk=entry_id, status=EntryStatus.SUBMITTED)
    campaign = entry.campaign
    if services.is_conflicted(request.user, entry):
        raise PermissionDenied
    settings = ReviewSettings.for_campaign(campaign)
    criteria = Criterion.objects.filter(campaign=campaign).prefetch_related("translations")
    review = (
        Review.objects.filter(entry=entry, reviewer=request.user).prefetch_related("scores").first()
    )
    initial = {}
    if review:
        initial = {"comment": review.comment, "recommendation": review.recommendation}
        initial.update({f"criterion_{s.criterion_id}": s.value for s in review.scores.all()})
    form = ScoreForm(initial=initial, criteria=criteria)
    conflict_form = ConflictForm()

    if request.method == "POST":
        action = request.POST.get("action")
        if action == "skip":
            skipped = request.session.get("review_skipped", [])
            request.session["review_skipped"] = [*skipped, entry.pk][-500:]
            following = _next_in_queue(request, campaign, entry)
            return redirect(
                reverse("review:score", args=[following]) if following else reverse("review:queue")
            )
        if action == "conflict":
            conflict_form = ConflictForm(request.POST)
            if conflict_form.is_valid():
                scope = conflict_form.cleaned_data["scope"]
                services.declare_conflict(
                    request.user,
                    conflict_form.cleaned_data["reason"],
                    entry=entry if scope == "entry" else None,
                    organisation=entry.lead_organisation if scope == "organisation" else None,
                )
                messages.success(
                    request,
                    _(
                        "Your conflict of interest was recorded; the entry was removed from your queue."
                    ),
                )
                following = _next_in_queue(request, campaign, entry)
                return redirect(
                    reverse("review:score", args=[following])
                    if following
                    else reverse("review:queue")
                )
        else:
            form = ScoreForm(request.POST, criteria=criteria)
            if form.is_valid():
                try:
                    services.save_review(
                        request.user,
                        entry,
                        scores=form.scores(),
                        comment=form.cleaned_data["comment"],
                        recommendation=form.cleaned_data["recommendation"],
                    )
                except services.ReviewError as error:
                    form.add_error(None, str(error))
                else:
                    messages.success(
                        request,
                        _("Your review of %(reference)s was saved.")
                        % {"reference": entry.reference},
                    )
                    if action == "save_next":
                        following = _next_in_queue(request, campaign, entry)
                        if following:
                            return redirect("review:score", entry_id=following)
                        return redirect("review:queue")
                    return redirect("review:score", entry_id=entry.pk)

    return _render(
        request,
        "review/score.html",
        entry.reference,
        {
            "entry": entry,
            "form": form,
            "conflict_form": conflict_form,
            "review": review,
            "locked": settings.is_locked,
            "assigned": Assignment.objects.filter(entry=entry, reviewer=request.user).exists(),
        },
    )


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


@coordinator_required
@require_http_methods(["GET", "POST"])
def ranking_view(request):
    campaign = _campaign(request)
    filters = RankingFilterForm(request.GET or None)
    decision_form = DecisionForm()
    if request.method == "POST":
        decision_form = DecisionForm(request.POST)
        chosen = Entry.objects.filter(campaign=campaign, pk__in=request.POST.getlist("entries"))
        if not chosen:
            messages.error(request, _("Choose the entries to decide."))
        elif decision_form.is_valid():
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
                        _("%(reference)s: %(error)s")
                        % {"reference": entry.reference, "error": error},
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

    sort = filters.cleaned_data.get("sort") if filters.is_valid() else "mean"
    rows = ranking(campaign, _filtered_entries(campaign, filters), sort=sort or "mean")
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        return exports.ranking_response(campaign, rows, export, request.user)
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return _render(
        request,
        "review/ranking.html",
        _("Ranking"),
        {
            "campaign": campaign,
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "decision_form": decision_form,
            "settings": ReviewSettings.for_campaign(campaign),
            "provisional": services.provisional_decisions(campaign).count(),
        },
    )


@coordinator_required
def reviews_export(request):
    campaign = _campaign(request)
    return exports.reviews_response(campaign, request.GET.get("format", "csv"))


@coordinator_required
@require_http_methods(["GET", "POST"])
def decide(request, entry_id):
    entry = get_object_or_404(_entries_with_text(), pk=entry_id)
    decision = Decision.objects.filter(entry=entry).first()
    form = DecisionForm(
        request.POST or None,
        initial=(
            {
                "outcome": decision.outcome,
                "rationale": decision.rationale,
                "rationale_language": decision.rationale_language,
            }
            if decision
            else None
        ),
    )
    if request.method == "POST" and form.is_valid():
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
        else:
            messages.success(
                request,
                _("Provisional decision recorded for %(reference)s.")
                % {"reference": entry.reference},
            )
            return redirect("review:ranking")
    reviews = (
        Review.objects.filter(entry=entry)
        .order_by("withdrawn_at", "reviewer__username")
        .select_related("reviewer")
        .prefetch_related("scores__criterion__translations")
    )
    return _render(
        request,
        "review/decide.html",
        entry.reference,
        {
            "entry": entry,
            "form": form,
            "decision": decision,
            "reviews": reviews,
        },
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def publish_decisions(request):
    """Asks first: how many decisions become final and how many submitters are e-mailed,
    in which languages; the POST publishes them."""
    campaign = _campaign(request)
    if request.method == "POST":
        count = services.publish_decisions(campaign, request.user)
        messages.success(
            request,
            ngettext(
                "%(count)s decision published; the submitter is being told by e-mail.",
                "%(count)s decisions published; the submitters are being told by e-mail.",
                count,
            )
            % {"count": count},
        )
        return redirect("review:ranking")
    plan = services.decisions_to_publish(campaign)
    languages = dict(django_settings.LANGUAGES)
    return _render(
        request,
        "review/publish_decisions.html",
        _("Publish decisions"),
        {
            "campaign": campaign,
            "plan": plan,
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
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="assignments-{campaign.slug}.csv"'
        writer = csv.writer(response)
        writer.writerow(["reference", "reviewer"])
        for reference, username in Assignment.objects.filter(entry__campaign=campaign).values_list(
            "entry__reference", "reviewer__username"
        ):
            writer.writerow([reference, username])
        return response
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


# --- Prizes ---------------------------------------------------------------------------------


@coordinator_required
@require_http_methods(["GET", "POST"])
def vote(request, category_id):
    category = get_object_or_404(AwardCategory, pk=category_id)
    nominations = list(
        Nomination.objects.filter(category=category)
        .select_related("entry")
        .prefetch_related("entry__translations")
    )
    ballot = Ballot.objects.filter(category=category, voter=request.user).first()
    initial = {f"entry_{k}": v for k, v in ballot.ranks.items()} if ballot else None
    form = BallotForm(request.POST or None, initial=initial, nominations=nominations)
    if request.method == "POST" and form.is_valid():
        try:
            services.cast_ballot(category, request.user, form.ranks())
        except services.ReviewError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your ballot was saved."))
            return redirect("review:vote", category_id=category.pk)
    ballots = [{int(k): v for k, v in b.ranks.items()} for b in category.ballots.all()]
    entries = {n.entry_id: n.entry for n in nominations}
    order, pairwise = schulze(list(entries), ballots) if entries else ([], {})
    return _render(
        request,
        "review/vote.html",
        str(category),
        {
            "category": category,
            "form": form,
            "ballot_count": len(ballots),
            "results": [(entries[e], wins) for e, wins in order],
            "columns": list(entries.values()),
            "pairwise": [
                (entries[a], [None if a == b else pairwise[a][b] for b in entries]) for a in entries
            ],
        },
    )


# --- Dashboard -----------------------------------------------------------------------------


@coordinator_required
def dashboard(request):
    from .charts import submissions_per_day

    campaign = _campaign(request)
    settings = ReviewSettings.for_campaign(campaign)
    entries = Entry.objects.filter(campaign=campaign)
    by_status = dict(entries.values_list("status").annotate(n=Count("pk")).order_by())
    per_reviewer = (
        get_user_model()
        .objects.filter(reviews__entry__campaign=campaign)
        .annotate(
            done=Count(
                "reviews",
                filter=Q(reviews__entry__campaign=campaign, reviews__withdrawn_at__isnull=True),
                distinct=True,
            )
        )
        .order_by("-done", "username")
    )
    assigned = (
        get_user_model()
        .objects.filter(assignments__entry__campaign=campaign)
        .annotate(n=Count("assignments", distinct=True))
        .values_list("username", "n")
    )
    short = (
        services.reviewable_entries(campaign)
        .annotate(n=Count("reviews", filter=Q(reviews__withdrawn_at__isnull=True)))
        .filter(n__lt=settings.reviews_per_entry)
        .order_by("n", "number")
        .prefetch_related("translations")
    )
    return _render(
        request,
        "review/dashboard.html",
        _("Review dashboard"),
        {
            "campaign": campaign,
            "settings": settings,
            "submitted": by_status.get(EntryStatus.SUBMITTED, 0),
            "withdrawn": by_status.get(EntryStatus.WITHDRAWN, 0),
            "decided": Decision.objects.filter(entry__campaign=campaign).count(),
            "per_reviewer": per_reviewer,
            "assigned": dict(assigned),
            "short": short[:50],
            "short_count": short.count(),
            "chart": submissions_per_day(campaign),
            "audit": AuditEvent.objects.filter(campaign=campaign).select_related("actor", "entry")[
                :20
            ],
            "categories": AwardCategory.objects.filter(campaign=campaign).prefetch_related(
                "translations"
            ),
            "now": timezone.now(),
        },
    )


# --- Staff accounts and their sessions ---------------------------------------------------------

ROLE_NAMES = {
    COORDINATOR_GROUP: gettext_lazy("coordinator"),
    REVIEWER_GROUP: gettext_lazy("reviewer"),
}


@coordinator_required
def staff(request):
    """Every staff account: role, two-factor devices, sessions open now, with a button
    that ends all of a user's sessions."""
    users = (
        get_user_model()
        .objects.filter(Q(is_staff=True) | Q(is_superuser=True))
        .annotate(devices=Count("totpdevice", filter=Q(totpdevice__confirmed=True), distinct=True))
        .prefetch_related(
            "groups",
            Prefetch(
                "staff_sessions",
                queryset=security.alive_sessions().order_by("-last_seen_at"),
                to_attr="open_sessions",
            ),
        )
        .order_by("username")
    )
    rows = [
        {
            "user": user,
            "roles": [str(ROLE_NAMES.get(g.name, g.name)) for g in user.groups.all()],
            "sessions": user.open_sessions,
        }
        for user in users
    ]
    return _render(
        request,
        "review/staff.html",
        _("Staff and sessions"),
        {
            "rows": rows,
            "idle_minutes": django_settings.STAFF_SESSION_IDLE_MINUTES,
            "session_hours": f"{django_settings.SESSION_COOKIE_AGE / 3600:g}",
        },
    )


@coordinator_required
@require_POST
def end_sessions(request, user_id):
    """End every session of one staff member ("log out everywhere")."""
    user = get_object_or_404(
        get_user_model().objects.filter(Q(is_staff=True) | Q(is_superuser=True)),
        pk=user_id,
    )
    count = security.end_sessions(user, request.user)
    messages.success(
        request,
        ngettext(
            "Ended %(count)s session of %(user)s.", "Ended %(count)s sessions of %(user)s.", count
        )
        % {"count": count, "user": user.get_username()},
    )
    if user == request.user:
        logout(request)  # this session was one of them
        return redirect("admin:login")
    return redirect("review:staff")
