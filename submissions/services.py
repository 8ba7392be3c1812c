"""Every change to an entry's state happens here: checked, saved, logged and notified
in one transaction (e-mails leave only after it commits)."""

import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from . import emails, images
from .models import (
    ENTRY_TEXT_FIELDS,
    Campaign,
    Draft,
    Entry,
    EntryKind,
    EntryStatus,
    Organisation,
    Partnership,
    RetiredLink,
    RetiredLinkKind,
    RetiredLinkReason,
    consent_wording,
)
from .signals import entry_changed
from .tokens import new_token

log = logging.getLogger(__name__)


class CampaignClosed(Exception):
    """The campaign does not accept submissions or edits right now."""


@dataclass
class Submitted:
    entry: Entry
    token: str | None  # None when the same form had already been submitted
    duplicate: bool = False


def _store_image(field_file_owner, attribute, content: ContentFile | None):
    if content is not None:
        content.seek(0)
        getattr(field_file_owner, attribute).save(content.name, content, save=False)


def _apply_entry_fields(entry: Entry, data: dict):
    entry.original_language = data["original_language"]
    entry.whole_country = bool(data.get("whole_country"))
    entry.pledge_deadline = data.get("pledge_deadline") if entry.kind == EntryKind.PLEDGE else None
    entry.contact_name = data["contact_name"]
    entry.contact_email = data["contact_email"]
    entry.contact_phone = data.get("contact_phone", "")
    entry.consent_contact = bool(data.get("consent_contact"))
    entry.authorised = True
    _set_consent(entry, bool(data.get("consent_publish")))
    entry.set_current_language(entry.original_language)
    for name in ENTRY_TEXT_FIELDS:
        setattr(entry, name, data.get(name, "") or "")
    _store_image(entry, "image", data.get("image"))


def _apply_organisation_fields(organisation: Organisation, data: dict):
    organisation.name = data["org_name"]
    organisation.business_id = data.get("org_business_id", "")
    organisation.type = data["org_type"]
    organisation.municipality = data.get("org_municipality")
    organisation.website = data.get("org_website", "")
    _store_image(organisation, "logo", data.get("org_logo"))


def _set_consent(entry: Entry, consent: bool):
    if consent and not entry.consent_publish:
        entry.consent_publish_at = timezone.now()
        # The wording exactly as shown, in the language of the page it was given on.
        entry.consent_wording = str(consent_wording(entry.kind))
    elif not consent:
        entry.consent_publish_at = None
        entry.consent_wording = ""
    entry.consent_publish = consent


def submit_entry(
    *,
    campaign: Campaign,
    kind: str,
    data: dict,
    partners: list[dict],
    language: str,
    draft: Draft | None = None,
    challenge_of: Entry | None = None,
) -> Submitted:
    """Create an entry from a valid form; the same form submitted twice creates one entry."""
    with transaction.atomic():
        # Lock the campaign row: serialises reference numbers (gap-free, unique) and
        # makes the deadline check and the insert one step.
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if not campaign.is_open():
            raise CampaignClosed
        existing = Entry.objects.filter(submission_key=data["submission_key"]).first()
        if existing is not None:
            return Submitted(existing, None, duplicate=True)

        campaign.last_entry_number += 1
        campaign.save(update_fields=["last_entry_number"])
        number = campaign.last_entry_number

        organisation = Organisation()
        _apply_organisation_fields(organisation, data)
        organisation.save()

        token, token_hash = new_token()
        entry = Entry(
            campaign=campaign,
            kind=kind,
            number=number,
            reference=f"KL-{timezone.localtime(campaign.opens_at).year}-{number:04d}",
            lead_organisation=organisation,
            contact_language=language,
            manage_token_hash=token_hash,
            submission_key=data["submission_key"],
            challenge_of=challenge_of if kind == EntryKind.PLEDGE else None,
        )
        _apply_entry_fields(entry, data)
        entry.save()
        entry.themes.set(data["themes"])
        entry.target_groups.set(data["target_groups"])
        entry.municipalities.set(data.get("municipalities") or [])

        invitations = [_invite_partner(entry, partner) for partner in partners]
        if draft is not None and draft.pk:
            for key in ("org_logo_pending", "image_pending"):
                for reference in draft.data.get(key) or []:
                    transaction.on_commit(lambda r=reference: images.discard(r))
            _retire(draft.token_hash, RetiredLinkKind.DRAFT, RetiredLinkReason.SENT, entry)
            draft.delete()

        log.info("entry submitted: %s (%s, %d partners)", entry.reference, kind, len(partners))
        entry_changed.send(sender=Entry, entry=entry, change="submitted")
        transaction.on_commit(lambda: emails.send_confirmation(entry, token))
        for partnership, partner_token in invitations:
            transaction.on_commit(
                lambda p=partnership, t=partner_token: emails.send_partner_invitation(p, t)
            )
    return Submitted(entry, token)


def _retire(token_hash: str, kind: str, reason: str, entry: Entry | None) -> None:
    """Remember a link that stops working, so that following it explains why (HTTP 410)."""
    RetiredLink.objects.update_or_create(
        token_hash=token_hash, defaults={"kind": kind, "reason": reason, "entry": entry}
    )


def _invite_partner(entry: Entry, partner: dict):
    organisation = Organisation.objects.create(name=partner["name"])
    token, token_hash = new_token()
    partnership = Partnership.objects.create(
        entry=entry,
        organisation=organisation,
        role=partner.get("role", ""),
        invited_email=partner["email"],
        token_hash=token_hash,
    )
    return partnership, token


def update_entry(entry: Entry, data: dict) -> Entry:
    """The submitter edits an entry through the private link while the campaign is open."""
    with transaction.atomic():
        entry = Entry.objects.select_for_update().select_related("campaign").get(pk=entry.pk)
        if not entry.can_be_edited:
            raise CampaignClosed
        _apply_organisation_fields(entry.lead_organisation, data)
        entry.lead_organisation.save()
        previous_language = entry.original_language
        _apply_entry_fields(entry, data)
        if previous_language != entry.original_language:
            # The submitter rewrote the text in another language: the old original goes.
            entry.translations.filter(language_code=previous_language).delete()
        entry.save()
        entry.themes.set(data["themes"])
        entry.target_groups.set(data["target_groups"])
        entry.municipalities.set(data.get("municipalities") or [])
        log.info("entry edited by submitter: %s", entry.reference)
        entry_changed.send(sender=Entry, entry=entry, change="edited")
    return entry


def open_for_fixes(entry: Entry) -> str:
    """Staff return an entry to its submitter: it may be edited even after the deadline.

    Returns a fresh private link token (only hashes are stored, so the old link cannot be
    sent again; it stops working).
    """
    with transaction.atomic():
        entry = Entry.objects.select_for_update().get(pk=entry.pk)
        _retire(entry.manage_token_hash, RetiredLinkKind.MANAGE, RetiredLinkReason.REPLACED, entry)
        token, entry.manage_token_hash = new_token()
        entry.open_for_fixes_since = timezone.now()
        entry.save(update_fields=["manage_token_hash", "open_for_fixes_since", "updated_at"])
        log.info("entry returned to its submitter for fixes: %s", entry.reference)
    return token


def close_for_fixes(entry: Entry) -> None:
    Entry.objects.filter(pk=entry.pk).update(open_for_fixes_since=None)


def set_consent(entry: Entry, consent: bool) -> Entry:
    """Give or withdraw consent to publish; possible at any time, also after the deadline."""
    with transaction.atomic():
        entry = Entry.objects.select_for_update().get(pk=entry.pk)
        if entry.consent_publish != consent:
            _set_consent(entry, consent)
            entry.save(
                update_fields=[
                    "consent_publish",
                    "consent_publish_at",
                    "consent_wording",
                    "updated_at",
                ]
            )
            log.info(
                "consent to publish %s: %s", "given" if consent else "withdrawn", entry.reference
            )
            entry_changed.send(sender=Entry, entry=entry, change="consent")
    return entry


def withdraw_entry(entry: Entry) -> Entry:
    with transaction.atomic():
        entry = Entry.objects.select_for_update().get(pk=entry.pk)
        if entry.status != EntryStatus.WITHDRAWN:
            entry.status = EntryStatus.WITHDRAWN
            entry.withdrawn_at = timezone.now()
            entry.save(update_fields=["status", "withdrawn_at", "updated_at"])
            log.info("entry withdrawn by submitter: %s", entry.reference)
            entry_changed.send(sender=Entry, entry=entry, change="withdrawn")
    return entry


def answer_partnership(partnership: Partnership, confirm: bool) -> Partnership:
    """A partner confirms or declines taking part (and may change its mind)."""
    with transaction.atomic():
        partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
        now = timezone.now()
        partnership.confirmed_at = now if confirm else None
        partnership.declined_at = None if confirm else now
        partnership.save(update_fields=["confirmed_at", "declined_at"])
        # The entry looks different now (its confirmed partners are shown with it).
        partnership.entry.save(update_fields=["updated_at"])
        log.info(
            "partner %s entry %s",
            "confirmed" if confirm else "declined",
            partnership.entry.reference,
        )
    return partnership


def resend_management_links(email: str) -> int:
    """Send fresh private links for every entry with this contact e-mail.

    Only hashes are stored, so the old link cannot be re-sent: each entry gets a new
    token and the old link stops working. Returns the number of entries (never shown
    to the person asking, so the form reveals nothing about the address).
    """
    with transaction.atomic():
        entries = list(
            Entry.objects.select_for_update()
            .filter(contact_email__iexact=email.strip())
            .select_related("campaign")
        )
        links = []
        for entry in entries:
            _retire(
                entry.manage_token_hash, RetiredLinkKind.MANAGE, RetiredLinkReason.REPLACED, entry
            )
            token, entry.manage_token_hash = new_token()
            entry.save(update_fields=["manage_token_hash"])
            links.append((entry, token))
        if links:
            transaction.on_commit(lambda: emails.send_management_links(links))
    log.info("management links re-sent: %d entries", len(links))
    return len(links)


def _draft_contact(data):
    """The contact e-mail typed into a draft, when it is a valid address."""
    values = data.get("contact_email") or [""]
    value = (values[0] if isinstance(values, list) else values).strip()
    try:
        validate_email(value)
    except ValidationError:
        return ""
    return value


def save_draft(
    *, campaign: Campaign, kind: str, data: dict, language: str, draft: Draft | None = None
) -> tuple[Draft, str | None]:
    """Save a half-filled form. A new draft gets a private link (returned once)."""
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
    draft.data = data
    draft.language = language
    draft.save()
    contact = _draft_contact(data)
    if token and contact:
        with override(language):
            transaction.on_commit(lambda: emails.send_draft_link(draft, token, contact))
    return draft, token


def closed_message(campaign: Campaign | None) -> str:
    if campaign is None:
        return _("There is no campaign open for submissions at the moment.")
    if campaign.has_not_opened():
        return _("The campaign is not open yet.")
    return _("The campaign has closed and no longer accepts submissions or changes.")
