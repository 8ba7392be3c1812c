"""Private links and drafts."""

import logging
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import override

from kotolupaus import mail
from kotolupaus.models import MessageKind

from .. import images
from ..models import (
    Campaign,
    Draft,
    Entry,
    ManagementLink,
    RetiredLink,
    RetiredLinkKind,
)
from ..tokens import new_token

log = logging.getLogger(__name__)


def link(url_name: str, token: str, language: str) -> str:
    """The absolute address of a private link, in the reader's language."""
    with override(language):
        return f"{settings.SITE_URL}{reverse(url_name, args=[token])}"


def add_management_link(entry: Entry) -> str:
    """A new private link to the entry (earlier links keep working)."""
    token, token_hash = new_token()
    ManagementLink.objects.create(entry=entry, token_hash=token_hash)
    return token


def delete_drafts(drafts: QuerySet[Draft], *, reason: str) -> int:
    """Delete saved drafts (personal data erased, or the retention period over); their
    links then say so (410) instead of "not found". Returns how many."""
    deleted = 0
    for draft in drafts:
        for key in ("org_logo_pending", "image_pending"):
            for reference in draft.data.get(key) or []:
                transaction.on_commit(partial(images.discard, reference))
        _retire(draft.token_hash, RetiredLinkKind.DRAFT, reason, None)
        draft.delete()
        deleted += 1
    return deleted


def _retire(token_hash: str, kind: str, reason: str, entry: Entry | None) -> None:
    """Remember a link that stops working, so that following it explains why (HTTP 410)."""
    RetiredLink.objects.update_or_create(
        token_hash=token_hash, defaults={"kind": kind, "reason": reason, "entry": entry}
    )


def resend_management_links(email: str) -> int:
    """E-mail a new private link to every entry sent with this contact address.

    Earlier links keep working, so a stranger who knows the address can neither break
    the submitter's links nor flood the inbox: the mail layer sends at most
    MAIL_LINKS_PER_ADDRESS_PER_DAY such e-mails to a mailbox in 24 hours and records the
    rest as refused. Returns the number of entries (never shown to the person asking, so
    the form reveals nothing about the address).
    """
    email = email.strip()
    with transaction.atomic():
        entries = list(
            Entry.objects.filter(contact_email__iexact=email)
            .select_related("campaign")
            .prefetch_related("translations")
            .order_by("submitted_at")
        )
        if not entries:
            return 0
        language = entries[-1].contact_language
        rows = [
            (entry, link("submissions:manage", add_management_link(entry), language))
            for entry in entries
        ]
        mail.queue(
            MessageKind.MANAGEMENT_LINKS,
            to=entries[-1].contact_email,
            language=language,
            entry=entries[-1] if len(entries) == 1 else None,
            context={"rows": rows, "campaign": entries[-1].campaign},
        )
    log.info("management links queued: %d entries", len(rows))
    return len(rows)


def _draft_contact(data: dict[str, Any]) -> str:
    """The contact e-mail typed into a draft, when it is a valid address."""
    values = data.get("contact_email") or [""]
    value = str(values[0] if isinstance(values, list) else values).strip()
    try:
        validate_email(value)
    except ValidationError:
        return ""
    return value


def save_draft(
    *,
    campaign: Campaign,
    kind: str,
    data: dict[str, Any],
    language: str,
    draft: Draft | None = None,
) -> tuple[Draft, str | None]:
    """Save a half-filled form. A new draft gets a private link (returned once)."""
    from .entries import CampaignClosed

    if not campaign.is_open():
        raise CampaignClosed
    token = None
    if draft is None:
        token, token_hash = new_token()
        draft = Draft(campaign=campaign, kind=kind, token_hash=token_hash)
    for key in ("org_logo_pending", "image_pending"):
        references = data.get(key) or []
        if references and references[0]:
            data[key] = [images.keep_for_draft(references[0]) or references[0]]
    with transaction.atomic():
        draft.data = data
        draft.language = language
        draft.save()
        contact = _draft_contact(data)
        if token and contact:
            mail.queue(
                MessageKind.DRAFT_LINK,
                to=contact,
                language=language,
                context={
                    "draft": draft,
                    "campaign": campaign,
                    "link": link("submissions:draft", token, language),
                },
            )
    return draft, token
