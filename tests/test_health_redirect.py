"""The load balancer's plain-http health probe is answered, not redirected to https."""

import pytest

pytestmark = pytest.mark.django_db


def test_health_check_is_exempt_from_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    probe = client.get("/healthz")
    page = client.get("/fi/")

    assert probe.status_code == 200
    assert page.status_code == 301
