"""An entry's life: submission, confirmation, status changes, edits and consent.

An entry sent through the form waits for its contact to confirm the e-mail address; only then
does it get its reference, reach staff and invite its partner organisations."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kotolupaus import mail
from kotolupaus.models import Message, MessageKind

from .. import extensions, images
from ..models import (
    ENTRY_TEXT_FIELDS,
    ENTRY_TRANSITIONS,
    Campaign,
    Draft,
    Entry,
    EntryKind,
    EntryStatus,
    Organisation,
    RetiredLinkKind,
    RetiredLinkReason,
    consent_wording,
)
from ..tokens import new_token
from .links import _retire, add_management_link, link
from .partner_search import save_partner_search
from .partners import _add_partner, _tell_partners, invite_partner

log = logging.getLogger(__name__)


class CampaignClosed(Exception):
    """The campaign does not accept submissions or edits right now."""


@dataclass
class Submitted:
    entry: Entry
    token: str | None  # None when the same form had already been submitted
    duplicate: bool = False


def _store_image(
    field_file_owner: models.Model,
    attribute: str,
    content: ContentFile[bytes] | None,
    remove: bool = False,
    keep_old: bool = False,
) -> None:
    """A new image replaces the old one (whose file goes after commit, unless
    `keep_old`: a published entry's approved version still shows it until an edit is
    approved); `remove` takes it away without a new one."""
    old = getattr(field_file_owner, attribute)
    if (content is not None or remove) and old:
        name, storage = old.name, old.storage
        if not keep_old:
            transaction.on_commit(lambda: storage.delete(name))
        setattr(field_file_owner, attribute, None)
    if content is not None:
        _save_image(field_file_owner, attribute, content)


def _save_image(
    field_file_owner: models.Model, attribute: str, content: ContentFile[bytes] | None
) -> None:
    if content is not None:
        content.seek(0)
        getattr(field_file_owner, attribute).save(content.name, content, save=False)


def _apply_entry_fields(
    entry: Entry, data: dict[str, Any], *, keep_old_image: bool = False
) -> None:
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
    _store_image(
        entry,
        "image",
        data.get("image"),
        remove=bool(data.get("image_remove")),
        keep_old=keep_old_image,
    )


def _apply_organisation_fields(
    organisation: Organisation, data: dict[str, Any], *, keep_old_logo: bool = False
) -> None:
    organisation.name = data["org_name"]
    organisation.business_id = data.get("org_business_id", "")
    organisation.type = data["org_type"]
    organisation.municipality = data.get("org_municipality")
    organisation.website = data.get("org_website", "")
    _store_image(
        organisation,
        "logo",
        data.get("org_logo"),
        remove=bool(data.get("org_logo_remove")),
        keep_old=keep_old_logo,
    )


def _set_consent(entry: Entry, consent: bool) -> None:
    if consent and not entry.consent_publish:
        entry.consent_publish_at = timezone.now()
        # The wording exactly as shown, in the language of the page it was given on.
        entry.consent_wording = str(consent_wording(entry.kind))
    elif not consent:
        entry.consent_publish_at = None
        entry.consent_wording = ""
    entry.consent_publish = consent


def confirmation_deadline(entry: Entry) -> datetime:
    """Until when the contact may confirm the address before the entry is removed."""
    return entry.submitted_at + timedelta(days=settings.UNCONFIRMED_ENTRY_DAYS)


def _lock_submission(submission_key: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
            [f"submission:{submission_key}"],
        )


def _draft_sent(draft: Draft, entry: Entry) -> None:
    for key in ("org_logo_pending", "image_pending"):
        for reference in draft.data.get(key) or []:
            transaction.on_commit(partial(images.discard, reference))
    _retire(draft.token_hash, RetiredLinkKind.DRAFT, RetiredLinkReason.SENT, entry)
    draft.delete()


def _ask_to_confirm(entry: Entry, confirm_token: str, token: str, partners: list[str]) -> None:
    language = entry.contact_language
    mail.queue(
        MessageKind.CONFIRM_ADDRESS,
        to=entry.contact_email,
        language=language,
        entry=entry,
        context={
            "confirm_link": link("submissions:confirm", confirm_token, language),
            "manage_link": link("submissions:manage", token, language),
            "confirm_by": confirmation_deadline(entry),
            "partners": partners,
        },
    )


def submit_entry(
    *,
    campaign: Campaign,
    kind: str,
    data: dict[str, Any],
    partners: list[dict[str, Any]],
    language: str,
    draft: Draft | None = None,
    challenge_of: Entry | None = None,
) -> Submitted:
    """Save an entry from a valid form and ask its contact to confirm the e-mail address.

    The same form submitted twice creates one entry. The time of sending meets the
    deadline; the reference is given when the address is confirmed.
    """
    with transaction.atomic():
        # Only submissions of the same form wait for each other (double clicks, two
        # tabs); different submissions never queue behind one lock.
        _lock_submission(data["submission_key"])
        existing = Entry.objects.filter(submission_key=data["submission_key"]).first()
        if existing is not None:
            return Submitted(existing, None, duplicate=True)
        if not campaign.is_open():
            raise CampaignClosed

        organisation = Organisation()
        _apply_organisation_fields(organisation, data)
        organisation.save()
        confirm_token, confirm_hash = new_token()
        entry = Entry(
            campaign=campaign,
            kind=kind,
            status=EntryStatus.UNCONFIRMED,
            lead_organisation=organisation,
            contact_language=language,
            confirm_token_hash=confirm_hash,
            submission_key=data["submission_key"],
            challenge_of=challenge_of if kind == EntryKind.PLEDGE else None,
        )
        _apply_entry_fields(entry, data)
        entry.save()
        # A new entry has none yet: added without reading what it has (one query each).
        entry.themes.add(*data["themes"])
        entry.target_groups.add(*data["target_groups"])
        entry.municipalities.add(*(data.get("municipalities") or []))
        save_partner_search(entry, data, new=True)
        for partner in partners:
            _add_partner(entry, partner)
        token = add_management_link(entry)
        if draft is not None and draft.pk:
            _draft_sent(draft, entry)

        _ask_to_confirm(entry, confirm_token, token, [p["name"] for p in partners])
        log.info("entry sent, waiting for confirmation (%s, %d partners)", kind, len(partners))
    return Submitted(entry, token)


class TransitionNotAllowed(Exception):
    """A change of status that the lifecycle does not allow; the message says why, in
    the language of the page."""


def change_status(entry: Entry, to: str, *, by: Any = None, reason: str = "") -> Entry:
    """The one way an entry changes status (EntryStatus, ENTRY_TRANSITIONS): checked,
    saved, logged, mailed and followed by the later apps (extensions.entry_changed: a
    staff member's change audited, moderation, versions and the public side; `by` is the
    staff member or None for the submitter) in one transaction. Asking for the status it already has changes
    nothing; a move the table does not allow raises TransitionNotAllowed."""
    with transaction.atomic():
        entry = Entry.objects.select_for_update().get(pk=entry.pk)
        before = entry.status
        if before == to:
            return entry
        if to not in ENTRY_TRANSITIONS[EntryStatus(before)]:
            raise TransitionNotAllowed(
                _("An entry that is “%(before)s” cannot become “%(after)s”.")
                % {"before": EntryStatus(before).label, "after": EntryStatus(to).label}
            )
        entry.status = to
        fields = ["status", "updated_at"]
        if to == EntryStatus.SUBMITTED:
            fields += _give_reference(entry)
        elif to == EntryStatus.WITHDRAWN:
            entry.withdrawn_at = timezone.now()
            fields.append("withdrawn_at")
            fields += _remove_images(entry)
        entry.save(update_fields=fields)
        log.info(
            "entry %s: %s → %s%s", entry.reference, before, to, f" ({reason})" if reason else ""
        )
        if to == EntryStatus.SUBMITTED:
            for partnership in entry.partnerships.select_related("organisation"):
                partnership.entry = entry
                invite_partner(partnership)
        elif to == EntryStatus.WITHDRAWN:
            mail.queue(
                MessageKind.WITHDRAWN,
                to=entry.contact_email,
                language=entry.contact_language,
                entry=entry,
                context={},
            )
            # The partners' invitations explain the withdrawal from now on (410); each
            # partner that had not declined is told at once, in its language.
            _tell_partners(
                entry,
                entry.partnerships.select_related("organisation"),
                MessageKind.PARTNER_WITHDRAWN,
            )
        extensions.entry_changed(entry, to, by=by, before=before, reason=reason)
    return entry


def _remove_images(entry: Entry) -> list[str]:
    """A withdrawn entry's images leave the storage once the withdrawal commits: its own,
    its progress reports' and its organisation's logo (unless the organisation leads
    another entry that is not withdrawn). Returns the entry's fields it emptied."""
    files = []
    fields = []
    if entry.image:
        files.append(entry.image)
        entry.image = None
        fields.append("image")
    organisation = entry.lead_organisation
    leads_another = (
        organisation.led_entries.exclude(pk=entry.pk).exclude(status=EntryStatus.WITHDRAWN).exists()
    )
    if organisation.logo and not leads_another:
        files.append(organisation.logo)
        Organisation.objects.filter(pk=organisation.pk).update(logo="")
    reports = entry.progress_reports.exclude(image="")
    files += [report.image for report in reports]
    reports.update(image="")
    for file in files:
        name, storage = file.name, file.storage
        transaction.on_commit(partial(storage.delete, name or ""))
    if files:
        log.info("entry %s withdrawn: %d images removed", entry.reference, len(files))
    return fields


def _give_reference(entry: Entry) -> list[str]:
    """The next number of the campaign (gap-free, unique: the campaign row is locked
    until the transaction ends) and the reference made of it."""
    campaign = Campaign.objects.select_for_update().get(pk=entry.campaign_id)
    campaign.last_entry_number += 1
    campaign.save(update_fields=["last_entry_number"])
    entry.campaign = campaign
    entry.number = campaign.last_entry_number
    entry.reference = f"KL-{timezone.localtime(campaign.opens_at).year}-{entry.number:04d}"
    entry.confirmed_at = timezone.now()
    if entry.confirm_token_hash:
        # Opened again, the confirmation link says the entry is confirmed (410).
        _retire(
            entry.confirm_token_hash, RetiredLinkKind.CONFIRM, RetiredLinkReason.CONFIRMED, entry
        )
    entry.confirm_token_hash = None
    return ["number", "reference", "confirmed_at", "confirm_token_hash"]


def confirm_address(entry: Entry) -> Entry:
    """The contact confirmed the e-mail address: the entry gets its reference, reaches
    staff and its partner organisations are invited. Confirming twice changes nothing."""
    return change_status(entry, EntryStatus.SUBMITTED)


def remove_unconfirmed(older_than: timedelta | None = None) -> int:
    """Remove entries whose address was never confirmed in time, with their uploads.
    Returns how many were removed."""
    limit = timezone.now() - (older_than or timedelta(days=settings.UNCONFIRMED_ENTRY_DAYS))
    removed = 0
    for entry in Entry.objects.unconfirmed().filter(submitted_at__lt=limit).only("pk"):
        delete_unconfirmed(entry)
        removed += 1
    if removed:
        log.info("unconfirmed entries removed: %d", removed)
    return removed


def delete_unconfirmed(entry: Entry, *, reason: str = RetiredLinkReason.EXPIRED) -> None:
    """Delete an entry that never reached staff, with everything it brought along.
    Its confirmation and private links then say why they no longer work (410):
    `reason` is EXPIRED (not confirmed in time) or ERASED (its contact's personal data
    was erased on request)."""
    with transaction.atomic():
        entry = Entry.objects.select_for_update().filter(pk=entry.pk).unconfirmed().first()
        if entry is None:
            return
        hashes = [
            (entry.confirm_token_hash, RetiredLinkKind.CONFIRM),
            *(
                (h, RetiredLinkKind.MANAGE)
                for h in entry.management_links.values_list("token_hash", flat=True)
            ),
        ]
        for token_hash, kind in hashes:
            if token_hash:
                _retire(token_hash, kind, reason, None)
        organisations = [
            entry.lead_organisation_id,
            *entry.partnerships.values_list("organisation_id", flat=True),
        ]
        files = [f for f in (entry.image, entry.lead_organisation.logo) if f]
        Message.objects.filter(entry_id=entry.pk).delete()
        entry.delete()
        Organisation.objects.filter(pk__in=organisations).delete()
        for file in files:
            transaction.on_commit(partial(file.storage.delete, file.name or ""))


def update_entry(entry: Entry, data: dict[str, Any]) -> Entry:
    """The submitter edits an entry through the private link while the campaign is open."""
    with transaction.atomic():
        entry = Entry.objects.select_for_update().select_related("campaign").get(pk=entry.pk)
        if not entry.can_be_edited:
            raise CampaignClosed
        # While an edit of a published entry waits for moderation, the approved version
        # stays public with its images (publishing removes them once it is replaced).
        public = extensions.published_entries(Entry.objects.filter(pk=entry.pk)).exists()
        _apply_organisation_fields(entry.lead_organisation, data, keep_old_logo=public)
        entry.lead_organisation.save()
        previous_language = entry.original_language
        _apply_entry_fields(entry, data, keep_old_image=public)
        if previous_language != entry.original_language:
            # The submitter rewrote the text in another language: the old original goes.
            entry.translations.filter(language_code=previous_language).delete()
        entry.save()
        entry.themes.set(data["themes"])
        entry.target_groups.set(data["target_groups"])
        entry.municipalities.set(data.get("municipalities") or [])
        save_partner_search(entry, data)
        log.info("entry edited by submitter: %s", entry.reference)
        extensions.entry_changed(entry, "edited")
    return entry


def open_for_fixes(entry: Entry) -> str:
    """Staff return an entry to its submitter: it may be edited even after the deadline.

    Returns a new private link token for the e-mail (earlier links keep working).
    """
    with transaction.atomic():
        entry = Entry.objects.select_for_update().get(pk=entry.pk)
        entry.open_for_fixes_since = timezone.now()
        entry.save(update_fields=["open_for_fixes_since", "updated_at"])
        token = add_management_link(entry)
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
            extensions.entry_changed(entry, "consent")
    return entry


def withdraw_entry(entry: Entry) -> Entry:
    """The submitter withdraws a sent entry; the contact gets an e-mail saying so."""
    return change_status(entry, EntryStatus.WITHDRAWN)


def closed_message(campaign: Campaign | None) -> str:
    if campaign is None:
        return _("There is no campaign open for submissions at the moment.")
    if campaign.has_not_opened():
        return _("The campaign is not open yet.")
    return _("The campaign has closed and no longer accepts submissions or changes.")
