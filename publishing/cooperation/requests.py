"""Requests to join an entry (see publishing/cooperation/__init__.py).

An organisation asks through the entry's public page (`relay_join_request`, the one
place every path crosses, so the limits live here); the entry's contact is e-mailed who
asks and why, with a private link to the management page, where the request is
answered (`accept_join_request`, `decline_join_request`). The requester's address is
shown to the contact only after accepting: accepting invites the requesting
organisation as a partner through the partner flow (submissions.services.add_partner),
in its own language. A daily job reminds the contact once and expires what nobody
answers (publishing/cooperation/request_jobs.py).

    waiting → accepted | declined | expired | closed
"""

import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, IntegerField, QuerySet, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from kotolupaus import mail
from kotolupaus.models import Message, MessageKind
from submissions import services as submission_services
from submissions.extensions import Section
from submissions.models import Entry, EntryKind, EntryStatus
from submissions.services import ERASED_NAME

from ..models import JoinRequest, JoinRequestStatus

log = logging.getLogger(__name__)

WAITING = JoinRequestStatus.WAITING
# Waiting requests one sender address may have across all entries, and one entry may have.
PER_SENDER = 5
PER_ENTRY = 20
NOTE_MAX_LENGTH = 300


def _by_kind(entry, pledge, initiative):
    return pledge if entry.kind == EntryKind.PLEDGE else initiative


def management_link(entry: Entry, language: str) -> str:
    """A new private link to the entry's management page, for an e-mail to its contact."""
    token = submission_services.add_management_link(entry)
    return submission_services.link("submissions:manage", token, language)


def catalogue_link(language: str) -> str:
    from django.conf import settings

    with override(language):
        return f"{settings.SITE_URL}{reverse('publishing:catalogue')}"


# --- Sending -------------------------------------------------------------------------------


def _lock_sender(email: str) -> None:
    """Until the transaction ends, nobody else counts this sender's waiting requests."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
            [f"join:{email.strip().lower()}"],
        )


def _refuse_over_limits(entry: Entry, email: str) -> None:
    waiting = JoinRequest.objects.filter(status=WAITING)
    if entry.partnerships.filter(invited_email__iexact=email).exists():
        raise ValidationError(
            {
                "email": ValidationError(
                    _by_kind(
                        entry,
                        _("This address is already given for a partner of the pledge."),
                        _("This address is already given for a partner of the initiative."),
                    ),
                    code="already_partner",
                )
            }
        )
    if waiting.filter(entry=entry, email__iexact=email).exists():
        raise _sent_already(entry)
    if waiting.filter(email__iexact=email).count() >= PER_SENDER:
        raise ValidationError(
            {
                "email": ValidationError(
                    _(
                        "This address has %(count)s requests to join waiting for an answer. "
                        "Send more when some of them have been answered."
                    )
                    % {"count": PER_SENDER},
                    code="sender_limit",
                )
            }
        )
    if waiting.filter(entry=entry).count() >= PER_ENTRY:
        raise ValidationError(
            _by_kind(
                entry,
                _(
                    "The pledge has many requests to join waiting for an answer. Try again "
                    "when its contact person has answered them."
                ),
                _(
                    "The initiative has many requests to join waiting for an answer. Try "
                    "again when its contact person has answered them."
                ),
            ),
            code="entry_limit",
        )


def _sent_already(entry) -> ValidationError:
    return ValidationError(
        {
            "email": ValidationError(
                _(
                    "A request to join from this address is already waiting for an answer. "
                    "You get an e-mail when it is answered."
                ),
                code="waiting",
            )
        }
    )


def relay_join_request(
    entry,
    *,
    organisation: str,
    name: str,
    email: str,
    message: str,
    language: str = "fi",
    organisation_type: str = "",
) -> JoinRequest:
    """Record a request to join and e-mail the entry's contact who asks and why, with a
    link to answer it; the sender's address is not in the e-mail. Raises
    ValidationError when a limit refuses it (the sender already a partner, a request
    from the address waiting for this entry, too many waiting). The mail layer's own
    allowance for the contact's mailbox applies too. `entry`: an entry or its id."""
    email = email.strip()
    with transaction.atomic():
        entry = (
            Entry.objects.select_for_update(of=("self",))
            .select_related("campaign")
            .get(pk=getattr(entry, "pk", entry))
        )
        _lock_sender(email)
        _refuse_over_limits(entry, email)
        try:
            with transaction.atomic():
                request = JoinRequest.objects.create(
                    entry=entry,
                    organisation=organisation,
                    organisation_type=organisation_type,
                    name=name,
                    email=email,
                    message=message,
                    language=language,
                )
        except IntegrityError:  # the same sender a moment ago, in another tab
            raise _sent_already(entry) from None
        contact_language = entry.contact_language
        mail.queue(
            MessageKind.JOIN_REQUEST,
            to=entry.contact_email,
            language=contact_language,
            entry=entry,
            context={
                "join": request,
                "link": management_link(entry, contact_language),
                "days": entry.campaign.join_request_days,
            },
        )
    log.info("join request %s relayed to %s", request.pk, entry.reference)
    return request


def erase_join_requests(requests: QuerySet[JoinRequest]) -> int:
    """The sender's name, address and message go from requests to join (the record that
    an organisation asked stays), and so does the kept text of the e-mail that passed
    each on to the entry's contact (queued in the same moment: it names the sender)."""
    moment = timedelta(seconds=60)
    for entry_id, created_at in requests.values_list("entry_id", "created_at"):
        Message.objects.filter(
            kind=MessageKind.JOIN_REQUEST,
            entry_id=entry_id,
            created_at__gte=created_at - timedelta(seconds=1),
            created_at__lte=created_at + moment,
        ).update(masked_body="", reply_to="")
    return requests.update(name=ERASED_NAME, email=mail.erased_address(), message="", note="")


# --- Answering -----------------------------------------------------------------------------


class Answer:
    """What accepting or declining did, for the page to say."""

    ACCEPTED = "accepted"  # an invited partner now
    ALREADY_PARTNER = "already_partner"  # accepted, linked to the partnership it had
    DECLINED = "declined"
    CLOSED = "closed"  # partners can no longer be added: still waiting
    TRY_LATER = "try_later"  # the address had its invitations for today: still waiting
    NOT_WAITING = "not_waiting"  # answered already (another tab), expired or closed


def _locked(entry: Entry, pk) -> JoinRequest | None:
    return (
        JoinRequest.objects.select_for_update().filter(entry=entry, pk=pk, status=WAITING).first()
    )


def _answered(request: JoinRequest, status: str, **fields) -> None:
    request.status = status
    request.answered_at = timezone.now()
    for name, value in fields.items():
        setattr(request, name, value)
    request.save(update_fields=["status", "answered_at", *fields])


def accept_join_request(entry: Entry, pk) -> tuple[str, JoinRequest | None]:
    """The contact accepts: the requesting organisation is invited as a partner (its
    name, type, address and language taken over) and the request linked to that
    partnership, in one transaction with the request locked, so two tabs make one
    partnership. A sender already a partner: accepted and linked, no second invitation.
    Partners can no longer be added (the entry closed, the partner limit), or the
    address had its invitations today: the request stays waiting."""
    with transaction.atomic():
        request = _locked(entry, pk)
        if request is None:
            return Answer.NOT_WAITING, None
        partnership = entry.partnerships.filter(invited_email__iexact=request.email).first()
        if partnership is not None:
            _answered(request, JoinRequestStatus.ACCEPTED, partnership=partnership)
            log.info("join request %s accepted: already a partner", request.pk)
            return Answer.ALREADY_PARTNER, request
        try:
            with transaction.atomic():
                partnership = submission_services.add_partner(
                    entry,
                    name=request.organisation,
                    email=request.email,
                    language=request.language,
                    organisation_type=request.organisation_type,
                    from_request=True,
                )
        except ValidationError as error:
            closed = getattr(error, "code", None) in ("closed", "too_many")
            log.info("join request %s not accepted: %s", request.pk, error.messages[0])
            return (Answer.CLOSED if closed else Answer.TRY_LATER), request
        _answered(request, JoinRequestStatus.ACCEPTED, partnership=partnership)
    log.info("join request %s accepted: partner invited to %s", request.pk, entry.reference)
    return Answer.ACCEPTED, request


def decline_join_request(entry: Entry, pk, note: str = "") -> tuple[str, JoinRequest | None]:
    """The contact declines, optionally with a sentence to the requester, who is told
    politely by e-mail in their language."""
    note = " ".join((note or "").split())[:NOTE_MAX_LENGTH]
    with transaction.atomic():
        request = _locked(entry, pk)
        if request is None:
            return Answer.NOT_WAITING, None
        _answered(request, JoinRequestStatus.DECLINED, note=note)
        mail.queue(
            MessageKind.JOIN_DECLINED,
            to=request.email,
            language=request.language,
            entry=entry,
            context={"join": request, "catalogue": catalogue_link(request.language)},
        )
    log.info("join request %s declined", request.pk)
    return Answer.DECLINED, request


# --- The management page -------------------------------------------------------------------


def expires_on(request: JoinRequest, campaign):
    return request.created_at + timedelta(days=campaign.join_request_days)


def requests_of(entry: Entry) -> list[JoinRequest]:
    """The entry's requests, waiting first, then answered; newest first in each."""
    rows = list(
        JoinRequest.objects.filter(entry_id=entry.pk)
        .select_related("partnership")
        .order_by(
            Case(When(status=WAITING, then=0), default=1, output_field=IntegerField()),
            "-created_at",
        )
    )
    for row in rows:
        # For the page: when a waiting request expires.
        expires = expires_on(row, entry.campaign) if row.status == WAITING else None
        row.expires_at = expires  # type: ignore[attr-defined]
    return rows


def management_sections(entry, token) -> list:
    """This concern's part of the management page (submissions.extensions.Section): the
    requests to join, each waiting one with "accept" and "decline"."""
    if entry.is_unconfirmed:
        return []
    rows = requests_of(entry)
    if not rows:
        return []
    return [
        Section(
            "publishing/cooperation/manage_requests.html",
            {
                "requests": rows,
                "waiting": sum(1 for row in rows if row.status == WAITING),
                "note_max": NOTE_MAX_LENGTH,
                "can_add": entry.status == EntryStatus.SUBMITTED,
            },
        )
    ]
