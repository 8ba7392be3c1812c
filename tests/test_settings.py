"""Production settings: unsafe or missing values stop the process with a clear message."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "KOTOLUPAUS_ENV": "production",
    # A new random key each run: production refuses any key written in the repository.
    "SECRET_KEY": secrets.token_urlsafe(50),
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


# A key that was committed here once (random-looking, 53 characters): anyone can read it.
COMMITTED_KEY = "k7#Qm2!vR9zL$w4pX8^nB1@tY6&cF3*hJ5(dS0)gA-eU+iO=rV_lK"


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (COMMITTED_KEY, "appears in the source code or its documentation"),
        (
            "kotolupaus-production-secret-key-ministry-of-employment-2026",
            "is too easy to guess: about",
        ),
        (
            "Kotolupaus2026!TyoJaElinkeinoministerio#Tuotanto_SalainenAvain",
            "is too easy to guess: about",
        ),
        ("correct horse battery staple, correct horse battery staple!", "is too easy"),
    ],
)
def test_production_refuses_a_published_key_and_a_guessable_phrase(key, message):
    result = run_manage("check", SECRET_KEY=key)

    assert result.returncode != 0
    assert "SECRET_KEY: " + message in result.stderr


def test_every_key_like_string_in_the_repository_is_known_as_published():
    from kotolupaus.published_keys import HASHES
    from kotolupaus.secret_key import repository_hashes

    missing = repository_hashes(ROOT) - HASHES
    assert not missing, (
        f"{len(missing)} new random-looking strings in tracked files: "
        "run `python -m kotolupaus.secret_key` and commit kotolupaus/published_keys.py"
    )


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
