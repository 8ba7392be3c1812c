"""News for an entry's contact: what partners answered and when staff published the
entry, gathered into one e-mail at most once a day, in the contact's language.

The service where a thing happens declares it with `tell()` (submissions.services.
answer_partnership; publishing.services.transition), inside its transaction: a
`SubmitterNews` row, and the job that sends the news (submissions.tasks.
send_submitter_news) queued with a procrastinate queueing lock of its own per entry, so
that while one waits no second one is queued. The first news about an entry go
SUBMITTER_NEWS_MINUTES after the first thing happened (whatever happens meanwhile joins
them); later ones no sooner than a day after the previous e-mail. The job sends what
is still true then: a partner that changed its mind is told with its last answer, one
whose address was corrected since (its answer forgotten) or that was removed is left
out, and nothing goes about a withdrawn entry.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override
from procrastinate.exceptions import AlreadyEnqueued

from kotolupaus import mail
from kotolupaus.models import Message, MessageKind

from .models import Entry, EntryStatus, NewsKind, SubmitterNews

log = logging.getLogger(__name__)

AT_MOST_EVERY = timedelta(days=1)


def lock_for(entry_id: int) -> str:
    return f"submitter_news:{entry_id}"


def tell(entry: Entry, kind: str, *, partnership=None) -> SubmitterNews | None:
    """Something happened that the entry's contact hears of in the next news e-mail.
    Call it inside the transaction of the change."""
    if entry.status != EntryStatus.SUBMITTED:
        return None
    item = SubmitterNews.objects.create(entry=entry, kind=kind, partnership=partnership)
    _queue(entry.pk, _next_time(entry.pk))
    return item


def _last_told(entry_id: int):
    """When the last news e-mail about the entry was queued (the Message rows are the
    record of what was sent; news rows go with a partner that is removed)."""
    return Message.objects.filter(entry_id=entry_id, kind=MessageKind.SUBMITTER_NEWS).aggregate(
        last=Max("created_at")
    )["last"]


def _next_time(entry_id: int):
    soonest = timezone.now() + timedelta(minutes=settings.SUBMITTER_NEWS_MINUTES)
    if not settings.SUBMITTER_NEWS_MINUTES:
        soonest -= timedelta(seconds=1)  # due at once
    last = _last_told(entry_id)
    return max(soonest, last + AT_MOST_EVERY) if last else soonest


def _queue(entry_id: int, when) -> None:
    from .tasks import send_submitter_news

    # No time at all for "now": the job is due at once, also to a worker whose clock or
    # transaction started a moment earlier.
    schedule = {"schedule_at": when} if when > timezone.now() else {}
    try:
        # A savepoint: the queueing lock's unique violation must not break the
        # transaction of the change.
        with transaction.atomic():
            send_submitter_news.configure(queueing_lock=lock_for(entry_id), **schedule).defer(
                entry_id=entry_id
            )
    except AlreadyEnqueued:  # one is waiting: it sends this too
        pass


def _what_to_tell(entry: Entry, waiting: list[SubmitterNews]) -> list[dict]:
    """The items of the e-mail, as true at the time of sending: the publication first,
    then each partner's latest answer (an entry taken down since is not "published")."""
    from .extensions import published_entries

    items: list[dict[str, str]] = []
    kinds = {item.kind for item in waiting}
    published = kinds & {NewsKind.PUBLISHED, NewsKind.REPUBLISHED}
    if published and published_entries(Entry.objects.filter(pk=entry.pk)).exists():
        first = NewsKind.PUBLISHED in published
        items.append({"kind": NewsKind.PUBLISHED if first else NewsKind.REPUBLISHED})
    seen = set()
    for item in waiting:
        partnership = item.partnership
        if partnership is None or partnership.pk in seen:
            continue
        seen.add(partnership.pk)
        if partnership.confirmed_at:
            answer = NewsKind.PARTNER_CONFIRMED
        elif partnership.declined_at:
            answer = NewsKind.PARTNER_DECLINED
        else:
            continue  # its address was corrected since: it is asked again
        items.append({"kind": answer, "partner": partnership.organisation.name})
    return items


def send(entry_id: int) -> int:
    """The job's work: e-mail the news of an entry that are not told yet, unless the
    previous news went less than a day ago (then the job is queued again for that
    time). Returns the number of items told."""
    from . import services

    with transaction.atomic():
        entry = (
            Entry.objects.select_for_update(of=("self",))
            .select_related("campaign", "lead_organisation")
            .filter(pk=entry_id)
            .first()
        )
        if entry is None:
            return 0
        waiting = list(
            entry.news.filter(told_at__isnull=True).select_related("partnership__organisation")
        )
        if not waiting:
            return 0
        last = _last_told(entry_id)
        now = timezone.now()
        if last and now < last + AT_MOST_EVERY:
            _queue(entry_id, last + AT_MOST_EVERY)
            return 0
        items = _what_to_tell(entry, waiting) if entry.status == EntryStatus.SUBMITTED else []
        if not items:
            SubmitterNews.objects.filter(pk__in=[item.pk for item in waiting]).delete()
            return 0
        language = entry.contact_language
        with override(language):
            public_link = settings.SITE_URL + reverse("publishing:entry_detail", args=[entry.pk])
        mail.queue(
            MessageKind.SUBMITTER_NEWS,
            to=entry.contact_email,
            language=language,
            entry=entry,
            context={
                "items": items,
                "public_link": public_link,
                "link": services.link(
                    "submissions:manage", services.add_management_link(entry), language
                ),
            },
        )
        SubmitterNews.objects.filter(pk__in=[item.pk for item in waiting]).update(told_at=now)
    log.info("news sent about %s: %d items", entry.reference, len(items))
    return len(items)
