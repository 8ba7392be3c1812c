"""Follow-up: a submitter reports what became of a published pledge or initiative
through the private link; staff moderate the reports like entries; contacts are
reminded; coordinators follow it all on one page."""

from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone

from publishing import services as publishing
from publishing.models import PublicationStatus, ReportPublication
from publishing.reminders import due_dates, send_due_reminders
from review.models import AuditAction, AuditEvent
from submissions import services
from submissions.models import Entry, Indicator, ProgressReport, ReminderSent

from .conftest import make_entry, manage_token
from .jobs import run_jobs

pytestmark = pytest.mark.django_db


def published_entry(campaign, by, **kwargs):
    entry = make_entry(campaign, **kwargs)
    publishing.approve(entry, by)
    return Entry.objects.get(pk=entry.pk)


def report_on(
    entry,
    status="under_way",
    *,
    text="Kaksi tapahtumaa pidetty.",
    figures=None,
    language="fi",
    approve_by=None,
    reported_on=None,
    reason="",
):
    """A progress report sent through the service the form uses; approved by
    `approve_by` when given."""
    indicators = {i.slug: i for i in Indicator.objects.filter(campaign=entry.campaign)}
    report = services.add_report(
        entry,
        {
            "status": status,
            "reason": reason,
            "reported_on": reported_on or timezone.localdate(),
            "text": text,
            "figures": {indicators[slug]: value for slug, value in (figures or {}).items()},
            "contributors": [],
        },
        language=language,
    )
    if approve_by is not None:
        publishing.moderate_report(report, PublicationStatus.APPROVED, by=approve_by)
    return report


def form_data(**overrides):
    return {
        "status": "under_way",
        "reason": "",
        "reported_on": timezone.localdate().isoformat(),
        "text": "Pidimme kaksi työnhakuiltaa.",
        "language": "fi",
        **overrides,
    }


@pytest.fixture
def entry(campaign, coordinator):
    return published_entry(campaign, coordinator)


# --- Reporting through the private link ----------------------------------------------------


def test_the_submitter_reports_progress_with_figures_and_sees_it_awaiting_moderation(client, entry):
    token = manage_token(entry)
    page = client.get(f"/fi/manage/{token}/")
    assert f"/fi/manage/{token}/reports/new/" in page.content.decode()

    form = client.get(f"/fi/manage/{token}/reports/new/")
    assert form.status_code == 200
    assert "Tavoitettuja ihmisiä" in form.content.decode()  # the campaign's indicators, in Finnish

    response = client.post(
        f"/fi/manage/{token}/reports/new/",
        form_data(**{"figure_people-reached": "120", "figure_events-held": "2"}),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"/fi/manage/{token}/"
    report = ProgressReport.objects.get(entry=entry)
    assert report.status == "under_way"
    assert report.text_in("fi") == "Pidimme kaksi työnhakuiltaa."
    assert {f.indicator.slug: f.value for f in report.figures.all()} == {
        "people-reached": 120,
        "events-held": 2,
    }
    assert report.publication.status == PublicationStatus.PENDING
    shown = response.content.decode()
    assert "Käynnissä" in shown and "Odottaa tarkastusta" in shown


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "figure_people-reached",
            "-3",
            "Anna 0 tai sitä suurempi kokonaisluku.",
        ),
        (
            "figure_people-reached",
            "2000000",
            "Anna enintään 1000000.",
        ),
        ("figure_events-held", "2,5", "Anna kokonaisluku, esim. 12."),
        ("status", "finished", "Valitse jokin vaihtoehdoista."),
        ("text", "", "Kirjoita, mitä on tehty."),
    ],
)
def test_bad_figures_and_fields_are_refused_next_to_the_field_and_nothing_is_saved(
    client, entry, field, value, message
):
    token = manage_token(entry)
    data = form_data(**{field: value, "figure_partners-involved": "4"})
    response = client.post(f"/fi/manage/{token}/reports/new/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'value="4"' in html  # what was typed is kept
    assert not ProgressReport.objects.exists()


def test_a_discontinued_report_needs_a_reason(client, entry):
    token = manage_token(entry)
    response = client.post(f"/fi/manage/{token}/reports/new/", form_data(status="discontinued"))
    assert response.status_code == 200
    assert "Kerro, miksi" in response.content.decode()
    assert not ProgressReport.objects.exists()

    client.post(
        f"/fi/manage/{token}/reports/new/",
        form_data(status="discontinued", reason="Rahoitus päättyi."),
    )
    assert ProgressReport.objects.get().reason == "Rahoitus päättyi."


def test_report_dates_in_the_future_or_before_sending_are_refused(client, entry):
    token = manage_token(entry)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(
        f"/fi/manage/{token}/reports/new/", form_data(reported_on=tomorrow.isoformat())
    )
    assert "Päivämäärä ei voi olla tulevaisuudessa." in response.content.decode()
    response = client.post(f"/fi/manage/{token}/reports/new/", form_data(reported_on="2001-01-01"))
    assert "Päivämäärä ei voi olla ennen" in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_only_published_entries_take_reports(client, campaign, coordinator):
    unpublished = make_entry(campaign, "Julkaisematon")
    token = manage_token(unpublished)
    page = client.get(f"/fi/manage/{token}/reports/new/")
    assert "vasta kun" in page.content.decode()
    assert client.post(f"/fi/manage/{token}/reports/new/", form_data()).status_code == 403

    withdrawn = published_entry(campaign, coordinator, title="Peruttu")
    services.withdraw_entry(withdrawn)
    token = manage_token(withdrawn)
    assert client.post(f"/fi/manage/{token}/reports/new/", form_data()).status_code in (403, 410)

    no_consent = published_entry(campaign, coordinator, title="Ei suostumusta")
    services.set_consent(no_consent, False)
    token = manage_token(no_consent)
    assert client.post(f"/fi/manage/{token}/reports/new/", form_data()).status_code == 403
    assert not ProgressReport.objects.exists()

    with pytest.raises(services.ReportRefused):
        report_on(Entry.objects.get(pk=unpublished.pk))


def test_a_report_of_another_entry_cannot_be_reached_with_this_entrys_token(
    client, campaign, coordinator, entry
):
    other = published_entry(campaign, coordinator, title="Toinen")
    report = report_on(other)
    token = manage_token(entry)
    assert client.get(f"/fi/manage/{token}/reports/{report.pk}/edit/").status_code == 404
    assert (
        client.post(f"/fi/manage/{token}/reports/{report.pk}/edit/", form_data()).status_code == 404
    )
    assert client.get("/fi/manage/not-a-token/reports/new/").status_code == 404


def test_a_report_can_be_corrected_for_a_while_then_it_is_part_of_the_record(
    client, entry, settings
):
    report = report_on(entry)
    token = manage_token(entry)
    url = f"/fi/manage/{token}/reports/{report.pk}/edit/"
    client.post(url, form_data(text="Korjattu teksti.", **{"figure_events-held": "3"}))
    report.refresh_from_db()
    assert report.text_in("fi") == "Korjattu teksti."
    assert report.figures.get().value == 3

    ProgressReport.objects.filter(pk=report.pk).update(
        created_at=timezone.now() - timedelta(hours=settings.REPORT_EDIT_HOURS + 1)
    )
    page = client.get(url)
    assert "eikä sitä voi enää muuttaa" in page.content.decode()
    assert client.post(url, form_data(text="Myöhäinen muutos.")).status_code == 403
    report.refresh_from_db()
    assert report.text_in("fi") == "Korjattu teksti."


def test_partners_who_confirmed_can_be_named_as_contributors(client, campaign, coordinator):
    entry = published_entry(
        campaign, coordinator, partners=[("Kumppani ry", "kumppani@example.fi")]
    )
    partnership = entry.partnerships.get()
    services.answer_partnership(partnership, confirm=True)
    token = manage_token(entry)
    client.post(f"/fi/manage/{token}/reports/new/", form_data(contributors=[str(partnership.pk)]))
    assert list(ProgressReport.objects.get().contributors.all()) == [partnership]


# --- Moderation ----------------------------------------------------------------------------


def test_reports_are_moderated_with_the_entries_lifecycle_and_audit_trail(
    client, entry, coordinator
):
    report = report_on(entry)
    moderation = ReportPublication.objects.get(report=report)
    assert moderation.status == PublicationStatus.PENDING

    publishing.moderate_report(
        report, PublicationStatus.RETURNED, by=coordinator, comment="Lisää päivämäärä."
    )
    run_jobs()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "Lisää päivämäärä." in message.body
    assert "Lisää päivämäärä." not in message.subject  # no typed text in subjects
    report.refresh_from_db()
    assert report.can_be_edited  # returned: open for fixes, whatever its age

    token = manage_token(entry)
    ProgressReport.objects.filter(pk=report.pk).update(
        created_at=timezone.now() - timedelta(days=30)
    )
    client.post(f"/fi/manage/{token}/reports/{report.pk}/edit/", form_data(text="Korjattu."))
    moderation.refresh_from_db()
    assert moderation.status == PublicationStatus.FIXED

    publishing.moderate_report(report, PublicationStatus.APPROVED, by=coordinator)
    moderation.refresh_from_db()
    assert moderation.status == PublicationStatus.APPROVED
    assert moderation.first_published_at is not None
    report.refresh_from_db()
    assert not report.can_be_edited  # approved: the record

    events = AuditEvent.objects.filter(
        entry=entry, action=AuditAction.MODERATED, details__report=report.pk
    ).order_by("pk")
    assert [(e.details["before"], e.details["after"], e.actor) for e in events] == [
        ("pending", "returned", coordinator),
        ("returned", "fixed", None),
        ("fixed", "approved", coordinator),
    ]


def test_the_moderation_list_of_reports_shows_those_awaiting_first(client, entry, coordinator):
    waiting = report_on(entry, text="Odottava raportti.")
    report_on(entry, text="Hyväksytty raportti.", approve_by=coordinator)
    client.force_login(coordinator)
    page = client.get("/fi/admin/publishing/reportpublication/")
    html = page.content.decode()
    assert page.status_code == 200
    assert entry.reference in html
    assert str(waiting.pk) in html


# --- Reminders -----------------------------------------------------------------------------


def test_reminder_dates_follow_the_campaign(campaign):
    campaign.reminder_months = "6,12"
    campaign.programme_ends_on = date(2028, 6, 30)
    published_at = timezone.make_aware(timezone.datetime(2027, 1, 31, 12))
    assert due_dates(campaign, published_at) == [
        date(2027, 7, 31),
        date(2028, 1, 31),
        date(2028, 5, 30),
    ]


def _published_months_ago(entry, months):
    entry.publication.first_published_at = timezone.now() - timedelta(days=31 * months)
    entry.publication.save(update_fields=["first_published_at"])


def test_reminders_go_once_per_due_date_in_the_contacts_language_with_a_stop_link(
    client, campaign, coordinator
):
    entry = published_entry(campaign, coordinator, language="sv", title="Sommarjobb")
    _published_months_ago(entry, 7)

    assert send_due_reminders() == 1
    run_jobs()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["maija@example.fi"]
    assert "Sommarjobb" not in message.subject
    assert "hur det går" in message.body.lower()
    assert "/sv/manage/" in message.body
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    assert send_due_reminders() == 0  # never twice for one due date
    assert ReminderSent.objects.filter(entry=entry).count() == 1

    # A mail program's one-click unsubscribe: a POST without a CSRF token.
    assert (
        client.post(urlsplit(unsubscribe).path, {"List-Unsubscribe": "One-Click"}).status_code
        == 200
    )
    entry.refresh_from_db()
    assert entry.reminders_stopped_at is not None
    _published_months_ago(entry, 13)
    assert send_due_reminders() == 0


def test_reminders_never_go_to_erased_contacts_or_recent_reporters(campaign, coordinator):
    erased = published_entry(campaign, coordinator, title="Poistettu")
    _published_months_ago(erased, 7)
    from publishing import personal_data

    personal_data.erase("maija@example.fi", coordinator)

    reported = published_entry(
        campaign, coordinator, title="Raportoitu", contact_email="raportoija@example.fi"
    )
    _published_months_ago(reported, 7)
    report_on(reported)
    mail.outbox = []

    assert send_due_reminders() == 0
    run_jobs()
    assert mail.outbox == []
    # The due date of the recent reporter is recorded as done, without an e-mail.
    assert ReminderSent.objects.get(entry=reported).mailed is False


def test_the_stop_page_asks_before_stopping(client, entry):
    page = client.get(urlsplit(services.reminders_stop_link(entry, "fi")).path)
    assert page.status_code == 200
    entry.refresh_from_db()
    assert entry.reminders_stopped_at is None  # a link checker's GET changes nothing
    assert client.get("/fi/reminders/stop/forged/").status_code == 404


# --- The coordinator's follow-up page ------------------------------------------------------


@pytest.fixture
def followed(campaign, coordinator):
    """Four published entries: one achieved with figures, one under way (awaiting
    moderation), one overdue without reports, one new without reports."""
    achieved = published_entry(campaign, coordinator, title="Toteutunut lupaus")
    report_on(
        achieved,
        "achieved",
        figures={"people-reached": 40, "events-held": 2},
        approve_by=coordinator,
    )
    report_on(
        achieved,
        "under_way",
        figures={"people-reached": 10},
        approve_by=coordinator,
        reported_on=timezone.localdate() - timedelta(days=10),
    )
    under_way = published_entry(campaign, coordinator, title="Käynnissä oleva", kind="initiative")
    report_on(under_way, "under_way", figures={"people-reached": 5})
    overdue = published_entry(campaign, coordinator, title="Myöhässä")
    _published_months_ago(overdue, 7)
    fresh = published_entry(campaign, coordinator, title="Tuore")
    mail.outbox = []
    return {"achieved": achieved, "under_way": under_way, "overdue": overdue, "fresh": fresh}


def test_coordinators_see_entries_by_status_overdue_and_indicator_totals(
    client, coordinator, followed
):
    client.force_login(coordinator)
    page = client.get("/fi/admin/workspace/follow-up/")
    assert page.status_code == 200
    html = page.content.decode()
    context = page.context
    assert context["published_count"] == 4
    assert context["overdue_count"] == 1
    assert context["awaiting_count"] == 1
    rows = {row.status: (row.counts, row.total) for row in context["by_status"]}
    assert rows["achieved"] == ([1, 0], 1)
    assert rows["under_way"] == ([0, 1], 1)
    assert rows["none"] == ([2, 0], 2)
    totals = {t.indicator.slug: (t.approved, t.pending, t.entries) for t in context["indicators"]}
    assert totals["people-reached"] == (50, 5, 2)
    assert totals["events-held"] == (2, 0, 1)
    overdue_rows = [e for e in context["page"] if e.overdue]
    assert [e.pk for e in overdue_rows] == [followed["overdue"].pk]
    assert "Myöhässä" in html

    only_overdue = client.get("/fi/admin/workspace/follow-up/", {"overdue": "on"})
    assert [e.pk for e in only_overdue.context["page"]] == [followed["overdue"].pk]
    achieved = client.get("/fi/admin/workspace/follow-up/", {"status": "achieved"})
    assert [e.pk for e in achieved.context["page"]] == [followed["achieved"].pk]
    none = client.get("/fi/admin/workspace/follow-up/", {"status": "none"})
    assert {e.pk for e in none.context["page"]} == {followed["overdue"].pk, followed["fresh"].pk}


def test_a_report_since_a_month_before_the_due_date_is_not_overdue(client, coordinator, followed):
    report_on(followed["overdue"], "not_started")
    client.force_login(coordinator)
    page = client.get("/fi/admin/workspace/follow-up/")
    assert page.context["overdue_count"] == 0


def test_the_follow_up_exports_as_csv_and_xlsx(client, coordinator, followed):
    import csv
    import io

    from openpyxl import load_workbook

    client.force_login(coordinator)
    response = client.get("/fi/admin/workspace/follow-up/", {"export": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    assert "Tavoitettuja ihmisiä (ihmistä)" in header or any("Tavoitettuja" in h for h in header)
    by_reference = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    achieved = by_reference[followed["achieved"].reference]
    people = next(h for h in header if h.startswith("Tavoitettuja"))
    assert achieved[people] == "50"
    assert by_reference[followed["overdue"].reference]["myöhässä"] == "kyllä"

    response = client.get("/fi/admin/workspace/follow-up/", {"export": "xlsx", "status": "none"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 3  # the header and the two entries without reports


def test_staff_send_a_reminder_by_hand_and_it_is_audited(client, coordinator, followed):
    client.force_login(coordinator)
    overdue = followed["overdue"]
    response = client.post(
        f"/fi/admin/workspace/follow-up/{overdue.pk}/remind/", {"query": "overdue=on&evil=1"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/fi/admin/workspace/follow-up/?overdue=on"
    run_jobs()
    assert len(mail.outbox) == 1
    assert ReminderSent.objects.get(entry=overdue).by_hand
    assert AuditEvent.objects.filter(entry=overdue, action=AuditAction.REMINDED).exists()

    services.stop_reminders(overdue)
    response = client.post(f"/fi/admin/workspace/follow-up/{overdue.pk}/remind/", follow=True)
    assert "Muistutusta ei lähetetty" in response.content.decode()
    run_jobs()
    assert len(mail.outbox) == 1


def test_the_follow_up_page_is_for_coordinators(client, reviewer, followed):
    client.force_login(reviewer)
    assert client.get("/fi/admin/workspace/follow-up/").status_code == 403
    entry = followed["overdue"]
    assert client.post(f"/fi/admin/workspace/follow-up/{entry.pk}/remind/").status_code == 403
    assert not ReminderSent.objects.exists()


def test_the_follow_up_page_takes_a_fixed_number_of_queries(
    client, coordinator, campaign, followed, django_assert_max_num_queries
):
    client.force_login(coordinator)
    with django_assert_max_num_queries(20) as few:
        client.get("/fi/admin/workspace/follow-up/")
    for n in range(6):
        entry = published_entry(campaign, coordinator, title=f"Lisää {n}")
        report_on(entry, "achieved", figures={"events-held": n}, approve_by=coordinator)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/fi/admin/workspace/follow-up/")
