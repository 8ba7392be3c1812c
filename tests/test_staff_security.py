"""Staff access that reveals nothing and shows each person only what their role needs:
one answer for any failed login, lockouts that count wrong codes, production refusing
weak settings, contact data for coordinators only, security events in the audit trail,
idle sessions ending and "end all sessions"."""

import io
import json
import re
import zipfile
from datetime import datetime, timedelta
from urllib.parse import quote, unquote

import pytest
import time_machine
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from openpyxl import load_workbook

from kotolupaus import secret_key
from publishing import personal_data
from publishing.models import JoinRequest
from review import security
from review import urls as review_urls
from review.models import SECURITY_ACTIONS, AuditAction, AuditEvent, AwardCategory, StaffSession
from submissions.access import can_view_contact_data
from submissions.models import Draft, EntryKind

from .conftest import CommittingClient, make_entry, make_staff
from .test_settings import run_manage

pytestmark = pytest.mark.django_db

PASSWORD = "staff password 123"
LOGIN = "/{}/admin/login/"
CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+(")')

# Contact data that must never reach a reviewer (unique, so a hit is a real leak).
CONTACT_NAME = "Zyxwvu Yhteyshenkilö"
CONTACT_EMAIL = "zyxwvu.contact@example.fi"
CONTACT_PHONE = "+358 40 765 4321"
PARTNER_EMAIL = "zyxwvu.partner@example.fi"
JOIN_EMAIL = "zyxwvu.joiner@example.fi"
SECRETS = (CONTACT_NAME, CONTACT_EMAIL, CONTACT_PHONE, PARTNER_EMAIL, JOIN_EMAIL)


@pytest.fixture
def two_factor(settings):
    """Staff log in with a password and a one-time code, as in production."""
    settings.STAFF_2FA = True


def device_for(user):
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def code_for(device):
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code makes the next try wait a moment
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def wrong_code_for(device):
    """A code that no time step near now accepts."""
    device.refresh_from_db()
    valid = {
        f"{totp(device.bin_key, device.step, device.t0, device.digits, drift):06d}"
        for drift in (-2, -1, 0, 1, 2)
    }
    return next(code for code in ("000000", "111111", "222222") if code not in valid)


def login(client, username, password=PASSWORD, code="", language="en", address="10.0.0.1"):
    return client.post(
        LOGIN.format(language),
        {"username": username, "password": password, "otp_token": code},
        REMOTE_ADDR=address,
    )


def masked(response):
    """The page with the form's CSRF token masked: a new random mask on every page."""
    return CSRF_VALUE.sub(r"\1…\2", response.content.decode())


def logged_in_client(user, device, address="10.0.0.1"):
    client = CommittingClient(REMOTE_ADDR=address)
    response = login(client, user.username, code=code_for(device), address=address)
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


# --- 1. One answer for any failed login ---------------------------------------------------


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("fi", "Kirjautuminen ei onnistunut."),
        ("sv", "Inloggningen godtogs inte."),
        ("en", "The login was not accepted."),
    ],
)
def test_every_failed_login_gets_the_same_answer_in_the_page_language(
    client, two_factor, language, message
):
    alice = make_staff("coordinator-alice", "coordinator")
    device = device_for(alice)
    outsider = get_user_model().objects.create_user("outsider-charlie", password=PASSWORD)
    make_staff("inactive-erkki", "reviewer")
    get_user_model().objects.filter(username="inactive-erkki").update(is_active=False)
    wrong = wrong_code_for(device)

    answers = {
        "wrong password": login(client, alice.username, "wrong!", wrong, language, "10.0.0.1"),
        "wrong code": login(client, alice.username, PASSWORD, wrong, language, "10.0.0.2"),
        "no such user": login(client, "nobody-at-all", PASSWORD, wrong, language, "10.0.0.3"),
        "not staff": login(client, outsider.username, PASSWORD, wrong, language, "10.0.0.4"),
        "inactive": login(client, "inactive-erkki", PASSWORD, wrong, language, "10.0.0.5"),
    }

    pages = {why: masked(r) for why, r in answers.items()}
    assert {r.status_code for r in answers.values()} == {200}
    assert message in pages["wrong code"]
    # Byte for byte the same (but for the user name typed and the CSRF token's mask).
    same_user = [pages["wrong password"], pages["wrong code"]]
    assert same_user[0] == same_user[1]
    assert {
        page.replace(name, "…")
        for page, name in [
            (pages["wrong password"], alice.username),
            (pages["no such user"], "nobody-at-all"),
            (pages["not staff"], outsider.username),
            (pages["inactive"], "inactive-erkki"),
        ]
    } == {pages["wrong code"].replace(alice.username, "…")}
    for leak in ("select a device", "OTP token", "Invalid token", "inactive", "staff account"):
        assert leak not in pages["wrong code"]
    assert client.get("/en/admin/").status_code == 302


def test_the_code_is_never_shown_back_and_a_malformed_code_is_said_beside_the_field(
    client, two_factor
):
    alice = make_staff("coordinator-alice", "coordinator")
    code = wrong_code_for(device_for(alice))

    wrong = login(client, alice.username, code=code).content.decode()
    letters = login(client, alice.username, code="abc").content.decode()
    missing = login(client, alice.username, code="").content.decode()

    assert code not in wrong
    assert "Enter the six digits your authenticator app shows." in letters
    assert "This field is required." in missing
    # Neither checked the password: no failed login was counted or recorded.
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 1


def test_password_and_code_together_let_staff_in(client, two_factor):
    alice = make_staff("coordinator-alice", "coordinator")
    device = device_for(alice)

    response = login(client, alice.username, code=code_for(device))

    assert response.status_code == 302
    assert client.get("/en/admin/").status_code == 200


def test_without_a_code_a_session_opens_neither_the_admin_nor_the_workspace(
    client, two_factor, campaign
):
    alice = make_staff("coordinator-alice", "coordinator", "reviewer")
    client.force_login(alice)  # a session without the second factor

    for url in ("/en/admin/", "/en/admin/workspace/queue/", "/en/admin/personal-data/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/en/admin/login/")


def test_wrong_codes_and_wrong_passwords_count_toward_one_lock_per_address(
    client, two_factor, settings
):
    settings.AXES_FAILURE_LIMIT = 4
    bob = make_staff("reviewer-bob", "reviewer")
    device = device_for(bob)
    when = timezone.make_aware(datetime(2026, 11, 28, 14, 5))

    with time_machine.travel(when, tick=False):
        # Four failures from one address: two wrong passwords, two wrong codes.
        login(client, bob.username, "guess 1", wrong_code_for(device), address="10.0.1.1")
        login(client, bob.username, PASSWORD, wrong_code_for(device), address="10.0.1.1")
        login(client, bob.username, "guess 2", wrong_code_for(device), address="10.0.1.1")
        fourth = login(client, bob.username, PASSWORD, wrong_code_for(device), address="10.0.1.1")
        # Then everything right, from the same address.
        right_here = login(client, bob.username, PASSWORD, code_for(device), address="10.0.1.1")
    with time_machine.travel(when + timedelta(minutes=2), tick=False):
        # … and from another address (the user name's slow-down, 1 s, has passed).
        elsewhere = login(client, bob.username, PASSWORD, code_for(device), address="10.0.1.2")

    assert fourth.status_code == 429
    assert right_here.status_code == 429
    assert "Too many failed logins" in right_here.content.decode()
    assert elsewhere.status_code == 302


def test_failures_from_one_address_never_lock_another_user_name(client, two_factor, settings):
    settings.AXES_FAILURE_LIMIT = 3
    bob = make_staff("reviewer-bob", "reviewer")
    dora = make_staff("reviewer-dora", "reviewer")
    dora_device = device_for(dora)
    device_for(bob)

    for name in ("reviewer-bob", "reviewer-bob", "reviewer-bob", "someone", "someone-else"):
        login(client, name, "guess", "123456", address="10.0.2.1")
    bob_here = login(client, bob.username, PASSWORD, "123456", address="10.0.2.1")
    dora_here = login(client, dora.username, PASSWORD, code_for(dora_device), address="10.0.2.1")

    assert bob_here.status_code == 429
    assert dora_here.status_code == 302


def test_the_lockout_page_says_when_to_try_again(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = 1.0
    bob = make_staff("reviewer-bob", "reviewer")
    when = timezone.make_aware(datetime(2026, 11, 28, 14, 5))

    with time_machine.travel(when, tick=False):
        for _ in range(2):
            login(client, bob.username, "guess", language="fi")
    with time_machine.travel(when + timedelta(minutes=20), tick=False):
        finnish = login(client, bob.username, PASSWORD, language="fi")
        english = login(client, bob.username, PASSWORD, language="en")

    assert finnish.status_code == english.status_code == 429
    assert "Yritä uudelleen 28.11.2026 klo 15.05 jälkeen (Suomen aikaa)." in (
        finnish.content.decode()
    )
    assert "Try again after 28 November 2026, 15:05 (Finnish time)." in english.content.decode()
    assert "you can log in from another network" in english.content.decode()
    assert english["Retry-After"] == "2400"


def test_tries_during_a_lock_neither_count_nor_restart_it(client, settings):
    from axes.models import AccessAttempt

    settings.AXES_FAILURE_LIMIT = 2
    bob = make_staff("reviewer-bob", "reviewer")
    when = timezone.make_aware(datetime(2026, 11, 28, 14, 5))

    with time_machine.travel(when, tick=False):
        for _ in range(2):
            login(client, bob.username, "guess")
    with time_machine.travel(when + timedelta(minutes=30), tick=False):
        during = [login(client, bob.username, guess).status_code for guess in ("a", "b", PASSWORD)]
    with time_machine.travel(when + timedelta(minutes=59), tick=False):
        still = login(client, bob.username, PASSWORD)
    with time_machine.travel(when + timedelta(minutes=60, seconds=1), tick=False):
        after = login(client, bob.username, PASSWORD)

    assert during == [429, 429, 429]
    assert still.status_code == 429
    assert after.status_code == 302
    assert AccessAttempt.objects.count() == 0  # a login clears its own failures


def test_failures_from_many_addresses_only_slow_a_user_name_down(client, settings, caplog):
    settings.AXES_FAILURE_LIMIT = 5
    bob = make_staff("reviewer-bob", "reviewer")
    start = timezone.make_aware(datetime(2026, 11, 28, 9, 0))

    def at(seconds, password, address):
        with time_machine.travel(start + timedelta(seconds=seconds), tick=False):
            return login(client, bob.username, password, address=address)

    five = [at(0, f"guess {n}", f"10.7.0.{n}").status_code for n in range(1, 6)]
    waiting = at(0, PASSWORD, "10.7.1.1")
    sixth = at(1, "guess 6", "10.7.0.6")
    waiting_2 = at(1, PASSWORD, "10.7.1.1")
    seventh = at(3, "guess 7", "10.7.0.7")
    waiting_4 = at(6, PASSWORD, "10.7.1.1")
    right = at(7, PASSWORD, "10.7.1.1")

    assert five == [200, 200, 200, 200, 200]
    assert (waiting.status_code, waiting["Retry-After"]) == (429, "1")
    assert "Try again in 1 second." in waiting.content.decode()
    assert sixth.status_code == 200
    assert "The login was not accepted." in sixth.content.decode()
    assert (waiting_2.status_code, waiting_2["Retry-After"]) == (429, "2")
    assert "Try again in 2 seconds." in waiting_2.content.decode()
    assert seventh.status_code == 200
    assert (waiting_4.status_code, waiting_4["Retry-After"]) == (429, "1")
    assert right.status_code == 302
    # Refused tries were never checked, so never counted: 7 failures, 7 audited.
    assert _events(AuditAction.LOGIN_FAILED).count() == 7
    slowed = _events(AuditAction.LOGIN_SLOWED).get()
    assert (slowed.user, slowed.details) == (
        bob,
        {"username": "reviewer-bob", "failures": 5, "addresses": 5},
    )
    assert not _events(AuditAction.LOCKED_OUT).exists()
    assert "staff logins slowed down: 5 failures for one user name from 5 addresses" in caplog.text


def test_the_delay_grows_to_its_maximum(settings):
    from kotolupaus.staff_login import delay_after

    settings.AXES_FAILURE_LIMIT = 5
    settings.LOGIN_DELAY_MAX_SECONDS = 60

    delays = {failures: delay_after(failures) for failures in (0, 4, 5, 6, 7, 10, 11, 12, 500)}

    assert delays == {0: 0, 4: 0, 5: 1, 6: 2, 7: 4, 10: 32, 11: 60, 12: 60, 500: 60}


def test_a_browser_that_logged_in_before_is_never_slowed_down(client, two_factor, settings):
    settings.AXES_FAILURE_LIMIT = 5
    alice = make_staff("coordinator-alice", "coordinator")
    device = device_for(alice)
    own = CommittingClient()
    start = timezone.make_aware(datetime(2026, 11, 28, 9, 0))

    with time_machine.travel(start, tick=False):
        first = login(own, alice.username, code=code_for(device), address="10.8.0.1")
        own.post("/en/admin/logout/")
    # Half a minute later (a new one-time code), someone hammers her user name from
    # eight addresses: five are checked, then the user name is slowed down.
    with time_machine.travel(start + timedelta(seconds=40), tick=False):
        hammering = [
            login(client, alice.username, "guess", "123456", address=f"10.8.9.{n}").status_code
            for n in range(1, 9)
        ]
        stranger = login(
            CommittingClient(), alice.username, code=code_for(device), address="10.8.0.2"
        )
        forged = CommittingClient()
        forged.cookies["kl_staff_device"] = "forged"
        forged_answer = login(forged, alice.username, code=code_for(device), address="10.8.0.2")
        herself = login(own, alice.username, code=code_for(device), address="10.8.0.2")

    assert first.status_code == 302
    assert "kl_staff_device" in first.cookies
    assert first.cookies["kl_staff_device"]["httponly"]
    assert alice.username not in first.cookies["kl_staff_device"].value
    assert hammering == [200, 200, 200, 200, 200, 429, 429, 429]
    assert stranger.status_code == forged_answer.status_code == 429
    assert herself.status_code == 302


@pytest.mark.parametrize(
    ("language", "warning"),
    [
        (
            "fi",
            "Vielä yksi epäonnistunut kirjautuminen lukitsee tämän käyttäjätunnuksen tästä osoitteesta 60 minuutiksi.",
        ),
        (
            "sv",
            "Ännu en misslyckad inloggning låser det här användarnamnet från den här adressen i 60 minuter.",
        ),
        ("en", "One more failed login locks this user name from this address for 60 minutes."),
    ],
)
def test_the_page_warns_before_the_last_try_the_same_for_any_user_name(
    client, settings, language, warning
):
    settings.AXES_FAILURE_LIMIT = 3
    bob = make_staff("reviewer-bob", "reviewer")

    pages = {}
    for name, address in ((bob.username, "10.6.0.1"), ("nobody-at-all", "10.6.0.2")):
        first = login(client, name, "guess", language=language, address=address)
        second = login(client, name, "guess", language=language, address=address)
        pages[name] = (masked(first), masked(second).replace(name, "…"))

    assert warning not in pages[bob.username][0]
    assert warning in pages[bob.username][1]
    assert pages[bob.username][1] == pages["nobody-at-all"][1]


def test_a_coordinator_opens_a_locked_login_from_the_staff_page(client, coordinator, settings):
    from axes.models import AccessAttempt

    settings.AXES_FAILURE_LIMIT = 3
    bob = make_staff("reviewer-bob", "reviewer")
    when = timezone.make_aware(datetime(2026, 11, 28, 14, 5))
    with time_machine.travel(when, tick=False):
        for _ in range(3):
            login(client, bob.username, "guess", address="10.5.0.1")
    with time_machine.travel(when + timedelta(seconds=5), tick=False):
        login(client, bob.username, "guess", address="10.5.0.2")  # after its 1 s wait
    boss = CommittingClient(REMOTE_ADDR="10.5.9.9")

    with time_machine.travel(when + timedelta(minutes=1), tick=False):
        boss.force_login(coordinator)
        listing = boss.get(reverse("review:staff")).content.decode()
        opened = boss.post(reverse("review:unlock_login", args=[bob.pk]), follow=True)
        listing_after = boss.get(reverse("review:staff")).content.decode()
        back_in = login(client, bob.username, address="10.5.0.1")

    assert "locked from 10.5.0.1 until 28 November 2026, 15:05" in listing  # not 15:05:05
    assert "slowed down after 4 failed logins" in listing
    assert f'id="unlock-{bob.pk}"' in listing
    assert "The login of reviewer-bob is open again from every address." in (
        opened.content.decode()
    )
    assert f'id="unlock-{bob.pk}"' not in listing_after
    assert back_in.status_code == 302
    assert AccessAttempt.objects.count() == 0
    event = _events(AuditAction.LOGIN_UNLOCKED, user=bob).get()
    assert (event.actor, event.ip_address, event.details) == (
        coordinator,
        "10.5.9.9",
        {"username": "reviewer-bob", "addresses": ["10.5.0.1"], "failures": 4},
    )


def test_only_coordinators_open_logins_and_only_by_post(client, coordinator, reviewer):
    client.force_login(reviewer)
    as_reviewer = client.post(reverse("review:unlock_login", args=[coordinator.pk]))
    client.force_login(coordinator)
    as_get = client.get(reverse("review:unlock_login", args=[reviewer.pk]))

    assert as_reviewer.status_code == 403
    assert as_get.status_code == 405
    assert not _events(AuditAction.LOGIN_UNLOCKED).exists()


# --- 1 and 4 under production settings -------------------------------------------------------

PRODUCTION_LOGINS = r"""
import json, re
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+(")')

def code(name, right):
    device = TOTPDevice.objects.get(user__username=name)
    device.throttle_reset()
    device.last_t = -1  # the same code again (bravo logs in twice within a time step)
    device.save()
    valid = {f"{totp(device.bin_key, device.step, device.t0, device.digits, d):06d}" for d in (-2, -1, 0, 1, 2)}
    if right:
        return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    return next(c for c in ("000000", "111111", "222222") if c not in valid)

def attempt(name, password, right_code, address, client=None):
    client = client or Client()
    client.defaults["REMOTE_ADDR"] = address
    response = client.post("/fi/admin/login/", {"username": name, "password": password, "otp_token": code(name, right_code)}, secure=True)
    # Expires carries the time of the answer (never_cache): the clock, not the login.
    headers = sorted((k, v) for k, v in response.items() if k not in ("Set-Cookie", "Expires"))
    cookies = sorted(response.cookies)
    admin = client.get("/fi/admin/", secure=True).status_code
    return {"status": response.status_code, "body": CSRF.sub(r"\1…\2", response.content.decode()), "headers": headers, "cookies": cookies, "admin": admin}

from django.conf import settings
# Static files come from collectstatic's manifest in production; the pages only need
# their names here, nothing else changes.
with override_settings(STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}):
    # Bravo logged in from this browser before (it keeps the device cookie).
    bravos = Client()
    earlier = attempt("bravo", "staff password 123", True, "10.9.1.50", bravos)["status"]
    bravos.post("/fi/admin/logout/", secure=True)
    result = {
        "earlier": earlier,
        "environment": settings.ENVIRONMENT,
        "staff_2fa": settings.STAFF_2FA,
        "limit": settings.AXES_FAILURE_LIMIT,
        "wrong_password": attempt("alpha", "not the password", True, "10.9.0.1"),
        "wrong_code": attempt("alpha", "staff password 123", False, "10.9.0.2"),
        "locking": [attempt("bravo", pw, right, "10.9.1.1") for pw, right in [("x", True), ("staff password 123", False), ("y", True), ("staff password 123", False), ("staff password 123", False)]],
        "after_lock": attempt("bravo", "staff password 123", True, "10.9.1.1"),
        "elsewhere": attempt("bravo", "staff password 123", True, "10.9.1.99", bravos),
        "right": attempt("alpha", "staff password 123", True, "10.9.0.3"),
    }
print("RESULT " + json.dumps(result))
"""


def _database_url():
    from django.db import connection

    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    if str(db["HOST"]).startswith("/"):
        return f"postgres://{credentials}@/{db['NAME']}?host={quote(str(db['HOST']), safe='/')}"
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_production_login_answers_are_identical_and_codes_count_toward_the_lockout():
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    for name in ("alpha", "bravo"):
        user = make_staff(name, "reviewer")
        # Hashed as production hashes (the test settings use a fast hasher).
        user.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
        user.save()
        device_for(user)

    run = run_manage(
        "shell",
        "-c",
        PRODUCTION_LOGINS,
        DATABASE_URL=_database_url(),
        ALLOWED_HOSTS="testserver",
    )
    lines = [line for line in run.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, run.stderr[-3000:]
    result = json.loads(lines[-1][len("RESULT ") :])

    assert (result["environment"], result["staff_2fa"], result["limit"]) == ("production", True, 5)
    wrong_password, wrong_code = result["wrong_password"], result["wrong_code"]
    assert wrong_password == wrong_code  # status, headers, cookies and page, byte for byte
    assert wrong_code["status"] == 200
    assert "Kirjautuminen ei onnistunut." in wrong_code["body"]
    assert result["earlier"] == 302
    assert [a["status"] for a in result["locking"]] == [200, 200, 200, 200, 429]
    assert result["after_lock"]["status"] == 429
    assert "Liian monta epäonnistunutta kirjautumista" in result["after_lock"]["body"]
    # Locked from that address only: from another, the right password and code get in.
    assert (result["elsewhere"]["status"], result["elsewhere"]["admin"]) == (302, 200)
    assert (result["right"]["status"], result["right"]["admin"]) == (302, 200), re.findall(
        r"errornote.*|errorlist.*", result["right"]["body"]
    )
    # The audit trail has each of them, and never a password or a code.
    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert sorted(e.details["reason"] for e in failed if e.details["username"] == "alpha") == [
        "code",
        "password",
    ]
    assert AuditEvent.objects.filter(
        action=AuditAction.LOCKED_OUT, user__username="bravo", details__failures=5
    ).exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.LOGIN, user__username="alpha", ip_address="10.9.0.3"
    ).exists()
    trail = json.dumps(list(AuditEvent.objects.values("details")))
    assert "staff password 123" not in trail
    assert "not the password" not in trail
    from axes.models import AccessAttempt

    assert "not the password" not in json.dumps(list(AccessAttempt.objects.values()), default=str)
    assert "000000" not in json.dumps(list(AccessAttempt.objects.values("post_data")))


# --- 2. Production refuses weak settings --------------------------------------------------


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ({"SECRET_KEY": "abcde" * 11}, "SECRET_KEY"),
        ({"SECRET_KEY": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMN"}, "SECRET_KEY"),
        ({"SECRET_KEY": "Zq7#rT2!mW9$kP4^Zq7#rT2!mW9$kP4^Zq7#rT2!mW9$kP4^Zq"}, "SECRET_KEY"),
        ({"SECRET_KEY": "k7#Qm2!vR9zL$w4pX8^nB1@tY6&cF3*hJ5(dS0)gA-eU"}, "SECRET_KEY"),
        ({"STAFF_2FA": "false"}, "STAFF_2FA"),
        ({"SESSION_COOKIE_SECURE": "false"}, "SESSION_COOKIE_SECURE"),
        ({"CSRF_COOKIE_SECURE": "false"}, "CSRF_COOKIE_SECURE"),
        ({"STAFF_SESSION_IDLE_MINUTES": "0"}, "STAFF_SESSION_IDLE_MINUTES"),
    ],
)
def test_production_refuses_weak_settings_naming_the_variable(override, named):
    result = run_manage("check", **override)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{named}:" in result.stderr


@pytest.mark.parametrize(
    ("override", "warning"),
    [
        ({"STAFF_2FA": "false", "INSECURE_STAFF_WITHOUT_2FA": "true"}, "kotolupaus.W001"),
        (
            {"SESSION_COOKIE_SECURE": "false", "INSECURE_COOKIES_WITHOUT_HTTPS": "true"},
            "kotolupaus.W002",
        ),
    ],
)
def test_the_loud_overrides_start_but_warn_in_check_deploy(override, warning):
    plain = run_manage("check", **override)
    deploy = run_manage("check", "--deploy", "--fail-level", "WARNING", **override)

    assert plain.returncode == 0, plain.stderr
    assert deploy.returncode != 0
    assert warning in deploy.stderr + deploy.stdout
    assert "INSECURE_" in deploy.stderr + deploy.stdout


def test_random_keys_pass_and_patterns_do_not():
    import secrets

    from django.core.management.utils import get_random_secret_key

    for _ in range(200):
        for key in (secrets.token_urlsafe(50), get_random_secret_key(), secrets.token_hex(32)):
            assert secret_key.problem(key) is None, key
    assert "different characters" in secret_key.problem("abcde" * 11)
    assert "repeats itself" in secret_key.problem(secrets.token_urlsafe(19) * 3)
    assert "alphabet" in secret_key.problem("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP")
    assert "development key" in secret_key.problem("django-insecure-" + secrets.token_urlsafe(50))
    # Long enough and varied enough, but words a guesser tries first.
    assert "too easy to guess" in secret_key.problem(
        "Kotolupaus-Production-Secret-Key-for-the-Ministry-2026!"
    )


@pytest.mark.parametrize(
    ("key", "low", "high"),
    [
        # Words and a year: a guesser's dictionary holds them.
        ("kotolupaus-production-secret-key-ministry-of-employment-2026", 100, 200),
        ("kotolupaus-tuotanto-salainen-avain-ministerio-tem-2026-joulukuu", 100, 200),
        ("correct horse battery staple, correct horse battery staple!", 100, 200),
        # secrets.token_urlsafe(50) and token_hex(32), drawn once.
        ("eKq3tWv0m9Zb-8YhR2pXc4Lf7Jn1Gd6Sa5Ui_oQw3Ek8Tz2Rb7Nh9Mc4Vx6Pj1Ly0Fg5Ds", 380, 470),
        ("9f3c1e7a5b2d8046e1f9a3c7b5d2e8f04a6c1b9e3d7f5a2c8e0b4d6f1a3c9e7b", 220, 340),
    ],
)
def test_the_estimated_entropy_sorts_phrases_from_random_keys(key, low, high):
    assert low <= secret_key.estimated_bits(key) <= high


def test_production_staff_passwords_need_twelve_characters():
    result = run_manage(
        "shell",
        "-c",
        "from django.contrib.auth.password_validation import validate_password\n"
        "from django.core.exceptions import ValidationError\n"
        "for candidate in ('Eleven-char', 'twelve chars ok'):\n"
        "    try:\n"
        "        validate_password(candidate)\n"
        "        print(candidate, 'accepted')\n"
        "    except ValidationError as error:\n"
        "        print(candidate, 'refused', error.messages)",
    )

    assert "Eleven-char refused" in result.stdout, result.stderr
    assert "at least 12 characters" in result.stdout
    assert "twelve chars ok accepted" in result.stdout


def test_an_administrator_cannot_give_staff_a_short_password(client, django_user_model):
    root = django_user_model.objects.create_superuser("root-admin", password=PASSWORD)
    bob = make_staff("reviewer-bob", "reviewer")
    client.force_login(root)
    url = f"/en/admin/auth/user/{bob.pk}/password/"

    short = client.post(
        url, {"password1": "Short-pw-11", "password2": "Short-pw-11", "usable_password": "true"}
    )
    common = client.post(
        url, {"password1": "password1234", "password2": "password1234", "usable_password": "true"}
    )

    assert "This password is too short. It must contain at least 12 characters." in (
        short.content.decode()
    )
    assert "This password is too common." in common.content.decode()
    bob.refresh_from_db()
    assert bob.check_password(PASSWORD)


# --- 3. Contact data for coordinators only -----------------------------------------------------


@pytest.fixture
def contact_data(campaign):
    """An entry, a partner, a join request and a draft, each carrying contact data."""
    entry = make_entry(
        campaign,
        "Yhteinen aloite",
        kind="initiative",
        organisation="Esimerkkiyhdistys ry",
        partners=[("Kumppani Oy", PARTNER_EMAIL)],
        contact_name=CONTACT_NAME,
        contact_email=CONTACT_EMAIL,
        contact_phone=CONTACT_PHONE,
    )
    JoinRequest.objects.create(
        entry=entry,
        organisation="Liittyjä ry",
        name="Liisa Liittyjä",
        email=JOIN_EMAIL,
        message="Haluamme mukaan.",
    )
    Draft.objects.create(
        campaign=campaign,
        kind=EntryKind.PLEDGE,
        language="fi",
        token_hash="0" * 64,
        data={"contact_email": [CONTACT_EMAIL], "contact_name": [CONTACT_NAME]},
    )
    AwardCategory.objects.create(campaign=campaign)
    return entry


def _text(response):
    """What a response carries, whatever its form (pages, CSV, JSON, XLSX)."""
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        with zipfile.ZipFile(io.BytesIO(response.content)) as book:
            return "".join(book.read(name).decode() for name in book.namelist())
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", "replace")


def staff_walk(client, entry):
    """Every admin page of every registered model (list, add, change, history, delete,
    searched for contact data), the entry autocompletes, every workspace page and
    export, and the personal-data tools. Returns {url: (status, text)}."""
    urls = ["/en/admin/", "/en/admin/password_change/"]
    for model in admin.site._registry:
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        changelist = reverse(f"{info}_changelist")
        urls += [changelist, reverse(f"{info}_add"), f"{changelist}?q={quote(CONTACT_EMAIL)}"]
        urls.append(reverse("admin:app_list", args=[model._meta.app_label]))
        for obj in model._default_manager.all()[:2]:
            urls += [
                reverse(f"{info}_{view}", args=[obj.pk]) for view in ("change", "history", "delete")
            ]
    for model in ("entry", "partnership", "joinrequest", "draft"):
        app = "publishing" if model == "joinrequest" else "submissions"
        changelist = reverse(f"admin:{app}_{model}_changelist")
        urls += [f"{changelist}?q={quote(value)}" for value in SECRETS]
    for model_name in ("assignment", "conflict"):
        urls += [
            f"/en/admin/autocomplete/?app_label=review&model_name={model_name}"
            f"&field_name=entry&term={quote(value)}"
            for value in SECRETS
        ]
    category = AwardCategory.objects.first()
    workspace = {
        "queue": [],
        "score": [entry.pk],
        "ranking": [],
        "reviews_export": [],
        "decide": [entry.pk],
        "publish_decisions": [],
        "lock": [],
        "auto_assign": [],
        "assignments_csv": [],
        "vote": [category.pk],
        "dashboard": [],
        "staff": [],
        "end_sessions": [get_user_model().objects.first().pk],
        "unlock_login": [get_user_model().objects.first().pk],
        "backup_codes": [],
    }
    names = {p.name for p in review_urls.urlpatterns}
    assert set(workspace) == names, "a workspace page is missing from the walk"
    for name, args in workspace.items():
        urls.append(reverse(f"review:{name}", args=args))
    ranking = reverse("review:ranking")
    urls += [
        f"{ranking}?export=csv",
        f"{ranking}?export=xlsx",
        f"{reverse('review:reviews_export')}?format=csv",
        f"{reverse('review:reviews_export')}?format=xlsx",
        f"{reverse('review:assignments_csv')}?download=1",
        "/en/admin/personal-data/",
    ]
    responses = {url: client.get(url) for url in dict.fromkeys(urls)}
    responses["POST personal-data export"] = client.post(
        "/en/admin/personal-data/", {"email": CONTACT_EMAIL, "action": "export"}
    )
    walked = {}
    for url, response in responses.items():
        text = _text(response)
        searched = re.search(r"[?&](?:q|term)=([^&]+)", url)
        if searched:  # the page repeats the search the user typed: that is not a leak
            text = text.replace(unquote(searched.group(1)), "…")
        walked[url] = (response.status_code, text)
    return walked


def test_reviewer_walk_finds_no_contact_data_on_any_staff_page_or_export(
    two_factor, contact_data, campaign
):
    reviewer = make_staff("reviewer-bob", "reviewer")
    client = logged_in_client(reviewer, device_for(reviewer))

    walk = staff_walk(client, contact_data)

    assert len(walk) > 150
    assert not [url for url, (status, _text) in walk.items() if status >= 500]
    leaks = {url: [s for s in SECRETS if s in text] for url, (_status, text) in walk.items()}
    assert {url: found for url, found in leaks.items() if found} == {}
    # The reviewer did see the entry, its organisation and its partners.
    status, entry_page = walk[reverse("review:score", args=[contact_data.pk])]
    assert status == 200
    assert "Yhteinen aloite" in entry_page
    assert "Esimerkkiyhdistys ry" in entry_page
    assert "Kumppani Oy" in entry_page
    status, change = walk[reverse("admin:submissions_entry_change", args=[contact_data.pk])]
    assert status == 200
    assert "Kumppani Oy" in change and "Esimerkkiyhdistys ry" in change
    # Searching for an address does not tell whose it is either.
    changelist = reverse("admin:submissions_entry_changelist")
    for value in SECRETS:
        status, found = walk[f"{changelist}?q={quote(value)}"]
        assert status == 200 and contact_data.reference not in found, value
    for value in SECRETS:
        status, found = walk[
            "/en/admin/autocomplete/?app_label=review&model_name=conflict"
            f"&field_name=entry&term={quote(value)}"
        ]
        assert status == 200 and json.loads(found)["results"] == [], value


def test_the_same_walk_as_coordinator_shows_contact_data(two_factor, contact_data, campaign):
    coordinator = make_staff("coordinator-alice", "coordinator", "reviewer")
    client = logged_in_client(coordinator, device_for(coordinator))

    walk = staff_walk(client, contact_data)

    def shows(url, *secrets):
        status, text = walk[url]
        return status == 200 and all(secret in text for secret in secrets)

    assert shows(
        reverse("admin:submissions_entry_change", args=[contact_data.pk]),
        CONTACT_NAME,
        CONTACT_EMAIL,
        CONTACT_PHONE,
        PARTNER_EMAIL,
    )
    assert shows(reverse("review:decide", args=[contact_data.pk]), CONTACT_EMAIL, CONTACT_PHONE)
    assert shows(f"{reverse('review:ranking')}?export=csv", CONTACT_EMAIL, CONTACT_NAME)
    assert shows(f"{reverse('review:ranking')}?export=xlsx", CONTACT_EMAIL)
    assert shows("POST personal-data export", CONTACT_EMAIL, CONTACT_PHONE)
    search = f"{reverse('admin:submissions_entry_changelist')}?q={quote(CONTACT_EMAIL)}"
    assert contact_data.reference in walk[search][1]
    assert not [url for url, (status, _text) in walk.items() if status >= 500]


def test_only_the_coordinator_role_carries_the_contact_data_permission(coordinator, reviewer):
    granted = Group.objects.filter(permissions__codename="view_contact_data")

    assert list(granted.values_list("name", flat=True)) == ["coordinator"]
    assert can_view_contact_data(coordinator)
    assert not can_view_contact_data(reviewer)


def test_coordinating_without_the_contact_permission_hides_contact_data(
    client, contact_data, campaign
):
    lead = make_staff("lead-frida")
    lead.user_permissions.add(
        *Permission.objects.filter(codename__in=["coordinate_review", "view_entry"])
    )
    client.force_login(lead)

    decide = client.get(reverse("review:decide", args=[contact_data.pk]))
    export = client.get(f"{reverse('review:ranking')}?export=csv")
    tool = client.post("/en/admin/personal-data/", {"email": CONTACT_EMAIL, "action": "export"})

    assert decide.status_code == 200 and CONTACT_EMAIL not in _text(decide)
    assert export.status_code == 200 and CONTACT_EMAIL not in _text(export)
    assert "contact e-mail" not in _text(export)
    assert tool.status_code == 403


def test_exports_never_turn_typed_text_into_spreadsheet_formulas(client, campaign, coordinator):
    make_entry(campaign, '=HYPERLINK("http://evil.example","klikkaa")')
    client.force_login(coordinator)

    csv_text = _text(client.get(f"{reverse('review:ranking')}?export=csv"))
    book = load_workbook(io.BytesIO(client.get(f"{reverse('review:ranking')}?export=xlsx").content))
    titles = [row[2].value for row in book.active.iter_rows(min_row=2)]

    assert "'=HYPERLINK(" in csv_text
    assert titles == ['=HYPERLINK("http://evil.example","klikkaa")']
    assert book.active.cell(row=2, column=3).data_type == "s"


# --- 4. Security events in the audit trail ---------------------------------------------------


def _events(action, **filters):
    return AuditEvent.objects.filter(action=action, **filters)


def test_logins_failures_and_logouts_are_recorded_without_passwords(client, two_factor):
    alice = make_staff("coordinator-alice", "coordinator")
    device = device_for(alice)

    login(client, alice.username, "my secret guess", wrong_code_for(device), address="10.1.0.1")
    login(client, alice.username, PASSWORD, wrong_code_for(device), address="10.1.0.2")
    login(client, "no-such-user", "another secret", "123456", address="10.1.0.3")
    login(client, alice.username, PASSWORD, code_for(device), address="10.1.0.4")
    client.post("/en/admin/logout/", REMOTE_ADDR="10.1.0.4")

    failures = list(_events(AuditAction.LOGIN_FAILED).order_by("pk"))
    assert [(e.user, e.ip_address, e.details["reason"]) for e in failures] == [
        (alice, "10.1.0.1", "password"),
        (alice, "10.1.0.2", "code"),
        (None, "10.1.0.3", "password"),
    ]
    assert failures[2].details["username"] == "no-such-user"
    login_event = _events(AuditAction.LOGIN).get()
    assert (login_event.actor, login_event.user, login_event.ip_address) == (
        alice,
        alice,
        "10.1.0.4",
    )
    assert _events(AuditAction.LOGOUT, user=alice).exists()
    assert login_event.campaign is None
    stored = json.dumps(list(AuditEvent.objects.values("details")))
    assert "secret" not in stored and PASSWORD not in stored


def test_a_lockout_is_recorded_once(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    bob = make_staff("reviewer-bob", "reviewer")

    for _ in range(4):
        login(client, bob.username, "guess")

    locked = _events(AuditAction.LOCKED_OUT).get()
    assert (locked.user, locked.details["username"], locked.ip_address) == (
        bob,
        bob.username,
        "10.0.0.1",
    )
    reasons = [e.details["reason"] for e in _events(AuditAction.LOGIN_FAILED).order_by("pk")]
    assert reasons == ["password", "password", "locked", "locked"]


def test_devices_passwords_and_roles_are_recorded_with_who_changed_them(client):
    root = get_user_model().objects.create_superuser("root-admin", password=PASSWORD)
    out = io.StringIO()
    call_command(
        "create_staff_user",
        "new-reviewer",
        "--role",
        "reviewer",
        "--no-input",
        "--totp",
        stdout=out,
    )
    newcomer = get_user_model().objects.get(username="new-reviewer")
    client.force_login(root)

    client.post(
        f"/en/admin/auth/user/{newcomer.pk}/password/",
        {
            "password1": "a long new password 42",
            "password2": "a long new password 42",
            "usable_password": "true",
        },
        REMOTE_ADDR="10.2.0.1",
    )
    coordinator_group = Group.objects.get(name="coordinator")
    newcomer.groups.add(coordinator_group)
    newcomer.groups.remove(coordinator_group)
    TOTPDevice.objects.filter(user=newcomer).delete()

    assert _events(AuditAction.DEVICE_ADDED, user=newcomer, actor=None).exists()
    assert _events(AuditAction.DEVICE_REMOVED, user=newcomer).exists()
    by_command, by_root = _events(AuditAction.PASSWORD_CHANGED, user=newcomer).order_by("pk")
    assert (by_command.actor, by_command.ip_address) == (None, None)
    assert (by_root.actor, by_root.ip_address) == (root, "10.2.0.1")
    roles = [e.details for e in _events(AuditAction.ROLE_CHANGED, user=newcomer).order_by("pk")]
    assert roles == [
        {"is_staff": [False, True]},
        {"groups_added": ["reviewer"]},
        {"groups_added": ["coordinator"]},
        {"groups_removed": ["coordinator"]},
    ]


def test_role_changes_in_the_user_admin_are_recorded(client):
    root = get_user_model().objects.create_superuser("root-admin", password=PASSWORD)
    bob = make_staff("reviewer-bob", "reviewer")
    client.force_login(root)
    joined = timezone.localtime(bob.date_joined)

    response = client.post(
        f"/en/admin/auth/user/{bob.pk}/change/",
        {
            "username": bob.username,
            "first_name": "",
            "last_name": "",
            "email": "",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [str(Group.objects.get(name="coordinator").pk)],
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": joined.strftime("%Y-%m-%d"),
            "date_joined_1": joined.strftime("%H:%M:%S"),
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    # One save in the admin, one row: the flags and groups it changed together.
    (event,) = _events(AuditAction.ROLE_CHANGED, user=bob, actor=root)
    assert event.details == {
        "is_superuser": [False, True],
        "groups_added": ["coordinator"],
        "groups_removed": ["reviewer"],
    }


def test_a_coordinator_filters_security_events_and_reviewers_see_none(
    client, campaign, coordinator, reviewer
):
    from review import services

    entry = make_entry(campaign)
    services.assign(entry, reviewer, coordinator)
    client.force_login(reviewer)
    as_reviewer = client.get("/en/admin/review/auditevent/?kind=security")
    client.force_login(coordinator)

    security_list = client.get("/en/admin/review/auditevent/?kind=security")
    review_list = client.get("/en/admin/review/auditevent/?kind=review")
    by_name = client.get(f"/en/admin/review/auditevent/?q={reviewer.username}&kind=security")

    assert as_reviewer.status_code == 403
    shown = {e.action for e in security_list.context["cl"].result_list}
    assert shown and shown <= set(SECURITY_ACTIONS)
    assert AuditAction.LOGIN in shown
    assert {e.action for e in review_list.context["cl"].result_list} == {AuditAction.ASSIGNED}
    assert {e.user for e in by_name.context["cl"].result_list} == {reviewer}


def test_personal_data_export_includes_a_staff_members_own_events(client, two_factor):
    alice = make_staff("coordinator-alice", "coordinator")
    alice.email = "alice@tem.example.fi"
    alice.save()
    device = device_for(alice)
    other = make_staff("reviewer-bob", "reviewer")
    login(client, alice.username, "wrong guess", "123456")
    login(client, alice.username, code=code_for(device))
    make_staff("reviewer-someone", "reviewer")

    data = personal_data.export("ALICE@tem.example.fi", alice)

    assert [a["username"] for a in data["staff_accounts"]] == [alice.username]
    actions = [e["what"] for e in data["staff_events"]]
    assert {"login_failed", "login", "otp_added", "role_changed"} <= set(actions)
    assert all(alice.username in (e["by"], e["account"]) for e in data["staff_events"]), data[
        "staff_events"
    ]
    assert other.username not in json.dumps(data)
    assert personal_data.export("nobody@example.fi", alice)["staff_events"] == []


# --- 5. Sessions end when idle, and all at once ---------------------------------------------


def test_an_idle_staff_session_ends_and_says_why(client, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 30
    bob = make_staff("reviewer-bob", "reviewer")
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        client.post(LOGIN.format("en"), {"username": bob.username, "password": PASSWORD})
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        busy = client.get("/en/admin/")
    with time_machine.travel(start + timedelta(minutes=58), tick=False):
        still = client.get("/en/admin/")
    with time_machine.travel(start + timedelta(minutes=89), tick=False):
        idle = client.get("/en/admin/")
        login_page = client.get(idle["Location"])

    assert busy.status_code == still.status_code == 200
    assert idle.status_code == 302 and idle["Location"].startswith("/en/admin/login/")
    assert "You were logged out after 30 minutes without activity." in login_page.content.decode()
    assert _events(AuditAction.SESSION_EXPIRED, user=bob, details__reason="idle").exists()
    assert not StaffSession.objects.filter(user=bob).exists()


def test_a_busy_session_still_ends_at_the_session_length(client, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 30
    settings.SESSION_COOKIE_AGE = 2 * 60 * 60
    bob = make_staff("reviewer-bob", "reviewer")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post(LOGIN.format("en"), {"username": bob.username, "password": PASSWORD})

    statuses = []
    for minutes in range(20, 150, 20):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            statuses.append(client.get("/en/admin/").status_code)

    assert statuses == [200, 200, 200, 200, 200, 200, 302]
    assert _events(AuditAction.SESSION_EXPIRED, user=bob, details__reason="age").exists()


def test_a_coordinator_ends_all_sessions_of_a_user(two_factor, coordinator):
    bob = make_staff("reviewer-bob", "reviewer")
    # One authenticator each time: a code is accepted once.
    laptop = logged_in_client(bob, device_for(bob), address="10.3.0.1")
    phone = logged_in_client(bob, device_for(bob), address="10.3.0.2")
    boss = logged_in_client(coordinator, device_for(coordinator), address="10.3.0.9")

    listing = boss.get(reverse("review:staff")).content.decode()
    ended = boss.post(reverse("review:end_sessions", args=[bob.pk]), follow=True)

    assert "10.3.0.1" in listing and "10.3.0.2" in listing
    assert "Ended 2 sessions of reviewer-bob." in ended.content.decode()
    assert laptop.get("/en/admin/").status_code == 302
    assert phone.get("/en/admin/workspace/queue/").status_code == 302
    assert boss.get("/en/admin/").status_code == 200
    event = _events(AuditAction.SESSIONS_ENDED, user=bob).get()
    assert (event.actor, event.details, event.ip_address) == (
        coordinator,
        {"sessions": 2},
        "10.3.0.9",
    )
    # He can log in again.
    assert logged_in_client(bob, device_for(bob)).get("/en/admin/").status_code == 200


def test_ending_ones_own_sessions_logs_out_here_too(client, coordinator):
    client.force_login(coordinator)

    response = client.post(reverse("review:end_sessions", args=[coordinator.pk]))

    assert response.status_code == 302
    assert client.get("/en/admin/").status_code == 302


def test_sessions_are_for_coordinators_to_end(client, coordinator, reviewer):
    client.force_login(reviewer)

    page = client.get(reverse("review:staff"))
    post = client.post(reverse("review:end_sessions", args=[coordinator.pk]))

    assert page.status_code == post.status_code == 403
    assert StaffSession.objects.filter(user=coordinator).count() == 0
    assert not _events(AuditAction.SESSIONS_ENDED).exists()


def test_end_sessions_refuses_a_get_and_an_unknown_user(client, coordinator, outsider):
    client.force_login(coordinator)

    assert client.get(reverse("review:end_sessions", args=[coordinator.pk])).status_code == 405
    assert client.post(reverse("review:end_sessions", args=[outsider.pk])).status_code == 404
    assert client.post("/en/admin/workspace/staff/99999999/end-sessions/").status_code == 404


@pytest.mark.parametrize("count", [1, 3])
def test_the_staff_page_costs_the_same_queries_for_more_staff(
    client, coordinator, count, django_assert_max_num_queries
):
    for n in range(count):
        user = make_staff(f"reviewer-{n}", "reviewer")
        CommittingClient().force_login(user)
    client.force_login(coordinator)

    with django_assert_max_num_queries(9):
        response = client.get(reverse("review:staff"))

    assert response.status_code == 200
    assert response.content.decode().count("End all sessions") >= count + 1


def test_an_administrator_ends_sessions_from_the_user_list(client):
    root = get_user_model().objects.create_superuser("root-admin", password=PASSWORD)
    bob = make_staff("reviewer-bob", "reviewer")
    bobs = CommittingClient()
    bobs.force_login(bob)
    client.force_login(root)

    client.post(
        "/en/admin/auth/user/",
        {"action": "end_all_sessions", "_selected_action": [str(bob.pk)]},
    )

    assert bobs.get("/en/admin/").status_code == 302
    assert _events(AuditAction.SESSIONS_ENDED, user=bob, actor=root).exists()


def test_a_new_password_ends_the_users_other_sessions(client):
    bob = make_staff("reviewer-bob", "reviewer")
    other = CommittingClient()
    other.force_login(bob)
    client.force_login(bob)

    changed = client.post(
        "/en/admin/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "a brand new password 7",
            "new_password2": "a brand new password 7",
        },
    )

    assert changed.status_code == 302
    assert client.get("/en/admin/").status_code == 200
    assert other.get("/en/admin/").status_code == 302
    assert StaffSession.objects.filter(user=bob).count() == 1
    assert _events(AuditAction.PASSWORD_CHANGED, user=bob, actor=bob).exists()


def test_sessions_from_before_tracking_must_log_in_again(client):
    from django.contrib.sessions.backends.db import SessionStore

    bob = make_staff("reviewer-bob", "reviewer")
    client.force_login(bob)
    key = client.cookies["sessionid"].value
    store = SessionStore(session_key=key)
    for name in (security.LOGIN_AT, security.SEEN_AT, security.SESSION_ROW):
        store.pop(name, None)
    store.save()

    assert client.get("/en/admin/").status_code == 302
