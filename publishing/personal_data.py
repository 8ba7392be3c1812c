"""A contact person's personal data: export everything stored about them, erase it on
request, and erase contact data after the retention period. Each leaves an audit event,
written by the audit service (review.services.audit); every change goes through the
services that own the data (submissions.services, publishing.services), so an entry
withdrawn by erasure leaves the public side as any withdrawal does.

Entries stay published without personal data when their submitter consented to
publication; otherwise they are withdrawn.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from kotolupaus import mail
from kotolupaus.models import Message
from review.audit import audit
from review.models import AuditAction, AuditEvent
from submissions import services as submission_services
from submissions.models import (
    Campaign,
    Draft,
    Entry,
    EntryStatus,
    Partnership,
    RetiredLinkReason,
)
from submissions.services import ERASED_NAME

from .cooperation.requests import erase_join_requests
from .models import JoinRequest

__all__ = ["ERASED_NAME", "erase", "export", "purge_after_retention"]

HELSINKI = ZoneInfo("Europe/Helsinki")


def _moment(value):
    """A time in Helsinki time, its offset naming the zone: "2027-12-31T10:00:00+02:00"."""
    return timezone.localtime(value, HELSINKI).isoformat() if value else None


def _entries(email):
    return (
        Entry.objects.filter(contact_email__iexact=email.strip())
        .select_related("campaign", "lead_organisation")
        .prefetch_related("translations")
    )


def _drafts(email):
    email = email.strip().lower()
    return [
        d
        for d in Draft.objects.all()
        if email in [str(v).strip().lower() for v in (d.data.get("contact_email") or [])]
    ]


def export(email, by):
    """Everything stored about the person with this e-mail address, as plain data."""
    entries = list(_entries(email))
    data = {
        "email": email,
        "exported_at": _moment(timezone.now()),
        "entries": [
            {
                "reference": e.reference,
                "campaign": e.campaign.slug,
                "status": e.status,
                "contact_name": e.contact_name,
                "contact_email": e.contact_email,
                "contact_phone": e.contact_phone,
                "contact_language": e.contact_language,
                "consent_publish": e.consent_publish,
                "consent_publish_at": _moment(e.consent_publish_at),
                "consent_wording": e.consent_wording,
                "consent_contact": e.consent_contact,
                "submitted_at": _moment(e.submitted_at),
                "organisation": e.lead_organisation.name,
                "title": {t.language_code: t.title for t in e.translations.all()},
            }
            for e in entries
        ],
        "partner_invitations": [
            {
                "entry": p.entry.reference,
                "organisation": p.organisation.name,
                "invited_email": p.invited_email,
                "confirmed_at": _moment(p.confirmed_at),
                "declined_at": _moment(p.declined_at),
            }
            for p in Partnership.objects.filter(invited_email__iexact=email).select_related(
                "entry", "organisation"
            )
        ],
        "messages_to_initiatives": [
            {
                "entry": j.entry.reference,
                "organisation": j.organisation,
                "name": j.name,
                "email": j.email,
                "message": j.message,
                "sent_at": _moment(j.created_at),
                "language": j.language,
                "state": j.status,
                "answered_at": _moment(j.answered_at),
                "note_from_the_contact": j.note,
            }
            for j in JoinRequest.objects.filter(email__iexact=email).select_related("entry")
        ],
        "drafts": [{"created_at": _moment(d.created_at), "data": d.data} for d in _drafts(email)],
        "emails_sent": [
            {
                "kind": m.kind,
                "language": m.language,
                "subject": m.subject,
                "status": m.status,
                "queued_at": _moment(m.created_at),
                "sent_at": _moment(m.sent_at),
                "entry": m.entry_reference,
            }
            for m in Message.objects.filter(recipient__iexact=email.strip()).annotate(
                entry_reference=Subquery(
                    Entry.objects.filter(pk=OuterRef("entry_id")).values("reference")[:1]
                )
            )
        ],
        **_staff_member(email),
    }
    _audit(by, AuditAction.PERSONAL_DATA_EXPORTED, entries, found=_counts(data))
    return data


def _staff_member(email):
    """When the address is a staff member's: their account and their own events in the
    audit trail (what they did, and what happened to their account: logins, failed
    logins, devices, password and role changes)."""
    users = list(
        get_user_model()
        .objects.filter(email__iexact=email.strip())
        .filter(Q(is_staff=True) | Q(is_superuser=True))
        .prefetch_related("groups")
    )
    events = (
        AuditEvent.objects.filter(Q(actor__in=users) | Q(user__in=users))
        .select_related("actor", "user", "campaign", "entry")
        .order_by("created_at", "pk")
    )
    return {
        "staff_accounts": [
            {
                "username": u.get_username(),
                "first_name": u.first_name,
                "last_name": u.last_name,
                "email": u.email,
                "roles": sorted(g.name for g in u.groups.all()),
                "is_active": u.is_active,
                "date_joined": _moment(u.date_joined),
                "last_login": _moment(u.last_login),
            }
            for u in users
        ],
        "staff_events": [
            {
                "when": _moment(e.created_at),
                "what": e.action,
                "by": e.actor.get_username() if e.actor else None,
                "account": e.user.get_username() if e.user else None,
                "address": e.ip_address,
                "campaign": e.campaign.slug if e.campaign else None,
                "entry": e.entry.reference if e.entry else None,
                "details": e.details,
            }
            for e in (events if users else [])
        ],
    }


def _counts(data):
    return {
        key: len(data[key])
        for key in (
            "entries",
            "partner_invitations",
            "messages_to_initiatives",
            "drafts",
            "staff_accounts",
            "staff_events",
            "emails_sent",
        )
    }


def _audit(by, action, entries, **details):
    """One audit event per campaign concerned (the current one when none is)."""
    campaigns = {e.campaign for e in entries} or {Campaign.objects.current()}
    for campaign in campaigns - {None}:
        concerned = [e for e in entries if e.campaign == campaign]
        audit(
            by,
            action,
            campaign,
            about=concerned,
            **details,
            entries=[e.reference for e in concerned],
        )


def erase(email, by):
    """Erase the person's contact data everywhere; returns what was erased, counted."""
    with transaction.atomic():
        entries = list(_entries(email).select_for_update(of=("self",)))
        # Entries never confirmed never reached anyone: they go altogether.
        unconfirmed = [e for e in entries if e.status == EntryStatus.UNCONFIRMED]
        for entry in unconfirmed:
            submission_services.delete_unconfirmed(entry, reason=RetiredLinkReason.ERASED)
        entries = [e for e in entries if e.status != EntryStatus.UNCONFIRMED]
        for entry in entries:
            submission_services.erase_contact(entry, by=by)
        partners = 0
        for partnership in Partnership.objects.filter(invited_email__iexact=email):
            submission_services.erase_partner_address(partnership)
            partners += 1
        joins = erase_join_requests(JoinRequest.objects.filter(email__iexact=email))
        drafts = _drafts(email)
        submission_services.delete_drafts(drafts, reason=RetiredLinkReason.ERASED)
        emails = mail.erase_address(email)
        counts = {
            "entries": len(entries) + len(unconfirmed),
            "partner_invitations": partners,
            "messages_to_initiatives": joins,
            "drafts": len(drafts),
            "emails_sent": emails,
        }
        _audit(by, AuditAction.PERSONAL_DATA_ERASED, entries, erased=counts)
    return counts


def purge_after_retention(days, by=None, now=None):
    """Erase contact data of campaigns closed more than `days` days ago, except where the
    person agreed to be contacted later. Returns {campaign slug: entries purged}."""
    now = now or timezone.now()
    purged = {}
    for campaign in Campaign.objects.filter(closes_at__lt=now - timedelta(days=days)):
        with transaction.atomic():
            entries = list(
                Entry.objects.filter(campaign=campaign, consent_contact=False).exclude(
                    contact_email="", contact_name=ERASED_NAME
                )
            )
            for entry in entries:
                mail.erase_address(entry.contact_email)
                submission_services.erase_contact(entry, by=by)
            for partnership in Partnership.objects.filter(entry__campaign=campaign).exclude(
                invited_email__endswith="@erased.invalid"
            ):
                mail.erase_address(partnership.invited_email)
                submission_services.erase_partner_address(partnership)
            erase_join_requests(
                JoinRequest.objects.filter(entry__campaign=campaign).exclude(
                    Q(email="erased@erased.invalid")
                )
            )
            mail.forget_join_senders(Entry.objects.filter(campaign=campaign).values("pk"))
            submission_services.delete_drafts(
                Draft.objects.filter(campaign=campaign), reason=RetiredLinkReason.EXPIRED
            )
            if entries:
                audit(
                    by,
                    AuditAction.RETENTION_PURGED,
                    campaign,
                    about=entries,
                    days=days,
                    entries=[e.reference for e in entries],
                )
            purged[campaign.slug] = len(entries)
    return purged
