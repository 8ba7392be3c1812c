"""The audit trail's one way in: `audit()` writes every event (review's services,
publishing's moderation and translations, personal-data tools, security records), and
the admin panel's changes reach it through `AdminTrail`, which the admin base class
(kotolupaus/admin_base.py) calls.

Rows are never changed or deleted (a database trigger refuses it). An event about
several entries (decisions published, personal data exported) is linked to each of
them (`about`), so that the trail filtered by an entry finds it.

One row per thing changed. While an admin view runs (`unit()`, inside its
transaction), rows are gathered instead of written: a save whose service and security
records also wrote rows (a translation, a role change) becomes one row with the fields
the form changed; a deletion one row with what deleting it did; an action that no
service recorded one row naming the action and the objects.
"""

from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from .models import AuditAction, AuditEvent, AuditEventEntry

_gathering = ContextVar("review_audit_unit", default=None)


class _Unit:
    def __init__(self):
        self.rows = []  # [(event, entries it is about)], not yet written
        self.pending = {}  # (model, pk) → the row of an object being deleted


def audit(
    actor: Any,
    action: str,
    campaign: Any = None,
    entry: Any = None,
    *,
    about: Iterable[Any] = (),
    user: Any = None,
    ip_address: str | None = None,
    **details: Any,
) -> AuditEvent:
    """Record that `actor` did `action` (on `entry`, in `campaign`; about more entries
    `about`; to the staff account `user`, from `ip_address`), with its details."""
    event = AuditEvent(
        actor=actor,
        action=action,
        campaign=campaign,
        entry=entry,
        user=user,
        ip_address=ip_address,
        details=details,
    )
    about = [item for item in about if item is not None]
    unit = _gathering.get()
    if unit is not None:
        unit.rows.append((event, about))
    else:
        _write(event, about)
    return event


def _write(event, about):
    event.save()
    linked = {getattr(item, "pk", item) for item in about} - {event.entry_id, None}
    AuditEventEntry.objects.bulk_create(
        AuditEventEntry(event=event, entry_id=entry_id) for entry_id in sorted(linked)
    )


@contextmanager
def _new_unit():
    unit = _Unit()
    token = _gathering.set(unit)
    try:
        yield unit
    finally:
        _gathering.reset(token)


@contextmanager
def unit():
    """Gather the rows written meanwhile and write them, one per thing changed, at the
    end (inside the caller's transaction; nothing is written if it fails)."""
    if _gathering.get() is not None:
        yield _gathering.get()
        return
    with _new_unit() as gathered:
        yield gathered
    _flush(gathered.rows, list(gathered.pending.values()))


def _key(event):
    return (event.action, event.actor_id, event.campaign_id, event.entry_id, event.user_id)


def _merge_details(into, details, *, keep=False):
    for name, value in details.items():
        present = into.get(name)
        if keep and name in into:
            if isinstance(present, dict) and isinstance(value, dict):
                into[name] = {**value, **present}
            continue
        if isinstance(present, list) and isinstance(value, list):
            into[name] = present + [item for item in value if item not in present]
        elif isinstance(present, dict) and isinstance(value, dict):
            into[name] = {**present, **value}
        else:
            into[name] = value


def _merge(rows):
    """Rows about the same thing (action, who, campaign, entry, staff account) → one."""
    merged = {}
    for event, about in rows:
        key = _key(event)
        if key not in merged:
            merged[key] = (event, list(about))
            continue
        first, first_about = merged[key]
        _merge_details(first.details, event.details)
        first.ip_address = first.ip_address or event.ip_address
        first_about.extend(about)
    return list(merged.values())


def _flush(rows, generic=()):
    """Write gathered rows one per thing. The admin's own rows (what a form changed,
    an object deleted) join the first row a service wrote meanwhile, or are written
    themselves when no service wrote one."""
    merged = _merge(rows)
    if merged:
        first, about = merged[0]
        for event, event_about in generic:
            details = dict(event.details)
            changes = {
                name: value
                for name, value in details.pop("changes", {}).items()
                if name not in first.details
            }
            if changes:
                details["changes"] = changes
            _merge_details(first.details, details, keep=True)
            first.ip_address = first.ip_address or event.ip_address
            about.extend(event_about)
    else:
        merged = list(generic)
    for event, about in merged:
        _write(event, about)


# --- The admin panel ---------------------------------------------------------------------

# What a change made in the admin is called in the trail, per model: the same action for
# changing, adding and deleting, or (changed, added, deleted). Other models: ADMIN_CHANGED.
ADMIN_ACTIONS = {
    "submissions.campaign": AuditAction.CAMPAIGN,
    "submissions.theme": AuditAction.TAXONOMY,
    "submissions.targetgroup": AuditAction.TAXONOMY,
    "submissions.organisation": AuditAction.ORGANISATION,
    "submissions.indicator": AuditAction.INDICATOR,
    "publishing.publication": AuditAction.NOTE,
    "publishing.reportpublication": AuditAction.NOTE,
    "publishing.programme": AuditAction.PROGRAMME,
    "publishing.publictext": AuditAction.TRANSLATED,
    "publishing.publicreporttext": AuditAction.TRANSLATED,
    "review.criterion": AuditAction.CRITERIA,
    "review.reviewsettings": AuditAction.SETTINGS,
    "review.awardcategory": (
        AuditAction.AWARD_CHANGED,
        AuditAction.AWARD_CHANGED,
        AuditAction.AWARD_DELETED,
    ),
    "review.award": (AuditAction.AWARD_CHANGED, AuditAction.AWARDED, AuditAction.AWARD_DELETED),
    "auth.user": AuditAction.ACCOUNT,
    "auth.group": AuditAction.ROLE_CHANGED,
    "otp_totp.totpdevice": (
        AuditAction.ACCOUNT,
        AuditAction.DEVICE_ADDED,
        AuditAction.DEVICE_REMOVED,
    ),
}


def admin_action_for(model, how):
    """The AuditAction of a change ("changed", "added", "deleted") made to `model`."""
    action = ADMIN_ACTIONS.get(model._meta.label_lower, AuditAction.ADMIN_CHANGED)
    if isinstance(action, tuple):
        return action[("changed", "added", "deleted").index(how)]
    return action


def _entry_of(obj):
    from submissions.models import Entry

    if isinstance(obj, Entry):
        return obj
    for path in ("entry", "report"):
        related = getattr(obj, path, None)
        if isinstance(related, Entry):
            return related
        if related is not None and isinstance(getattr(related, "entry", None), Entry):
            return related.entry
    return None


def _campaign_of(obj, entry):
    from submissions.models import Campaign

    if isinstance(obj, Campaign):
        return obj
    for candidate in (obj, getattr(obj, "category", None), entry):
        campaign = getattr(candidate, "campaign", None)
        if isinstance(campaign, Campaign):
            return campaign
    return None


def _admin_event(request, model_admin, obj, how, *, gone=False, **details):
    from django.contrib.auth import get_user_model

    from .security import client_address

    entry = _entry_of(obj)
    campaign = _campaign_of(obj, entry)
    if gone:  # the row outlives the object: never a link to it
        entry = None if entry is obj else entry
        campaign = None if campaign is obj else campaign
    staff = get_user_model()
    # The staff account concerned: the user changed, or a device's owner.
    user = (None if gone else obj) if isinstance(obj, staff) else getattr(obj, "user", None)
    event = AuditEvent(
        actor=request.user if request.user.is_authenticated else None,
        action=admin_action_for(type(obj), how),
        campaign=campaign,
        entry=entry,
        user=user if isinstance(user, staff) else None,
        ip_address=client_address(request),
        details={
            "model": obj._meta.label_lower,
            "object": model_admin.audit_label(obj),
            **details,
        },
    )
    language = getattr(obj, "get_current_language", lambda: None)()
    if language and getattr(obj, "_parler_meta", None) is not None:
        event.details["language"] = language
    return event, [entry] if entry is not None else []


class _ActionRun:
    def __init__(self):
        self.objects = None

    def done(self, objects):
        self.objects = objects


class AdminTrail:
    """What the admin base class calls (see kotolupaus/admin_base.py)."""

    unit = staticmethod(unit)

    def saved(self, request, model_admin, obj, *, added, changes):
        """A form saved `obj`: one row with what it changed (`changes` is None when the
        admin saved it its own way, through a service that records it)."""
        gathered = _gathering.get()
        rows = []
        if gathered is not None:
            rows, gathered.rows = gathered.rows, []
        details = {"added": True} if added else {}
        if changes:
            details["changes"] = changes
        generic = []
        if added or changes or (changes is None and not rows):
            generic.append(
                _admin_event(request, model_admin, obj, "added" if added else "changed", **details)
            )
        _flush(rows, generic)

    def deleting(self, request, model_admin, objects):
        """These objects are about to be deleted: their rows are written after it, with
        what deleting them did."""
        gathered = _gathering.get()
        for obj in objects:
            row = _admin_event(request, model_admin, obj, "deleted", gone=True, deleted=True)
            if gathered is None:
                _write(*row)
            else:
                gathered.pending[(obj._meta.label_lower, obj.pk)] = row

    @contextmanager
    def each(self, request, model_admin, obj):
        """One object of a bulk deletion: its row with what deleting it did."""
        outer = _gathering.get()
        pending = outer.pending.pop((obj._meta.label_lower, obj.pk), None) if outer else None
        with _new_unit() as gathered:
            yield
        _flush(gathered.rows, [pending, *gathered.pending.values()] if pending else [])

    @contextmanager
    def action(self, request, model_admin, name):
        """An admin action: what its services recorded, or one row naming it and the
        objects it was run on."""
        run = _ActionRun()
        with _new_unit() as gathered:
            yield run
        rows, pending = gathered.rows, list(gathered.pending.values())
        if run.objects is not None and not rows and not pending:
            objects = list(run.objects[:200])
            if objects:
                entries = [entry for entry in map(_entry_of, objects) if entry is not None]
                event, _about = _admin_event(
                    request,
                    model_admin,
                    objects[0],
                    "changed",
                    action=name,
                    objects=[model_admin.audit_label(obj) for obj in objects],
                )
                event.action = AuditAction.ADMIN_ACTION
                event.entry = entries[0] if len({e.pk for e in entries}) == 1 else None
                event.details.pop("object", None)
                rows = [(event, entries)]
        _flush(rows, pending)
