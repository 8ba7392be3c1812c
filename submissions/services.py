"""Every change to an entry's state happens here: checked, saved, logged and notified
in one transaction. E-mails are queued as jobs in that same transaction
(kotolupaus/mail.py), so they leave only if the change commits, and never fail it.

An entry sent through the form waits for its contact to confirm the e-mail address
(one e-mail with a one-time confirmation link and the private link). Only then does
it get its reference, reach staff and invite its partner organisations: nothing goes
to a third party on the word of an unconfirmed address.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from kotolupaus import mail
from kotolupaus.models import MessageKind

from . import extensions, images, news
from .models import (
    ENTRY_TEXT_FIELDS,
    ENTRY_TRANSITIONS,
    Campaign,
    Draft,
    Entry,
    EntryKind,
    EntryStatus,
    ManagementLink,
    NewsKind,
    Organisation,
    Partnership,
    ProgressReport,
    ProgressStatus,
    ReportFigure,
    RetiredLink,
    RetiredLinkKind,
    RetiredLinkReason,
    consent_wording,
)
from .tokens import new_token

log = logging.getLogger(__name__)


class CampaignClosed(Exception):
    """The campaign does not accept submissions or edits right now."""


@dataclass
class Submitted:
    entry: Entry
    token: str | None  # None when the same form had already been submitted
    duplicate: bool = False


def _store_image(
    field_file_owner, attribute, content: ContentFile | None, remove=False, keep_old=False
):
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


def _save_image(field_file_owner, attribute, content: ContentFile | None):
    if content is not None:
        content.seek(0)
        getattr(field_file_owner, attribute).save(content.name, content, save=False)


def _apply_entry_fields(entry: Entry, data: dict, *, keep_old_image=False):
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


def _apply_organisation_fields(organisation: Organisation, data: dict, *, keep_old_logo=False):
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


def _set_consent(entry: Entry, consent: bool):
    if consent and not entry.consent_publish:
        entry.consent_publish_at = timezone.now()
        # The wording exactly as shown, in the language of the page it was given on.
        entry.consent_wording = str(consent_wording(entry.kind))
    elif not consent:
        entry.consent_publish_at = None
        entry.consent_wording = ""
    entry.consent_publish = consent


def link(url_name: str, token: str, language: str) -> str:
    """The absolute address of a private link, in the reader's language."""
    with override(language):
        return settings.SITE_URL + reverse(url_name, args=[token])


def confirmation_deadline(entry: Entry):
    """Until when the contact may confirm the address before the entry is removed."""
    return entry.submitted_at + timedelta(days=settings.UNCONFIRMED_ENTRY_DAYS)


def add_management_link(entry: Entry) -> str:
    """A new private link to the entry (earlier links keep working)."""
    token, token_hash = new_token()
    ManagementLink.objects.create(entry=entry, token_hash=token_hash)
    return token


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
    """Save an entry from a valid form and ask its contact to confirm the e-mail address.

    The same form submitted twice creates one entry. The time of sending meets the
    deadline; the reference is given when the address is confirmed.
    """
    with transaction.atomic():
        # Only submissions of the same form wait for each other (double clicks, two
        # tabs); different submissions never queue behind one lock.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                [f"submission:{data['submission_key']}"],
            )
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
        for partner in partners:
            _add_partner(entry, partner)
        token = add_management_link(entry)
        if draft is not None and draft.pk:
            for key in ("org_logo_pending", "image_pending"):
                for reference in draft.data.get(key) or []:
                    transaction.on_commit(lambda r=reference: images.discard(r))
            _retire(draft.token_hash, RetiredLinkKind.DRAFT, RetiredLinkReason.SENT, entry)
            draft.delete()

        mail.queue(
            MessageKind.CONFIRM_ADDRESS,
            to=entry.contact_email,
            language=language,
            entry=entry,
            context={
                "confirm_link": link("submissions:confirm", confirm_token, language),
                "manage_link": link("submissions:manage", token, language),
                "confirm_by": confirmation_deadline(entry),
                "partners": [p["name"] for p in partners],
            },
        )
        log.info("entry sent, waiting for confirmation (%s, %d partners)", kind, len(partners))
    return Submitted(entry, token)


def delete_drafts(drafts, *, reason: str) -> int:
    """Delete saved drafts (personal data erased, or the retention period over); their
    links then say so (410) instead of "not found". Returns how many."""
    deleted = 0
    for draft in drafts:
        for key in ("org_logo_pending", "image_pending"):
            for reference in draft.data.get(key) or []:
                transaction.on_commit(lambda r=reference: images.discard(r))
        _retire(draft.token_hash, RetiredLinkKind.DRAFT, reason, None)
        draft.delete()
        deleted += 1
    return deleted


def _retire(token_hash: str, kind: str, reason: str, entry: Entry | None) -> None:
    """Remember a link that stops working, so that following it explains why (HTTP 410)."""
    RetiredLink.objects.update_or_create(
        token_hash=token_hash, defaults={"kind": kind, "reason": reason, "entry": entry}
    )


def _add_partner(entry: Entry, partner: dict) -> Partnership:
    organisation = Organisation.objects.create(name=partner["name"])
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


def invite_partner(partnership: Partnership) -> None:
    """E-mail a partner organisation its link to confirm or decline, in the partner's
    language; a fresh link each time."""
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
        },
    )


def _was_invited(partnership: Partnership, entry: Entry) -> bool:
    """Whether the partner has an invitation from us: sent when the entry was
    confirmed, or when the partner was added or corrected after that."""
    return entry.status != EntryStatus.UNCONFIRMED


def _tell_partners(entry: Entry, partnerships, kind: str) -> None:
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


class TransitionNotAllowed(Exception):
    """A change of status that the lifecycle does not allow; the message says why, in
    the language of the page."""


def change_status(entry: Entry, to: str, *, by=None, reason: str = "") -> Entry:
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
        transaction.on_commit(lambda n=name, s=storage: s.delete(n))
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


def remove_unconfirmed(older_than=None) -> int:
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
        entry.messages.all().delete()
        entry.delete()
        Organisation.objects.filter(pk__in=organisations).delete()
        for file in files:
            transaction.on_commit(lambda f=file: f.storage.delete(f.name))


def update_entry(entry: Entry, data: dict) -> Entry:
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
MAX_PARTNERS = 10


def _partners_editable(entry: Entry) -> None:
    if not entry.can_be_edited:
        raise ValidationError(
            _("Partners can be changed only while the pledge can be edited.")
            if entry.kind == EntryKind.PLEDGE
            else _("Partners can be changed only while the initiative can be edited."),
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
    entry: Entry, *, name: str, email: str, role: str = "", language: str = ""
) -> Partnership:
    """The submitter names one more partner; it is invited at once, in its language
    (or, while the contact has not confirmed the address yet, with the others when
    they do)."""
    with transaction.atomic():
        entry = Entry.objects.select_for_update().select_related("campaign").get(pk=entry.pk)
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
            entry, {"name": name, "email": email, "role": role, "language": language}
        )
        if entry.status == EntryStatus.SUBMITTED:
            invite_partner(partnership)
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


def _partners_changed(entry, partnership, change):
    log.info("partner %s: %s", change, entry.reference or "unconfirmed entry")
    extensions.partners_changed(entry, change)


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


def closed_message(campaign: Campaign | None) -> str:
    if campaign is None:
        return _("There is no campaign open for submissions at the moment.")
    if campaign.has_not_opened():
        return _("The campaign is not open yet.")
    return _("The campaign has closed and no longer accepts submissions or changes.")


# --- Follow-up: progress reports -----------------------------------------------------------


class ReportRefused(Exception):
    """A progress report that cannot be sent or changed now; the message says why."""


def _report_allowed(entry: Entry) -> None:
    if not extensions.published_entries(Entry.objects.filter(pk=entry.pk)).exists():
        raise ReportRefused(
            _(
                "Progress can be reported only on a published pledge or initiative that has "
                "not been withdrawn and whose consent to publish is in force."
            )
        )


def _apply_report(report: ProgressReport, data: dict, language: str) -> None:
    report.status = data["status"]
    report.reason = data.get("reason", "") if data["status"] == ProgressStatus.DISCONTINUED else ""
    report.reported_on = data["reported_on"]
    previous = report.original_language
    report.original_language = language
    if previous and previous != language:
        report.translations.filter(language_code=previous).delete()
    report.set_current_language(language)
    report.text = data["text"]
    _store_image(report, "image", data.get("image"), remove=bool(data.get("image_remove")))


def _save_figures(report: ProgressReport, figures: dict) -> None:
    """figures: {indicator: value or None}; an empty figure removes it."""
    for indicator, value in figures.items():
        if value is None:
            report.figures.filter(indicator=indicator).delete()
        else:
            ReportFigure.objects.update_or_create(
                report=report, indicator=indicator, defaults={"value": value}
            )


def add_report(entry: Entry, data: dict, *, language: str) -> ProgressReport:
    """The submitter reports what became of a published entry (through the private link)."""
    with transaction.atomic():
        entry = Entry.objects.select_for_update().get(pk=entry.pk)
        _report_allowed(entry)
        report = ProgressReport(entry=entry)
        _apply_report(report, data, language)
        report.save()
        _save_figures(report, data.get("figures") or {})
        report.contributors.set(
            entry.partnerships.confirmed().filter(
                pk__in=[p.pk for p in data.get("contributors") or []]
            )
        )
        log.info("progress report added: %s (%s)", entry.reference, report.status)
        extensions.report_changed(report, "added")
    return report


def update_report(report: ProgressReport, data: dict, *, language: str) -> ProgressReport:
    """The submitter corrects a report while it can still be edited."""
    with transaction.atomic():
        report = (
            ProgressReport.objects.select_for_update().select_related("entry").get(pk=report.pk)
        )
        if not report.can_be_edited:
            raise ReportRefused(
                _("This report is part of the record now and can no longer be changed.")
            )
        _report_allowed(report.entry)
        _apply_report(report, data, language)
        report.save()
        _save_figures(report, data.get("figures") or {})
        report.contributors.set(
            report.entry.partnerships.confirmed().filter(
                pk__in=[p.pk for p in data.get("contributors") or []]
            )
        )
        log.info("progress report edited: %s", report.entry.reference)
        extensions.report_changed(report, "edited")
    return report


def open_report_for_fixes(report: ProgressReport) -> None:
    ProgressReport.objects.filter(pk=report.pk).update(open_for_fixes_since=timezone.now())


def close_report_for_fixes(report: ProgressReport) -> None:
    ProgressReport.objects.filter(pk=report.pk).update(open_for_fixes_since=None)


# --- Personal data (erasure on request, retention; publishing/personal_data.py) ---------------

ERASED_NAME = "–"


def erase_contact(entry: Entry, *, by=None, reason: str = "personal data erased") -> Entry:
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
        invited_email=f"erased-{partnership.pk}@erased.invalid"
    )


REMINDER_SALT = "kotolupaus.reminders.stop"


def reminders_stop_link(entry: Entry, language: str) -> str:
    """The "stop reminding me" address of an entry's reminder e-mails (signed, so only
    our e-mails carry it)."""
    from django.core import signing

    return link("submissions:reminders_stop", signing.dumps(entry.pk, salt=REMINDER_SALT), language)


def stop_reminders(entry: Entry) -> Entry:
    """The contact asked not to be reminded about this entry any more."""
    with transaction.atomic():
        entry = Entry.objects.select_for_update().get(pk=entry.pk)
        if entry.reminders_stopped_at is None:
            entry.reminders_stopped_at = timezone.now()
            entry.save(update_fields=["reminders_stopped_at"])
            log.info("progress reminders stopped: %s", entry.reference)
    return entry


def resume_reminders(entry: Entry) -> Entry:
    """The contact wants the reminders again (undoing "stop reminding me")."""
    with transaction.atomic():
        entry = Entry.objects.select_for_update().get(pk=entry.pk)
        if entry.reminders_stopped_at is not None:
            entry.reminders_stopped_at = None
            entry.save(update_fields=["reminders_stopped_at"])
            log.info("progress reminders resumed: %s", entry.reference)
    return entry
