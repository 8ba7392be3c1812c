"""The audit trail as people read it: each detail of an event with a translated label
and its values in words ("Approved for publication", "Finnish", "Concreteness: 4"),
never raw JSON, codes or English keys.

Values that are codes of another app's choices (e.g. publishing's moderation states)
are named by that app: it registers its choices here when it starts, so review never
imports it. A field changed in the admin panel is labelled with the field's own name
and its value named by the field's choices. tests/test_audit_display.py walks every
key the code writes and fails for one without a label here.
"""

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from submissions.models import EntryStatus

from .models import AuditAction, Outcome, Recommendation

LABELS = {
    "before": _("before"),
    "after": _("after"),
    "reason": _("reason"),
    "comment": _("comment to the submitter"),
    "note": _("internal note"),
    "reviewer": _("reviewer"),
    "outcome": _("decision"),
    "rationale": _("rationale"),
    "language": _("language"),
    "previous": _("before"),
    "category": _("prize category"),
    "scores": _("scores"),
    "recommendation": _("recommendation"),
    "version": _("version of the entry scored"),
    "entries": _("entries"),
    "assignments_removed": _("assignments removed"),
    "organisation": _("organisation"),
    "changes": _("changes"),
    "object": _("what"),
    "objects": _("chosen"),
    "action": pgettext_lazy("admin action", "action"),
    "fields": _("fields"),
    "username": _("user name"),
    "automatic": _("automatic"),
    "created": _("created"),
    "per_entry": _("reviews per entry"),
    "max_per_reviewer": _("at most per reviewer"),
    "reviewers": _("reviewers"),
    "pairs": _("assignments"),
    "added": _("added"),
    "deleted": _("deleted"),
    "found": _("found"),
    "erased": _("erased"),
    "days": _("days"),
    "from_vote": _("from the vote's result"),
    "ballots": _("ballots"),
    "tied_with": _("tied with"),
    "report": _("progress report"),
    "reported_on": _("date of the report"),
    "due_on": _("due on"),
    # Security events (review/security.py).
    "failures": _("failed attempts"),
    "addresses": _("addresses the attempts came from"),
    "cooloff_hours": _("locked for (hours)"),
    "device": _("device"),
    "kind": _("kind of device"),
    "backup_code": _("with a backup code"),
    "backup_codes_left": _("backup codes left"),
    "sessions": _("sessions ended"),
    "group": _("role"),
    "groups_added": _("roles added"),
    "groups_removed": _("roles removed"),
    "user_permissions_added": _("permissions added"),
    "user_permissions_removed": _("permissions removed"),
    "permissions_added": _("permissions added"),
    "permissions_removed": _("permissions removed"),
    # What personal-data tools counted (publishing/personal_data.py).
    "partner_invitations": _("partner invitations"),
    "messages_to_initiatives": _("messages to initiatives"),
    "drafts": _("drafts"),
    "staff_accounts": _("staff accounts"),
    "staff_events": _("staff members' events"),
    "emails_sent": _("e-mails"),
}
# Where a key means something else in one kind of event.
REVIEW_COMMENT = _("reviewer's internal comment (not sent)")
ACTION_LABELS = {
    (AuditAction.SCORED, "comment"): REVIEW_COMMENT,
    (AuditAction.SCORE_CHANGED, "comment"): REVIEW_COMMENT,
    (AuditAction.SCORE_WITHDRAWN, "comment"): REVIEW_COMMENT,
    (AuditAction.SCORE_WITHDRAWN, "reason"): _("conflict of interest"),
    (AuditAction.CONFLICT_DECLARED, "reason"): _("conflict of interest"),
    (AuditAction.PERSONAL_DATA_EXPORTED, "entries"): _("entries"),
}
# Details that only serve the ones shown (the model of "object").
HIDDEN = {"model"}

ROLES = {"coordinator": _("coordinator"), "reviewer": _("reviewer")}
DEVICE_KINDS = {"totpdevice": _("authenticator app"), "staticdevice": _("backup codes")}
# (action, key) → {code: label}; (None, key) for every action; other apps add theirs
# with register_values().
VALUES = {
    (AuditAction.ENTRY_STATUS, "before"): dict(EntryStatus.choices),
    (AuditAction.ENTRY_STATUS, "after"): dict(EntryStatus.choices),
    (AuditAction.ENTRY_STATUS, "reason"): {"personal data erased": _("personal data erased")},
    (AuditAction.MODERATED, "reason"): {"edited by the submitter": _("edited by the submitter")},
    (AuditAction.DECIDED, "outcome"): dict(Outcome.choices),
    (AuditAction.DECIDED, "previous"): {**dict(Outcome.choices), **dict(settings.LANGUAGES)},
    (AuditAction.LOGIN_FAILED, "reason"): {
        "password": _("wrong user name or password"),
        "code": _("wrong one-time code"),
        "locked": _("refused: the login was locked after failed attempts"),
        "not_staff": _("not a staff account, or not active"),
    },
    (AuditAction.SESSION_EXPIRED, "reason"): {
        "idle": _("no activity for too long"),
        "age": _("the longest a session lasts was reached"),
        "ended": _("ended by a coordinator"),
        "untracked": _("opened before sessions were recorded"),
    },
    (AuditAction.DEVICE_ADDED, "kind"): DEVICE_KINDS,
    (AuditAction.DEVICE_REMOVED, "kind"): DEVICE_KINDS,
    (None, "groups_added"): ROLES,
    (None, "groups_removed"): ROLES,
    (None, "group"): ROLES,
    (None, "recommendation"): dict(Recommendation.choices),
    (None, "language"): dict(settings.LANGUAGES),
}
HIDDEN_VALUE = _("changed (the value is not recorded)")


def register_values(action, key, choices):
    VALUES[(action, key)] = dict(choices)


def _words(value):
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return None


def _when(value):
    """An ISO date or time as the reader's format (Helsinki time), else None."""
    if not isinstance(value, str) or len(value) < 10 or value[4:5] != "-":
        return None
    moment = parse_datetime(value) if len(value) > 10 else None
    if moment is not None and moment.tzinfo is not None:
        return date_format(localtime(moment), "SHORT_DATETIME_FORMAT")
    day = parse_date(value) if len(value) == 10 else None
    return date_format(day, "SHORT_DATE_FORMAT") if day else None


def _value(action, key, value, *, labels=None, names=None):
    labels = labels if labels is not None else VALUES.get((action, key)) or VALUES.get((None, key))
    if labels is not None and isinstance(value, str) and value in labels:
        return str(labels[value])
    words = _words(value)
    if words is not None:
        return words
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, list):
        return ", ".join(_value(action, key, item, labels=labels, names=names) for item in value)
    if isinstance(value, dict):
        return _nested(action, key, value, names)
    return _when(value) or str(value)


def _nested(action, key, value, names):
    if key == "scores":  # criterion id → score
        return "; ".join(
            f"{(names or {}).get(str(criterion), criterion)}: {score}"
            for criterion, score in value.items()
        )
    return "; ".join(
        f"{_label(action, name)}: {_value(action, name, item, names=names)}"
        for name, item in value.items()
    )


def _label(action, key):
    return str(ACTION_LABELS.get((action, key)) or LABELS.get(key) or key.replace("_", " "))


def _model(model_label):
    try:
        return apps.get_model(model_label)
    except (LookupError, ValueError, TypeError):
        return None


def _field(model, name):
    """The model field a form field saved (a translated field is its translations')."""
    if model is None:
        return None
    translations = getattr(model, "_parler_meta", None)
    for candidate in [model, *([translations.root_model] if translations else [])]:
        try:
            return candidate._meta.get_field(name)
        except FieldDoesNotExist:
            continue
    return None


def _change(action, model, name, pair, names):
    field = _field(model, name)
    label = str(field.verbose_name) if field is not None else _label(action, name)
    if pair == "(hidden)":
        return label, str(HIDDEN_VALUE)
    before, after = ([*pair, None, None])[:2] if isinstance(pair, list) else (None, pair)
    choices = dict(field.flatchoices) if field is not None and field.choices else None
    shown = [_value(action, name, v, labels=choices, names=names) for v in (before, after)]
    return label, f"{shown[0]} → {shown[1]}"


def criterion_ids(event) -> set[str]:
    """The criteria an event's scores name (also inside before/after)."""
    found = set()

    def walk(value, key=None):
        if key == "scores" and isinstance(value, dict):
            found.update(str(k) for k in value)
        elif isinstance(value, dict):
            for name, item in value.items():
                walk(item, name)

    walk(event.details or {})
    return found


def criterion_names(ids) -> dict[str, str]:
    """Criterion id → its name in the active language (one query for all)."""
    from .models import Criterion

    ids = [int(i) for i in ids if str(i).isdigit()]
    if not ids:
        return {}
    return {
        str(criterion.pk): str(criterion)
        for criterion in Criterion.objects.filter(pk__in=ids).prefetch_related("translations")
    }


def readable(event, names=None) -> list[tuple[str, str]]:
    """[(label, text)] of an audit event's details, in the active language. `names`:
    criterion names by id (criterion_names()); looked up when not given."""
    details = event.details or {}
    if names is None:
        names = criterion_names(criterion_ids(event))
    model = _model(details.get("model", ""))
    rows: list = []
    for key, value in details.items():
        if key in HIDDEN:
            continue
        if key == "changes" and isinstance(value, dict):
            rows.extend(
                _change(event.action, model, name, pair, names) for name, pair in value.items()
            )
            continue
        if key == "object" and model is not None:
            rows.append((str(model._meta.verbose_name).capitalize(), str(value)))
            continue
        if key == "action" and event.action == AuditAction.ADMIN_ACTION:
            rows.append((_label(event.action, key), _action_name(model, value)))
            continue
        if key in ("is_active", "is_staff", "is_superuser"):  # a role's flags: before, after
            rows.append(_change(event.action, get_user_model(), key, value, names))
            continue
        if key == "pairs" and isinstance(value, list):  # [reference, reviewer]
            text = "; ".join(" → ".join(str(part) for part in pair) for pair in value) or "–"
            rows.append((_label(event.action, key), text))
            continue
        if key in ("found", "erased") and isinstance(value, dict):
            rows.append((_label(event.action, key), _nested(event.action, key, value, names)))
            continue
        rows.append((_label(event.action, key), _value(event.action, key, value, names=names)))
    return rows


def _action_name(model, name):
    """An admin action's description, as the admin shows it."""
    from django.contrib import admin

    model_admin = admin.site._registry.get(model) if model is not None else None
    function = getattr(model_admin, name, None) if model_admin is not None else None
    if function is None and model_admin is not None:
        function = next(
            (a for a in model_admin.actions or () if getattr(a, "__name__", None) == name), None
        )
    if function is None:
        function = dict(admin.site.actions).get(name)
    description = getattr(function, "short_description", None)
    if description is None:
        return name
    return str(description) % {
        "verbose_name": model._meta.verbose_name,
        "verbose_name_plural": model._meta.verbose_name_plural,
    }
