"""The monthly e-mail of suggestions (publishing.cooperation.suggestions): to each
contact who asked for it (PartnerSearch.suggestions_by_email) and whose entry is sent
and not withdrawn, at most once in 30 days, only when there is something to suggest,
wholly in the contact's language, with a new private link to the management page. A
daily job (publishing/tasks.py imports it, so that workers register it) sends what is
due."""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import override
from procrastinate.contrib.django import app

from kotolupaus import mail
from kotolupaus.models import MessageKind
from submissions.models import Entry, EntryStatus, PartnerSearch

from ..addresses import entry_url_patterns, entry_urls
from .requests import management_link
from .suggestions import suggestions_for

log = logging.getLogger(__name__)

EVERY_DAYS = 30


def due(now=None):
    """The entries whose contact is due the e-mail now."""
    now = now or timezone.now()
    return (
        Entry.objects.filter(
            status=EntryStatus.SUBMITTED,
            partner_search__suggestions_by_email=True,
        )
        .filter(
            Q(partner_search__suggestions_mailed_at__isnull=True)
            | Q(partner_search__suggestions_mailed_at__lte=now - timedelta(days=EVERY_DAYS))
        )
        .filter(mail.deliverable_q("contact_email"))
        .order_by("pk")
    )


def _rows(entry, language) -> list[dict]:
    """The suggestions for the entry, in words in `language`."""
    patterns = entry_url_patterns()
    with override(language):
        return [
            {
                "title": found.title,
                "organisation": found.entry.organisation_name,
                "reasons": found.reason_text,
                "url": entry_urls(found.entry.entry_id, patterns)[language],
            }
            for found in suggestions_for(entry)
        ]


def send_to(entry: Entry, now=None) -> bool:
    """E-mail the entry's contact their suggestions, if there are any; True if sent."""
    now = now or timezone.now()
    language = entry.contact_language
    rows = _rows(entry, language)
    if not rows:
        return False  # nothing today: looked at again tomorrow
    with transaction.atomic():
        PartnerSearch.objects.filter(entry=entry).update(suggestions_mailed_at=now)
        mail.queue(
            MessageKind.PARTNER_SUGGESTIONS,
            to=entry.contact_email,
            language=language,
            entry=entry,
            context={
                "suggestions": rows,
                "link": management_link(entry, language),
            },
        )
    log.info("partner suggestions for %s", entry.reference)
    return True


def send_suggestions(now=None) -> int:
    """Send every e-mail of suggestions that is due; returns how many were sent."""
    sent = 0
    entries = due(now).select_related("campaign", "lead_organisation")
    for entry in entries.prefetch_related(
        "themes", "target_groups", "municipalities", "partnerships__organisation"
    ):
        sent += send_to(entry, now)
    return sent


@app.periodic(cron="0 8 * * *")
@app.task(name="send_partner_suggestions", queue="maintenance")
def send_partner_suggestions(timestamp: int) -> int:
    """Suggestions of partners to the contacts who asked, at most monthly (daily at 08:00 UTC)."""
    return send_suggestions()
