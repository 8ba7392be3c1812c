"""Every e-mail the service sends is written and sent here, and only here.

`queue()` renders a message wholly in its reader's language (subject, body, the entry's
title, the signature), records it as a `Message` and defers the job that sends it — in
the transaction of the change that causes it, so a rolled-back change sends nothing and
a committed one is never forgotten. No request ever talks to the SMTP server.

`deliver()` is that job's work: it sends a queued message once. The message row is
locked while it is sent and marked sent in the same transaction, so a job that runs
again (a retry, a worker restarted after a crash, a coordinator's resend) never sends a
delivered message twice. A temporary failure (server down, 4xx) is retried with growing
waits; a permanent one (5xx, refused recipient) fails at once and is listed for the
coordinators in the admin. Erased addresses are never mailed. Once sent, the text (it
carries private links) is emptied; a copy with the links' tokens masked (`mask_links()`)
stays for coordinators to read. `try_now()` has a waiting message tried at once.

Subjects never contain text a submitter or a visitor typed (only references, kinds and
the campaign's name); typed text in a body is quoted, attributed and capped by the
templates in templates/mail/. The templates are plain text rendered without HTML escaping.

No address gets more than its allowance: `ALLOWANCES` says, for every kind of message,
how many may go to one mailbox in 24 hours, whoever or whatever causes them. `queue()`
counts and records under a lock on the mailbox (a PostgreSQL advisory lock held until the
transaction ends), so simultaneous requests never get past the limit together. A message
over the limit is recorded as refused (never sent, listed for coordinators with why) and
the caller goes on as if it had been queued, so a visitor's answer never tells.
"""

import contextlib
import logging
import re
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from django.template import engines
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from .models import Message, MessageKind, MessageStatus

log = logging.getLogger(__name__)


class TemporaryFailure(Exception):
    """The message could not be delivered now; the job tries again later."""


def erased_address(tag: str = "") -> str:
    """What an erased address becomes: one under the reserved .invalid domain."""
    return f"erased-{tag}@erased.invalid" if tag else "erased@erased.invalid"


def deliverable(address: str) -> bool:
    """An empty address and an erased one (under .invalid) are never mailed."""
    address = (address or "").strip().lower()
    return bool(address) and not address.endswith(".invalid")


def deliverable_q(field: str) -> Q:
    """deliverable() as a filter on the address in `field`."""
    return ~Q(**{field: ""}) & ~Q(**{f"{field}__endswith": ".invalid"})


# --- Per-address limits -------------------------------------------------------------------


@dataclass(frozen=True)
class Allowance:
    """How many messages of a kind one mailbox may be sent in 24 hours: a number, or the
    name of the setting that holds it."""

    per_day: int | str

    @property
    def limit(self) -> int:
        if isinstance(self.per_day, str):
            return int(getattr(settings, self.per_day))
        return self.per_day


# Every kind of message, each counted on its own per mailbox across all entries. A kind
# that anyone can make us send to any address is held to a few a day; a kind that only
# staff, a scheduled job or a contact who confirmed the address can cause is one per
# entry and event, and its cap only keeps a fault from flooding an inbox.
ALLOWANCES: dict[str, Allowance] = {
    # Anyone can type any address into the submission form.
    MessageKind.CONFIRM_ADDRESS: Allowance(3),
    # Anyone can ask "lost your link?" for any address, or save a draft with it.
    MessageKind.MANAGEMENT_LINKS: Allowance("MAIL_LINKS_PER_ADDRESS_PER_DAY"),
    MessageKind.DRAFT_LINK: Allowance("MAIL_LINKS_PER_ADDRESS_PER_DAY"),
    # A submitter names the partners' addresses; a visitor writes to an initiative.
    MessageKind.PARTNER_INVITATION: Allowance(3),
    MessageKind.JOIN_REQUEST: Allowance(3),
    # The entry's own contact withdraws it; staff or the scheduled jobs cause the rest.
    MessageKind.WITHDRAWN: Allowance(20),
    MessageKind.RETURNED: Allowance(50),
    MessageKind.EDIT_REJECTED: Allowance(50),
    MessageKind.DECISION: Allowance(50),
    MessageKind.REPORT_RETURNED: Allowance(50),
    MessageKind.PROGRESS_REMINDER: Allowance(50),
    # Staff's own mail: a reviewer is told of withdrawn reviews at most once a day anyway.
    MessageKind.REVIEWS_WITHDRAWN: Allowance(5),
    # To a partner organisation invited earlier (so within its invitations' allowance):
    # removed from an entry, or an entry it was part of withdrawn.
    MessageKind.PARTNER_REMOVED: Allowance(3),
    MessageKind.PARTNER_WITHDRAWN: Allowance(3),
    # To an entry's confirmed contact, one a day per entry at most anyway (submissions/news.py).
    MessageKind.SUBMITTER_NEWS: Allowance(10),
    # Staff's own mail about their assignments: one per batch of assignments a
    # coordinator makes; the reminder once per deadline; changes once a day at most.
    MessageKind.REVIEW_ASSIGNED: Allowance(10),
    MessageKind.REVIEW_REMINDER: Allowance(3),
    MessageKind.REVIEW_CHANGED: Allowance(3),
    # To an organisation that asked to join an entry (so within the allowance of requests
    # it can send): its request declined or expired, one message per request.
    MessageKind.JOIN_DECLINED: Allowance(10),
    MessageKind.JOIN_EXPIRED: Allowance(10),
    # To an entry's confirmed contact: one reminder per request; suggestions once a month.
    MessageKind.JOIN_REMINDER: Allowance(10),
    MessageKind.PARTNER_SUGGESTIONS: Allowance(3),
}
LIMIT_WINDOW = timedelta(hours=24)
# What counts against an allowance: messages that went, or will go, out.
COUNTED = (MessageStatus.QUEUED, MessageStatus.SENT, MessageStatus.FAILED)


def allowance(kind: str) -> int:
    """How many messages of this kind one mailbox may be sent in 24 hours."""
    return ALLOWANCES[kind].limit


def mailbox(address: str) -> str:
    """The mailbox an address reaches, as the limits count it: "Victim-B"@Victim.test,
    victim-b+news@victim.test and victim-b@victim.test are one mailbox (case, a quoted
    local part and a "+tag" sub-address make no difference)."""
    address = (address or "").strip()
    local, at, domain = address.rpartition("@")
    if not at:
        return address.lower()
    if len(local) >= 2 and local.startswith('"') and local.endswith('"'):
        local = re.sub(r"\\(.)", r"\1", local[1:-1])
    local = local.split("+", 1)[0] or local
    domain = domain.strip().rstrip(".").lower()
    with contextlib.suppress(UnicodeError):  # not a name IDNA can encode: kept as it is
        domain = domain.encode("idna").decode("ascii")
    return f"{local.lower()}@{domain}"


def _lock_mailbox(key: str) -> None:
    """Until the transaction ends, nobody else counts or queues mail to this mailbox."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"mail:{key}"])


def _recent(key: str, kind: str) -> QuerySet[Message]:
    return Message.objects.filter(
        recipient_key=key,
        kind=kind,
        status__in=COUNTED,
        created_at__gte=timezone.now() - LIMIT_WINDOW,
    )


def allowance_left(kind: str, address: str) -> int:
    """How many more messages of this kind the address may be sent now (a form may say
    so next to a field; `queue()` decides, atomically)."""
    left: int = allowance(kind) - _recent(mailbox(address), kind).count()
    return max(0, left)


# --- Private links masked -------------------------------------------------------------------

# A private token in a link: a path segment of 20 or more URL-safe characters (tokens are
# 43 characters, signed values longer); the service's own path segments are shorter.
_URL = re.compile(r"(https?://[^/\s<>“”\"]+)(/[^\s<>“”\"]*)")
_TOKEN_SEGMENT = re.compile(r"(?<=/)[A-Za-z0-9_:\-]{20,}(?=/|$)")
MASK = "•••"


def mask_links(text: str) -> str:
    """The text with the tokens of private links replaced: …/manage/•••/."""
    return _URL.sub(lambda url: url.group(1) + _TOKEN_SEGMENT.sub(MASK, url.group(2)), text or "")


# --- Rendering --------------------------------------------------------------------------------


def _render(template_name: str, context: dict[str, Any]) -> str:
    return engines["text"].get_template(template_name).render(context)


def _tidy(body: str) -> str:
    """Plain text as a person would type it: no trailing spaces, at most one empty line."""
    lines = [line.rstrip() for line in body.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def render(kind: str, language: str, context: dict[str, Any]) -> tuple[str, str]:
    """The subject and body of a message of this kind, in `language`."""
    with override(language):
        context = {**context, **_signature(context, language), "language": language}
        subject = " ".join(_render(f"mail/{kind}_subject.txt", context).split())
        body = _tidy(_render(f"mail/{kind}_body.txt", context))
    return subject, body


def _signature(context: dict[str, Any], language: str) -> dict[str, Any]:
    campaign = context.get("campaign")
    if campaign is None and context.get("entry") is not None:
        campaign = context["entry"].campaign
    name = ""
    if campaign is not None:
        # Subjects and signatures use the campaign's short name ("Kotolupaus 2027"); a
        # campaign without one, its name.
        for field in ("short_name", "name"):
            name = name or campaign.safe_translation_getter(field, language_code=language) or ""
    return {"campaign_name": name or _("Kotolupaus"), "site_url": settings.SITE_URL}


def _domain() -> str:
    sender = settings.DEFAULT_FROM_EMAIL
    return sender.rsplit("@", 1)[-1].strip(" >") if "@" in sender else "kotolupaus.invalid"


def queue(
    kind: str,
    *,
    to: str,
    language: str,
    context: dict[str, Any],
    entry: Any = None,  # a submissions.Entry (not imported here): its id is kept
    reply_to: str = "",
    unsubscribe_url: str = "",
) -> Message | None:
    """Record a message to `to` in `language` and defer the job that sends it.

    Call it inside the transaction of the change that causes it. Over the kind's
    allowance for the mailbox, the message is recorded as refused and not sent; the
    caller carries on the same. Returns None (and records nothing) for an erased address.
    """
    from . import tasks

    if not deliverable(to):
        log.info("message not queued, address erased: %s", kind)
        return None
    subject, body = render(kind, language, {"entry": entry, **context})
    key = mailbox(to)
    limit = allowance(kind)
    message = Message(
        kind=kind,
        recipient=to.strip(),
        recipient_key=key,
        language=language,
        entry_id=entry.pk if entry is not None else None,
        subject=subject,
        body=body,
        masked_body=mask_links(body),
        reply_to=reply_to,
        unsubscribe_url=unsubscribe_url,
        message_id=make_msgid(domain=_domain()),
    )
    with transaction.atomic():
        _lock_mailbox(key)
        if _recent(key, kind).count() >= limit:
            message.status = MessageStatus.REFUSED
            message.limit_per_day = limit
            message.body = ""  # never sent: its private links go nowhere
            message.save()
            log.warning("message refused: %s, the address had its %d in 24 hours", kind, limit)
            return message
        message.save()
        message.job_id = tasks.send_message.defer(message_id=message.pk)
        message.save(update_fields=["job_id"])
    return message


def _is_permanent(error: Exception) -> bool:
    """5xx answers and refused recipients will not change by trying again."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def _describe(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        details = "; ".join(
            f"{address}: {code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
            for address, (code, text) in error.recipients.items()
        )
        return f"recipient refused: {details}"[:2000]
    return f"{type(error).__name__}: {error}"[:2000]


def _send(message: Message) -> None:
    headers = {
        "Message-ID": message.message_id,
        "Content-Language": message.language,
        "Auto-Submitted": "auto-generated",
    }
    if message.unsubscribe_url:
        # Mail programs offer "unsubscribe"; one click POSTs to the address (RFC 8058).
        headers["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        to=[message.recipient],
        reply_to=[message.reply_to] if message.reply_to else None,
        headers=headers,
    )
    email.send(fail_silently=False)


def deliver(message_id: int, *, last_attempt: bool = False) -> str:
    """Send a queued message once. Returns what happened: sent, failed, cancelled or
    skipped; raises TemporaryFailure when the job should try again later."""
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status != MessageStatus.QUEUED:
            return "skipped"  # already delivered, cancelled or given up
        if not deliverable(message.recipient):
            _cancel(message, "address erased")
            return "cancelled"
        message.attempts += 1
        try:
            _send(message)
        except Exception as error:
            message.last_error = _describe(error)
            if _is_permanent(error) or last_attempt:
                message.status = MessageStatus.FAILED
                message.failed_at = timezone.now()
                message.save(update_fields=["attempts", "last_error", "status", "failed_at"])
                log.warning("message %s failed for good: %s", message.pk, message.last_error)
                return "failed"
            message.save(update_fields=["attempts", "last_error"])
            temporary = error
        else:
            message.status = MessageStatus.SENT
            message.sent_at = timezone.now()
            message.body = ""  # it carried private links
            message.last_error = ""
            message.save(update_fields=["attempts", "status", "sent_at", "body", "last_error"])
            log.info("message sent: %s (%s, %s)", message.pk, message.kind, message.language)
            return "sent"
    log.info("message %s not sent yet, will try again: %s", message_id, message.last_error)
    raise TemporaryFailure(message.last_error) from temporary


def _cancel(message: Message, reason: str) -> None:
    message.status = MessageStatus.CANCELLED
    message.body = message.masked_body = ""
    message.last_error = reason
    message.save(update_fields=["status", "body", "masked_body", "last_error"])


def resend(message: Message) -> bool:
    """A coordinator sends a failed message again (a new job; the same text). Returns
    False when the message cannot be sent again (delivered, cancelled, refused, erased)."""
    from . import tasks

    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message.pk)
        if message.status != MessageStatus.FAILED or not deliverable(message.recipient):
            return False
        message.status = MessageStatus.QUEUED
        message.failed_at = None
        message.job_id = tasks.send_message.defer(message_id=message.pk)
        message.save(update_fields=["status", "failed_at", "job_id"])
    return True


class TryNow:
    """What `try_now()` did."""

    RESCHEDULED = "rescheduled"  # its job runs at once
    IN_PROGRESS = "in_progress"  # a worker is trying it at this moment
    NOT_WAITING = "not_waiting"  # sent, failed, cancelled or refused: nothing to try


def _job_status(job_id: int | None) -> str | None:
    from procrastinate.contrib.django.models import ProcrastinateJob

    if job_id is None:
        return None
    return ProcrastinateJob.objects.filter(pk=job_id).values_list("status", flat=True).first()


def try_now(message: Message) -> str:
    """A coordinator has a waiting message tried at once instead of at its next retry:
    its waiting job is replaced by one due now (procrastinate's own cancel and defer).
    Still sent at most once: `deliver()` locks the message and sends only a waiting one,
    and a job that a worker is running is left alone."""
    from procrastinate.contrib.django import app

    from . import tasks

    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message.pk)
        if message.status != MessageStatus.QUEUED or not deliverable(message.recipient):
            return TryNow.NOT_WAITING
        status = _job_status(message.job_id)
        if status == "doing":
            return TryNow.IN_PROGRESS
        if (
            status == "todo"
            and message.job_id is not None
            and not app.job_manager.cancel_job_by_id(message.job_id, delete_job=True)
        ):
            return TryNow.IN_PROGRESS  # a worker took it just now
        # Its job is gone (or was never recorded): a new one, due now.
        message.job_id = tasks.send_message.defer(message_id=message.pk)
        message.save(update_fields=["job_id"])
    log.info("message %s: tried now by a coordinator", message.pk)
    return TryNow.RESCHEDULED


def erase_address(address: str) -> int:
    """Personal data erasure: no message is sent to the address any more, and the
    records keep neither the address nor the text (nor the text of messages that
    carried it as a join request's sender). Returns the number of messages."""
    address = address.strip()
    Message.objects.filter(reply_to__iexact=address).update(masked_body="", reply_to="")
    messages = Message.objects.filter(recipient__iexact=address)
    cancelled = messages.filter(status__in=[MessageStatus.QUEUED, MessageStatus.FAILED])
    cancelled.update(status=MessageStatus.CANCELLED, last_error="address erased")
    return messages.update(
        recipient=erased_address(),
        recipient_key=erased_address(),
        body="",
        masked_body="",
        reply_to="",
    )


def forget_join_senders(entry_ids: Any) -> int:
    """Retention: the kept texts of "we want to join" messages to these entries' contacts
    name their senders; they go with the senders' data. `entry_ids`: ids, or a queryset
    (of ids, or of entries: their ids). Returns the number of messages."""
    return Message.objects.filter(kind=MessageKind.JOIN_REQUEST, entry_id__in=entry_ids).update(
        masked_body="", reply_to=""
    )


# --- Health ------------------------------------------------------------------------------------

# A failed message is brought up on the admin index and the dashboard for this long.
FAILED_SHOWN_FOR = timedelta(days=3)


def health(now: datetime | None = None) -> dict[str, Any]:
    """What the admin index and the dashboard warn about, in one query: messages that
    failed in the last 3 days, messages waiting longer than MAIL_WAITING_WARNING_MINUTES,
    and messages refused by the per-address limits in the last 24 hours."""
    now = now or timezone.now()
    minutes = settings.MAIL_WAITING_WARNING_MINUTES
    counts = (
        Message.objects.exclude(status=MessageStatus.SENT)
        .order_by()
        .aggregate(
            failed=Count(
                "pk",
                filter=Q(status=MessageStatus.FAILED, failed_at__gte=now - FAILED_SHOWN_FOR),
            ),
            waiting=Count(
                "pk",
                filter=Q(
                    status=MessageStatus.QUEUED,
                    created_at__lt=now - timedelta(minutes=minutes),
                ),
            ),
            refused=Count(
                "pk",
                filter=Q(status=MessageStatus.REFUSED, created_at__gte=now - LIMIT_WINDOW),
            ),
        )
    )
    return {**counts, "minutes": minutes, "trouble": bool(counts["failed"] or counts["waiting"])}
