"""Production settings: unsafe or missing values stop the process with a clear message."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "KOTOLUPAUS_ENV": "production",
    "SECRET_KEY": "k7#Qm2!vR9zL$w4pX8^nB1@tY6&cF3*hJ5(dS0)gA-eU+iO=rV_lK",
    "ALLOWED_HOSTS": "kotolupaus.example.fi",
    "SITE_URL": "https://kotolupaus.example.fi",
    "DATABASE_URL": "postgres://kotolupaus@db.example.fi:5432/kotolupaus",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.fi:587",
}


def run_manage(*args, **overrides):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in PRODUCTION and not key.startswith("DJANGO_")
    }
    environment.update(PRODUCTION)
    environment.update(overrides)
    environment = {key: value for key, value in environment.items() if value is not None}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_check_deploy_reports_no_warnings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS"),
        ({"DATABASE_URL": None}, "DATABASE_URL"),
        ({"DATABASE_URL": "sqlite:///db.sqlite3"}, "PostgreSQL only"),
        ({"EMAIL_URL": None}, "EMAIL_URL"),
        ({"SITE_URL": "http://kotolupaus.example.fi"}, "SITE_URL"),
        ({"DEBUG": "true"}, "DEBUG"),
        ({"KOTOLUPAUS_ENV": "staging"}, "KOTOLUPAUS_ENV"),
        ({"PAGE_CACHE_SECONDS": "-1"}, "PAGE_CACHE_SECONDS"),
        ({"TRUSTED_PROXY_COUNT": "-1"}, "TRUSTED_PROXY_COUNT"),
        ({"METRICS_TOKEN": "short"}, "METRICS_TOKEN"),
        ({"METRICS_ALLOWED_NETWORKS": "10.0.0.0/8,intranet"}, "METRICS_ALLOWED_NETWORKS"),
    ],
)
def test_production_settings_refuse_missing_or_unsafe_values(override, message):
    result = run_manage("check", **override)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_is_the_default_environment():
    result = run_manage("check", KOTOLUPAUS_ENV=None, SECRET_KEY=None)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    ("redis_url", "counters", "copies"),
    [
        (
            None,
            "kotolupaus.cache.PostgresCache",
            "django.core.cache.backends.locmem.LocMemCache",
        ),
        (
            "redis://127.0.0.1:6379/0",
            "kotolupaus.cache.PostgresCache",
            "kotolupaus.cache.ResilientRedisCache",
        ),
    ],
)
def test_production_counts_rate_limits_in_postgresql_and_keeps_copies_in_redis(
    redis_url, counters, copies
):
    """The counters every process shares and nobody may evict live in PostgreSQL, with
    Redis or without; Redis keeps only copies that can be made again."""
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.CACHES[s.RATELIMIT_USE_CACHE]['BACKEND'], s.CACHES['default']['BACKEND'])",
        REDIS_URL=redis_url,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == f"{counters} {copies}"
