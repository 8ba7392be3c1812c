"""Erasing a contact's personal data."""

from typing import Any

from django.db import transaction

from kotolupaus import mail

from ..models import (
    Entry,
    EntryStatus,
    Partnership,
)
from .entries import change_status

ERASED_NAME = "–"


def erase_contact(entry: Entry, *, by: Any = None, reason: str = "personal data erased") -> Entry:
    """The contact person's data go from the entry; an entry its submitter did not allow
    to be published is withdrawn (through change_status, like any withdrawal)."""
    with transaction.atomic():
        entry = Entry.objects.select_for_update().get(pk=entry.pk)
        entry.contact_name = ERASED_NAME
        entry.contact_email = ""
        entry.contact_phone = ""
        entry.consent_contact = False
        entry.save(
            update_fields=[
                "contact_name",
                "contact_email",
                "contact_phone",
                "consent_contact",
                "updated_at",
            ]
        )
        if not entry.consent_publish and entry.status == EntryStatus.SUBMITTED:
            entry = change_status(entry, EntryStatus.WITHDRAWN, by=by, reason=reason)
    return entry


def erase_partner_address(partnership: Partnership) -> None:
    """The address a partner organisation was invited at goes (its invitation link
    stops working; the partner's answer stays)."""
    Partnership.objects.filter(pk=partnership.pk).update(
        invited_email=mail.erased_address(str(partnership.pk))
    )
