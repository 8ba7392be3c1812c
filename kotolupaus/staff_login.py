"""The staff login: one form that checks the user name, password and one-time code
together, and one answer for every failure.

A wrong password, a wrong or throttled one-time code, an account that is not staff or
not active: each gets the same message on the same page, so the answer never tells
whether the password was right. Every such failure is a failed login for django-axes
(the `user_login_failed` signal), so wrong codes count toward the same lockout as wrong
passwords, and for the audit trail (review/security.py), which records the reason.
"""

import re

from django import forms
from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables
from django_otp import devices_for_user

CODE = re.compile(r"[0-9]{6,8}")


class OneTimeCodeInput(forms.TextInput):
    """Never shows a code back: each is used once, and a failed one tells nothing."""

    def format_value(self, value):
        return None


class StaffLoginForm(AdminAuthenticationForm):
    otp_token = forms.CharField(
        label=_("One-time code"),
        help_text=_("The six digits your authenticator app shows now."),
        max_length=20,
        widget=OneTimeCodeInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
    )

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
        code = re.sub(r"\s", "", self.cleaned_data["otp_token"])
        if not CODE.fullmatch(code):
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
        user = authenticate(self.request, username=username, password=password)
        if user is None:
            # Django has sent user_login_failed (counted by axes, audited).
            raise self.get_invalid_login_error()
        reason = self.refusal(user, code)
        if reason:
            user_login_failed.send(
                sender=__name__,
                credentials={"username": username},
                request=self.request,
                reason=reason,
            )
            raise self.get_invalid_login_error()
        self.user_cache = user
        return self.cleaned_data

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

    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        return not settings.STAFF_2FA or getattr(request.user, "is_verified", lambda: False)()


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' lockout page: translated, and saying when to try again. Each failed
    try during the lockout restarts the wait, so it ends a cool-off after this one."""
    from axes.helpers import get_cool_off

    tried = getattr(request, "axes_attempt_time", None) or timezone.now()
    return render(
        request,
        "lockout.html",
        {"until": timezone.localtime(tried + get_cool_off(request))},
        status=429,
    )
