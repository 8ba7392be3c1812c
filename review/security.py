"""Security events in the audit trail, and staff sessions that can be ended from one place.

Recorded (AuditEvent, SECURITY_ACTIONS): logins, failed logins (the user name tried,
the address and the reason; never a password or a code), lockouts, logouts, sessions
ended after the idle time or by a coordinator, two-factor devices added and removed,
password changes and role changes (groups, permissions, the staff and superuser flags).
Who did it and from where come from the request being served (`current_request`, set
by review.middleware.StaffSessionMiddleware); a change from a management command has
no actor.

Each login also makes a StaffSession row naming the session, so that
`end_sessions(user, by)` can end every session of a user at once.
"""

import logging
import time
from contextvars import ContextVar
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from kotolupaus.staff_login import client_address

from .audit import audit
from .models import AuditAction, StaffSession

log = logging.getLogger(__name__)

current_request = ContextVar("kotolupaus_current_request", default=None)

# Session keys of the staff session's clock (seconds since the epoch).
LOGIN_AT = "staff_login_at"
SEEN_AT = "staff_seen_at"
# The session's StaffSession row (its key changes when the password does).
SESSION_ROW = "staff_session"

_FROM_REQUEST = object()


def record(action, *, user=None, actor=_FROM_REQUEST, request=None, **details):
    """Write one security event. The actor is whoever is logged in on the request being
    served, unless given."""
    request = request if request is not None else current_request.get()
    if actor is _FROM_REQUEST:
        who = getattr(request, "user", None)
        actor = who if who is not None and who.is_authenticated else None
    return audit(actor, action, user=user, ip_address=client_address(request), **details)


def _known_user(username):
    if not username:
        return None
    return get_user_model().objects.filter(**{get_user_model().USERNAME_FIELD: username}).first()


# --- Logins ------------------------------------------------------------------------------


@receiver(user_logged_in, dispatch_uid="review.security.logged_in")
def logged_in(sender, request, user, **kwargs):
    now = int(time.time())
    if request is None or not hasattr(request, "session"):
        return
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now
    if request.session.session_key is None:
        request.session.save()
    row = StaffSession.objects.create(
        user=user,
        session_key=request.session.session_key,
        ip_address=client_address(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:200],
    )
    request.session[SESSION_ROW] = row.pk
    _prune_sessions(user)
    backup = _backup_code_used(user)
    record(AuditAction.LOGIN, actor=user, user=user, request=request, **backup)


def alive_sessions():
    """Staff sessions that have not ended by themselves: neither idle too long (the row
    is touched at most once a minute) nor older than the session length."""
    now = timezone.now()
    return StaffSession.objects.filter(
        last_seen_at__gte=now - timedelta(minutes=settings.STAFF_SESSION_IDLE_MINUTES + 2),
        started_at__gte=now - timedelta(seconds=settings.SESSION_COOKIE_AGE),
    )


def _prune_sessions(user):
    """Forget the user's sessions that have ended by themselves."""
    StaffSession.objects.filter(user=user).exclude(pk__in=alive_sessions().values("pk")).delete()


@receiver(user_login_failed, dispatch_uid="review.security.login_failed")
def login_failed(sender, credentials, request=None, reason="password", **kwargs):
    """Runs after django-axes counted the failure (its receiver is connected first)."""
    username = str(credentials.get("username") or "")[:150]
    details = {"username": username, "reason": reason}
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is not None:
        details["failures"] = failures
    elif getattr(request, "axes_locked_out", False):
        # Refused by the lock of this user name and address, without looking at the
        # password; not counted, so the lock does not move.
        details["reason"] = "locked"
    record(
        AuditAction.LOGIN_FAILED,
        actor=None,
        user=_known_user(username),
        request=request,
        **details,
    )
    if failures is not None:
        _slowed_down(username, request)


def _slowed_down(username, request):
    """The alert when failures for a user name from all addresses together reach the
    limit: from now on its logins are slowed down (kotolupaus.staff_login)."""
    from axes.models import AccessAttempt

    from kotolupaus.staff_login import name_failures

    total, _last = name_failures(username)
    if total != settings.AXES_FAILURE_LIMIT:
        return
    addresses = (
        AccessAttempt.objects.filter(username=username).values("ip_address").distinct().count()
    )
    log.warning(
        "staff logins slowed down: %s failures for one user name from %s addresses",
        total,
        addresses,
    )
    record(
        AuditAction.LOGIN_SLOWED,
        actor=None,
        user=_known_user(username),
        request=request,
        username=username,
        failures=total,
        addresses=addresses,
    )


def locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    """django-axes locked a user name from an address; recorded once, when the lock
    begins (tries during the lock are refused without being counted, and axes signals
    each of them again: those have no count)."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None:
        return
    record(
        AuditAction.LOCKED_OUT,
        actor=None,
        user=_known_user(username),
        request=request,
        username=str(username or "")[:150],
        failures=failures,
    )


def login_blocks(usernames):
    """{user name: {"locked": [(address, until)], "failures": n}} for the user names whose
    login is locked from some address or slowed down now (one query)."""
    from axes.models import AccessAttempt

    from kotolupaus.staff_login import cool_off

    since = timezone.now() - cool_off()
    blocks = {}
    rows = (
        AccessAttempt.objects.filter(username__in=list(usernames), attempt_time__gte=since)
        .values_list("username", "ip_address", "failures_since_start", "attempt_time")
        .order_by("username", "ip_address")
    )
    pairs = {}
    for username, address, failures, when in rows:
        block = blocks.setdefault(username, {"locked": [], "failures": 0})
        block["failures"] += failures
        count, last = pairs.get((username, address), (0, when))
        pairs[username, address] = (count + failures, max(last, when))
    for (username, address), (count, last) in pairs.items():
        if count >= settings.AXES_FAILURE_LIMIT:
            blocks[username]["locked"].append((address, last + cool_off()))
    return {
        name: block
        for name, block in blocks.items()
        if block["locked"] or block["failures"] >= settings.AXES_FAILURE_LIMIT
    }


def unlock(user, by):
    """Open every lock of the user's login and end its slow-down (a coordinator on the
    staff page). Returns how many addresses it was locked from."""
    from axes.models import AccessAttempt

    username = user.get_username()
    block = login_blocks([username]).get(username, {"locked": [], "failures": 0})
    with transaction.atomic():
        AccessAttempt.objects.filter(username=username).delete()
        record(
            AuditAction.LOGIN_UNLOCKED,
            actor=by,
            user=user,
            username=username,
            addresses=sorted(address for address, _until in block["locked"]),
            failures=block["failures"],
        )
    return len(block["locked"])


@receiver(user_logged_out, dispatch_uid="review.security.logged_out")
def logged_out(sender, request, user, **kwargs):
    if user is None or request is None:
        return
    row = request.session.get(SESSION_ROW)
    if row:
        StaffSession.objects.filter(pk=row).delete()
    why = getattr(request, "staff_session_ended", None)
    if why:
        record(AuditAction.SESSION_EXPIRED, actor=user, user=user, request=request, reason=why)
    else:
        record(AuditAction.LOGOUT, actor=user, user=user, request=request)


def end_sessions(user, by):
    """Log the user out everywhere: delete each of their sessions from the session store.
    Returns how many there were."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    with transaction.atomic():
        keys = list(
            StaffSession.objects.select_for_update()
            .filter(user=user)
            .values_list("session_key", flat=True)
        )
        for key in keys:
            store(session_key=key).delete()
        StaffSession.objects.filter(user=user).delete()
        record(AuditAction.SESSIONS_ENDED, actor=by, user=user, sessions=len(keys))
    return len(keys)


# --- Two-factor devices ---------------------------------------------------------------------

BACKUP_CODES = 10


def new_backup_codes(user) -> list[str]:
    """Backup codes for a lost phone (django-otp's static device): earlier ones stop
    working. Returned once, to be shown once; each works for one login."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    with transaction.atomic():
        for device in StaticDevice.objects.filter(user=user):
            device.delete()  # audited (device_deleted)
        device = StaticDevice.objects.create(user=user, name="backup codes", confirmed=True)
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def backup_codes_left(user) -> int:
    from django_otp.plugins.otp_static.models import StaticToken

    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _backup_code_used(user) -> dict:
    """For the login's audit event: that a backup code opened it, and how many are left."""
    from django_otp.plugins.otp_static.models import StaticDevice

    device = getattr(user, "otp_device", None)
    if not isinstance(device, StaticDevice):
        return {}
    return {"backup_code": True, "backup_codes_left": device.token_set.count()}


def device_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        record(
            AuditAction.DEVICE_ADDED,
            user=instance.user,
            device=instance.name,
            kind=sender._meta.model_name,
        )


def device_deleted(sender, instance, **kwargs):
    record(
        AuditAction.DEVICE_REMOVED,
        user=instance.user,
        device=instance.name,
        kind=sender._meta.model_name,
    )


# --- Passwords and roles --------------------------------------------------------------------

ROLE_FLAGS = ("is_active", "is_staff", "is_superuser")


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="review.security.user_before")
def user_before_save(sender, instance, raw=False, update_fields=None, **kwargs):
    """Note what a save changes in the password and the role flags (one query, and none
    for saves that touch neither, such as the last-login time)."""
    instance._security_changes = None
    watched = {"password", *ROLE_FLAGS}
    if (
        raw
        or instance._state.adding
        or (update_fields is not None and not watched & set(update_fields))
    ):
        return
    before = sender.objects.filter(pk=instance.pk).values("password", *ROLE_FLAGS).first()
    if before is None:
        return
    instance._security_changes = {
        "password": before["password"] != instance.password,
        "flags": {
            flag: [before[flag], getattr(instance, flag)]
            for flag in ROLE_FLAGS
            if before[flag] != getattr(instance, flag)
        },
    }


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="review.security.user_after")
def user_after_save(sender, instance, created, raw=False, **kwargs):
    changes = getattr(instance, "_security_changes", None)
    instance._security_changes = None
    if raw:
        return
    if created:
        flags = {flag: [None, True] for flag in ROLE_FLAGS[1:] if getattr(instance, flag)}
        if flags:
            record(AuditAction.ROLE_CHANGED, user=instance, **flags)
        return
    if not changes:
        return
    if changes["password"]:
        record(AuditAction.PASSWORD_CHANGED, user=instance)
        _forget_other_sessions(instance)
    if changes["flags"]:
        record(AuditAction.ROLE_CHANGED, user=instance, **changes["flags"])


def _forget_other_sessions(user):
    """A new password ends the user's other sessions (Django no longer accepts them);
    the one changing it, when it is the user's own, goes on."""
    request = current_request.get()
    own = None
    if request is not None and getattr(request, "user", None) == user:
        own = request.session.get(SESSION_ROW)
    StaffSession.objects.filter(user=user).exclude(pk=own).delete()


def _names(model, pks):
    if model is Group:
        return sorted(Group.objects.filter(pk__in=pks).values_list("name", flat=True))
    return sorted(
        f"{app}.{codename}"
        for app, codename in Permission.objects.filter(pk__in=pks).values_list(
            "content_type__app_label", "codename"
        )
    )


THROUGH_FIELD = {"groups": "group_id", "user_permissions": "permission_id"}


def _membership_changed(kind, sender, instance, action, reverse, model, pk_set, **kwargs):
    """Groups or permissions of a user (or, reversed, users of a group) changed."""
    if action == "pre_clear":
        # Remember what is cleared: post_clear no longer knows.
        if reverse:
            cleared = sender.objects.filter(**{THROUGH_FIELD[kind]: instance.pk}).values_list(
                "user_id", flat=True
            )
        else:
            cleared = getattr(instance, kind).values_list("pk", flat=True)
        instance._security_cleared = set(cleared)
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if action == "post_clear":
        pk_set = getattr(instance, "_security_cleared", set())
    if not pk_set:
        return
    key = f"{kind}_{'added' if action == 'post_add' else 'removed'}"
    if not reverse:
        # user.groups.add(…), user.user_permissions.remove(…)
        record(AuditAction.ROLE_CHANGED, user=instance, **{key: _names(model, pk_set)})
        return
    # group.user_set.add(…), permission.user_set.remove(…)
    label = _names(type(instance), [instance.pk])
    for user in get_user_model().objects.filter(pk__in=pk_set):
        record(AuditAction.ROLE_CHANGED, user=user, **{key: label})


@receiver(
    m2m_changed,
    sender=get_user_model().groups.through,
    dispatch_uid="review.security.user_groups",
)
def user_groups_changed(sender, **kwargs):
    _membership_changed("groups", sender, **kwargs)


@receiver(
    m2m_changed,
    sender=get_user_model().user_permissions.through,
    dispatch_uid="review.security.user_permissions",
)
def user_permissions_changed(sender, **kwargs):
    _membership_changed("user_permissions", sender, **kwargs)


@receiver(m2m_changed, sender=Group.permissions.through, dispatch_uid="review.security.group")
def group_permissions_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """What a role (group) may do changed: every member's role changed."""
    if action not in ("post_add", "post_remove") or not pk_set:
        return
    key = "permissions_added" if action == "post_add" else "permissions_removed"
    groups = [instance] if not reverse else list(Group.objects.filter(pk__in=pk_set))
    names = _names(Permission, pk_set) if not reverse else _names(Permission, [instance.pk])
    for group in groups:
        record(AuditAction.ROLE_CHANGED, group=group.name, **{key: names})


def connect():
    """Connect what needs the app registry: lockouts and every two-factor device model."""
    from axes.signals import user_locked_out
    from django_otp import device_classes

    user_locked_out.connect(locked_out, dispatch_uid="review.security.locked_out")
    for model in device_classes():
        post_save.connect(device_saved, sender=model, dispatch_uid=f"review.security.{model}.add")
        post_delete.connect(
            device_deleted, sender=model, dispatch_uid=f"review.security.{model}.remove"
        )
