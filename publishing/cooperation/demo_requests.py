"""Demo data: requests to join in every state, made through the same services as the
site (publishing/cooperation/requests.py), so the management pages, the admin and the
figures have something to show. Called from publishing/demo.py; idempotent."""

from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from submissions.models import Entry, PartnerSearch, Partnership
from submissions.services import answer_partnership

from ..changes import public_change
from ..models import JoinRequest, JoinRequestStatus, PublicEntry
from .requests import accept_join_request, decline_join_request, relay_join_request

# (organisation, type, name, language, message), one per state below.
SENDERS = [
    (
        "Lukijat ry",
        "ngo",
        "Liisa Lukija",
        "fi",
        "Voisimme järjestää lukupiirin uusille tulijoille.",
    ),
    ("Vasa församling", "religious", "Karin Berg", "sv", "Vi har lokaler och frivilliga."),
    ("Nordic Bakery Ltd", "company", "Sam Baker", "en", "We can offer two traineeships."),
    ("Kansalaisopisto", "education", "Olli Opettaja", "fi", "Tarjoamme suomen kielen kursseja."),
    ("Kyläyhdistys Kivikko", "ngo", "Matti Kivi", "fi", "Tulisimme mielellämme mukaan talkoisiin."),
    ("Idrottsföreningen IF", "ngo", "Anna Lind", "sv", "Vi vill bjuda in nya medlemmar."),
    ("Helpful Apps Oy", "company", "Mia Koder", "en", "We could translate your leaflets."),
]
STATES = [
    "waiting",
    "reminded",
    "accepted_invited",
    "accepted_confirmed",
    "declined",
    "expired",
    "closed",
]
NOTES = {
    "fi": "Kiitos! Meillä on nyt kumppaneita riittävästi, mutta pidetään yhteyttä.",
    "sv": "Tack! Vi har tillräckligt med partner just nu.",
    "en": "Thank you! We have enough partners for now.",
}


def _send(entry, sender, index):
    organisation, kind, name, language, message = sender
    _search, created = PartnerSearch.objects.get_or_create(
        entry=entry, defaults={"open_to_cooperation": True}
    )
    if created:
        public_change(entry=entry)  # its "we want to join" form is open
    return relay_join_request(
        entry,
        organisation=organisation,
        organisation_type=kind,
        name=name,
        email=f"join-demo{index}@example.org",
        message=message,
        language=language,
    )


def _dated_back(request, days, **fields):
    JoinRequest.objects.filter(pk=request.pk).update(
        created_at=timezone.now() - timedelta(days=days), **fields
    )


def _into_state(request, state, entry, days):
    if state == "reminded":
        _dated_back(request, days * 0.6, reminded_at=timezone.now() - timedelta(days=1))
    elif state.startswith("accepted"):
        _answer, request = accept_join_request(entry, request.pk)
        if state == "accepted_confirmed" and request.partnership_id:
            answer_partnership(Partnership.objects.get(pk=request.partnership_id), confirm=True)
    elif state == "declined":
        decline_join_request(entry, request.pk, NOTES[request.language])
    elif state == "expired":
        _dated_back(
            request,
            days + 2,
            status=JoinRequestStatus.EXPIRED,
            reminded_at=timezone.now() - timedelta(days=days // 2),
            answered_at=timezone.now() - timedelta(days=2),
        )
    elif state == "closed":
        JoinRequest.objects.filter(pk=request.pk).update(
            status=JoinRequestStatus.CLOSED, answered_at=F("created_at")
        )


def seed_join_requests(campaign) -> int:
    """One request in each state, each to a published entry of its own (the closed one
    to an entry that is not public). Returns how many were made."""
    if JoinRequest.objects.filter(entry__campaign=campaign).exists():
        return 0
    public = list(
        PublicEntry.objects.filter(campaign=campaign).order_by("number")[: len(STATES) - 1]
    )
    hidden = Entry.objects.filter(campaign=campaign, public__isnull=True, number__isnull=False)
    targets = [p.entry for p in public] + list(hidden.order_by("number")[:1])
    days = campaign.join_request_days
    made = 0
    for index, (entry, state, sender) in enumerate(zip(targets, STATES, SENDERS, strict=False)):
        entry = Entry.objects.select_related("campaign").get(pk=entry.pk)
        _into_state(_send(entry, sender, index), state, entry, days)
        made += 1
    return made
