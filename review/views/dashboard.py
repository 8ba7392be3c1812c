"""The coordinator's dashboard."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kotolupaus import mail
from kotolupaus.access import coordinator_required
from submissions.models import Entry, EntryStatus

from .. import services
from ..dashboard_parts import parts_for
from ..models import (
    AuditEvent,
    AwardCategory,
    Decision,
    ReviewSettings,
)
from .common import _campaign, _render

# --- Dashboard -----------------------------------------------------------------------------


@coordinator_required
def dashboard(request):
    from ..charts import submissions_per_day

    campaign = _campaign(request)
    review_settings = ReviewSettings.for_campaign(campaign)
    entries = Entry.objects.filter(campaign=campaign)
    by_status = dict(entries.values_list("status").annotate(n=Count("pk")).order_by())
    per_reviewer, assigned = _reviewer_progress(campaign)
    short = _short_of_reviews(campaign, review_settings)
    return _render(
        request,
        "review/dashboard.html",
        _("Review dashboard"),
        {
            "campaign": campaign,
            "settings": review_settings,
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
            "parts": parts_for(campaign),
            # Mail trouble in sight (failed, long waiting, refused by the limits).
            "mail_health": mail.health()
            if request.user.has_perm("kotolupaus.view_message")
            else None,
        },
    )


def _reviewer_progress(campaign):
    """(reviewers with their number of reviews, {username: number of assigned entries})"""
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
    return per_reviewer, assigned


def _short_of_reviews(campaign, review_settings):
    return (
        services.reviewable_entries(campaign)
        .annotate(n=Count("reviews", filter=Q(reviews__withdrawn_at__isnull=True)))
        .filter(n__lt=review_settings.reviews_per_entry)
        .order_by("n", "number")
        .prefetch_related("translations")
    )
