"""Staff accounts and their sessions."""

from django.conf import settings as django_settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from kotolupaus.access import coordinator_required

from .. import security
from ..models import (
    COORDINATOR_GROUP,
    REVIEWER_GROUP,
)
from .common import _render

# --- Staff accounts and their sessions ---------------------------------------------------------

ROLE_NAMES = {
    COORDINATOR_GROUP: gettext_lazy("coordinator"),
    REVIEWER_GROUP: gettext_lazy("reviewer"),
}


@coordinator_required
def staff(request):
    """Every staff account: role, two-factor devices, sessions open now, with a button
    that ends all of a user's sessions."""
    users = (
        get_user_model()
        .objects.filter(Q(is_staff=True) | Q(is_superuser=True))
        .annotate(devices=Count("totpdevice", filter=Q(totpdevice__confirmed=True), distinct=True))
        .prefetch_related(
            "groups",
            Prefetch(
                "staff_sessions",
                queryset=security.alive_sessions().order_by("-last_seen_at"),
                to_attr="open_sessions",
            ),
        )
        .order_by("username")
    )
    users = list(users)
    blocks = security.login_blocks(user.get_username() for user in users)
    rows = [
        {
            "user": user,
            "roles": [str(ROLE_NAMES.get(g.name, g.name)) for g in user.groups.all()],
            "sessions": user.open_sessions,
            "login": blocks.get(user.get_username()),
        }
        for user in users
    ]
    return _render(
        request,
        "review/staff.html",
        _("Staff and sessions"),
        {
            "rows": rows,
            "idle_minutes": django_settings.STAFF_SESSION_IDLE_MINUTES,
            "session_hours": f"{django_settings.SESSION_COOKIE_AGE / 3600:g}",
            "failure_limit": django_settings.AXES_FAILURE_LIMIT,
        },
    )


@coordinator_required
@require_POST
def end_sessions(request, user_id):
    """End every session of one staff member ("log out everywhere")."""
    user = get_object_or_404(
        get_user_model().objects.filter(Q(is_staff=True) | Q(is_superuser=True)),
        pk=user_id,
    )
    count = security.end_sessions(user, request.user)
    messages.success(
        request,
        ngettext(
            "Ended %(count)s session of %(user)s.", "Ended %(count)s sessions of %(user)s.", count
        )
        % {"count": count, "user": user.get_username()},
    )
    if user == request.user:
        logout(request)  # this session was one of them
        return redirect("admin:login")
    return redirect("review:staff")


@coordinator_required
@require_POST
def unlock_login(request, user_id):
    """Open the locks of one staff member's login and end its slow-down (audited)."""
    user = get_object_or_404(
        get_user_model().objects.filter(Q(is_staff=True) | Q(is_superuser=True)),
        pk=user_id,
    )
    security.unlock(user, request.user)
    messages.success(
        request,
        _("The login of %(user)s is open again from every address.")
        % {"user": user.get_username()},
    )
    return redirect("review:staff")


@require_http_methods(["GET", "POST"])
def backup_codes(request):
    """The staff member's own backup codes, for logging in when the phone is lost: new
    ones are shown once, right after they are made (earlier ones stop working)."""
    if not admin.site.has_permission(request):
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    codes = security.new_backup_codes(request.user) if request.method == "POST" else None
    left = len(codes) if codes else security.backup_codes_left(request.user)
    # (Staff pages are never kept by a browser or a proxy: no-store, from the middleware.)
    return _render(
        request, "review/backup_codes.html", _("Backup codes"), {"codes": codes, "left": left}
    )
