"""Reviewers told what is theirs (issue 27): one e-mail per batch of assignments, a
reminder before the review deadline to those with unscored assignments, the optional
daily e-mail about scored entries that changed — each in the reviewer's language, by
a job, delivered to a real SMTP server; and a reviewer who says no gets none."""

from datetime import date

import pytest
from django.utils.translation import override

from kotolupaus.models import Message, MessageKind
from review import notifications, services
from review.models import Criterion, ReviewerNotice, ReviewSettings
from submissions import services as submissions

from .conftest import entry_form_data, make_entry, make_staff
from .jobs import run_jobs
from .smtp import SMTPServer

pytestmark = pytest.mark.django_db

WS = "/en/admin/workspace"


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


def reviewer_named(username, email, language=None):
    user = make_staff(username, "reviewer")
    user.email = email
    user.save()
    if language:
        notifications.set_choice(user, no_mail=False, language=language)
    return user


def review_settings(campaign, **values):
    ReviewSettings.for_campaign(campaign)
    ReviewSettings.objects.filter(campaign=campaign).update(**values)


@pytest.fixture
def entries(campaign):
    return [make_entry(campaign, f"Lupaus {n}") for n in range(3)]


SUBJECTS = {
    "fi": "3 lupausta tai aloitetta jaettu sinulle arvioitavaksi",
    "sv": "3 bidrag har tilldelats dig för bedömning",
    "en": "3 entries assigned to you for review",
}


def test_an_automatic_assignment_mails_each_reviewer_once_in_their_language(
    campaign, coordinator, entries, smtp
):
    reviewers = [
        reviewer_named("reviewer-fi", "fi@tem.example.fi", "fi"),
        reviewer_named("reviewer-sv", "sv@tem.example.fi", "sv"),
        reviewer_named("reviewer-en", "en@tem.example.fi", "en"),
    ]
    review_settings(campaign, review_deadline=date(2027, 3, 31))

    result = services.auto_assign(campaign, coordinator, reviewers, per_entry=3)
    run_jobs()

    assert result.created == 9
    received = {m["To"]: m for m in smtp.messages}
    assert len(smtp.messages) == 3
    for reviewer in reviewers:
        language = reviewer.username.split("-")[1]
        message = received[reviewer.email]
        assert message["Subject"] == SUBJECTS[language]
        assert message["Content-Language"] == language
        body = text_of(message)
        for entry in entries:
            assert entry.reference in body
        assert f"http://testserver/{language}/admin/workspace/queue/" in body
    assert "Arvioi ne viimeistään 31.3.2027." in text_of(received["fi@tem.example.fi"])
    assert "Please review them by 31 March 2027." in text_of(received["en@tem.example.fi"])


def test_an_imported_file_is_one_batch_and_one_assignment_is_one_too(
    campaign, coordinator, entries, smtp
):
    bob = reviewer_named("reviewer-bob", "bob@tem.example.fi")
    text = "reference,reviewer\n" + "".join(f"{e.reference},reviewer-bob\n" for e in entries[:2])

    services.import_assignments(campaign, text, coordinator, [bob])
    services.assign(entries[2], bob, coordinator)
    services.assign(entries[2], bob, coordinator)  # already assigned: nothing new
    run_jobs()

    assert [m["Subject"] for m in smtp.messages] == [
        "2 lupausta tai aloitetta jaettu sinulle arvioitavaksi",
        "1 lupaus tai aloite jaettu sinulle arvioitavaksi",
    ]


def test_a_reviewer_who_said_no_gets_no_mail(client, campaign, coordinator, entries, smtp):
    bob = reviewer_named("reviewer-bob", "bob@tem.example.fi")
    client.force_login(bob)
    page = client.get(f"/sv{WS[3:]}/queue/").content.decode()
    assert 'name="mail" id="ws-mail-choice" value="on" checked' in page

    client.post(f"/sv{WS[3:]}/queue/", {})

    assert 'value="on" checked' not in client.get(f"{WS}/queue/").content.decode()
    services.assign(entries[0], bob, coordinator)
    review_settings(campaign, review_deadline=date(2027, 3, 31), tell_changes=True)
    assert notifications.remind(date(2027, 3, 30)) == 0
    run_jobs()
    assert smtp.messages == []

    client.post(f"/sv{WS[3:]}/queue/", {"mail": "on"})  # yes again, on a Swedish page
    services.assign(entries[1], bob, coordinator)
    run_jobs()
    (message,) = smtp.messages
    assert message["Content-Language"] == "sv"


def test_the_reminder_goes_once_before_the_deadline_to_those_with_unscored_assignments(
    campaign, coordinator, entries, smtp
):
    bob = reviewer_named("reviewer-bob", "bob@tem.example.fi", "en")
    dora = reviewer_named("reviewer-dora", "dora@tem.example.fi", "sv")
    services.assign(entries[0], bob, coordinator)
    services.assign(entries[1], bob, coordinator)
    services.assign(entries[0], dora, coordinator)
    with override("sv"):
        services.save_review(
            dora,
            entries[0],
            scores={c.pk: 4 for c in Criterion.objects.filter(campaign=campaign)},
            comment="",
            recommendation="include",
        )
    run_jobs()
    smtp.messages.clear()
    review_settings(campaign, review_deadline=date(2027, 3, 31), remind_days_before=3)

    assert notifications.remind(date(2027, 3, 27)) == 0  # four days before: not yet
    assert notifications.remind(date(2027, 3, 28)) == 1  # three days before: bob only
    assert notifications.remind(date(2027, 3, 29)) == 0  # once per deadline
    run_jobs()

    (message,) = smtp.messages
    assert message["To"] == "bob@tem.example.fi"
    assert message["Subject"] == "Reminder: the review closes on 31 March 2027"
    body = text_of(message)
    assert "These 2 entries assigned to you have no review from you yet:" in body
    assert entries[0].reference in body and entries[1].reference in body
    assert list(ReviewerNotice.objects.values_list("kind", "about")) == [("reminder", "2027-03-31")]
    assert notifications.remind(date(2027, 4, 1)) == 0  # after the deadline: never


def test_the_daily_mail_about_changed_entries_goes_once_a_day_when_the_settings_ask(
    client, campaign, coordinator, smtp
):
    entry = make_entry(campaign, "Kesätöitä nuorille tulijoille")
    bob = reviewer_named("reviewer-bob", "bob@tem.example.fi", "fi")
    with override("fi"):
        services.save_review(
            bob,
            entry,
            scores={c.pk: 4 for c in Criterion.objects.filter(campaign=campaign)},
            comment="",
            recommendation="include",
        )
    token = submissions.add_management_link(entry)
    client.post(f"/fi/manage/{token}/edit/", entry_form_data("pledge"))

    assert notifications.tell_changes(date(2027, 3, 1)) == 0  # not asked for
    review_settings(campaign, tell_changes=True)
    assert notifications.tell_changes(date(2027, 3, 1)) == 1
    assert notifications.tell_changes(date(2027, 3, 1)) == 0  # once a day
    assert notifications.tell_changes(date(2027, 3, 2)) == 0  # nothing new since
    run_jobs()

    (message,) = [m for m in smtp.messages if m["To"] == "bob@tem.example.fi"]
    assert message["Subject"] == "1 arvioimasi lupaus tai aloite on muuttunut"
    assert entry.reference in text_of(message)
    assert Message.objects.get(kind=MessageKind.REVIEW_CHANGED).language == "fi"
