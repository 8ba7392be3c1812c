"""Operations and personal data duties: the 503 page, the health check, structured logs,
export and erasure of a contact person's data, and the retention purge."""

import json
import logging
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from publishing import personal_data
from publishing import services as publishing
from publishing.cooperation.requests import relay_join_request
from publishing.models import JoinRequest
from publishing.queries import published as published_entries
from review.models import AuditAction, AuditEvent
from submissions.models import Campaign, Entry, EntryStatus, Partnership

from .conftest import make_campaign, make_entry, make_staff

pytestmark = pytest.mark.django_db

EMAIL = "maija@example.fi"


def test_database_outage_gives_a_translated_503_page_not_a_trace(monkeypatch, campaign):
    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(Campaign.objects, "current", down)
    client = Client(raise_request_exception=False)

    finnish = client.get("/fi/")
    swedish = client.get("/sv/")

    assert finnish.status_code == 503
    assert finnish["Retry-After"] == "30"
    assert "Palvelu on hetken poissa käytöstä" in finnish.content.decode()
    assert "Tjänsten är tillfälligt otillgänglig" in swedish.content.decode()
    assert "Traceback" not in finnish.content.decode()


def test_other_errors_still_give_the_500_page(monkeypatch, campaign):
    def broken(*args, **kwargs):
        raise ValueError("bug")

    monkeypatch.setattr(Campaign.objects, "current", broken)

    response = Client(raise_request_exception=False).get("/en/")

    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_health_check_answers_for_the_load_balancer(client, monkeypatch):
    assert client.get("/healthz").json() == {"status": "ok"}

    from django.db import connection

    def down():
        raise OperationalError("down")

    monkeypatch.setattr(connection, "cursor", down)
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


def test_json_logs_are_one_object_per_line():
    from kotolupaus.logs import JSONFormatter

    record = logging.makeLogRecord(
        {
            "name": "submissions",
            "levelname": "INFO",
            "msg": "entry submitted: %s",
            "args": ("KL-2026-0001",),
            "reference": "KL-2026-0001",
        }
    )

    line = JSONFormatter().format(record)

    data = json.loads(line)
    assert data["message"] == "entry submitted: KL-2026-0001"
    assert data["level"] == "INFO" and data["logger"] == "submissions"
    assert data["reference"] == "KL-2026-0001"
    assert "\n" not in line


@pytest.fixture
def person(campaign):
    staff = make_staff("coordinator-alice", "coordinator")
    published = make_entry(campaign, "Julkaistu", consent_publish=True)
    private = make_entry(campaign, "Ei julkaistava", consent_publish=False)
    other = make_entry(campaign, "Muu", contact_email="someone@else.fi")
    partner_of = make_entry(
        campaign,
        "Kumppanina",
        contact_email="x@y.fi",
        partners=[("Maijan yhdistys", EMAIL.upper())],
    )
    initiative = make_entry(campaign, "Aloite", kind="initiative", partners_sought="Kaikki.")
    for entry in (published, initiative):
        publishing.approve(entry, staff)
    relay_join_request(
        initiative,
        organisation="Maijan yhdistys",
        name="Maija",
        email=EMAIL,
        message="Haluamme mukaan.",
    )
    return {
        "staff": staff,
        "published": published,
        "private": private,
        "other": other,
        "partner_of": partner_of,
    }


def test_coordinator_exports_everything_stored_about_a_person(client, person):
    client.force_login(person["staff"])

    response = client.post("/en/admin/personal-data/", {"email": EMAIL, "action": "export"})

    data = json.loads(response.content)
    assert response["Content-Disposition"] == 'attachment; filename="personal-data.json"'
    assert {e["reference"] for e in data["entries"]} >= {
        person["published"].reference,
        person["private"].reference,
    }
    assert person["other"].reference not in {e["reference"] for e in data["entries"]}
    assert data["partner_invitations"][0]["entry"] == person["partner_of"].reference
    assert data["messages_to_initiatives"][0]["message"] == "Haluamme mukaan."
    assert data["entries"][0]["consent_wording"] or data["entries"][1]["consent_wording"]
    assert AuditEvent.objects.filter(action=AuditAction.PERSONAL_DATA_EXPORTED).exists()


def test_erasure_keeps_consented_entries_published_and_withdraws_the_others(client, person):
    client.force_login(person["staff"])

    refused = client.post("/en/admin/personal-data/", {"email": EMAIL, "action": "erase"})
    client.post("/en/admin/personal-data/", {"email": EMAIL, "action": "erase", "confirm": "on"})

    assert "Tick the box to confirm the erasure." in refused.content.decode()
    published = Entry.objects.get(pk=person["published"].pk)
    private = Entry.objects.get(pk=person["private"].pk)
    assert (published.contact_email, published.contact_phone) == ("", "")
    assert published.status == EntryStatus.SUBMITTED
    assert published_entries().filter(pk=published.pk).exists()
    assert private.status == EntryStatus.WITHDRAWN
    assert Entry.objects.get(pk=person["other"].pk).contact_email == "someone@else.fi"
    assert not Partnership.objects.filter(invited_email__iexact=EMAIL).exists()
    assert not JoinRequest.objects.filter(email=EMAIL).exists()
    event = AuditEvent.objects.get(action=AuditAction.PERSONAL_DATA_ERASED)
    assert event.details["erased"]["entries"] >= 2
    assert personal_data.export(EMAIL, person["staff"])["entries"] == []


def test_personal_data_tools_are_for_coordinators_only(client, person):
    reviewer = make_staff("reviewer-bob", "reviewer")

    anonymous = client.get("/en/admin/personal-data/")
    client.force_login(reviewer)
    as_reviewer = client.post("/en/admin/personal-data/", {"email": EMAIL, "action": "export"})

    assert anonymous.status_code == 302
    assert as_reviewer.status_code == 403


def test_retention_purges_closed_campaigns_except_those_who_may_be_contacted(db):
    now = timezone.now()
    old = make_campaign(
        "old", opens_at=now - timedelta(days=900), closes_at=now - timedelta(days=800)
    )
    recent = make_campaign(
        "recent", opens_at=now - timedelta(days=100), closes_at=now - timedelta(days=50)
    )
    Campaign.objects.filter(pk=old.pk).update(opens_at=now - timedelta(days=900))
    gone = _entry_in(old, "Vanha", consent_contact=False)
    kept = _entry_in(old, "Saa ottaa yhteyttä", consent_contact=True)
    young = _entry_in(recent, "Tuore", consent_contact=False)

    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("purge_contact_data", "--days", "730", stdout=out)

    assert Entry.objects.get(pk=gone.pk).contact_email == ""
    assert Entry.objects.get(pk=kept.pk).contact_email == EMAIL
    assert Entry.objects.get(pk=young.pk).contact_email == EMAIL
    assert "old: contact data of 1 entries erased" in out.getvalue()
    assert AuditEvent.objects.filter(action=AuditAction.RETENTION_PURGED, campaign=old).exists()


def _entry_in(campaign, title, **extra):
    """An entry of a campaign that is closed by now (made while it was open)."""
    import time_machine

    with time_machine.travel(campaign.opens_at + timedelta(days=1), tick=False):
        return make_entry(campaign, title, **extra)


def test_health_check_is_exempt_from_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    probe = client.get("/healthz")
    page = client.get("/fi/")

    assert probe.status_code == 200
    assert page.status_code == 301
