"""Mail trouble in sight: the admin index and the coordinator's dashboard say when
messages fail or wait too long (with a link to them), the message list says when each
waiting message is tried next, a coordinator can have a waiting message tried now (still
delivered once), and a message's page shows the text that was sent with its private links
masked, or why it was not sent."""

import re
import smtplib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from kotolupaus import mail as mail_layer
from kotolupaus.models import Message, MessageKind, MessageStatus
from publishing.personal_data import erase

from .conftest import entry_form_data, form_url, make_campaign, make_entry, seek_partners
from .jobs import run_jobs

pytestmark = pytest.mark.django_db

CONTACT = "maija@esimerkki.example.fi"
MESSAGES = "/{language}/admin/kotolupaus/message/"


class ServerDown(BaseEmailBackend):
    """The SMTP server cannot be reached: the message is tried again later."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError(111, "Connection refused")


class MailboxUnknown(BaseEmailBackend):
    """The SMTP server refuses the recipient for good."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused({CONTACT: (550, b"5.1.1 No such mailbox")})


def send_pledge(client, language="en", **overrides):
    """A pledge through the form; its confirmation e-mail is queued and tried once."""
    client.post(form_url("pledge", language), entry_form_data("pledge", **overrides))
    return Message.objects.get(kind=MessageKind.CONFIRM_ADDRESS)


@pytest.fixture
def server_down(settings):
    settings.EMAIL_BACKEND = "tests.test_mail_health.ServerDown"


@pytest.fixture
def mailbox_unknown(settings):
    settings.EMAIL_BACKEND = "tests.test_mail_health.MailboxUnknown"


def mail_health_lines(html):
    """The lines of the mail-health box: (text, link)."""
    box = re.search(r'<ul class="messagelist mail-health"[^>]*>(.*?)</ul>', html, re.S)
    if box is None:
        return []
    return [
        (text.strip(), href.replace("&amp;", "&"))
        for href, text in re.findall(r'<a href="([^"]+)">(.*?)</a>', box.group(1), re.S)
    ]


# --- The admin index and the dashboard ------------------------------------------------------


def test_nothing_is_said_while_mail_flows(client, campaign, coordinator):
    send_pledge(client)
    client.force_login(coordinator)

    assert mail_health_lines(client.get("/en/admin/").content.decode()) == []
    assert mail_health_lines(client.get("/en/admin/workspace/dashboard/").content.decode()) == []


FAILED_LINE = {
    "fi": "1 sähköpostiviesti epäonnistui viimeisten 3 vuorokauden aikana eikä mennyt perille.",
    "sv": "1 e-postmeddelande misslyckades under de senaste 3 dygnen och kom inte fram.",
    "en": "1 e-mail message failed in the last 3 days and was not delivered.",
}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
@pytest.mark.parametrize("page", ["admin/", "admin/workspace/dashboard/"])
def test_a_failed_message_is_named_with_a_link_to_it(
    client, campaign, coordinator, mailbox_unknown, language, page
):
    failed = send_pledge(client)
    failed.refresh_from_db()
    assert failed.status == MessageStatus.FAILED
    client.force_login(coordinator)

    lines = mail_health_lines(client.get(f"/{language}/{page}").content.decode())

    link = f"/{language}/admin/kotolupaus/message/?attention=failed-recently"
    assert lines == [(FAILED_LINE[language], link)]
    listing = client.get(link).content.decode()
    assert f"/{language}/admin/kotolupaus/message/{failed.pk}/change/" in listing


def test_a_failure_older_than_three_days_is_no_longer_brought_up(
    client, campaign, coordinator, mailbox_unknown
):
    send_pledge(client)

    with time_machine.travel(timedelta(days=3, minutes=1)):
        client.force_login(coordinator)
        assert mail_health_lines(client.get("/en/admin/").content.decode()) == []
        # Still in the list of failed messages.
        listing = client.get("/en/admin/kotolupaus/message/?attention=failed").content
        assert CONTACT in listing.decode()


@pytest.mark.parametrize(
    ("minutes_later", "lines"),
    [
        (29, []),
        (
            31,
            [
                (
                    "1 e-mail message has waited longer than 30 minutes to be sent.",
                    "/en/admin/kotolupaus/message/?attention=waiting",
                )
            ],
        ),
    ],
)
def test_a_message_waiting_longer_than_the_setting_is_named(
    client, campaign, coordinator, server_down, settings, minutes_later, lines
):
    settings.MAIL_WAITING_WARNING_MINUTES = 30
    waiting = send_pledge(client)
    waiting.refresh_from_db()
    assert (waiting.status, waiting.attempts) == (MessageStatus.QUEUED, 1)

    with time_machine.travel(timedelta(minutes=minutes_later)):
        client.force_login(coordinator)
        assert mail_health_lines(client.get("/en/admin/").content.decode()) == lines
        dashboard = client.get("/en/admin/workspace/dashboard/").content.decode()
        assert mail_health_lines(dashboard) == lines
        listing = client.get("/en/admin/kotolupaus/message/?attention=waiting").content
        assert (CONTACT in listing.decode()) is bool(lines)


def test_messages_refused_by_the_limit_are_named_too(client, campaign, coordinator):
    for n in range(4):
        client.post(form_url("pledge", "en"), entry_form_data(), REMOTE_ADDR=f"192.0.2.{n}")
    client.force_login(coordinator)

    lines = mail_health_lines(client.get("/sv/admin/").content.decode())

    assert lines == [
        (
            "1 e-postmeddelande skickades inte under de senaste 24 timmarna: adressen hade "
            "redan fått så många som vi skickar per dygn.",
            "/sv/admin/kotolupaus/message/?attention=refused",
        )
    ]


def test_reviewers_are_not_told_about_messages(client, campaign, reviewer, mailbox_unknown):
    send_pledge(client)
    client.force_login(reviewer)

    assert mail_health_lines(client.get("/en/admin/").content.decode()) == []


# --- When the next try is, and "try now" ----------------------------------------------------

# A moment in the future of the database's own clock, so that a retry the worker
# scheduled is not due for the queue until "try now" (Helsinki is UTC+3 in June).
LATER = datetime(2030, 6, 3, 9, 0, 0, tzinfo=UTC)


def test_the_list_says_when_each_waiting_message_is_tried_next(client, coordinator, server_down):
    with time_machine.travel(LATER, tick=False):
        make_campaign("later")
        send_pledge(client)
        client.force_login(coordinator)
        listing = client.get("/en/admin/kotolupaus/message/").content.decode()

    assert '<td class="field-next_try">3 Jun 2030, 12:00 (Finnish time)</td>' in listing


def test_a_message_not_tried_yet_is_tried_as_soon_as_a_worker_is_free(
    client, campaign, coordinator
):
    entry = make_entry(campaign)
    mail_layer.queue(MessageKind.WITHDRAWN, to=CONTACT, language="en", entry=entry, context={})
    client.force_login(coordinator)

    listing = client.get("/en/admin/kotolupaus/message/?status__exact=queued").content.decode()

    assert '<td class="field-next_try">now, as soon as a worker is free</td>' in listing


def test_try_now_sends_a_waiting_message_at_once_and_only_once(client, coordinator, settings):
    settings.EMAIL_BACKEND = "tests.test_mail_health.ServerDown"
    with time_machine.travel(LATER, tick=False):
        make_campaign("later")
        waiting = send_pledge(client)
        assert run_jobs() == []  # its next try is not due yet
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        client.force_login(coordinator)

        # The button on the message's page (a worker runs the job at once).
        response = client.post(f"/en/admin/kotolupaus/message/{waiting.pk}/try-now/", follow=True)
        assert "1 message will be tried now." in response.content.decode()
        assert [m.to for m in mail.outbox] == [[CONTACT]]
        waiting.refresh_from_db()
        assert (waiting.status, waiting.attempts) == (MessageStatus.SENT, 2)
        # Its earlier retry is gone with it: nothing is left to run.
        assert run_jobs(include_retries=True) == []
        again = client.post(f"/en/admin/kotolupaus/message/{waiting.pk}/try-now/", follow=True)
        assert "1 message was not waiting to be sent, so it was not tried." in (
            again.content.decode()
        )

    assert len(mail.outbox) == 1


def test_try_now_twice_before_a_worker_runs_still_sends_once(settings):
    with time_machine.travel(LATER, tick=False):
        entry = make_entry(make_campaign("later"))
        settings.EMAIL_BACKEND = "tests.test_mail_health.ServerDown"
        message = mail_layer.queue(
            MessageKind.WITHDRAWN, to=CONTACT, language="en", entry=entry, context={}
        )
        assert run_jobs() == [("send_message", "retry")]
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

        assert mail_layer.try_now(message) == mail_layer.TryNow.RESCHEDULED
        assert mail_layer.try_now(message) == mail_layer.TryNow.RESCHEDULED
        assert run_jobs(include_retries=True) == [("send_message", "succeeded")]

    assert [m.to for m in mail.outbox] == [[CONTACT]]
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 2)
    assert mail_layer.try_now(message) == mail_layer.TryNow.NOT_WAITING


def test_try_now_as_an_action_on_the_chosen_messages(client, coordinator, settings):
    settings.EMAIL_BACKEND = "tests.test_mail_health.ServerDown"
    with time_machine.travel(LATER, tick=False):
        campaign = make_campaign("later")
        first = send_pledge(client, contact_email="first@example.fi")
        client.post(form_url("pledge", "fi"), entry_form_data(contact_email="second@example.fi"))
        second = Message.objects.get(recipient="second@example.fi")
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        sent = make_entry(campaign, contact_email="sent@example.fi", confirm=False)
        client.force_login(coordinator)

        response = client.post(
            "/fi/admin/kotolupaus/message/",
            {
                "action": "try_now",
                "_selected_action": [
                    first.pk,
                    second.pk,
                    Message.objects.get(entry_id=sent.pk).pk,
                ],
            },
            follow=True,
        )
        page = response.content.decode()
        assert "Yritämme lähettää nyt 2 viestiä." in page
        assert "1 viesti ei odottanut lähetystä, joten sitä ei yritetty lähettää." in page

    assert sorted(m.to[0] for m in mail.outbox) == ["first@example.fi", "second@example.fi"]


def test_a_message_whose_job_is_gone_gets_a_new_one(client, campaign, coordinator):
    entry = make_entry(campaign)
    message = mail_layer.queue(
        MessageKind.WITHDRAWN, to=CONTACT, language="en", entry=entry, context={}
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs WHERE id = %s", [message.job_id])
    client.force_login(coordinator)

    listing = client.get("/en/admin/kotolupaus/message/?status__exact=queued").content.decode()
    assert '<td class="field-next_try">not planned: choose “Try now”</td>' in listing
    assert mail_layer.try_now(message) == mail_layer.TryNow.RESCHEDULED
    assert run_jobs() == [("send_message", "succeeded")]
    assert [m.to for m in mail.outbox] == [[CONTACT]]


def test_resend_still_works_for_a_failed_message_from_its_page(
    client, campaign, coordinator, mailbox_unknown, settings
):
    failed = send_pledge(client)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.force_login(coordinator)

    page = client.get(f"/en/admin/kotolupaus/message/{failed.pk}/change/").content.decode()
    assert "Send again" in page and "Try now" not in page
    response = client.post(f"/en/admin/kotolupaus/message/{failed.pk}/send-again/", follow=True)

    assert "1 message will be sent again." in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == MessageStatus.SENT
    assert [m.to for m in mail.outbox] == [[CONTACT]]


def test_reviewers_cannot_try_or_resend(client, campaign, reviewer, server_down):
    waiting = send_pledge(client)
    client.force_login(reviewer)

    assert client.post(f"/en/admin/kotolupaus/message/{waiting.pk}/try-now/").status_code == 403
    assert client.post(f"/en/admin/kotolupaus/message/{waiting.pk}/send-again/").status_code == 403


# --- The text that was sent, masked ---------------------------------------------------------


def test_the_message_page_shows_the_text_sent_with_private_links_masked(
    client, campaign, coordinator
):
    message = send_pledge(client)
    (sent,) = mail.outbox
    tokens = re.findall(r"/(?:manage|submit/confirm)/([\w-]{20,})/", sent.body)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.body == ""
    client.force_login(coordinator)

    page = client.get(f"/en/admin/kotolupaus/message/{message.pk}/change/").content.decode()

    assert len(tokens) == 2
    assert not any(token in page for token in tokens)
    assert "http://testserver/en/submit/confirm/•••/" in page
    assert "http://testserver/en/manage/•••/" in page
    assert "Someone – hopefully you – filled in the campaign&#x27;s pledge form" in page
    assert not any(token in message.masked_body for token in tokens)
    assert "Try now" not in page and "Send again" not in page


def test_a_refused_message_says_why_it_was_not_sent(client, campaign, coordinator):
    for n in range(4):
        client.post(form_url("pledge", "en"), entry_form_data(), REMOTE_ADDR=f"192.0.2.{n}")
    refused = Message.objects.get(status=MessageStatus.REFUSED)
    client.force_login(coordinator)

    page = client.get(f"/en/admin/kotolupaus/message/{refused.pk}/change/").content.decode()
    listing = client.get("/en/admin/kotolupaus/message/?attention=refused").content.decode()

    why = (
        "Not sent: this address had already been sent 3 messages of this kind in 24 hours, "
        "as many as we send."
    )
    assert why in page
    assert why in listing
    assert "/en/manage/•••/" in page  # what it would have said
    assert refused.body == "" and refused.job_id is None


def test_erasing_an_address_erases_the_texts_kept(campaign, coordinator):
    entry = make_entry(campaign, contact_email=CONTACT)
    message = Message.objects.get(entry_id=entry.pk, kind=MessageKind.CONFIRM_ADDRESS)
    assert "/manage/•••/" in message.masked_body

    erase(CONTACT, coordinator)

    message.refresh_from_db()
    assert (message.recipient, message.masked_body, message.body) == (
        "erased@erased.invalid",
        "",
        "",
    )


def test_a_join_requests_text_is_erased_with_its_sender(client, campaign, coordinator):
    from publishing import services as publishing

    entry = make_entry(campaign, "Kielikahvila", kind="initiative", partners_sought="Seuroja")
    publishing.approve(entry, coordinator)
    seek_partners(entry)
    client.post(
        f"/en/entries/{entry.pk}/join/",
        {"organisation": "Seura", "name": "Pekka", "email": "pekka@seura.fi", "message": "Hei"},
    )
    join = Message.objects.get(kind=MessageKind.JOIN_REQUEST)
    # The sender's address is not in it (the contact sees it after accepting); the name is.
    assert "Pekka" in join.masked_body and "pekka@seura.fi" not in join.masked_body

    erase("pekka@seura.fi", coordinator)

    join.refresh_from_db()
    assert (join.masked_body, join.reply_to) == ("", "")
    assert join.recipient == "maija@example.fi"  # the contact's record of it stays


def test_coordinators_see_the_text_only_with_the_contact_data_permission(
    client, campaign, coordinator
):
    from django.contrib.auth.models import Permission

    message = send_pledge(client)
    coordinator.groups.clear()
    coordinator.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="kotolupaus", codename__in=["view_message", "change_message"]
        )
    )
    client.force_login(coordinator)

    page = client.get(f"/en/admin/kotolupaus/message/{message.pk}/change/").content.decode()

    assert page.count("/en/manage/•••/") == 0
    assert "Someone – hopefully you" not in page


def test_the_retention_purge_forgets_the_senders_of_join_requests(db):
    from django.utils import timezone

    from publishing.cooperation.requests import relay_join_request
    from publishing.personal_data import purge_after_retention

    now = timezone.now()
    old = make_campaign(
        "old", opens_at=now - timedelta(days=900), closes_at=now - timedelta(days=800)
    )
    with time_machine.travel(old.opens_at + timedelta(days=1), tick=False):
        # A contact who may be contacted later keeps their data, not the sender's.
        entry = make_entry(old, "Kielikahvila", kind="initiative", consent_contact=True)
        relay_join_request(
            entry, organisation="Seura", name="Pekka", email="pekka@seura.fi", message="Hei"
        )
    join = Message.objects.get(kind=MessageKind.JOIN_REQUEST)
    assert "Pekka" in join.masked_body and join.reply_to == ""

    purge_after_retention(730)

    join.refresh_from_db()
    assert (join.masked_body, join.reply_to, join.recipient) == ("", "", "maija@example.fi")


def test_the_message_list_shows_searches_and_sorts_by_the_entrys_reference(
    client, campaign, coordinator
):
    """Message.entry_id is a plain id: the list reads the entries' references in its own
    query (registered by submissions), the same number of queries for one entry or three."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(coordinator)
    first = make_entry(campaign, "Ensimmäinen")
    with CaptureQueriesContext(connection) as one:
        client.get("/en/admin/kotolupaus/message/")
    second = make_entry(campaign, "Toinen")
    third = make_entry(campaign, "Kolmas")
    mail_layer.queue(MessageKind.WITHDRAWN, to=CONTACT, language="en", entry=third, context={})
    with CaptureQueriesContext(connection) as three:
        listing = client.get("/en/admin/kotolupaus/message/").content.decode()

    assert len(three) == len(one)
    cells = re.findall(r'<td class="field-entry_reference">([^<]*)</td>', listing)
    assert cells == ["KL-2026-0003", "KL-2026-0003", "KL-2026-0002", "KL-2026-0001"]
    assert [first.reference, second.reference, third.reference] == [
        "KL-2026-0001",
        "KL-2026-0002",
        "KL-2026-0003",
    ]

    found = client.get("/en/admin/kotolupaus/message/?q=2026-0002").content.decode()
    assert re.findall(r'<td class="field-entry_reference">([^<]*)</td>', found) == ["KL-2026-0002"]

    by_reference = client.get("/en/admin/kotolupaus/message/?o=6").content.decode()
    assert re.findall(r'<td class="field-entry_reference">([^<]*)</td>', by_reference) == [
        "KL-2026-0001",
        "KL-2026-0002",
        "KL-2026-0003",
        "KL-2026-0003",
    ]

    message = Message.objects.get(kind=MessageKind.WITHDRAWN)
    page = client.get(f"/en/admin/kotolupaus/message/{message.pk}/change/").content.decode()
    assert (
        f'<dd class="field-entry"><a href="/en/admin/submissions/entry/{third.pk}/change/">'
        "KL-2026-0003</a></dd>"
    ) in page


def test_erasing_an_unconfirmed_entry_deletes_its_messages(client, campaign):
    """Without a foreign key, the entry's messages go by its id."""
    from submissions.services import delete_unconfirmed

    entry = make_entry(campaign, confirm=False)
    assert Message.objects.filter(entry_id=entry.pk).count() == 1

    delete_unconfirmed(entry)

    assert not Message.objects.filter(entry_id=entry.pk).exists()
