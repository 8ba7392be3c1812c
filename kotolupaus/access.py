"""Shared by every app: who may open a staff page, and how fast the public may post.
A staff role is a permission that review registers at start-up and its groups hold."""

from functools import wraps

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# The staff roles; the app that defines each role's permission registers it at start-up
# (review/apps.py).
COORDINATE = "coordinate"
SCORE = "score"
_permissions: dict[str, str] = {}


def register_role(role: str, permission: str) -> None:
    _permissions[role] = permission


def has_role(user, role: str) -> bool:
    permission = _permissions[role]
    return bool(user.is_active and user.is_staff and user.has_perm(permission))


def staff_required(role, reason):
    """A staff page for holders of `role`: others logged in get a 403 page that
    says what they can do instead; anyone else is sent to the login."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            # The admin panel's own test: active staff, with a one-time code (STAFF_2FA).
            if not admin.site.has_permission(request):
                return redirect_to_login(request.get_full_path(), reverse("admin:login"))
            if not has_role(request.user, role):
                raise PermissionDenied(str(reason))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


coordinator_required = staff_required(COORDINATE, _("This page is for coordinators."))
reviewer_required = staff_required(SCORE, _("This page is for reviewers."))


def post_rate(group, request):
    """Public POSTs allowed per IP address (django-ratelimit's `rate`)."""
    return settings.RATELIMIT_POST_RATE
