"""Requests to join an entry (issue 25): sent from the public page, answered by the
entry's contact on the management page — accepted into an invited partner through the
partner flow, or declined with a sentence — reminded once, expired, closed; each party
e-mailed in its own language; limits, double answers and entries gone meanwhile."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kotolupaus.models import Message, MessageKind
from publishing import services as publishing
from publishing.cooperation import requests
from publishing.cooperation.request_jobs import handle_waiting_requests
from publishing.cooperation.requests import relay_join_request
from publishing.models import JoinRequest
from submissions import services as submissions
from submissions.models import MAX_PARTNERS, Organisation, Partnership

from .conftest import make_entry, manage_token, seek_partners, token_from
from .jobs import run_jobs
from .smtp import SMTPServer
from .test_mail_delivery import kind_of, text_of
from .test_mail_limits import run_at_once

pytestmark = pytest.mark.django_db

CONTACT = "maija@example.fi"
REQUESTER = "kalle@bibliotek.example"
JOIN = {
    "organisation": "Biblioteket i Vasa",
    "organisation_type": "ngo",
    "name": "Kalle Läsare",
    "email": REQUESTER,
    "message": "Vi ordnar gärna språkcaféer i biblioteket.\nHör av er!",
}


@pytest.fixture
def smtp(settings):
    """A real SMTP server (as in test_mail_delivery.py)."""
    server = SMTPServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 5
    yield server
    server.stop()


@pytest.fixture
def initiative(campaign, coordinator):
    entry = make_entry(campaign, "Kielikahvila", kind="initiative")
    publishing.approve(entry, coordinator)
    seek_partners(entry)
    mail.outbox.clear()
    return entry


def ask(client, entry, language="sv", **changes):
    return client.post(f"/{language}/entries/{entry.pk}/join/", {**JOIN, **changes})


def subject(message):
    """The subject as read (a long header is folded on the wire)."""
    return " ".join(str(message["Subject"]).split())


def answer(client, token, join, language="fi", **data):
    return client.post(f"/{language}/manage/{token}/requests/{join.pk}/", data)


# --- The whole way: asked, accepted, invited, confirmed, shown ------------------------------


def test_an_accepted_request_becomes_a_partner_shown_on_the_entry_page(client, initiative, smtp):
    sent = ask(client, initiative, "sv")
    run_jobs()

    assert "<h1>Din förfrågan har skickats</h1>" in sent.content.decode()
    (relayed,) = smtp.messages
    body = text_of(relayed)
    assert relayed["To"] == CONTACT
    assert subject(relayed) == "Joku haluaa mukaan aloitteeseesi KL-2026-0001"
    assert relayed["Reply-To"] is None
    assert REQUESTER not in body  # the address is shown after accepting
    assert "> Vi ordnar gärna språkcaféer i biblioteket.\n> Hör av er!" in body
    assert "”Biblioteket i Vasa”" in body and "Organisaation tyyppi:" in body
    token = token_from(body)
    join = JoinRequest.objects.get()
    assert (join.language, join.organisation_type, join.status) == ("sv", "ngo", "waiting")

    page = client.get(f"/fi/manage/{token}/").content.decode()
    assert "Mukaantulopyynnöt" in page and "Biblioteket i Vasa" in page
    assert REQUESTER not in page

    accepted = answer(client, token, join, action="accept")
    run_jobs()

    assert accepted.status_code == 302
    told = client.get(accepted["Location"]).content.decode()
    assert "Hyväksyit organisaation Biblioteket i Vasa pyynnön." in told
    assert REQUESTER in told  # accepted: now the contact sees the address
    join.refresh_from_db()
    partnership = Partnership.objects.get(invited_email=REQUESTER)
    assert (join.status, join.partnership) == ("accepted", partnership)
    assert partnership.language == "sv"
    assert partnership.organisation.type == "ngo"
    invitation = smtp.messages[-1]
    assert invitation["To"] == REQUESTER
    assert subject(invitation) == (
        "Bekräfta: din organisation har angetts som partnerorganisation i initiativet KL-2026-0001"
    )
    assert "Din organisation bad om att få delta via kampanjens webbplats, och " in (
        text_of(invitation)
    )

    client.post(f"/sv/partner/{token_from(text_of(invitation), 'partner')}/", {"answer": "confirm"})

    assert "Biblioteket i Vasa" in client.get(f"/fi/entries/{initiative.pk}/").content.decode()
    assert [kind_of(m) for m in smtp.messages] == [
        MessageKind.JOIN_REQUEST,
        MessageKind.PARTNER_INVITATION,
    ]


# --- Declined, with a sentence ------------------------------------------------------------

DECLINED = {
    "sv": (
        "Svar på din förfrågan om att delta i initiativet KL-2026-0001",
        "Hej Kalle Läsare,",
        "Kontaktpersonen lade till med egna ord:\n\n> Vi har redan tillräckligt med partner.",
    ),
    "en": (
        "Answer to your request to join the initiative KL-2026-0001",
        "Hello Kalle Läsare,",
        "The contact person added this, in their own words:\n\n"
        "> Vi har redan tillräckligt med partner.",
    ),
}


@pytest.mark.parametrize("language", ["sv", "en"])
def test_a_declined_request_is_told_in_the_requesters_language_with_the_note(
    client, initiative, smtp, language
):
    ask(client, initiative, language)
    join = JoinRequest.objects.get()
    token = manage_token(initiative)

    response = answer(
        client, token, join, action="decline", note="  Vi har redan tillräckligt med partner.  "
    )
    run_jobs()

    assert response.status_code == 302
    assert "Hylkäsit organisaation Biblioteket i Vasa pyynnön." in (
        client.get(response["Location"]).content.decode()
    )
    declined = smtp.messages[-1]
    title, greeting, note = DECLINED[language]
    assert declined["To"] == REQUESTER
    assert subject(declined) == title
    assert declined["Content-Language"] == language
    assert text_of(declined).startswith(greeting)
    assert note in text_of(declined)
    assert CONTACT not in text_of(declined)
    join.refresh_from_db()
    assert (join.status, join.note) == ("declined", "Vi har redan tillräckligt med partner.")
    assert not Partnership.objects.filter(invited_email=REQUESTER).exists()


def test_a_note_too_long_is_shown_again_with_the_error_and_nothing_changes(client, initiative):
    ask(client, initiative)
    join = JoinRequest.objects.get()
    mail.outbox.clear()

    response = answer(client, manage_token(initiative), join, action="decline", note="x" * 301)

    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="error-summary"' in content and "x" * 301 in content
    join.refresh_from_db()
    assert join.status == "waiting" and mail.outbox == []


# --- Reminded once, expired, closed -------------------------------------------------------


def test_the_contact_is_reminded_once_and_the_request_expires(initiative):
    initiative.campaign.join_request_days = 10
    initiative.campaign.save()
    start = timezone.now()
    relay_join_request(initiative, **JOIN, language="en")
    run_jobs()
    mail.outbox.clear()

    with time_machine.travel(start + timedelta(days=4, hours=23)):
        assert handle_waiting_requests() == {"closed": 0, "expired": 0, "reminded": 0}
    with time_machine.travel(start + timedelta(days=5, hours=1)):
        first = handle_waiting_requests()
        again = handle_waiting_requests()
        run_jobs()
    (reminder,) = mail.outbox
    assert (first, again["reminded"]) == ({"closed": 0, "expired": 0, "reminded": 1}, 0)
    assert reminder.to == [CONTACT]
    assert reminder.subject == (
        "Muistutus: pyyntö päästä mukaan kohteeseen KL-2026-0001 odottaa vastaustasi"
    )
    assert "/fi/manage/" in reminder.body and REQUESTER not in reminder.body

    with time_machine.travel(start + timedelta(days=10, hours=1)):
        done = handle_waiting_requests()
        assert handle_waiting_requests() == {"closed": 0, "expired": 0, "reminded": 0}
        run_jobs()

    assert done == {"closed": 0, "expired": 1, "reminded": 0}
    expired = mail.outbox[-1]
    assert len(mail.outbox) == 2
    assert expired.to == [REQUESTER]
    assert expired.subject == "Your request to join KL-2026-0001 expired without an answer"
    assert "has not answered within 10 days, so the request has expired." in expired.body
    join = JoinRequest.objects.get()
    assert join.status == "expired" and join.answered_at and join.reminded_at


def test_requests_to_an_entry_no_longer_public_are_closed(initiative):
    relay_join_request(initiative, **JOIN, language="en")
    submissions.withdraw_entry(initiative)
    run_jobs()
    mail.outbox.clear()

    assert handle_waiting_requests() == {"closed": 1, "expired": 0, "reminded": 0}
    run_jobs()

    (closed,) = mail.outbox
    assert closed.to == [REQUESTER]
    assert closed.subject == "Your request to join KL-2026-0001 was closed"
    assert "is no longer shown on the campaign website" in closed.body
    assert JoinRequest.objects.get().status == "closed"


def test_the_daily_job_reads_the_requests_in_queries_not_growing_with_them(campaign, initiative):
    def queries_of_a_run():
        with CaptureQueriesContext(connection) as run:
            handle_waiting_requests()
        return len(run.captured_queries)

    relay_join_request(initiative, **JOIN)
    one = queries_of_a_run()
    for n in range(5):
        relay_join_request(initiative, **{**JOIN, "email": f"other{n}@example.fi"})

    assert queries_of_a_run() == one


def test_the_management_page_costs_the_same_queries_for_few_requests_or_many(client, initiative):
    token = manage_token(initiative)

    def ask_accept_decline(tag):
        joins = [
            relay_join_request(initiative, **{**JOIN, "email": f"{tag}{n}@example.fi"})
            for n in range(3)
        ]
        requests.accept_join_request(initiative, joins[0].pk)
        requests.decline_join_request(initiative, joins[1].pk)

    def queries_of_the_page():
        client.get(f"/fi/manage/{token}/")  # caches warm
        with CaptureQueriesContext(connection) as page:
            assert client.get(f"/fi/manage/{token}/").status_code == 200
        return len(page.captured_queries)

    ask_accept_decline("first")
    few = queries_of_the_page()
    for tag in ("second", "third", "fourth"):
        ask_accept_decline(tag)

    assert queries_of_the_page() == few


# --- Two tabs, one partnership ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_accepting_twice_at_once_makes_one_partnership(campaign, coordinator):
    entry = make_entry(campaign, "Kielikahvila", kind="initiative")
    publishing.approve(entry, coordinator)
    join = relay_join_request(entry, **JOIN)
    token = manage_token(entry)
    statuses = [None] * 4

    def accept(index):
        statuses[index] = answer(Client(), token, join, action="accept").status_code

    run_at_once(4, accept)

    assert statuses == [302] * 4
    assert Partnership.objects.filter(invited_email=REQUESTER).count() == 1
    assert Message.objects.filter(kind=MessageKind.PARTNER_INVITATION).count() == 1
    join.refresh_from_db()
    assert join.status == "accepted" and join.partnership is not None


# --- Already a partner; partners no longer taken ------------------------------------------


def test_a_partner_asking_to_join_is_told_so_and_nothing_is_sent(client, campaign, coordinator):
    entry = make_entry(campaign, "Kielikahvila", kind="initiative", partners=[("X", REQUESTER)])
    publishing.approve(entry, coordinator)
    seek_partners(entry)
    mail.outbox.clear()

    response = ask(client, entry, "en")

    assert "This address is already given for a partner of the initiative." in (
        response.content.decode()
    )
    assert 'value="Biblioteket i Vasa"' in response.content.decode()
    assert not JoinRequest.objects.exists() and mail.outbox == []


def test_accepting_a_sender_who_became_a_partner_meanwhile_links_it_without_a_new_invitation(
    client, initiative
):
    join = relay_join_request(initiative, **JOIN)
    partnership = submissions.add_partner(initiative, name="Vasa bibliotek", email=REQUESTER)
    run_jobs()
    invitations = Message.objects.filter(kind=MessageKind.PARTNER_INVITATION).count()

    response = answer(client, manage_token(initiative), join, action="accept")

    told = client.get(response["Location"]).content.decode()
    assert "Biblioteket i Vasa oli jo kutsuttu kumppaniksi" in told
    join.refresh_from_db()
    assert (join.status, join.partnership) == ("accepted", partnership)
    assert Message.objects.filter(kind=MessageKind.PARTNER_INVITATION).count() == invitations
    assert Partnership.objects.filter(invited_email=REQUESTER).count() == 1


def test_after_the_deadline_a_request_is_still_accepted(client, initiative):
    """Cooperation begins when the catalogue is read, after submissions close: the
    organisation that asked is invited then too."""
    join = relay_join_request(initiative, **JOIN)
    campaign = initiative.campaign
    campaign.closes_at = timezone.now() - timedelta(minutes=1)
    campaign.save()

    answer(client, manage_token(initiative), join, action="accept")

    join.refresh_from_db()
    assert join.status == "accepted"
    assert join.partnership.invited_email == REQUESTER
    assert join.partnership.organisation.name == "Biblioteket i Vasa"


def test_when_partners_can_no_longer_be_added_the_request_stays_waiting(client, initiative):
    join = relay_join_request(initiative, **JOIN)
    for number in range(initiative.partnerships.count(), MAX_PARTNERS):
        Partnership.objects.create(
            entry=initiative,
            organisation=Organisation.objects.create(name=f"Kumppani {number}"),
            invited_email=f"kumppani{number}@example.fi",
            language="fi",
            token_hash=f"hash-{number}",
        )
    organisations = Organisation.objects.count()

    response = answer(client, manage_token(initiative), join, action="accept")

    told = client.get(response["Location"]).content.decode()
    assert "Aloitteeseen ei voi enää lisätä kumppaneita, joten pyyntöä ei hyväksytty." in told
    join.refresh_from_db()
    assert join.status == "waiting" and join.partnership is None
    assert Organisation.objects.count() == organisations


def test_a_request_to_a_withdrawn_entry_is_not_accepted(initiative):
    join = relay_join_request(initiative, **JOIN)
    submissions.withdraw_entry(initiative)

    assert requests.accept_join_request(initiative, join.pk) == ("closed", join)
    join.refresh_from_db()
    assert join.status == "waiting"
    assert not Partnership.objects.filter(invited_email=REQUESTER).exists()


def test_an_answered_request_is_not_answered_again(client, initiative):
    join = relay_join_request(initiative, **JOIN)
    token = manage_token(initiative)
    answer(client, token, join, action="decline")
    mail.outbox.clear()

    again = answer(client, token, join, action="accept")

    assert "Pyyntöön on jo vastattu" in client.get(again["Location"]).content.decode()
    assert not Partnership.objects.filter(invited_email=REQUESTER).exists()
    assert mail.outbox == []


def test_a_link_that_does_not_work_answers_nothing(client, initiative):
    join = relay_join_request(initiative, **JOIN)

    response = answer(client, "Zx9" * 14 + "q", join, action="accept")

    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 404
    assert JoinRequest.objects.get().status == "waiting"


# --- Entries gone, closed to requests -----------------------------------------------------


@pytest.mark.parametrize("gone", ["withdrawn", "consent"])
def test_an_entry_no_longer_public_answers_410_and_nothing_is_sent(client, initiative, gone):
    if gone == "withdrawn":
        submissions.withdraw_entry(initiative)
    else:
        submissions.set_consent(initiative, False)
    run_jobs()
    mail.outbox.clear()

    page = client.get(f"/sv/entries/{initiative.pk}/join/")
    sent = ask(client, initiative, "sv")

    assert (page.status_code, sent.status_code) == (410, 410)
    heading = (
        "Initiativet har återkallats"
        if gone == "withdrawn"
        else "Initiativet är inte längre publicerat"
    )
    assert heading in sent.content.decode()
    assert not JoinRequest.objects.exists() and mail.outbox == []


def test_the_form_is_open_to_both_kinds_when_they_look_for_partners_or_welcome_requests(
    client, campaign, coordinator
):
    pledge = make_entry(campaign, "Kesätöitä")
    closed = make_entry(campaign, "Ei kumppaneita")
    for entry in (pledge, closed):
        publishing.approve(entry, coordinator)
    seek_partners(pledge, looking=False, open_to_cooperation=True)

    assert client.get(f"/en/entries/{pledge.pk}/join/").status_code == 200
    assert client.get(f"/en/entries/{closed.pk}/join/").status_code == 404
    ask(client, pledge, "en")
    assert JoinRequest.objects.get().entry_id == pledge.pk


def test_an_entry_that_found_its_partners_says_so_and_gives_back_what_was_typed(client, initiative):
    """The form was open in a tab when the contact switched the search off: the sender
    is told why nothing was sent and gets the message back."""
    seek_partners(initiative, looking=False, open_to_cooperation=False)

    response = client.post(
        f"/fi/entries/{initiative.pk}/join/",
        {**JOIN, "message": "Haluaisimme mukaan & <järjestää> kerhon."},
    )

    assert response.status_code == 404
    page = response.content.decode()
    assert "Tämä aloite ei etsi nyt kumppaneita" in page
    assert "Viestiäsi ei lähetetty. Tässä se on tallessa:" in page
    assert "Haluaisimme mukaan &amp; &lt;järjestää&gt; kerhon." in page
    assert "/fi/entries/?partners=on" in page
    assert not JoinRequest.objects.exists()
    assert client.get(f"/sv/entries/{initiative.pk}/join/").status_code == 404
    assert "Initiativet söker inte partnerorganisationer nu" in (
        client.get(f"/sv/entries/{initiative.pk}/join/").content.decode()
    )


# --- Limits -------------------------------------------------------------------------------


def test_one_waiting_request_per_entry_and_sender(client, initiative):
    ask(client, initiative, "en")
    mail.outbox.clear()

    again = ask(client, initiative, "en", email=REQUESTER.upper())

    assert "A request to join from this address is already waiting for an answer." in (
        again.content.decode()
    )
    assert JoinRequest.objects.count() == 1 and mail.outbox == []


def test_a_sender_has_at_most_five_waiting_requests(campaign, coordinator):
    entries = [make_entry(campaign, f"Aloite {n}", kind="initiative") for n in range(6)]
    for entry in entries[:5]:
        relay_join_request(entry, **JOIN)

    with pytest.raises(ValidationError) as refused:
        relay_join_request(entries[5], **JOIN)

    assert refused.value.error_dict["email"][0].code == "sender_limit"
    # An answered one no longer counts.
    requests.decline_join_request(entries[0], JoinRequest.objects.filter(entry=entries[0]).get().pk)
    relay_join_request(entries[5], **JOIN)
    assert JoinRequest.objects.filter(status="waiting").count() == 5


def test_an_entry_has_at_most_twenty_waiting_requests(initiative):
    for n in range(requests.PER_ENTRY):
        relay_join_request(initiative, **{**JOIN, "email": f"sender{n}@example.fi"})

    with pytest.raises(ValidationError) as refused:
        relay_join_request(initiative, **{**JOIN, "email": "one-more@example.fi"})

    assert refused.value.code == "entry_limit"
    assert JoinRequest.objects.count() == requests.PER_ENTRY
    # The contact's mailbox got the mail layer's allowance of the relays, no more.
    relays = Message.objects.filter(kind=MessageKind.JOIN_REQUEST, status__in=["queued", "sent"])
    assert relays.count() == 3
