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
coordinators in the admin. Erased addresses are never mailed.

Subjects never contain text a submitter or a visitor typed (only references, kinds and
the campaign's name); typed text in a body is quoted and attributed by the templates in
templates/mail/. The templates are plain text rendered without HTML escaping.
"""

import logging
import re
import smtplib
from datetime import timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template import engines
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from .models import Message, MessageStatus

log = logging.getLogger(__name__)


class TemporaryFailure(Exception):
    """The message could not be delivered now; the job tries again later."""


def deliverable(address: str) -> bool:
    """Erased contact data is replaced by an empty value or an address under the
    reserved .invalid domain: neither is ever mailed."""
    address = (address or "").strip().lower()
    return bool(address) and not address.endswith(".invalid")


def _render(template_name: str, context: dict) -> str:
    return engines["text"].get_template(template_name).render(context)


def _tidy(body: str) -> str:
    """Plain text as a person would type it: no trailing spaces, at most one empty line."""
    lines = [line.rstrip() for line in body.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def render(kind: str, language: str, context: dict) -> tuple[str, str]:
    """The subject and body of a message of this kind, in `language`."""
    with override(language):
        context = {**context, **_signature(context, language), "language": language}
        subject = " ".join(_render(f"mail/{kind}_subject.txt", context).split())
        body = _tidy(_render(f"mail/{kind}_body.txt", context))
    return subject, body


def _signature(context: dict, language: str) -> dict:
    campaign = context.get("campaign")
    if campaign is None and context.get("entry") is not None:
        campaign = context["entry"].campaign
    name = ""
    if campaign is not None:
        name = campaign.safe_translation_getter("name", language_code=language) or ""
    return {"campaign_name": name or _("Kotolupaus"), "site_url": settings.SITE_URL}


def _domain() -> str:
    sender = settings.DEFAULT_FROM_EMAIL
    return sender.rsplit("@", 1)[-1].strip(" >") if "@" in sender else "kotolupaus.invalid"


def queue(
    kind: str,
    *,
    to: str,
    language: str,
    context: dict,
    entry=None,
    reply_to: str = "",
    unsubscribe_url: str = "",
) -> Message | None:
    """Record a message to `to` in `language` and defer the job that sends it.

    Call it inside the transaction of the change that causes the message. Returns None
    (and records nothing) for an erased address.
    """
    from . import tasks

    if not deliverable(to):
        log.info("message not queued, address erased: %s", kind)
        return None
    subject, body = render(kind, language, {"entry": entry, **context})
    with transaction.atomic():
        message = Message.objects.create(
            kind=kind,
            recipient=to.strip(),
            language=language,
            entry=entry,
            subject=subject,
            body=body,
            reply_to=reply_to,
            unsubscribe_url=unsubscribe_url,
            message_id=make_msgid(domain=_domain()),
        )
        tasks.send_message.defer(message_id=message.pk)
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
                message.save(update_fields=["attempts", "last_error", "status"])
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
    message.body = ""
    message.last_error = reason
    message.save(update_fields=["status", "body", "last_error"])


def resend(message: Message) -> bool:
    """A coordinator sends a failed message again (a new job; the same text). Returns
    False when the message cannot be sent again (delivered, cancelled, erased)."""
    from . import tasks

    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message.pk)
        if message.status != MessageStatus.FAILED or not deliverable(message.recipient):
            return False
        message.status = MessageStatus.QUEUED
        message.save(update_fields=["status"])
        tasks.send_message.defer(message_id=message.pk)
    return True


def erase_address(address: str) -> int:
    """Personal data erasure: no message is sent to the address any more, and the
    records keep neither the address nor the text. Returns the number of messages."""
    messages = Message.objects.filter(recipient__iexact=address.strip())
    cancelled = messages.filter(status__in=[MessageStatus.QUEUED, MessageStatus.FAILED])
    cancelled.update(status=MessageStatus.CANCELLED, last_error="address erased")
    return messages.update(recipient="erased@erased.invalid", body="", reply_to="")


def sent_recently(address: str, kind: str, hours: int = 24) -> int:
    """How many messages of a kind were queued to an address in the last hours."""
    return Message.objects.filter(
        recipient__iexact=address.strip(),
        kind=kind,
        created_at__gte=timezone.now() - timedelta(hours=hours),
    ).count()
