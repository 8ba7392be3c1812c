"""Readiness (/readyz, kotolupaus/health.py) beside liveness (/healthz): the database,
Redis when configured, the migrations and the job queue, each named in the answer."""

import pytest
from django.db import OperationalError, connection

from kotolupaus import health

pytestmark = pytest.mark.django_db


def worker_reported(seconds_ago=0):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO procrastinate_workers (last_heartbeat) "
            "VALUES (now() - make_interval(secs => %s))",
            [seconds_ago],
        )


def test_ready_when_everything_holds(client):
    worker_reported()

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {
        "status": "ready",
        "checks": {
            "database": "ok",
            "redis": "not configured",
            "migrations": "ok",
            "jobs": "ok",
        },
    }


def test_not_ready_without_a_live_job_worker(client, settings):
    settings.JOBS_STALLED_AFTER_SECONDS = 60
    worker_reported(seconds_ago=120)  # killed two minutes ago

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["jobs"] == "no worker reported in 60 s"


def test_not_ready_while_a_due_job_waits_too_long(client, settings):
    from kotolupaus.tasks import send_message

    settings.READY_JOB_WAIT_SECONDS = 300
    worker_reported()
    send_message.defer(message_id=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE procrastinate_events SET at = now() - interval '400 seconds' "
            "WHERE type = 'deferred'"
        )

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["jobs"] == "a due job has waited 400 s"


def test_a_job_scheduled_for_later_is_not_waiting(client, settings):
    from datetime import timedelta

    from django.utils import timezone

    from kotolupaus.tasks import send_message

    worker_reported()
    send_message.configure(schedule_at=timezone.now() + timedelta(hours=1)).defer(message_id=0)

    assert client.get("/readyz").status_code == 200


def test_not_ready_while_redis_cannot_be_reached(client, settings):
    from ops.redis_server import free_port

    worker_reported()
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    settings.REDIS_URL = url
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "kotolupaus.cache.ResilientRedisCache",
            "LOCATION": url,
            "OPTIONS": {"RETRY_SECONDS": 0},
        },
    }

    ready = client.get("/readyz")
    alive = client.get("/healthz")

    assert ready.status_code == 503
    assert ready.json()["checks"]["redis"] == "unavailable (ConnectionError)"
    assert alive.status_code == 200  # pages still work: the load balancer keeps it


def test_not_ready_while_the_database_is_down(client, monkeypatch):
    def down():
        raise OperationalError("connection refused")

    monkeypatch.setattr(health, "check_database", down)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "not ready",
        "checks": {
            "database": "unavailable (OperationalError)",
            "redis": "not configured",
            "migrations": "not checked",
            "jobs": "not checked",
        },
    }


def test_not_ready_until_the_migrations_are_applied(client, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    worker_reported()
    monkeypatch.setattr(health, "_migrated", False)
    monkeypatch.setattr(
        MigrationExecutor, "migration_plan", lambda self, targets: [("publishing", "9999_new")]
    )

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "1 not applied"


def test_readiness_is_exempt_from_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    worker_reported()

    assert client.get("/readyz").status_code == 200
