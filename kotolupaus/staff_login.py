"""The staff login: one form that checks the user name, password and one-time code
together, with one answer for every failure (each a failed login for django-axes and the
audit trail). Locks per user name and address, slow-downs per user name and device
cookies: the README's "Staff" section and the AXES_* settings.
"""

import hashlib
import ipaddress
import logging
import math
import re
from datetime import datetime, timedelta

from django import forms
from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_variables
from django_otp import devices_for_user

CODE = re.compile(r"[0-9]{6,8}")
# A backup code (django-otp's static tokens: eight letters a–z and digits 2–7).
BACKUP_CODE = re.compile(r"[a-z2-7]{8}")

log = logging.getLogger(__name__)

# The device cookie: which user names this browser has logged in as (hashed), signed.
DEVICE_COOKIE = "kl_staff_device"
DEVICE_SALT = "kotolupaus.staff-device"
DEVICE_DAYS = 180
DEVICE_NAMES = 5  # a shared computer remembers its last five users


# --- Locks per user name and address, slow-downs per user name ---------------------------


def cool_off() -> timedelta:
    from axes.helpers import get_cool_off

    return get_cool_off()


def _attempts(**where):
    from axes.models import AccessAttempt

    return AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - cool_off(), **where)


def name_failures(username: str) -> tuple[int, datetime | None]:
    """Failed logins for the user name within the cool-off, from every address together,
    and the time of the last one."""
    found = _attempts(username=username).aggregate(
        failures=Sum("failures_since_start"), last=Max("attempt_time")
    )
    return found["failures"] or 0, found["last"]


def delay_after(failures: int) -> int:
    """Seconds a try must wait after the last failure for a user name that failed this
    often: none below the limit, then 1, 2, 4 … up to LOGIN_DELAY_MAX_SECONDS."""
    if failures < settings.AXES_FAILURE_LIMIT:
        return 0
    over = failures - settings.AXES_FAILURE_LIMIT
    if over >= 30:
        return settings.LOGIN_DELAY_MAX_SECONDS
    return min(2**over, settings.LOGIN_DELAY_MAX_SECONDS)


def wait_seconds(request, username: str) -> int:
    """How long this try for the user name must still wait (0: it may go ahead)."""
    if known_device(request, username):
        return 0
    failures, last = name_failures(username)
    delay = delay_after(failures)
    if not delay or last is None:
        return 0
    remaining = (last + timedelta(seconds=delay) - timezone.now()).total_seconds()
    return max(0, math.ceil(remaining))


def client_address(request):
    """The client's address as django-axes counts it (behind a TLS proxy too), or None."""
    if request is None:
        return None
    from axes.helpers import get_client_ip_address

    address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def locked_until(request, username: str):
    """When the lock of this user name from this request's address ends, or None."""
    found = _attempts(username=username, ip_address=client_address(request)).aggregate(
        failures=Sum("failures_since_start"), last=Max("attempt_time")
    )
    if (found["failures"] or 0) < settings.AXES_FAILURE_LIMIT:
        return None
    return found["last"] + cool_off()


def _name_hash(username: str) -> str:
    return hashlib.sha256(f"{DEVICE_SALT}:{username}".encode()).hexdigest()[:20]


def _device_names(request) -> list[str]:
    value = request.COOKIES.get(DEVICE_COOKIE)
    if not value:
        return []
    try:
        names = signing.loads(value, salt=DEVICE_SALT, max_age=timedelta(days=DEVICE_DAYS))
    except signing.BadSignature:
        return []
    return [name for name in names if isinstance(name, str)] if isinstance(names, list) else []


def known_device(request, username: str) -> bool:
    """Whether this browser has logged in as the user before."""
    return _name_hash(username) in _device_names(request)


def remember_device(request, response, username: str) -> None:
    names = [n for n in _device_names(request) if n != _name_hash(username)]
    names = [_name_hash(username), *names][:DEVICE_NAMES]
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps(names, salt=DEVICE_SALT),
        max_age=DEVICE_DAYS * 24 * 60 * 60,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


class OneTimeCodeInput(forms.TextInput):
    """Never shows a code back: each is used once, and a failed one tells nothing."""

    def format_value(self, value):
        return None


class StaffLoginForm(AdminAuthenticationForm):
    otp_token = forms.CharField(
        label=_("One-time code"),
        help_text=_(
            "The six digits your authenticator app shows now, or one of your backup codes."
        ),
        max_length=20,
        widget=OneTimeCodeInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
    )

    # Set by a failure that leaves one more try before the lock (see failed()).
    last_try = False
    lock_minutes = 0

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": _(
            "The login was not accepted. Check the user name, the password and the "
            "one-time code, and try again."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        if not settings.STAFF_2FA:
            del self.fields["otp_token"]
            self.error_messages = {
                **self.error_messages,
                "invalid_login": _(
                    "The login was not accepted. Check the user name and the password, "
                    "and try again."
                ),
            }

    def clean_otp_token(self):
        code = re.sub(r"\s", "", self.cleaned_data["otp_token"]).lower()
        if not (CODE.fullmatch(code) or BACKUP_CODE.fullmatch(code)):
            # About the typed text only: nothing has been checked yet.
            raise ValidationError(
                _("Enter the six digits your authenticator app shows."), code="code_format"
            )
        return code

    @sensitive_variables("password", "code")
    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        code = self.cleaned_data.get("otp_token")
        if username is None or not password or ("otp_token" in self.fields and not code):
            return self.cleaned_data  # a field is missing: said beside it, nothing checked
        self.refuse_while_slowed_down(username)
        user = authenticate(self.request, username=username, password=password)
        if user is None:
            # Django has sent user_login_failed (counted by axes, audited).
            raise self.failed()
        reason = self.refusal(user, code)
        if reason:
            user_login_failed.send(
                sender=__name__,
                credentials={"username": username},
                request=self.request,
                reason=reason,
            )
            raise self.failed()
        self.user_cache = user
        return self.cleaned_data

    def refuse_while_slowed_down(self, username):
        """A user name failed too often from everywhere together: this try waits its
        turn, refused unchecked (and uncounted) until then. A locked pair of user name
        and address is left to axes, whose page says more."""
        from axes.handlers.proxy import AxesProxyHandler

        if not self.request or AxesProxyHandler.is_locked(self.request, {"username": username}):
            return
        wait = wait_seconds(self.request, username)
        if wait:
            self.request.login_wait = wait
            log.info("staff login refused for %s s: the user name is slowed down", wait)
            raise ValidationError(
                ngettext(
                    "Logins with this user name have failed many times, so each try must "
                    "wait a moment. Try again in %(seconds)s second.",
                    "Logins with this user name have failed many times, so each try must "
                    "wait a moment. Try again in %(seconds)s seconds.",
                    wait,
                )
                % {"seconds": wait},
                code="slowed_down",
            )

    def failed(self):
        """The one answer for any failure; with a warning when the next failure from
        this address would lock the user name here (the same for any name typed)."""
        failures = getattr(self.request, "axes_failures_since_start", None)
        self.last_try = failures == settings.AXES_FAILURE_LIMIT - 1
        self.lock_minutes = round(cool_off().total_seconds() / 60)
        return self.get_invalid_login_error()

    def refusal(self, user, code):
        """Why a user whose password is right may not log in, or None."""
        if not (user.is_active and user.is_staff):
            return "not_staff"
        if "otp_token" not in self.fields:
            return None
        device = verified_device(user, code)
        if device is None:
            return "code"
        user.otp_device = device  # django-otp keeps it in the session at login
        return None


def verified_device(user, code):
    """The user's confirmed device that accepts the code (throttling respected), or None."""
    with transaction.atomic():
        for device in devices_for_user(user, for_verify=True):
            allowed, _details = device.verify_is_allowed()
            if allowed and device.verify_token(code):
                return device
    return None


class StaffAdminSite(AdminSite):
    """The admin panel. While STAFF_2FA is on, a session counts only when it was opened
    with a one-time code (django-otp's verification)."""

    login_form = StaffLoginForm
    login_template = "admin/staff_login.html"

    def login(self, request, extra_context=None):
        response = super().login(request, extra_context)
        wait = getattr(request, "login_wait", 0)
        if wait:
            response.status_code = 429
            response["Retry-After"] = str(wait)
        elif (
            request.method == "POST"
            and response.status_code == 302
            and request.user.is_authenticated
        ):
            remember_device(request, response, request.user.get_username())
        return response

    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        return not settings.STAFF_2FA or getattr(request.user, "is_verified", lambda: False)()


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' lockout page: translated, saying when the lock of this user name from
    this address ends (tries meanwhile do not move it) and how to get in sooner."""
    from axes.helpers import get_client_username

    username = get_client_username(request, credentials) or ""
    until = locked_until(request, username) or timezone.now() + cool_off()
    response = render(request, "lockout.html", {"until": timezone.localtime(until)}, status=429)
    response["Retry-After"] = str(max(1, math.ceil((until - timezone.now()).total_seconds())))
    return response
