"""One per-mailbox limit for every kind of message, in the one place that queues mail
(kotolupaus/mail.py): spellings of one mailbox count together, what goes over the limit
is recorded as refused and never sent, the visitor sees the same answer either way, and
simultaneous requests never get past it together. Typed text that reaches someone else
is quoted, attributed and capped."""

import re
import threading
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from kotolupaus import mail as mail_layer
from kotolupaus.models import Message, MessageKind, MessageStatus
from publishing import services as publishing
from submissions import services as submission_services
from submissions.models import Draft, Entry, EntryStatus

from .conftest import (
    confirm_address,
    entry_form_data,
    form_url,
    make_entry,
    manage_token,
    seek_partners,
    with_partners,
)
from .jobs import run_jobs

pytestmark = pytest.mark.django_db

VICTIM = "victim-b@victim.test"
# Ways of writing the victim's one mailbox that an attacker may try.
SPELLINGS = [
    "victim-b@victim.test",
    '"victim-b"@victim.test',
    '"Victim-B"@Victim.test',
    "victim-b+x@victim.test",
    "VICTIM-B+news@VICTIM.TEST",
    "victim-b@victim.test.",
]
# The ones a form accepts (a trailing dot is not a valid address there).
FORM_SPELLINGS = SPELLINGS[:5]
HOSTILE_NAME = "Dear customer, your parcel is held. Pay the fee at http://evil.example/pay "
# What an e-mail shows of it repeated: 99 characters and "…".
CAPPED_HOSTILE = (
    "Dear customer, your parcel is held. Pay the fee at http://evil.example/pay "
    "Dear customer, your parc…"
)


# --- The table --------------------------------------------------------------------------


def test_every_kind_of_message_has_its_allowance():
    allowances = {kind: mail_layer.allowance(kind) for kind in MessageKind.values}

    assert allowances == {
        "confirm_address": 3,
        "management_links": 3,
        "draft_link": 3,
        "partner_invitation": 3,
        "join_request": 3,
        "withdrawn": 20,
        "returned": 50,
        "edit_rejected": 50,
        "decision": 50,
        "report_returned": 50,
        "reminder": 50,
        "reviews_withdrawn": 5,
        "partner_removed": 3,
        "partner_withdrawn": 3,
        "news": 10,
        "review_assigned": 10,
        "review_reminder": 3,
        "review_changed": 3,
        "join_declined": 10,
        "join_expired": 10,
        "join_reminder": 10,
        "partner_suggestions": 3,
    }


def test_the_link_allowances_follow_their_setting(settings):
    settings.MAIL_LINKS_PER_ADDRESS_PER_DAY = 5

    assert mail_layer.allowance(MessageKind.MANAGEMENT_LINKS) == 5
    assert mail_layer.allowance(MessageKind.DRAFT_LINK) == 5
    assert mail_layer.allowance(MessageKind.CONFIRM_ADDRESS) == 3


@pytest.mark.parametrize(
    ("address", "mailbox"),
    [
        ("victim-b@victim.test", "victim-b@victim.test"),
        ('"victim-b"@victim.test', "victim-b@victim.test"),
        ('"Victim-B"@Victim.test', "victim-b@victim.test"),
        ("victim-b+x@victim.test", "victim-b@victim.test"),
        ('"victim-b+x"@victim.test', "victim-b@victim.test"),
        ("  VICTIM-B+News@VICTIM.TEST.  ", "victim-b@victim.test"),
        ("victim-c@victim.test", "victim-c@victim.test"),
        ("victim-b@other.test", "victim-b@other.test"),
        ("maija@Ääkköset.fi", "maija@xn--kkset-fraa0m.fi"),
    ],
)
def test_spellings_of_one_mailbox_count_as_one(address, mailbox):
    assert mail_layer.mailbox(address) == mailbox


# --- Every kind, at most its allowance ------------------------------------------------------


def context_for(kind, entry, campaign):
    """What the template of each kind needs (the services pass the same)."""
    link = "http://testserver/en/manage/" + "t" * 43 + "/"
    partnership = entry.partnerships.select_related("organisation").first()
    return {
        MessageKind.CONFIRM_ADDRESS: {
            "confirm_link": link,
            "manage_link": link,
            "confirm_by": timezone.now(),
            "partners": ["Kumppani ry"],
        },
        MessageKind.MANAGEMENT_LINKS: {"rows": [(entry, link)], "campaign": campaign},
        MessageKind.DRAFT_LINK: {
            "draft": Draft(campaign=campaign, kind="pledge"),
            "campaign": campaign,
            "link": link,
        },
        MessageKind.PARTNER_INVITATION: {"partnership": partnership, "link": link},
        MessageKind.WITHDRAWN: {},
        MessageKind.RETURNED: {"comment": "Korjaa.", "link": link},
        MessageKind.DECISION: {
            "decision": SimpleNamespace(
                outcome="included", rationale="Hyvä.", rationale_language="fi"
            )
        },
        MessageKind.JOIN_REQUEST: {
            "join": SimpleNamespace(
                organisation="Yhdistys", name="Pekka", email="p@example.fi", message="Hei!"
            ),
            "link": link,
            "days": 21,
        },
        MessageKind.JOIN_DECLINED: {
            "join": SimpleNamespace(
                organisation="Yhdistys", name="Pekka", note="Ei nyt.", created_at=timezone.now()
            ),
            "catalogue": link,
        },
        MessageKind.JOIN_EXPIRED: {
            "join": SimpleNamespace(
                organisation="Yhdistys", name="Pekka", created_at=timezone.now()
            ),
            "closed": False,
            "days": 21,
            "catalogue": link,
        },
        MessageKind.JOIN_REMINDER: {
            "join": SimpleNamespace(
                organisation="Yhdistys", name="Pekka", created_at=timezone.now()
            ),
            "link": link,
            "expires": timezone.now(),
        },
        MessageKind.REPORT_RETURNED: {
            "report": SimpleNamespace(reported_on=date(2027, 3, 1)),
            "comment": "Korjaa.",
            "link": link,
        },
        MessageKind.PROGRESS_REMINDER: {"link": link, "stop_link": link},
        MessageKind.PARTNER_SUGGESTIONS: {
            "suggestions": [
                {
                    "title": "Työpajat",
                    "organisation": "Yhdistys ry",
                    "reasons": "sama alue: Pirkanmaa",
                    "url": "http://testserver/fi/entries/1/",
                }
            ],
            "link": link,
        },
        MessageKind.EDIT_REJECTED: {},
        MessageKind.PARTNER_REMOVED: {"partnership": partnership},
        MessageKind.PARTNER_WITHDRAWN: {"partnership": partnership},
        MessageKind.SUBMITTER_NEWS: {"items": [], "link": link, "public_link": link},
        MessageKind.REVIEWS_WITHDRAWN: {
            "reviewer": SimpleNamespace(get_full_name=lambda: "Arvioija", get_username=lambda: "a"),
            "reviews": [],
            "queue_url": link,
        },
        MessageKind.REVIEW_ASSIGNED: {
            "reviewer": SimpleNamespace(get_full_name=lambda: "Arvioija", get_username=lambda: "a"),
            "entries": [entry],
            "deadline": date(2027, 3, 31),
            "queue_url": link,
        },
        MessageKind.REVIEW_REMINDER: {
            "reviewer": SimpleNamespace(get_full_name=lambda: "Arvioija", get_username=lambda: "a"),
            "entries": [entry],
            "deadline": date(2027, 3, 31),
            "queue_url": link,
        },
        MessageKind.REVIEW_CHANGED: {
            "reviewer": SimpleNamespace(get_full_name=lambda: "Arvioija", get_username=lambda: "a"),
            "entries": [entry],
            "queue_url": link,
        },
    }[kind]


# Written out by hand: every kind and how many a mailbox may get in 24 hours.
PARAMETRISED_KINDS = [
    ("confirm_address", 3),
    ("management_links", 3),
    ("draft_link", 3),
    ("partner_invitation", 3),
    ("join_request", 3),
    ("withdrawn", 20),
    ("returned", 50),
    ("edit_rejected", 50),
    ("decision", 50),
    ("report_returned", 50),
    ("reminder", 50),
    ("reviews_withdrawn", 5),
    ("partner_removed", 3),
    ("partner_withdrawn", 3),
    ("news", 10),
    ("review_assigned", 10),
    ("review_reminder", 3),
    ("review_changed", 3),
    ("join_declined", 10),
    ("join_expired", 10),
    ("join_reminder", 10),
    ("partner_suggestions", 3),
]


def test_the_kinds_below_are_every_kind_there_is():
    assert {kind for kind, _allowance in PARAMETRISED_KINDS} == set(MessageKind.values)


@pytest.mark.parametrize(("kind", "allowance"), PARAMETRISED_KINDS)
def test_each_kind_reaches_one_mailbox_at_most_its_allowance_a_day(campaign, kind, allowance):
    entry = make_entry(campaign, partners=[("Kumppani ry", "kumppani@example.fi")])
    context = context_for(kind, entry, campaign)

    def send(to):
        return mail_layer.queue(kind, to=to, language="fi", entry=entry, context=context)

    queued = [send(SPELLINGS[n % len(SPELLINGS)]) for n in range(allowance + 2)]
    other_mailbox = send("victim-c@victim.test")
    run_jobs()

    statuses = [message.status for message in queued]
    assert statuses == [MessageStatus.QUEUED] * allowance + [MessageStatus.REFUSED] * 2
    assert other_mailbox.status == MessageStatus.QUEUED
    refused = Message.objects.filter(status=MessageStatus.REFUSED)
    assert refused.count() == 2
    assert {(m.kind, m.limit_per_day, m.body, m.job_id) for m in refused} == {
        (kind, allowance, "", None)
    }
    assert len([m for m in mail.outbox if "victim-b" in m.to[0].lower()]) == allowance
    assert len(mail.outbox) == allowance + 1

    # A day later the mailbox may be sent its allowance again.
    with time_machine.travel(timedelta(hours=24, minutes=1)):
        assert send(VICTIM).status == MessageStatus.QUEUED


def test_refused_and_cancelled_messages_do_not_use_up_the_allowance(campaign):
    entry = make_entry(campaign)
    first = mail_layer.queue(
        MessageKind.JOIN_REQUEST,
        to=VICTIM,
        language="en",
        entry=entry,
        context=context_for(MessageKind.JOIN_REQUEST, entry, campaign),
    )
    Message.objects.filter(pk=first.pk).update(status=MessageStatus.CANCELLED)
    Message.objects.create(
        kind=MessageKind.JOIN_REQUEST,
        recipient=VICTIM,
        recipient_key=VICTIM,
        language="en",
        subject="x",
        message_id="<refused@test>",
        status=MessageStatus.REFUSED,
        limit_per_day=3,
    )

    statuses = [
        mail_layer.queue(
            MessageKind.JOIN_REQUEST,
            to=VICTIM,
            language="en",
            entry=entry,
            context=context_for(MessageKind.JOIN_REQUEST, entry, campaign),
        ).status
        for _ in range(4)
    ]

    assert statuses == ["queued", "queued", "queued", "refused"]


def test_a_refused_message_is_rolled_back_with_the_change_that_caused_it(campaign):
    entry = make_entry(campaign)
    context = context_for(MessageKind.RETURNED, entry, campaign)
    for _ in range(50):
        mail_layer.queue(
            MessageKind.RETURNED, to=VICTIM, language="fi", entry=entry, context=context
        )

    with pytest.raises(RuntimeError), transaction.atomic():
        mail_layer.queue(
            MessageKind.RETURNED, to=VICTIM, language="fi", entry=entry, context=context
        )
        raise RuntimeError("the change failed")

    assert not Message.objects.filter(status=MessageStatus.REFUSED).exists()


# --- Through the public forms, as the penetration test did -----------------------------------


def pledge_naming_victim(n, **overrides):
    partners = [(f"Partner {p} " + "y" * 120, f"partner{n}-{p}@example.fi", "") for p in range(10)]
    return with_partners(
        entry_form_data(
            "pledge",
            contact_email=FORM_SPELLINGS[n % len(FORM_SPELLINGS)],
            contact_name=HOSTILE_NAME * 2,
            org_name=HOSTILE_NAME * 2,
            title=("Parcel held " * 20)[:150],
            **overrides,
        ),
        *partners,
    )


def test_a_burst_of_pledge_forms_naming_one_victim_from_many_addresses_mails_it_three_times(
    client, campaign
):
    answers = [
        client.post(
            form_url("pledge", "en"), pledge_naming_victim(n), REMOTE_ADDR=f"203.0.113.{n + 1}"
        )
        for n in range(10)
    ]

    # Every visitor got the same answer: the "check your inbox" page.
    assert {(a.status_code, a["Location"]) for a in answers} == {(302, "/en/submit/thank-you/")}
    assert Entry.objects.filter(status=EntryStatus.UNCONFIRMED).count() == 10
    assert len(mail.outbox) == 3
    assert {mail_layer.mailbox(m.to[0]) for m in mail.outbox} == {VICTIM}
    confirmations = Message.objects.filter(kind=MessageKind.CONFIRM_ADDRESS)
    assert sorted(confirmations.values_list("status", flat=True)) == ["refused"] * 7 + ["sent"] * 3
    # What reached the victim: no greeting with the typed name, the texts capped.
    body = mail.outbox[0].body
    assert body.startswith("Hello,\n")
    assert len(body) < 2000


def test_partners_named_in_the_form_are_invited_at_most_three_times_a_day(client, campaign):
    for n in range(5):
        data = with_partners(
            entry_form_data("pledge", contact_email=f"attacker{n}@example.fi"),
            ("Victim B", FORM_SPELLINGS[n], ""),
        )
        client.post(form_url("pledge", "en"), data, REMOTE_ADDR=f"198.51.100.{n + 1}")
    confirmations = list(mail.outbox)
    mail.outbox.clear()

    # Each (attacker-owned) contact confirms its entry, which invites the partner.
    for confirmation in confirmations:
        confirm_address(client, confirmation)

    invitations = Message.objects.filter(kind=MessageKind.PARTNER_INVITATION)
    assert sorted(invitations.values_list("status", flat=True)) == ["refused"] * 2 + ["sent"] * 3
    assert len([m for m in mail.outbox if mail_layer.mailbox(m.to[0]) == VICTIM]) == 3


def test_adding_a_partner_whose_address_had_its_invitations_says_so_next_to_the_field(
    client, campaign
):
    for n in range(3):
        make_entry(campaign, f"Lupaus {n}", partners=[("Victim B", SPELLINGS[n])])
    entry = make_entry(campaign, "Neljäs lupaus")
    token = manage_token(entry)

    response = client.post(
        f"/en/manage/{token}/partners/",
        {"action": "add", "add-name": "Victim B", "add-email": "Victim-B+4@victim.test"},
    )

    assert response.status_code == 200
    assert (
        "This address has been sent as many invitations today as we send in a day. "
        "Try again tomorrow." in response.content.decode()
    )
    assert not entry.partnerships.exists()
    assert mail.outbox == []


def test_join_requests_reach_an_initiatives_contact_at_most_three_times_a_day(
    client, campaign, coordinator
):
    entry = make_entry(
        campaign,
        "Kielikahvila",
        kind="initiative",
        partners_sought="Yhdistyksiä",
        contact_email=VICTIM,
    )
    publishing.approve(entry, coordinator)
    seek_partners(entry)
    mail.outbox.clear()

    answers = [
        client.post(
            f"/en/entries/{entry.pk}/join/",
            {
                "organisation": HOSTILE_NAME * 2,
                "name": HOSTILE_NAME * 2,
                "email": f"sender{n}@example.fi",
                "message": "We would like to join.",
            },
            REMOTE_ADDR=f"192.0.2.{n + 1}",
        )
        for n in range(5)
    ]

    assert {a.status_code for a in answers} == {200}
    # The same page for every sender.
    assert len({a.content for a in answers}) == 1
    assert "<h1>Your request was sent</h1>" in answers[-1].content.decode()
    assert len(mail.outbox) == 3
    joins = Message.objects.filter(kind=MessageKind.JOIN_REQUEST)
    assert sorted(joins.values_list("status", flat=True)) == ["refused"] * 2 + ["sent"] * 3
    body = mail.outbox[0].body
    # The contact reads Finnish: the organisation and the name, each quoted and capped.
    assert body.count(f"”{CAPPED_HOSTILE}”") == 2


def test_draft_links_count_with_the_other_spellings_of_the_address(client, campaign):
    for n in range(5):
        client.post(
            form_url("pledge", "en"),
            entry_form_data("pledge", action="draft", contact_email=FORM_SPELLINGS[n]),
        )

    assert len(mail.outbox) == 3
    drafts = Message.objects.filter(kind=MessageKind.DRAFT_LINK)
    assert sorted(drafts.values_list("status", flat=True)) == ["refused"] * 2 + ["sent"] * 3


# --- Simultaneous requests --------------------------------------------------------------------


def run_at_once(count, work):
    """Call work(index) from `count` threads, each on its own database connection, all
    released at the same moment."""
    barrier = threading.Barrier(count)
    errors = []

    def run(index):
        try:
            barrier.wait(timeout=30)
            work(index)
        except Exception as error:  # reported below, in the test's own thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_lost_link_requests_for_one_address_send_three_links(campaign):
    make_entry(campaign, contact_email=VICTIM)
    statuses = [None] * 10

    def ask(index):
        response = Client().post(
            "/en/manage/lost-link/",
            # Spellings that find the entry (the form looks entries up by the address).
            {
                "email": ["victim-b@victim.test", "Victim-B@victim.test", "VICTIM-B@VICTIM.TEST"][
                    index % 3
                ]
            },
            REMOTE_ADDR=f"203.0.113.{index + 1}",
        )
        statuses[index] = response.status_code

    run_at_once(10, ask)

    assert statuses == [302] * 10
    links = Message.objects.filter(kind=MessageKind.MANAGEMENT_LINKS)
    assert sorted(links.values_list("status", flat=True)) == ["queued"] * 3 + ["refused"] * 7


@pytest.mark.django_db(transaction=True)
def test_simultaneous_confirmation_mails_to_one_mailbox_stay_within_the_allowance(campaign):
    entry = make_entry(campaign, partners=[("Kumppani ry", "kumppani@example.fi")])
    entry = Entry.objects.select_related("campaign", "lead_organisation").get(pk=entry.pk)
    context = context_for(MessageKind.CONFIRM_ADDRESS, entry, campaign)

    def queue(index):
        with transaction.atomic():
            mail_layer.queue(
                MessageKind.CONFIRM_ADDRESS,
                to=SPELLINGS[index % len(SPELLINGS)],
                language="fi",
                entry=entry,
                context=context,
            )

    run_at_once(12, queue)

    confirmations = Message.objects.filter(kind=MessageKind.CONFIRM_ADDRESS, recipient_key=VICTIM)
    assert (
        sorted(confirmations.values_list("status", flat=True)) == ["queued"] * 3 + ["refused"] * 9
    )


# --- Capped typed text in every language ---------------------------------------------------

AND_MORE = {"fi": "- ja 7 muuta", "sv": "- och 7 till", "en": "- and 7 more"}
NAME_LINE = {
    "fi": f"Lomakkeessa yhteyshenkilön nimeksi on annettu ”{CAPPED_HOSTILE}”.",
    "sv": f"I formuläret anges kontaktpersonens namn som ”{CAPPED_HOSTILE}”.",
    "en": f"The form gives the contact person's name as “{CAPPED_HOSTILE}”.",
}
GREETING = {"fi": "Hei,\n", "sv": "Hej,\n", "en": "Hello,\n"}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_confirmation_email_quotes_attributes_and_caps_what_was_typed(
    client, campaign, language
):
    client.post(form_url("pledge", language), pledge_naming_victim(0))

    (message,) = mail.outbox
    body = message.body
    assert body.startswith(GREETING[language])
    assert NAME_LINE[language] in body
    partner_lines = [line for line in body.splitlines() if line.startswith("- ")]
    assert partner_lines == [
        "- Partner 0 " + "y" * 89 + "…",
        "- Partner 1 " + "y" * 89 + "…",
        "- Partner 2 " + "y" * 89 + "…",
        AND_MORE[language],
    ]
    assert "Partner 3" not in body
    # Title and organisation: at most 100 characters each, quoted.
    assert "“Parcel held Parcel held" in body or "”Parcel held Parcel held" in body
    assert ("Parcel held " * 9)[:99].rstrip() + "…" in body
    assert HOSTILE_NAME * 2 not in body


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_a_partner_invitation_caps_the_names_it_repeats(campaign, language):
    entry = make_entry(
        campaign,
        "Lupaus " + "x" * 140,
        organisation=HOSTILE_NAME * 2,
        language=language,
        confirm=False,
    )
    submission_services.add_partner(entry, name=HOSTILE_NAME * 2, email=VICTIM, role="r" * 150)
    mail.outbox.clear()
    submission_services.confirm_address(entry)
    run_jobs()

    (invitation,) = mail.outbox
    body = invitation.body
    assert body.count(CAPPED_HOSTILE) == 2  # the organisation and the partner
    assert HOSTILE_NAME * 2 not in body
    assert "r" * 99 + "…" in body and "r" * 100 not in body
    assert "Lupaus " + "x" * 92 + "…" in body
    assert re.search(r"x{93}", body) is None
