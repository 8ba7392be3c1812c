"""Staff accounts: two-factor login, lockout after guessing, session expiry."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from .conftest import make_staff
from .test_settings import run_manage

pytestmark = pytest.mark.django_db

PASSWORD = "staff password 123"


@pytest.fixture
def two_factor(settings):
    """The admin as production runs it (STAFF_2FA): password and one-time code."""
    settings.STAFF_2FA = True


def test_production_requires_two_factor_login_for_staff():
    result = run_manage(
        "shell", "-c", "from django.conf import settings; print(settings.STAFF_2FA)"
    )

    assert result.stdout.strip().splitlines()[-1] == "True", result.stderr


def test_staff_without_a_one_time_code_cannot_enter_the_admin(client, two_factor):
    user = make_staff("coordinator-alice", "coordinator")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

    without = client.post("/en/admin/login/", {"username": user.username, "password": PASSWORD})
    wrong = client.post(
        "/en/admin/login/",
        {"username": user.username, "password": PASSWORD, "otp_token": "000000"},
    )

    assert without.status_code == 200 and wrong.status_code == 200
    assert client.get("/en/admin/").status_code == 302
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code makes the next try wait a moment
    token = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    right = client.post(
        "/en/admin/login/",
        {"username": user.username, "password": PASSWORD, "otp_token": f"{token:06d}"},
    )
    assert right.status_code == 302
    assert client.get("/en/admin/").status_code == 200


def test_create_staff_user_sets_up_an_authenticator(settings):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command(
        "create_staff_user",
        "new-coordinator",
        "--role",
        "coordinator",
        "--no-input",
        "--totp",
        stdout=out,
    )

    assert "otpauth://totp/" in out.getvalue()
    assert TOTPDevice.objects.filter(user__username="new-coordinator", confirmed=True).exists()


def test_repeated_failed_logins_lock_the_login(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = make_staff("reviewer-bob", "reviewer")

    for _ in range(3):
        client.post("/en/admin/login/", {"username": user.username, "password": "guess"})
    locked = client.post("/en/admin/login/", {"username": user.username, "password": PASSWORD})

    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert client.get("/en/admin/").status_code == 302


def test_staff_sessions_expire(settings):
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
