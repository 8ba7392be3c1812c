"""Backup codes for staff who lost their phone (django-otp's static device): made on the
staff member's own page and shown only then, each good for one login, audited, and a
wrong one counted like a wrong one-time code."""

import pytest
from django_otp.plugins.otp_static.models import StaticDevice

from review.models import AuditAction, AuditEvent

from .conftest import CommittingClient, make_staff
from .test_staff_security import PASSWORD, code_for, device_for, login, two_factor  # noqa: F401

pytestmark = pytest.mark.django_db

PAGE = "/en/admin/workspace/staff/backup-codes/"


def codes_on(page):
    import re

    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)


@pytest.fixture
def bob(two_factor):  # noqa: F811
    return make_staff("reviewer-bob", "reviewer")


def new_codes(user, device):
    client = CommittingClient(REMOTE_ADDR="10.0.0.1")
    assert login(client, user.username, code=code_for(device)).status_code == 302
    response = client.post(PAGE)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    return client, codes_on(response.content.decode())


def test_new_codes_are_shown_once_and_replace_the_earlier_ones(bob):
    device = device_for(bob)
    client, first = new_codes(bob, device)

    again = client.get(PAGE).content.decode()
    second = codes_on(client.post(PAGE).content.decode())

    assert len(first) == 10 and len(set(first)) == 10
    assert codes_on(again) == []
    assert "You have 10 unused backup codes." in again
    assert set(first).isdisjoint(second)
    assert StaticDevice.objects.filter(user=bob).count() == 1
    kinds = list(
        AuditEvent.objects.filter(
            user=bob, action__in=[AuditAction.DEVICE_ADDED, AuditAction.DEVICE_REMOVED]
        )
        .order_by("pk")
        .values_list("action", "details__kind")
    )
    assert kinds == [
        (AuditAction.DEVICE_ADDED, "totpdevice"),
        (AuditAction.DEVICE_ADDED, "staticdevice"),
        (AuditAction.DEVICE_REMOVED, "staticdevice"),
        (AuditAction.DEVICE_ADDED, "staticdevice"),
    ]


def test_a_backup_code_logs_in_once_and_the_login_says_so(bob):
    _client, codes = new_codes(bob, device_for(bob))

    first = login(CommittingClient(), bob.username, code=codes[0].upper(), address="10.0.0.2")
    again = login(CommittingClient(), bob.username, code=codes[0], address="10.0.0.3")

    assert first.status_code == 302
    assert again.status_code == 200
    assert "The login was not accepted." in again.content.decode()
    used = AuditEvent.objects.filter(user=bob, action=AuditAction.LOGIN).latest("pk")
    assert used.details == {"backup_code": True, "backup_codes_left": 9}
    failed = AuditEvent.objects.filter(user=bob, action=AuditAction.LOGIN_FAILED).get()
    assert failed.details["reason"] == "code"


def test_wrong_backup_codes_count_toward_the_lock_like_wrong_one_time_codes(bob, settings):
    settings.AXES_FAILURE_LIMIT = 3
    _client, codes = new_codes(bob, device_for(bob))
    client = CommittingClient()

    for guess in ("aaaaaaaa", "bbbbbbbb", "cccccccc"):
        last = login(client, bob.username, code=guess, address="10.0.2.1")
    right = login(client, bob.username, code=codes[1], address="10.0.2.1")

    assert last.status_code == 429
    assert right.status_code == 429


def test_the_page_is_for_staff_who_logged_in_with_their_second_factor(client, bob):
    client.force_login(bob)  # no second factor

    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith("/en/admin/login/")
    assert not StaticDevice.objects.filter(user=bob).exists()
