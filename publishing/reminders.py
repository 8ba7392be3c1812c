"""Reminders to report progress: the contact of each published entry is e-mailed at the
campaign's intervals (Campaign.reminder_months after publication, and a month before
the programme ends), in their language, with a private link and a one-click "stop
reminding me". A daily job sends what is due (publishing/tasks.py); staff can send one
by hand from the follow-up page. Never to erased addresses or contacts who stopped
them, never twice for one due date.
"""

import calendar
import logging
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from kotolupaus import mail
from kotolupaus.models import MessageKind
from review.audit import audit
from review.models import AuditAction
from submissions import services as submission_services
from submissions.models import Entry, ReminderSent

from .queries import published

log = logging.getLogger(__name__)

# A reminder is not sent to a contact who reported within this many days before it.
RECENT_REPORT_DAYS = 30


def add_months(day: date, months: int) -> date:
    years, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def due_dates(campaign, first_published_at) -> list[date]:
    """When an entry published at `first_published_at` is due a reminder."""
    published_on = timezone.localdate(first_published_at)
    dates = [add_months(published_on, months) for months in campaign.reminder_month_list]
    if campaign.programme_ends_on:
        dates.append(add_months(campaign.programme_ends_on, -1))
    return sorted(d for d in set(dates) if d > published_on)


def remindable():
    """Published entries whose contact can be reminded."""
    return (
        published()
        .filter(reminders_stopped_at__isnull=True)
        .filter(mail.deliverable_q("contact_email"))
    )


def send_reminder(entry: Entry, due_on: date, *, by=None) -> bool:
    """E-mail one reminder now (a new private link, the stop link); False when the
    entry's contact cannot be reminded."""
    with transaction.atomic():
        if not remindable().filter(pk=entry.pk).exists():
            return False
        entry = Entry.objects.select_related("campaign").get(pk=entry.pk)
        language = entry.contact_language
        stop = submission_services.reminders_stop_link(entry, language)
        mail.queue(
            MessageKind.PROGRESS_REMINDER,
            to=entry.contact_email,
            language=language,
            entry=entry,
            unsubscribe_url=stop,
            context={
                "link": submission_services.link(
                    "submissions:manage", submission_services.add_management_link(entry), language
                ),
                "stop_link": stop,
            },
        )
        ReminderSent.objects.create(entry=entry, due_on=due_on, by_hand=by is not None)
        if by is not None:
            audit(by, AuditAction.REMINDED, entry.campaign, entry, due_on=due_on.isoformat())
    log.info("progress reminder for %s (due %s)", entry.reference, due_on)
    return True


def send_due_reminders(today: date | None = None) -> int:
    """Send every reminder that is due and not yet sent; returns how many were sent.
    Only the latest due date of an entry is mailed; earlier missed ones are recorded."""
    today = today or timezone.localdate()
    sent = 0
    entries = (
        remindable()
        .select_related("campaign", "publication")
        .annotate(last_report=Max("progress_reports__created_at"))
        .order_by("pk")
    )
    done = {
        (entry_id, due_on)
        for entry_id, due_on in ReminderSent.objects.filter(by_hand=False).values_list(
            "entry_id", "due_on"
        )
    }
    for entry in entries.iterator(chunk_size=500):
        due = [
            d
            for d in due_dates(entry.campaign, entry.publication.first_published_at)
            if d <= today and (entry.pk, d) not in done
        ]
        if not due:
            continue
        *missed, latest = due
        for day in missed:
            ReminderSent.objects.create(entry=entry, due_on=day, mailed=False)
        recent = entry.last_report and timezone.localdate(entry.last_report) >= latest - timedelta(
            days=RECENT_REPORT_DAYS
        )
        if recent:
            ReminderSent.objects.create(entry=entry, due_on=latest, mailed=False)
        elif send_reminder(entry, latest):
            sent += 1
    return sent
