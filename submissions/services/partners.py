"""Partnerships: invitations, answers and the submitter's changes of partners."""

import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kotolupaus import mail
from kotolupaus.models import MessageKind

from .. import extensions, news
from ..models import (
    MAX_PARTNERS,
    Entry,
    EntryKind,
    EntryStatus,
    NewsKind,
    Organisation,
    Partnership,
    RetiredLinkKind,
    RetiredLinkReason,
)
from ..tokens import new_token
from .links import _retire, link

log = logging.getLogger(__name__)


def _add_partner(entry: Entry, partner: dict[str, Any]) -> Partnership:
    organisation = Organisation.objects.create(
        name=partner["name"], type=partner.get("organisation_type") or ""
    )
    # The link that reaches the partner is made when the invitation is sent.
    _unsent, token_hash = new_token()
    return Partnership.objects.create(
        entry=entry,
        organisation=organisation,
        role=partner.get("role", ""),
        invited_email=partner["email"],
        language=partner.get("language") or entry.contact_language,
        token_hash=token_hash,
    )


def invite_partner(partnership: Partnership, *, from_request: bool = False) -> None:
    """E-mail a partner organisation its link to confirm or decline, in the partner's
    language; a fresh link each time. `from_request`: the partner asked to join and the
    entry's contact accepted (the invitation says so)."""
    entry = partnership.entry
    token, partnership.token_hash = new_token()
    partnership.invited_at = timezone.now()
    partnership.save(update_fields=["token_hash", "invited_at"])
    mail.queue(
        MessageKind.PARTNER_INVITATION,
        to=partnership.invited_email,
        language=partnership.language,
        entry=entry,
        context={
            "partnership": partnership,
            "link": link("submissions:partner_confirm", token, partnership.language),
            "from_request": from_request,
        },
    )


def _was_invited(partnership: Partnership, entry: Entry) -> bool:
    """Whether the partner has an invitation from us: sent when the entry was
    confirmed, or when the partner was added or corrected after that."""
    return entry.status != EntryStatus.UNCONFIRMED


def _tell_partners(entry: Entry, partnerships: Iterable[Partnership], kind: str) -> None:
    """E-mail partners who were invited and did not decline, each in its language."""
    for partnership in partnerships:
        if partnership.declined_at or not _was_invited(partnership, entry):
            continue
        mail.queue(
            kind,
            to=partnership.invited_email,
            language=partnership.language,
            entry=entry,
            context={"partnership": partnership},
        )


def answer_partnership(partnership: Partnership, confirm: bool) -> Partnership:
    """A partner confirms or declines taking part (and may change its mind). The
    entry's contact is told in the next news e-mail (at most one a day)."""
    with transaction.atomic():
        partnership = (
            Partnership.objects.select_for_update().select_related("entry").get(pk=partnership.pk)
        )
        changed = (
            (partnership.confirmed_at is None) if confirm else (partnership.declined_at is None)
        )
        now = timezone.now()
        partnership.confirmed_at = now if confirm else None
        partnership.declined_at = None if confirm else now
        partnership.save(update_fields=["confirmed_at", "declined_at"])
        log.info(
            "partner %s entry %s",
            "confirmed" if confirm else "declined",
            partnership.entry.reference,
        )
        if changed:
            news.tell(
                partnership.entry,
                NewsKind.PARTNER_CONFIRMED if confirm else NewsKind.PARTNER_DECLINED,
                partnership=partnership,
            )
        # The entry looks different now: its confirmed partners are shown with it.
        extensions.partners_changed(partnership.entry, "confirmed" if confirm else "declined")
    return partnership


# At most this many partners per entry (the form's limit too).


def _partners_editable(entry: Entry) -> None:
    if not entry.can_be_edited:
        raise ValidationError(
            _("Partners can be changed only while the pledge can be edited.")
            if entry.kind == EntryKind.PLEDGE
            else _("Partners can be changed only while the initiative can be edited."),
            code="closed",
        )


def _takes_partners(entry: Entry) -> None:
    """An organisation that asked to join can be invited while the entry stands, also
    after the campaign's deadline (when the catalogue is read and cooperation begins):
    the partner's confirmation, not the submitter's edit, makes it public."""
    if entry.status != EntryStatus.SUBMITTED:
        raise ValidationError(
            _("Partners can no longer be added: the pledge has been withdrawn.")
            if entry.kind == EntryKind.PLEDGE
            else _("Partners can no longer be added: the initiative has been withdrawn."),
            code="closed",
        )


def _may_invite(entry: Entry, email: str, *, again: bool = False) -> None:
    """Refuses an address given for another partner of the entry (unless `again`: the
    same partner invited again at the same address) or sent as many invitations today
    as we send in a day."""
    if not again and entry.partnerships.filter(invited_email__iexact=email).exists():
        raise ValidationError(
            {"email": _("This e-mail address is already given for another partner.")}
        )
    # The mail layer's own per-address limit, said next to the field (queue() decides).
    if not mail.allowance_left(MessageKind.PARTNER_INVITATION, email):
        raise ValidationError(
            {
                "email": _(
                    "This address has been sent as many invitations today as we send in a "
                    "day. Try again tomorrow."
                )
            }
        )


def add_partner(
    entry: Entry,
    *,
    name: str,
    email: str,
    role: str = "",
    language: str = "",
    organisation_type: str = "",
    from_request: bool = False,
) -> Partnership:
    """The submitter names one more partner (or accepts a request to join: then
    `from_request`, and the organisation's type as the requester gave it); it is
    invited at once, in its language (or, while the contact has not confirmed the
    address yet, with the others when they do)."""
    with transaction.atomic():
        entry = Entry.objects.select_for_update().select_related("campaign").get(pk=entry.pk)
        if from_request:
            _takes_partners(entry)
        else:
            _partners_editable(entry)
        if entry.partnerships.count() >= MAX_PARTNERS:
            raise ValidationError(
                (
                    _("A pledge can have at most %(max)s partners.")
                    if entry.kind == EntryKind.PLEDGE
                    else _("An initiative can have at most %(max)s partners.")
                )
                % {"max": MAX_PARTNERS},
                code="too_many",
            )
        _may_invite(entry, email)
        partnership = _add_partner(
            entry,
            {
                "name": name,
                "email": email,
                "role": role,
                "language": language,
                "organisation_type": organisation_type,
            },
        )
        if entry.status == EntryStatus.SUBMITTED:
            invite_partner(partnership, from_request=from_request)
        _partners_changed(entry, partnership, "added")
    return partnership


class PartnerCorrected:
    """What correct_partner() did, for the page to say."""

    NOTHING = "nothing"
    ADDRESS = "address"  # a new address: invited again there, any answer forgotten
    LANGUAGE_INVITED_AGAIN = "language_invited"  # no answer yet: invited again in it
    LANGUAGE = "language"  # answered already: later e-mails in the new language


def correct_partner(partnership: Partnership, *, email: str, language: str) -> str:
    """The address or the language was wrong. A new address is invited again and any
    answer given through the old invitation is forgotten; a new language for a partner
    that has not answered yet sends the invitation again in that language. The old
    invitation link then says a newer one replaced it (410). Returns a PartnerCorrected
    value."""
    with transaction.atomic():
        partnership = (
            Partnership.objects.select_for_update()
            .select_related("entry__campaign", "organisation")
            .get(pk=partnership.pk)
        )
        entry = partnership.entry
        _partners_editable(entry)
        email = email.strip()
        new_address = email.lower() != partnership.invited_email.lower()
        new_language = bool(language) and language != partnership.language
        if not new_address and not new_language:
            return PartnerCorrected.NOTHING
        invite_again = new_address or not partnership.has_answered
        if invite_again and entry.status == EntryStatus.SUBMITTED:
            _may_invite(entry, email, again=not new_address)
        elif new_address:
            _may_invite(entry, email)
        old_hash = partnership.token_hash
        partnership.invited_email = email
        if new_language:
            partnership.language = language
        fields = ["invited_email", "language"]
        if new_address:
            partnership.confirmed_at = partnership.declined_at = None
            fields += ["confirmed_at", "declined_at"]
        partnership.save(update_fields=fields)
        if invite_again and entry.status == EntryStatus.SUBMITTED:
            _retire(old_hash, RetiredLinkKind.PARTNER, RetiredLinkReason.REPLACED, entry)
            invite_partner(partnership)
        elif new_address:
            _unsent, partnership.token_hash = new_token()
            partnership.save(update_fields=["token_hash"])
        _partners_changed(entry, partnership, "corrected")
    if new_address:
        return PartnerCorrected.ADDRESS
    return PartnerCorrected.LANGUAGE_INVITED_AGAIN if invite_again else PartnerCorrected.LANGUAGE


def remove_partner(partnership: Partnership) -> None:
    """The submitter takes a partner off the entry. Its invitation link then says so
    (410), and a partner that was invited and had not declined is told by e-mail in its
    language. (The management page asks first before removing a confirmed partner.)"""
    with transaction.atomic():
        partnership = (
            Partnership.objects.select_for_update()
            .select_related("entry__campaign", "entry__lead_organisation", "organisation")
            .get(pk=partnership.pk)
        )
        entry = partnership.entry
        _partners_editable(entry)
        if _was_invited(partnership, entry):
            _retire(
                partnership.token_hash, RetiredLinkKind.PARTNER, RetiredLinkReason.REMOVED, entry
            )
        _tell_partners(entry, [partnership], MessageKind.PARTNER_REMOVED)
        organisation_id = partnership.organisation_id
        partnership.delete()
        Organisation.objects.filter(pk=organisation_id, led_entries__isnull=True).filter(
            partnerships__isnull=True
        ).delete()
        _partners_changed(entry, partnership, "removed")


def _partners_changed(entry: Entry, partnership: Partnership, change: str) -> None:
    log.info("partner %s: %s", change, entry.reference or "unconfirmed entry")
    extensions.partners_changed(entry, change)
