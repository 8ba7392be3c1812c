"""Moderation and publication: every change of what the public sees goes through here."""

import logging

from django.db import transaction
from django.utils import timezone

from submissions import services as submission_services
from submissions.models import Entry, EntryStatus

from . import emails, moderation, search
from .models import JoinRequest, Publication, PublicationStatus

log = logging.getLogger(__name__)


def public_texts(entry):
    return [
        getattr(t, name) or ""
        for t in entry.translations.all()
        for name in ("title", *search.TEXT_FIELDS)
    ]


def publication_for(entry) -> Publication:
    publication, _created = Publication.objects.get_or_create(entry=entry)
    return publication


def check_entry(entry) -> Publication:
    """Record the automatic moderation flags of an entry (on submit and after edits)."""
    publication = publication_for(entry)
    publication.flags = moderation.check(public_texts(entry))
    publication.save(update_fields=["flags", "updated_at"])
    return publication


def approve(entry, by) -> Publication:
    with transaction.atomic():
        publication = Publication.objects.select_for_update().get(pk=publication_for(entry).pk)
        publication.status = PublicationStatus.APPROVED
        publication.first_published_at = publication.first_published_at or timezone.now()
        if _is_public_once_approved(entry):
            publication.last_public_at = timezone.now()
        publication.decided_by = by
        publication.save()
        submission_services.close_for_fixes(entry)
        search.index_entry(entry)
        log.info("entry approved for publication: %s by %s", entry.reference, by)
    return publication


def reject(entry, by, note="") -> Publication:
    with transaction.atomic():
        publication = Publication.objects.select_for_update().get(pk=publication_for(entry).pk)
        publication.status = PublicationStatus.REJECTED
        publication.note = note or publication.note
        publication.decided_by = by
        publication.save()
        log.info("entry not published: %s by %s", entry.reference, by)
    return publication


def return_for_fixes(entry, by, comment) -> Publication:
    """Send the entry back to its submitter with a comment and a fresh private link."""
    with transaction.atomic():
        publication = Publication.objects.select_for_update().get(pk=publication_for(entry).pk)
        publication.status = PublicationStatus.RETURNED
        publication.returned_comment = comment
        publication.decided_by = by
        publication.save()
        token = submission_services.open_for_fixes(entry)
        fresh = Entry.objects.select_related("campaign").get(pk=entry.pk)
        transaction.on_commit(lambda: emails.send_returned(fresh, comment, token))
        log.info("entry returned for fixes: %s by %s", entry.reference, by)
    return publication


def _is_public_once_approved(entry) -> bool:
    return Entry.objects.filter(
        pk=entry.pk, consent_publish=True, status=EntryStatus.SUBMITTED
    ).exists()


def entry_changed(entry, change):
    """After the submitter edits an entry, staff look at it again before it is public."""
    publication = check_entry(entry)
    if change == "edited" and publication.status == PublicationStatus.APPROVED:
        publication.status = PublicationStatus.PENDING
        publication.save(update_fields=["status", "updated_at"])
    if publication.status == PublicationStatus.APPROVED:
        search.index_entry(entry)
        if change == "consent" and _is_public_once_approved(entry):
            publication.last_public_at = timezone.now()
            publication.save(update_fields=["last_public_at", "updated_at"])


def relay_join_request(entry, *, organisation, name, email, message) -> JoinRequest:
    request = JoinRequest.objects.create(
        entry=entry, organisation=organisation, name=name, email=email, message=message
    )
    transaction.on_commit(lambda: emails.send_join_request(request))
    log.info("join request relayed to %s", entry.reference)
    return request
