"""Moderation and publication: every change of what the public sees goes through here.

`transition()` is the one way a publication changes status (PublicationStatus,
PUBLICATION_TRANSITIONS): it checks the move, saves it, sets the version the public
sees, writes the audit row, sends the e-mail it needs and makes the change public
(publishing.changes) in one transaction. Staff call it through `moderate()` (and the
admin's actions); the submitter's edits reach it through `entry_changed()`, which
submissions calls through submissions.extensions.

What is public is the version a moderator approved (Publication.approved_version): an
edit of a published entry waits for moderation while that version stays public;
approving the edit replaces it, rejecting it keeps it (and tells the submitter). Staff's
own changes of the text (a translation, a correction of the organisation) are public at
once when nothing waits for moderation, else with what waits. A publication is news for the
submitter (submissions.news: one e-mail a day at most).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kotolupaus import mail
from kotolupaus.models import MessageKind
from review.audit import audit
from review.models import AuditAction
from submissions import news, versions
from submissions import services as submission_services
from submissions.models import (
    Entry,
    EntryStatus,
    EntryVersion,
    NewsKind,
    ProgressReport,
    VersionSource,
)
from submissions.services import TransitionNotAllowed

from . import moderation, read_model
from .changes import public_change
from .models import (
    PUBLICATION_TRANSITIONS,
    Publication,
    PublicationStatus,
    ReportPublication,
)

log = logging.getLogger(__name__)

__all__ = ["TransitionNotAllowed", "moderate", "transition"]


def public_texts(entry: Entry) -> list[str]:
    return [
        getattr(t, name) or ""
        for t in entry.translations.all()
        for name in ("title", *read_model.TEXT_FIELDS)
    ]


def publication_for(entry: Entry) -> Publication:
    publication, _created = Publication.objects.get_or_create(entry=entry)
    return publication


def moderation_flags(texts: list[str]) -> list[str]:
    return list(moderation.check(texts))


def check_entry(entry: Entry) -> Publication:
    """Record the automatic moderation flags of an entry (on submit and after edits)."""
    publication = publication_for(entry)
    publication.flags = moderation_flags(public_texts(entry))
    publication.save(update_fields=["flags", "updated_at"])
    return publication


def _move(
    moderation: Any, to: str, *, entry: Entry, label: str, by: User | None, comment: str, note: str
) -> str | None:
    """The check and the change every moderated thing (an entry's publication, a
    progress report's) shares: the entry must be sent and not withdrawn, the move must be
    in PUBLICATION_TRANSITIONS, returning needs a comment. Saves and returns the status
    it moved from, or None when it already had the status asked for."""
    before: str = moderation.status
    if before == to:
        return None
    if entry.status != EntryStatus.SUBMITTED:
        raise TransitionNotAllowed(
            _("%(reference)s cannot be moderated: it is “%(status)s”.")
            % {"reference": label or "–", "status": entry.get_status_display()}
        )
    if to not in PUBLICATION_TRANSITIONS[PublicationStatus(before)]:
        raise TransitionNotAllowed(
            _("%(reference)s is “%(before)s” and cannot become “%(after)s”.")
            % {
                "reference": label,
                "before": PublicationStatus(before).label,
                "after": PublicationStatus(to).label,
            }
        )
    if to == PublicationStatus.RETURNED and not comment.strip():
        raise TransitionNotAllowed(_("Write what the submitter should change."))
    moderation.status = to
    moderation.status_changed_at = timezone.now()
    fields = ["status", "status_changed_at", "updated_at"]
    if by is not None:
        moderation.decided_by = by
        fields.append("decided_by")
    if note:
        moderation.note = note
        fields.append("note")
    if to == PublicationStatus.APPROVED:
        moderation.first_published_at = moderation.first_published_at or timezone.now()
        fields.append("first_published_at")
    if to == PublicationStatus.RETURNED:
        moderation.returned_comment = comment
        fields.append("returned_comment")
    moderation.save(update_fields=fields)
    return before


def _audit_move(
    by: User | None,
    entry: Entry,
    before: Any,
    to: str,
    *,
    comment: str,
    note: str,
    reason: str,
    **details: Any,
) -> None:
    audit(
        by,
        AuditAction.MODERATED,
        entry.campaign,
        entry,
        before=before,
        after=to,
        **details,
        **({"comment": comment} if comment else {}),
        **({"note": note} if note else {}),
        **({"reason": reason} if reason else {}),
    )


def transition(
    entry: Entry,
    to: str,
    *,
    by: User | None = None,
    comment: str = "",
    note: str = "",
    reason: str = "",
) -> Publication:
    """Move an entry's publication to `to` (by a staff member, or None for the
    submitter's own edits). Asking for the status it already has changes nothing."""
    with transaction.atomic():
        entry = Entry.objects.select_for_update().select_related("campaign").get(pk=entry.pk)
        publication = Publication.objects.select_for_update().get(pk=publication_for(entry).pk)
        published_before = publication.first_published_at is not None
        before = _move(
            publication, to, entry=entry, label=entry.reference, by=by, comment=comment, note=note
        )
        if before is None:
            return publication
        _set_public_version(entry, publication, before, to, by)
        if to == PublicationStatus.RETURNED:
            _return_to_submitter(entry, comment)
        elif to in (PublicationStatus.APPROVED, PublicationStatus.REJECTED):
            submission_services.close_for_fixes(entry)
        if to == PublicationStatus.APPROVED and entry.consent_publish:
            # The submitter hears of it in the next news e-mail (at most one a day).
            news.tell(entry, NewsKind.REPUBLISHED if published_before else NewsKind.PUBLISHED)
        _audit_move(by, entry, before, to, comment=comment, note=note, reason=reason)
        public_change(entry=entry)
        log.info(
            "publication of %s: %s → %s by %s", entry.reference, before, to, by or "the submitter"
        )
    return publication


def _set_public_version(
    entry: Entry, publication: Publication, before: Any, to: str, by: User | None
) -> None:
    """Approving makes the entry's version as it is now the public one; rejecting the
    public version takes it down; rejecting an edit keeps the public version and tells
    the submitter so. Anything else leaves what is public as it was."""
    if to == PublicationStatus.APPROVED:
        replaced = publication.approved_version
        publication.approved_version = versions.record(entry, VersionSource.APPROVAL, by=by)
        if replaced is not None:
            _remove_replaced_images(replaced.content, publication.approved_version.content)
    elif to == PublicationStatus.REJECTED and publication.approved_version_id is not None:
        if before == PublicationStatus.APPROVED:
            publication.approved_version = None
        else:
            _tell_edit_rejected(entry)
            return
    else:
        return
    publication.save(update_fields=["approved_version"])


def _images(content: dict[str, Any]) -> set[str]:
    return {name for name in (content["image"], content["organisation"]["logo"]) if name}


def _remove_replaced_images(before: Any, now: dict[str, Any]) -> None:
    """Images only the replaced public version showed (an edit kept them for it, see
    submissions.services.update_entry) go once the change commits."""
    from django.core.files.storage import default_storage

    for name in _images(before) - _images(now):
        transaction.on_commit(partial(default_storage.delete, name))


def _tell_edit_rejected(entry: Entry) -> None:
    """The submitter's changes were not approved: the published version stays."""
    fresh = Entry.objects.select_related("campaign").get(pk=entry.pk)
    mail.queue(
        MessageKind.EDIT_REJECTED,
        to=fresh.contact_email,
        language=fresh.contact_language,
        entry=fresh,
        context={},
    )


def staff_corrected(entry_ids: Iterable[int], *, by: User | None = None) -> None:
    """Staff corrected what entries show (their organisation, in the admin): a new
    version of each sent one, public at once where nothing waits for moderation."""
    for entry in Entry.objects.filter(pk__in=entry_ids, status=EntryStatus.SUBMITTED):
        _staff_version(entry, VersionSource.CORRECTION, by)


def _staff_version(entry: Entry, source: str, by: User | None) -> EntryVersion:
    """A version made by staff; the public one too while nothing waits for moderation
    (an edit that waits carries the staff's change with it when approved)."""
    version = versions.record(entry, source, by=by)
    Publication.objects.filter(
        entry=entry, status=PublicationStatus.APPROVED, approved_version__isnull=False
    ).update(approved_version=version)
    return version


def report_publication_for(report: ProgressReport) -> ReportPublication:
    moderation, _created = ReportPublication.objects.get_or_create(report=report)
    return moderation


def transition_report(
    report: ProgressReport,
    to: str,
    *,
    by: User | None = None,
    comment: str = "",
    note: str = "",
    reason: str = "",
) -> ReportPublication:
    """Move a progress report's publication to `to`: the same states, checks, audit
    trail and e-mail as an entry's (the audit row names the report)."""
    with transaction.atomic():
        report = (
            ProgressReport.objects.select_for_update()
            .select_related("entry__campaign")
            .get(pk=report.pk)
        )
        entry = report.entry
        moderation = ReportPublication.objects.select_for_update().get(
            pk=report_publication_for(report).pk
        )
        label = _("the report of %(day)s on %(reference)s") % {
            "day": date_format(report.reported_on, "SHORT_DATE_FORMAT"),
            "reference": entry.reference,
        }
        before = _move(moderation, to, entry=entry, label=label, by=by, comment=comment, note=note)
        if before is None:
            return moderation
        if to == PublicationStatus.RETURNED:
            _return_report_to_submitter(report, comment)
        elif to in (PublicationStatus.APPROVED, PublicationStatus.REJECTED):
            submission_services.close_report_for_fixes(report)
        _audit_move(
            by,
            entry,
            before,
            to,
            comment=comment,
            note=note,
            reason=reason,
            report=report.pk,
            reported_on=report.reported_on.isoformat(),
        )
        public_change(entry=entry)
        log.info("report %s of %s: %s → %s", report.pk, entry.reference, before, to)
    return moderation


def moderate_report(
    report: ProgressReport, to: str, *, by: User | None, comment: str = "", note: str = ""
) -> ReportPublication:
    return transition_report(report, to, by=by, comment=comment, note=note)


def _return_report_to_submitter(report: ProgressReport, comment: str) -> None:
    submission_services.open_report_for_fixes(report)
    entry = report.entry
    token = submission_services.add_management_link(entry)
    mail.queue(
        MessageKind.REPORT_RETURNED,
        to=entry.contact_email,
        language=entry.contact_language,
        entry=entry,
        context={
            "report": report,
            "comment": comment,
            "link": submission_services.link("submissions:manage", token, entry.contact_language),
        },
    )


def report_changed(report: ProgressReport, change: str) -> None:
    """A submitter added or edited a progress report: it waits for moderation (with its
    automatic flags); an edit after return or approval goes back to the moderators."""
    moderation = report_publication_for(report)
    moderation.flags = moderation_flags([t.text for t in report.translations.all()])
    moderation.save(update_fields=["flags", "updated_at"])
    follows = AFTER_EDIT.get(moderation.status) if change == "edited" else None
    if follows is not None:
        transition_report(report, follows, reason="edited by the submitter")


def moderate(
    entry: Entry, to: str, *, by: User | None, comment: str = "", note: str = ""
) -> Publication:
    """A moderator approves, returns for fixes (with a comment that is e-mailed),
    decides not to publish, or takes a decision back to moderation."""
    return transition(entry, to, by=by, comment=comment, note=note)


def approve(entry: Entry, by: User | None) -> Publication:
    return moderate(entry, PublicationStatus.APPROVED, by=by)


def reject(entry: Entry, by: User | None, note: str = "") -> Publication:
    return moderate(entry, PublicationStatus.REJECTED, by=by, note=note)


def return_for_fixes(entry: Entry, by: User | None, comment: str) -> Publication:
    """Send the entry back to its submitter with a comment and a new private link."""
    return moderate(entry, PublicationStatus.RETURNED, by=by, comment=comment)


def _return_to_submitter(entry: Entry, comment: str) -> None:
    token = submission_services.open_for_fixes(entry)
    fresh = Entry.objects.select_related("campaign").get(pk=entry.pk)
    mail.queue(
        MessageKind.RETURNED,
        to=fresh.contact_email,
        language=fresh.contact_language,
        entry=fresh,
        context={
            "comment": comment,
            "link": submission_services.link("submissions:manage", token, fresh.contact_language),
        },
    )


# What the submitter's edit does to a publication: staff look at it again before (or
# while) it is public.
AFTER_EDIT: dict[str, str] = {
    PublicationStatus.RETURNED: PublicationStatus.FIXED,
    PublicationStatus.APPROVED: PublicationStatus.PENDING,
    PublicationStatus.REJECTED: PublicationStatus.PENDING,
}


def entry_changed(entry: Entry, change: str, by: User | None = None, **kwargs: Any) -> None:
    """An entry was confirmed, edited, withdrawn, or its consent changed (called by
    submissions.services through submissions.extensions)."""
    if change == EntryStatus.SUBMITTED:
        # It reaches the moderation queue with its automatic flags, as its first version.
        check_entry(entry)
        versions.record(entry, VersionSource.SUBMITTER)
        return
    if change == "edited":
        publication = check_entry(entry)
        if entry.status == EntryStatus.SUBMITTED:
            versions.record(entry, VersionSource.SUBMITTER)
        follows = AFTER_EDIT.get(publication.status)
        if follows is not None:
            transition(entry, follows, reason="edited by the submitter")
            return  # the transition made the change public
    public_change(entry=entry)


def partners_changed(entry: Entry, change: str, **kwargs: Any) -> None:
    """A partner answered, or the submitter added, corrected or removed one: the
    confirmed ones are shown with the entry, and its version names them all."""
    if entry.status == EntryStatus.SUBMITTED:
        versions.record(entry, VersionSource.SUBMITTER)
    public_change(entry=entry)


def translation_saved(
    entry: Entry, language: str, *, by: User | None, fields: Iterable[str] = ()
) -> None:
    """Staff added or corrected the public text of an entry in one language: a new
    version, public at once where nothing waits for moderation."""
    entry = Entry.objects.select_related("campaign").get(pk=entry.pk)
    if entry.status == EntryStatus.SUBMITTED:
        _staff_version(entry, VersionSource.TRANSLATION, by)
    audit(
        by,
        AuditAction.TRANSLATED,
        entry.campaign,
        entry,
        language=language,
        fields=sorted(fields),
    )
    public_change(entry=entry)


def report_translation_saved(report: ProgressReport, language: str, *, by: User | None) -> None:
    """Staff added or corrected a progress report's text in one language."""
    report = ProgressReport.objects.select_related("entry__campaign").get(pk=report.pk)
    audit(
        by,
        AuditAction.TRANSLATED,
        report.entry.campaign,
        report.entry,
        language=language,
        report=report.pk,
    )
    public_change(entry=report.entry)
