"""The daily job of requests to join (publishing/tasks.py `handle_join_requests`).

A waiting request older than half of the campaign's `join_request_days` reminds the
entry's contact once; one older than `join_request_days` expires and its sender is told;
the waiting requests of an entry no longer public are closed and their senders told.
Each change is a conditional update of a row still waiting, so a run that repeats (or
meets the contact answering at that moment) changes nothing twice; the requests are
read in one query, whatever their number (each e-mail is a job of its own).

The public figures of requests (the statistics page, the report, cooperation.json) are
counts as of the last public change: sending or answering a request does not move every
public page's version (anyone can send one; the page cache would then be anyone's to
empty). This job moves it once a day when any request was sent or changed since the day
before, so the figures are a day old at most."""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kotolupaus import mail
from kotolupaus.models import MessageKind

from ..changes import public_change
from ..models import JoinRequest, JoinRequestStatus
from .requests import WAITING, catalogue_link, management_link

log = logging.getLogger(__name__)


def _end(request: JoinRequest, status: str, now) -> bool:
    """Close or expire a request still waiting and tell its sender; False when it was
    answered meanwhile."""
    with transaction.atomic():
        changed = JoinRequest.objects.filter(pk=request.pk, status=WAITING).update(
            status=status, answered_at=now
        )
        if changed:
            entry = request.entry
            mail.queue(
                MessageKind.JOIN_EXPIRED,
                to=request.email,
                language=request.language,
                entry=entry,
                context={
                    "join": request,
                    "closed": status == JoinRequestStatus.CLOSED,
                    "days": entry.campaign.join_request_days,
                    "catalogue": catalogue_link(request.language),
                },
            )
    return bool(changed)


def _remind(request: JoinRequest, now) -> bool:
    """Remind the entry's contact of a request still waiting, once."""
    with transaction.atomic():
        changed = JoinRequest.objects.filter(
            pk=request.pk, status=WAITING, reminded_at__isnull=True
        ).update(reminded_at=now)
        if changed:
            entry = request.entry
            language = entry.contact_language
            mail.queue(
                MessageKind.JOIN_REMINDER,
                to=entry.contact_email,
                language=language,
                entry=entry,
                context={
                    "join": request,
                    "link": management_link(entry, language),
                    "expires": request.created_at
                    + timedelta(days=entry.campaign.join_request_days),
                },
            )
    return bool(changed)


def handle_waiting_requests(now=None) -> dict:
    """Close, expire and remind what is due; returns how many of each."""
    now = now or timezone.now()
    done = {"closed": 0, "expired": 0, "reminded": 0}
    waiting = (
        JoinRequest.objects.filter(status=WAITING)
        .select_related("entry__campaign", "entry__public")
        .prefetch_related("entry__translations")
        .order_by("pk")
    )
    for request in waiting:
        days = timedelta(days=request.entry.campaign.join_request_days)
        age = now - request.created_at
        if not hasattr(request.entry, "public"):
            done["closed"] += _end(request, JoinRequestStatus.CLOSED, now)
        elif age >= days:
            done["expired"] += _end(request, JoinRequestStatus.EXPIRED, now)
        elif age >= days / 2 and request.reminded_at is None:
            done["reminded"] += _remind(request, now)
    since = now - timedelta(days=1)
    if (
        any(done.values())
        or JoinRequest.objects.filter(Q(created_at__gte=since) | Q(answered_at__gte=since)).exists()
    ):
        with transaction.atomic():
            public_change()
    log.info("join requests: %s", done)
    return done
