"""Every e-mail as its reader gets it, through a real SMTP server started by the test:
sent by a job after the change commits, wholly in the reader's language, with nothing
a submitter typed in the subject and nothing HTML-escaped; delivered once, also when
the server is down for a while, refuses a recipient or a worker dies mid-job."""

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from django.utils.translation import override

from kotolupaus import mail as mail_layer
from kotolupaus.models import Message, MessageKind, MessageStatus
from publishing import reminders
from publishing import services as publishing
from publishing.cooperation.request_jobs import handle_waiting_requests
from publishing.cooperation.tasks import send_suggestions
from publishing.models import JoinRequest
from publishing.personal_data import erase
from review import notifications
from review import services as review
from review.models import ReviewSettings
from submissions import services as submission_services
from submissions.models import Entry, PartnerSearch

from .conftest import (
    entry_form_data,
    form_url,
    make_entry,
    make_staff,
    seek_partners,
    token_from,
    with_partners,
)
from .jobs import run_jobs
from .smtp import SMTPServer

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent

HOSTILE_ORG = 'Verohallinto: refund ready & <b>"log in"</b> at https://evil.example'
HOSTILE_TITLE = 'Kieli & kulttuuri <3 "yhdessä"'
HOSTILE_PARTNER = 'Partner & Co "X" <evil.example>'
HOSTILE_JOIN_ORG = "Free money & <prizes> at https://evil.example"
HOSTILE_MESSAGE = 'We\'d like to join & help <3\n"Really" – call us.'
TYPED = [
    HOSTILE_ORG,
    HOSTILE_TITLE,
    HOSTILE_PARTNER,
    HOSTILE_JOIN_ORG,
    "evil.example",
    "Verohallinto",
]

CONTACT = "maija@esimerkki.example.fi"
REQUESTER = "pekka@yhdistys.example.fi"
REQUESTER_2 = "toinen@yhdistys.example.fi"
REVIEWER = "bob@tem.example.fi"
REVIEWER_2 = "dora@tem.example.fi"
SIGNATURE = {"fi": "Ystävällisin terveisin", "sv": "Med vänliga hälsningar", "en": "Best regards,"}
CAMPAIGN_NAME = {
    "fi": "Kotolupaus-testikampanja",
    "sv": "Kotolupaus testkampanj",
    "en": "Kotolupaus test campaign",
}
MINISTRY = {
    "fi": "Työ- ja elinkeinoministeriö",
    "sv": "Arbets- och näringsministeriet",
    "en": "Ministry of Economic Affairs and Employment of Finland",
}


@pytest.fixture
def smtp(settings):
    server = SMTPServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


def text_of(message):
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def kind_of(message):
    return Message.objects.get(message_id=message["Message-ID"]).kind


# --- Every kind of message, as its reader gets it ---------------------------------------


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_every_message_is_wholly_in_its_readers_language_with_typed_text_only_quoted(
    client, campaign, coordinator, smtp, language, settings
):
    settings.SUBMITTER_NEWS_MINUTES = 0  # the news go with the next jobs, not later
    client.force_login(coordinator)  # the staff steps below; the public ones do not care
    # An association in the same place and theme that looks for partners: the entry
    # below is told of it in the monthly e-mail of suggestions. Its own contact's
    # address is erased, so that nothing about it is mailed.
    other = make_entry(campaign, "Kielikahvila", organisation="Yhdistys ry", org_type="ngo")
    publishing.approve(other, coordinator)
    seek_partners(other)
    Entry.objects.filter(pk=other.pk).update(contact_email=mail_layer.erased_address())
    run_jobs()
    smtp.messages.clear()
    data = with_partners(
        entry_form_data(
            "initiative",
            org_name=HOSTILE_ORG,
            title=HOSTILE_TITLE,
            original_language=language,
            partners_sought="Kuntia & yhdistyksiä",
        ),
        (HOSTILE_PARTNER, "partner@example.fi", "tilat & <kahvi>"),
        ("Toinen kumppani", "toinen@example.fi", ""),
    )
    client.post(form_url("initiative", language), data)
    (confirmation,) = smtp.messages
    assert "/submit/confirm/" in text_of(confirmation)
    # The form cannot mail anyone but the contact before the contact is confirmed.
    assert [m["To"] for m in smtp.messages] == [CONTACT]
    path = re.search(r"http://testserver(/\w\w/submit/confirm/[\w-]+/)", text_of(confirmation))
    client.post(path.group(1))
    entry = Entry.objects.exclude(pk=other.pk).get()
    manage = token_from(text_of(confirmation))
    # A partner taken off the entry is told (in its language: the page's by default).
    removed = entry.partnerships.get(invited_email="toinen@example.fi")
    client.post(
        f"/{language}/manage/{manage}/partners/",
        {"action": "remove", "partnership": removed.pk},
    )

    client.post(f"/{language}/manage/lost-link/", {"email": CONTACT})
    client.post(form_url("pledge", language), entry_form_data("pledge", action="draft"))
    publishing.approve(entry, coordinator)
    seek_partners(entry)
    # Requests to join, from organisations that read the page in this language: one
    # declined with a sentence, one reminded and then expired.
    for sender in (REQUESTER, REQUESTER_2):
        client.post(
            f"/{language}/entries/{entry.pk}/join/",
            {
                "organisation": HOSTILE_JOIN_ORG,
                "name": "Pekka & Co",
                "email": sender,
                "message": HOSTILE_MESSAGE,
            },
        )
    declined, ignored = JoinRequest.objects.order_by("pk")
    client.post(
        f"/{language}/manage/{manage}/requests/{declined.pk}/",
        {"action": "decline", "note": "Ei nyt & <kiitos>"},
    )
    days = entry.campaign.join_request_days
    for age in (days // 2 + 1, days + 1):
        JoinRequest.objects.filter(pk=ignored.pk).update(
            created_at=timezone.now() - timedelta(days=age)
        )
        handle_waiting_requests()
    PartnerSearch.objects.filter(entry=entry).update(suggestions_by_email=True)
    assert send_suggestions() == 1
    publishing.return_for_fixes(entry, coordinator, "Lisää aikataulu & <kumppanit>, kiitos.")
    review.record_decision(
        entry, "included", 'Hyvä & "konkreettinen" <3', coordinator, language="fi"
    )
    review.publish_decisions(campaign, coordinator)
    # Follow-up: a progress report returned for fixes, and a reminder to report.
    publishing.approve(entry, coordinator)
    # An edit of the published entry that the staff do not accept.
    manage = token_from(text_of(confirmation))
    client.post(
        f"/{language}/manage/{manage}/edit/",
        entry_form_data(
            "initiative",
            org_name=HOSTILE_ORG,
            title=f"{HOSTILE_TITLE}!",
            original_language=language,
            partners_sought="Kuntia & yhdistyksiä",
        ),
    )
    publishing.reject(entry, coordinator)
    report = submission_services.add_report(
        entry,
        {"status": "under_way", "reported_on": timezone.localdate(), "text": HOSTILE_TITLE},
        language=language,
    )
    publishing.moderate_report(
        report, "returned", by=coordinator, comment="Lisää luvut & <tulokset>."
    )
    assert reminders.send_reminder(entry, timezone.localdate(), by=coordinator)
    # A reviewer who works in this language; a coordinator withdraws their review.
    reviewer = make_staff("reviewer-bob", "reviewer")
    reviewer.email = REVIEWER
    reviewer.save()
    with override(language):
        review.save_review(
            reviewer,
            entry,
            scores={c.pk: 3 for c in entry.campaign.criteria.all()},
            comment="",
            recommendation="include",
        )
    review.declare_conflict(
        reviewer, "Hallituksen jäsen & <puheenjohtaja>.", entry=entry, by=coordinator
    )
    # A second reviewer, who chose e-mails in this language: the entry assigned to her,
    # the reminder before the review deadline, then the entry changed after her review.
    dora = make_staff("reviewer-dora", "reviewer")
    dora.email = REVIEWER_2
    dora.save()
    notifications.set_choice(dora, no_mail=False, language=language)
    review.assign(entry, dora, coordinator)
    ReviewSettings.for_campaign(entry.campaign)
    ReviewSettings.objects.filter(campaign=entry.campaign).update(
        review_deadline=timezone.localdate() + timedelta(days=3), tell_changes=True
    )
    assert notifications.remind() == 1
    review.save_review(
        dora,
        entry,
        scores={c.pk: 4 for c in entry.campaign.criteria.all()},
        comment="",
        recommendation="include",
    )
    client.post(
        f"/{language}/manage/{manage}/edit/",
        entry_form_data(
            "initiative",
            org_name=HOSTILE_ORG,
            title=f"{HOSTILE_TITLE}!!",
            original_language=language,
            partners_sought="Kuntia & yhdistyksiä",
        ),
    )
    assert notifications.tell_changes() == 1
    run_jobs()
    # Withdrawn: the contact is told, and so is the partner that had not declined.
    client.post(f"/{language}/manage/{manage}/", {"action": "withdraw_entry", "confirm": "yes"})

    received = {kind_of(m): m for m in smtp.messages}
    assert set(received) == set(MessageKind.values)
    # One of each kind, but for the two partners' invitations.
    assert Counter(kind_of(m) for m in smtp.messages) == {
        **dict.fromkeys(MessageKind.values, 1),
        MessageKind.PARTNER_INVITATION: 2,
        MessageKind.JOIN_REQUEST: 2,
    }
    to_reviewer_2 = {
        MessageKind.REVIEW_ASSIGNED,
        MessageKind.REVIEW_REMINDER,
        MessageKind.REVIEW_CHANGED,
    }
    to_partners = {
        MessageKind.JOIN_DECLINED,
        MessageKind.JOIN_EXPIRED,
        MessageKind.PARTNER_INVITATION,
        MessageKind.DRAFT_LINK,
        MessageKind.PARTNER_REMOVED,
        MessageKind.PARTNER_WITHDRAWN,
    }
    for kind, message in received.items():
        subject, body = message["Subject"], text_of(message)
        for typed in TYPED:
            assert typed not in subject, (kind, subject)
        for escaped in ("&amp;", "&lt;", "&gt;", "&quot;", "&#x27;", "&#39;"):
            assert escaped not in subject and escaped not in body, (kind, escaped)
        assert message["Content-Language"] == language
        if kind == MessageKind.REVIEWS_WITHDRAWN:
            assert message["To"] == REVIEWER
        elif kind in to_reviewer_2:
            assert message["To"] == REVIEWER_2
        elif kind not in to_partners:
            assert message["To"] == CONTACT
        assert SIGNATURE[language] in body, kind
        assert f"{CAMPAIGN_NAME[language]}\n{MINISTRY[language]}" in body, kind
        assert not any(SIGNATURE[other] in body for other in SIGNATURE if other != language)

    # Typed text arrives exactly as typed, and attributed to whoever typed it.
    assert HOSTILE_TITLE in text_of(received[MessageKind.CONFIRM_ADDRESS])
    assert HOSTILE_ORG in text_of(received[MessageKind.CONFIRM_ADDRESS])
    invitation = text_of(
        next(
            m
            for m in smtp.messages
            if m["To"] == "partner@example.fi" and kind_of(m) == MessageKind.PARTNER_INVITATION
        )
    )
    assert HOSTILE_ORG in invitation and HOSTILE_PARTNER in invitation
    assert "tilat & <kahvi>" in invitation
    join = text_of(received[MessageKind.JOIN_REQUEST])
    assert HOSTILE_JOIN_ORG in join
    assert '> We\'d like to join & help <3\n> "Really" – call us.' in join
    assert HOSTILE_TITLE in join
    assert received[MessageKind.JOIN_REQUEST]["Reply-To"] is None  # answered in the service
    assert REQUESTER not in join
    assert "> Ei nyt & <kiitos>" in text_of(received[MessageKind.JOIN_DECLINED])
    assert received[MessageKind.JOIN_DECLINED]["To"] == REQUESTER
    assert received[MessageKind.JOIN_EXPIRED]["To"] == REQUESTER_2
    assert f"http://testserver/{language}/manage/" in text_of(received[MessageKind.JOIN_REMINDER])
    assert "> Lisää aikataulu & <kumppanit>, kiitos." in text_of(received[MessageKind.RETURNED])
    assert '> Hyvä & "konkreettinen" <3' in text_of(received[MessageKind.DECISION])
    returned = text_of(received[MessageKind.REPORT_RETURNED])
    assert "> Lisää luvut & <tulokset>." in returned
    withdrawn = text_of(received[MessageKind.REVIEWS_WITHDRAWN])
    assert "> Hallituksen jäsen & <puheenjohtaja>." in withdrawn
    assert HOSTILE_TITLE in withdrawn
    for kind in to_reviewer_2:  # the entry's title as typed, its reference, her queue
        told = text_of(received[kind])
        assert HOSTILE_TITLE in told and entry.reference in told, kind
        assert f"http://testserver/{language}/admin/workspace/queue/" in told, kind
    assert received[MessageKind.PARTNER_REMOVED]["To"] == "toinen@example.fi"
    assert received[MessageKind.PARTNER_WITHDRAWN]["To"] == "partner@example.fi"
    for kind in (MessageKind.PARTNER_REMOVED, MessageKind.PARTNER_WITHDRAWN):
        assert HOSTILE_ORG in text_of(received[kind]) and entry.reference in text_of(received[kind])
    assert HOSTILE_PARTNER in text_of(received[MessageKind.PARTNER_WITHDRAWN])
    news = text_of(received[MessageKind.SUBMITTER_NEWS])
    assert f"http://testserver/{language}/entries/{entry.pk}/" in news
    assert f"http://testserver/{language}/manage/" in news
    reminder = received[MessageKind.PROGRESS_REMINDER]
    assert "/reminders/stop/" in text_of(reminder) and reminder["List-Unsubscribe"]
    # Every message was recorded as sent, once, and its text (private links) not kept.
    assert list(
        Message.objects.order_by().values_list("status", "attempts", "body").distinct()
    ) == [(MessageStatus.SENT, 1, "")]


def test_an_entry_without_a_text_in_the_readers_language_is_named_in_its_own(
    client, campaign, coordinator, smtp
):
    entry = make_entry(
        campaign, "Språkcafé för alla", kind="initiative", language="sv", partners_sought="Kommuner"
    )
    Entry.objects.filter(pk=entry.pk).update(contact_language="en")
    publishing.approve(entry, coordinator)
    seek_partners(entry)
    smtp.messages.clear()

    client.post(
        f"/fi/entries/{entry.pk}/join/",
        {"organisation": "Yhdistys", "name": "Pekka", "email": "p@example.fi", "message": "Hei!"},
    )

    (message,) = smtp.messages
    assert message["Subject"] == f"Someone wants to join your initiative {entry.reference}"
    assert "your initiative “Språkcafé för alla”" in text_of(message)
    assert SIGNATURE["en"] in text_of(message)


# --- Faults ------------------------------------------------------------------------------


def test_smtp_down_during_a_submission_still_shows_the_normal_page_and_delivers_later(
    client, campaign, smtp
):
    smtp.stop()

    response = client.post(form_url("pledge", "en"), entry_form_data("pledge"), follow=True)

    assert response.status_code == 200
    assert "Almost done: confirm your e-mail address" in response.content.decode()
    message = Message.objects.get()
    assert message.status == MessageStatus.QUEUED
    assert message.attempts == 1
    assert "Connection refused" in message.last_error or "ConnectionRefused" in message.last_error

    smtp.start()
    assert run_jobs(include_retries=True) == [("send_message", "succeeded")]
    assert run_jobs(include_retries=True) == []

    assert [m["To"] for m in smtp.messages] == [CONTACT]
    message.refresh_from_db()
    assert (message.status, message.attempts, message.sent_at is not None) == ("sent", 2, True)


def test_a_refused_recipient_fails_alone_and_is_listed_for_the_coordinator(
    client, campaign, coordinator, smtp
):
    entries = [
        make_entry(campaign, f"Aloite {n}", contact_email=f"c{n}@example.fi") for n in range(5)
    ]
    for entry in entries:
        review.record_decision(entry, "included", "Hyvä.", coordinator, language="fi")
    smtp.recorder.refuse = {"c2@example.fi"}
    smtp.messages.clear()

    review.publish_decisions(campaign, coordinator)
    run_jobs()

    assert sorted(m["To"] for m in smtp.messages) == [
        "c0@example.fi",
        "c1@example.fi",
        "c3@example.fi",
        "c4@example.fi",
    ]
    failed = Message.objects.get(status=MessageStatus.FAILED)
    assert failed.recipient == "c2@example.fi"
    assert "550" in failed.last_error
    assert failed.attempts == 1  # a permanent refusal is not tried again

    client.force_login(coordinator)
    listing = client.get("/en/admin/kotolupaus/message/?attention=yes").content.decode()
    assert "c2@example.fi" in listing
    assert "1 failed, 0 waiting to be sent" in listing
    assert "c0@example.fi" not in listing

    # Once the mailbox exists again, the coordinator sends it again.
    smtp.recorder.refuse = set()
    client.post(
        "/en/admin/kotolupaus/message/",
        {"action": "send_again", "_selected_action": [failed.pk]},
    )
    failed.refresh_from_db()
    assert failed.status == MessageStatus.SENT
    assert sorted(m["To"] for m in smtp.messages).count("c2@example.fi") == 1


def test_reviewers_cannot_see_the_messages(client, campaign, reviewer):
    client.force_login(reviewer)

    assert client.get("/en/admin/kotolupaus/message/").status_code == 403


def test_a_delivered_message_is_never_delivered_again(campaign, smtp):
    entry = make_entry(campaign, confirm=False)  # its confirmation is sent already
    message = Message.objects.get(entry_id=entry.pk)

    assert mail_layer.deliver(message.pk) == "skipped"
    assert mail_layer.resend(message) is False
    run_jobs(include_retries=True)

    assert len(smtp.messages) == 1


def test_a_change_rolled_back_sends_nothing(campaign, smtp):
    entry = make_entry(campaign)
    smtp.messages.clear()

    with pytest.raises(RuntimeError), transaction.atomic():
        publishing.return_for_fixes(entry, None, "Korjaa.")
        raise RuntimeError("the change failed after the e-mail was queued")

    assert not Message.objects.filter(kind=MessageKind.RETURNED).exists()
    assert run_jobs() == []
    assert smtp.messages == []


def test_an_erased_address_is_never_mailed(campaign, coordinator, smtp):
    entry = make_entry(campaign)
    review.record_decision(entry, "included", "Hyvä.", coordinator, language="fi")
    review.publish_decisions(campaign, coordinator)  # queued, not sent yet
    queued = Message.objects.get(kind=MessageKind.DECISION)

    erase("maija@example.fi", coordinator)
    run_jobs()

    queued.refresh_from_db()
    assert queued.status == MessageStatus.CANCELLED
    assert queued.recipient == "erased@erased.invalid" and queued.body == ""
    assert not [
        m for m in smtp.messages if m["To"] == "maija@example.fi" and kind_of(m) == "decision"
    ]


# --- A real worker process ------------------------------------------------------------------


def database_url():
    settings = connection.settings_dict
    host = settings["HOST"] or "localhost"
    if host.startswith("/"):
        return f"postgres://{settings['USER']}@/{settings['NAME']}?host={host}"
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return (
        f"postgres://{settings['USER']}{password}@{host}:{settings['PORT'] or 5432}"
        f"/{settings['NAME']}"
    )


def process_environment(**extra):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(
        DJANGO_SETTINGS_MODULE="kotolupaus.settings_test",
        DATABASE_URL=database_url(),
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        **extra,
    )
    return environment


def start_worker(smtp_server, **extra):
    return subprocess.Popen(
        [sys.executable, "manage.py", "procrastinate", "worker", "--queues", "mail"],
        cwd=ROOT,
        env=process_environment(TEST_EMAIL_URL=smtp_server.url, **extra),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(condition, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.mark.django_db(transaction=True)
def test_a_worker_process_delivers_what_a_request_queued():
    from .conftest import make_campaign

    make_campaign()
    smtp_server = SMTPServer().start()
    worker = start_worker(smtp_server)
    try:
        # The plain client: no job runs in the test's own process.
        response = Client().post(form_url("pledge", "sv"), entry_form_data("pledge"))
        assert response.status_code == 302

        assert wait_for(lambda: len(smtp_server.messages) == 1)
        message = Message.objects.get()
        assert wait_for(lambda: Message.objects.get().status == MessageStatus.SENT)
        (received,) = smtp_server.messages
        assert received["To"] == CONTACT
        assert received["Message-ID"] == message.message_id
        assert str(received["Subject"]).strip().startswith("Bekräfta din e-postadress")
    finally:
        stop(worker)
        smtp_server.stop()
    # Successful jobs leave no row behind; the Message row keeps the history.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'send_message'")
        assert cursor.fetchone()[0] == 0


@pytest.mark.django_db(transaction=True)
def test_a_message_is_delivered_once_when_its_worker_is_killed_mid_job():
    from django.core.management import call_command

    from .conftest import make_campaign

    campaign = make_campaign()
    entry = make_entry(campaign)  # its own e-mails were sent in this process
    smtp_server = SMTPServer().start()
    smtp_server.recorder.hold.clear()  # the server will keep the first sender waiting
    publishing.return_for_fixes(entry, None, "Korjaa, kiitos.")  # queued, committed
    message = Message.objects.get(kind=MessageKind.RETURNED)

    first = start_worker(smtp_server)
    try:
        assert smtp_server.recorder.held.wait(timeout=30), "the worker never connected"
        first.send_signal(signal.SIGKILL)  # killed in the middle of sending
        first.wait(timeout=10)
        smtp_server.recorder.hold.set()
        message.refresh_from_db()
        assert message.status == MessageStatus.QUEUED  # its transaction died with it

        call_command("requeue_stalled_jobs", seconds=0)  # what every worker does every 30 s
        second = start_worker(smtp_server)
        try:
            assert wait_for(lambda: Message.objects.get(pk=message.pk).status == "sent")
        finally:
            stop(second)
    finally:
        if first.poll() is None:
            first.kill()
        smtp_server.stop()

    assert [kind_of(m) for m in smtp_server.messages] == ["returned"]
    message.refresh_from_db()
    assert message.attempts == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("cache", ["memory", "redis"])
def test_two_processes_share_one_rate_limit(cache, tmp_path):
    """Two app processes count the same address together, in PostgreSQL, also when the
    page cache is in Redis (a Redis of the test's own): the lost-link limit of 10 an hour
    holds across them."""
    from ops.redis_server import RedisServer, binary

    extra = {}
    server = None
    if cache == "redis":
        if binary() is None:
            pytest.skip("redis-server is not installed (the memory case covers the counting)")
        server = RedisServer(tmp_path / "redis")
        server.start()
        extra["REDIS_URL"] = server.url
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "client = Client()\n"
        "codes = [client.post('/en/manage/lost-link/', {'email': 'x@example.fi'}).status_code"
        " for _ in range(8)]\n"
        "print(sum(code == 302 for code in codes))\n"
    )
    try:
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", script],
                cwd=ROOT,
                env=process_environment(**extra),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        accepted = []
        for process in processes:
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err
            accepted.append(int(out.strip().splitlines()[-1]))
    finally:
        if server is not None:
            server.stop()

    assert sum(accepted) == 10


# The scheduled jobs, as the README's table and the follow-up section name them.
SCHEDULES = {
    "purge_pending_uploads": "15 3 * * *",
    "remove_unconfirmed_entries": "5 * * * *",
    "purge_contact_data": "30 3 * * *",
    "retry_stalled_jobs": "* * * * * */30",
    "remove_old_jobs": "40 3 * * *",
    "send_progress_reminders": "0 9 * * *",
    "send_partner_suggestions": "0 8 * * *",
    "handle_join_requests": "20 8 * * *",
    "check_public_files": "17 * * * *",
    "purge_expired_counters": "25 * * * *",
    "remind_reviewers": "0 7 * * *",
    "tell_reviewers_of_changes": "10 7 * * *",
}


@pytest.mark.django_db(transaction=True)
def test_a_worker_registers_the_scheduled_jobs_the_readme_lists():
    """What a worker process registers as it starts (procrastinate logs each periodic
    task it registers), not what this test process happens to have imported."""
    import json
    import queue
    import threading

    worker = subprocess.Popen(
        [sys.executable, "manage.py", "procrastinate", "worker", "--queues", "nothing"],
        cwd=ROOT,
        env=process_environment(LOG_LEVEL="INFO", LOG_LEVEL_JOBS="INFO", LOG_FORMAT="json"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines = queue.Queue()
    reader = threading.Thread(
        target=lambda: [lines.put(line) for line in worker.stderr], daemon=True
    )
    reader.start()
    registered, started = {}, False
    try:
        deadline = time.monotonic() + 60
        while not started and time.monotonic() < deadline:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                continue
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if record.get("action") == "registering_periodic_task":
                registered[record["task"]] = record["cron"]
            started = record.get("action") == "start_worker"
    finally:
        stop(worker)
        reader.join(timeout=10)
        worker.stderr.close()

    assert started, "the worker did not start"
    assert registered == SCHEDULES
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("Scheduled jobs (declared") :]
    table = table[: table.index("\n\n", table.index("| job |"))]
    listed = set(re.findall(r"^\| `(\w+)`", table, re.M))
    assert set(SCHEDULES) <= listed, set(SCHEDULES) - listed
