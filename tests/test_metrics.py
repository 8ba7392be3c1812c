"""Metrics in the Prometheus format (kotolupaus/metrics.py): only for the monitoring
system (a token, or a direct connection from a configured network), never through the
public address; requests by URL name and status, the page cache, rate-limit refusals,
lockouts, and from the database the job queue, messages and public files."""

from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from kotolupaus.models import Message, MessageStatus
from publishing.models import PublicFile

from .conftest import make_entry

pytestmark = pytest.mark.django_db

TOKEN = "m" * 16 + "0123456789abcdefghij"  # 36 characters
VISITOR = "203.0.113.50"


@pytest.fixture
def monitoring(settings):
    """As production with a token and the monitoring network 10.1.0.0/24."""
    import ipaddress

    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("10.1.0.0/24")]
    settings.TRUSTED_PROXY_COUNT = 1


def scrape(client, **extra):
    return client.get("/metrics", headers={"authorization": f"Bearer {TOKEN}"}, **extra)


def samples(response) -> dict:
    """{(name, sorted labels): value} of a /metrics page."""
    found = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


# --- Who may read them --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "remote", "forwarded"),
    [
        ({}, VISITOR, None),  # a visitor straight to the app
        ({}, "127.0.0.1", VISITOR),  # a visitor through nginx on the same machine
        ({}, "10.1.0.9", VISITOR),  # through a proxy inside the monitoring network
        ({"authorization": "Bearer wrong-token-wrong-token-wrong-token"}, VISITOR, None),
        ({"authorization": f"Basic {TOKEN}"}, VISITOR, None),
        ({"authorization": f"Bearer {TOKEN[:-1]}"}, VISITOR, None),
    ],
)
def test_metrics_are_not_reachable_from_the_public_address(
    client, monitoring, headers, remote, forwarded
):
    extra = {"REMOTE_ADDR": remote}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    unknown = client.get("/no-such-page", headers=headers, **extra)

    response = client.get("/metrics", headers=headers, **extra)

    assert response.status_code == unknown.status_code  # what any unknown address gets
    assert response.status_code in (302, 404)
    assert b"kotolupaus_" not in response.content


@pytest.mark.parametrize(
    ("headers", "remote"),
    [
        ({"authorization": f"Bearer {TOKEN}"}, VISITOR),  # the token, from anywhere
        ({}, "10.1.0.9"),  # Prometheus inside the monitoring network, no proxy between
    ],
)
def test_metrics_answer_the_monitoring_system(client, monitoring, headers, remote):
    response = client.get("/metrics", headers=headers, REMOTE_ADDR=remote)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert response["Cache-Control"] == "no-store"
    assert ("kotolupaus_database_up", ()) in samples(response)


def test_production_shows_metrics_to_nobody_until_configured(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = []

    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code != 200


def test_metrics_are_served_by_address_over_plain_http(client, monitoring, settings):
    """Prometheus scrapes each app server by its private address: no host check, no
    HTTPS redirect in the way."""
    settings.SECURE_SSL_REDIRECT = True

    response = scrape(client, HTTP_HOST="10.0.0.5:8000")

    assert response.status_code == 200


# --- What they count ------------------------------------------------------------------------


def value(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0


def test_requests_are_counted_by_url_name_and_status(client, monitoring, campaign):
    catalogue = {"view": "publishing:catalogue", "method": "GET", "status": "200"}
    missing = {"view": "publishing:entry_detail", "method": "GET", "status": "404"}
    before = (
        value("kotolupaus_http_request_duration_seconds_count", **catalogue),
        value("kotolupaus_http_request_duration_seconds_count", **missing),
    )

    client.get("/fi/entries/")
    client.get("/sv/entries/")
    client.get("/fi/entries/999999/")
    page = samples(scrape(client))

    after = (
        page[
            (
                "kotolupaus_http_request_duration_seconds_count",
                tuple(sorted(catalogue.items())),
            )
        ],
        page[("kotolupaus_http_request_duration_seconds_count", tuple(sorted(missing.items())))],
    )
    assert (after[0] - before[0], after[1] - before[1]) == (2, 1)


def test_page_cache_hits_and_misses_are_counted(client, campaign, settings):
    settings.PAGE_CACHE_SECONDS = 300
    labels = {"view": "publishing:statistics"}
    before = [
        value("kotolupaus_page_cache_requests_total", **labels, result=r) for r in ("hit", "miss")
    ]

    for _n in range(3):
        client.get("/en/statistics/")

    after = [
        value("kotolupaus_page_cache_requests_total", **labels, result=r) for r in ("hit", "miss")
    ]
    assert [a - b for a, b in zip(after, before, strict=True)] == [2, 1]


def test_rate_limit_refusals_are_counted(client):
    labels = {"view": "submissions:lost_link"}
    before = value("kotolupaus_rate_limit_refusals_total", **labels)

    for _n in range(12):
        client.post("/en/manage/lost-link/", {"email": "a@example.fi"}, REMOTE_ADDR="192.0.2.4")

    assert value("kotolupaus_rate_limit_refusals_total", **labels) - before == 2


def test_lockouts_are_counted(client, settings, django_user_model):
    settings.AXES_FAILURE_LIMIT = 2
    django_user_model.objects.create_user(
        "reviewer-erin", password="staff password 123", is_staff=True
    )
    before = value("kotolupaus_login_lockouts_total")

    for _n in range(2):  # the second failure locks the login
        client.post(
            "/en/admin/login/",
            {"username": "reviewer-erin", "password": "wrong", "otp_token": "000000"},
            REMOTE_ADDR="192.0.2.8",
        )

    assert value("kotolupaus_login_lockouts_total") - before == 1


# --- Read from the database ------------------------------------------------------------------


def test_queue_messages_and_public_files_come_from_the_database(
    client, monitoring, campaign, coordinator
):
    from django.db import connection

    from kotolupaus.tasks import send_message

    entry = make_entry(campaign, "Kielikahvila")
    for n, status in enumerate(
        (MessageStatus.FAILED, MessageStatus.FAILED, MessageStatus.CANCELLED)
    ):
        Message.objects.create(
            kind="confirm_address", recipient="a@example.fi", language="fi", entry_id=entry.pk,
            subject="Vahvista", body="", status=status, message_id=f"<{n}@metrics.test>",
        )  # fmt: skip
    send_message.defer(message_id=0)  # due now, no worker runs in tests
    with connection.cursor() as cursor:  # as if deferred ten minutes ago
        cursor.execute(
            "UPDATE procrastinate_events SET at = now() - interval '600 seconds' "
            "WHERE type = 'deferred'"
        )
    built = timezone.now() - timedelta(hours=2)
    PublicFile.objects.create(
        key="open-data/fi/entries.json", name="x.json", size=1, etag="e",
        generated_at=built, as_of=built,
    )  # fmt: skip

    page = samples(scrape(client))

    assert page[("kotolupaus_messages", (("status", "failed"),))] == 2
    assert page[("kotolupaus_messages", (("status", "cancelled"),))] == 1
    assert page[("kotolupaus_messages", (("status", "sent"),))] == 1  # make_entry confirmed it
    assert page[("kotolupaus_job_queue_depth", (("queue", "mail"), ("state", "due")))] == 1
    assert page[("kotolupaus_job_queue_depth", (("queue", "files"), ("state", "running")))] == 0
    assert 600 <= page[("kotolupaus_job_queue_oldest_due_seconds", (("queue", "mail"),))] < 900
    assert page[("kotolupaus_job_workers", ())] == 0
    age = page[("kotolupaus_public_file_age_seconds", (("file", "open-data/fi/entries.json"),))]
    assert 7100 <= age < 7800  # the database clock of the test transaction, begun earlier
    assert page[("kotolupaus_database_up", ())] == 1
