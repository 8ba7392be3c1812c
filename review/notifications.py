"""Reviewers told what is theirs (issue 27), by e-mail through the job queue, each in the
reviewer's language:

- `assigned(assignments)`: one e-mail per reviewer per batch of assignments (one
  assignment, an automatic assignment, an imported CSV), listing the entries;
- `remind(today)`: the daily job; `remind_days_before` days before the campaign's
  review deadline (or later, up to the deadline, when the job missed the day), one
  e-mail to each reviewer with assignments they have not scored, once per deadline;
- `tell_changes(today)`: the daily job, when the review settings ask for it: one e-mail
  to each reviewer whose scored entries changed since their review (and since the
  last such e-mail), at most one a day.

A reviewer can say no to all three (ReviewerPreference.no_mail, on their queue page).
Their language: the one they chose that on, else that of the page they last saved a
review on, else the site's default. ReviewerNotice rows make the daily jobs idempotent.
"""

import logging
from collections import defaultdict
from datetime import timedelta

from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Max, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from kotolupaus import mail
from kotolupaus.models import MessageKind
from submissions.models import EntryStatus, EntryVersion

from .models import (
    Assignment,
    NoticeKind,
    Review,
    ReviewerNotice,
    ReviewerPreference,
    ReviewSettings,
)
from .staleness import latest_version

log = logging.getLogger(__name__)


def language_of(reviewer) -> str:
    preference = ReviewerPreference.objects.filter(reviewer=reviewer).first()
    if preference is not None and preference.language:
        return preference.language
    return (
        Review.objects.filter(reviewer=reviewer)
        .order_by("-updated_at")
        .values_list("language", flat=True)
        .first()
        or django_settings.LANGUAGE_CODE
    )


def wants_mail(reviewer) -> bool:
    return (
        reviewer.is_active
        and mail.deliverable(reviewer.email)
        and not ReviewerPreference.objects.filter(reviewer=reviewer, no_mail=True).exists()
    )


def set_choice(reviewer, *, no_mail: bool, language: str) -> ReviewerPreference:
    """The reviewer's choice, made on their queue page in `language`."""
    preference, _created = ReviewerPreference.objects.update_or_create(
        reviewer=reviewer, defaults={"no_mail": no_mail, "language": language}
    )
    log.info("reviewer %s: e-mails %s", reviewer.pk, "off" if no_mail else "on")
    return preference


def _queue_url(language):
    with override(language):
        return django_settings.SITE_URL + reverse("review:queue")


def _send(kind, reviewer, campaign, context) -> bool:
    language = language_of(reviewer)
    return (
        mail.queue(
            kind,
            to=reviewer.email,
            language=language,
            context={
                "reviewer": reviewer,
                "campaign": campaign,
                "queue_url": _queue_url(language),
                **context,
            },
        )
        is not None
    )


def _entries_of(entry_ids):
    from submissions.models import Entry

    return list(
        Entry.objects.filter(pk__in=entry_ids)
        .select_related("campaign")
        .prefetch_related("translations")
        .order_by("number")
    )


def assigned(assignments) -> int:
    """One e-mail to each reviewer of `assignments` (made together), listing them. Call
    it inside the transaction that made them. Returns the number of e-mails queued."""
    by_reviewer = defaultdict(list)
    for assignment in assignments:
        by_reviewer[assignment.reviewer].append(assignment.entry_id)
    sent = 0
    for reviewer, entry_ids in by_reviewer.items():
        if not wants_mail(reviewer):
            continue
        entries = _entries_of(entry_ids)
        campaign = entries[0].campaign
        settings = ReviewSettings.for_campaign(campaign)
        sent += _send(
            MessageKind.REVIEW_ASSIGNED,
            reviewer,
            campaign,
            {"entries": entries, "deadline": settings.review_deadline},
        )
    return sent


def _today():
    return timezone.localdate()


def remind(today=None) -> int:
    """The reminders due today (a daily job). Returns the number of e-mails queued."""
    today = today or _today()
    sent = 0
    for settings in ReviewSettings.objects.filter(
        review_deadline__isnull=False, locked_at__isnull=True, review_deadline__gte=today
    ).select_related("campaign"):
        deadline = settings.review_deadline
        if deadline is None or today < deadline - timedelta(days=settings.remind_days_before):
            continue
        campaign = settings.campaign
        unscored = (
            Assignment.objects.filter(entry__campaign=campaign, entry__status=EntryStatus.SUBMITTED)
            .exclude(
                Exists(
                    Review.objects.filter(entry=OuterRef("entry"), reviewer=OuterRef("reviewer"))
                )
            )
            .values_list("reviewer_id", "entry_id")
        )
        todo = defaultdict(list)
        for reviewer_id, entry_id in unscored:
            todo[reviewer_id].append(entry_id)
        for reviewer in get_user_model().objects.filter(pk__in=todo).order_by("pk"):
            if not wants_mail(reviewer):
                continue
            with transaction.atomic():
                if not _first_notice(reviewer, campaign, NoticeKind.REMINDER, deadline.isoformat()):
                    continue
                sent += _send(
                    MessageKind.REVIEW_REMINDER,
                    reviewer,
                    campaign,
                    {
                        "entries": _entries_of(todo[reviewer.pk]),
                        "deadline": deadline,
                    },
                )
    log.info("review reminders queued: %s", sent)
    return sent


def _first_notice(reviewer, campaign, kind, about) -> bool:
    """Record the notice; False when it was recorded before (told already)."""
    try:
        with transaction.atomic():
            ReviewerNotice.objects.create(
                reviewer=reviewer, campaign=campaign, kind=kind, about=about
            )
    except IntegrityError:
        return False
    return True


def changed_for(reviewer, campaign):
    """The reviewer's counting reviews in the campaign whose entry changed since they
    saved them and since the last e-mail about changes."""
    last = ReviewerNotice.objects.filter(
        reviewer=reviewer, campaign=campaign, kind=NoticeKind.CHANGED
    ).aggregate(last=Max("told_at"))["last"]
    reviews = (
        Review.objects.counting()
        .filter(
            reviewer=reviewer,
            entry__campaign=campaign,
            entry__status=EntryStatus.SUBMITTED,
            version__isnull=False,
        )
        .annotate(current=latest_version("entry_id"))
        .exclude(version=F("current"))
    )
    newer = EntryVersion.objects.filter(entry=OuterRef("entry"), made_at__gt=OuterRef("updated_at"))
    if last is not None:
        newer = newer.filter(made_at__gt=last)
    return reviews.filter(Exists(newer)).select_related("entry").order_by("entry__number")


def tell_changes(today=None) -> int:
    """The daily e-mails about changed entries, where the review settings ask for them."""
    today = today or _today()
    sent = 0
    for settings in ReviewSettings.objects.filter(
        tell_changes=True, locked_at__isnull=True
    ).select_related("campaign"):
        campaign = settings.campaign
        reviewer_ids = set(
            Review.objects.counting()
            .filter(entry__campaign=campaign, version__isnull=False)
            .annotate(current=latest_version("entry_id"))
            .exclude(version=F("current"))
            .values_list("reviewer_id", flat=True)
        )
        for reviewer in get_user_model().objects.filter(pk__in=reviewer_ids).order_by("pk"):
            if not wants_mail(reviewer):
                continue
            with transaction.atomic():
                reviews = list(changed_for(reviewer, campaign))
                if not reviews or not _first_notice(
                    reviewer, campaign, NoticeKind.CHANGED, today.isoformat()
                ):
                    continue
                sent += _send(
                    MessageKind.REVIEW_CHANGED,
                    reviewer,
                    campaign,
                    {"entries": _entries_of([r.entry_id for r in reviews])},
                )
    log.info("e-mails about changed entries queued: %s", sent)
    return sent
