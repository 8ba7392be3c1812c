"""The audit trail as people read it: each detail of an event with a translated label
and its values in words ("Approved for publication", "Finnish"), not raw JSON.

Values that are codes of another app's choices (e.g. publishing's moderation states)
are named by that app: it registers its choices here when it starts, so review never
imports it.
"""

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

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
    "entries": _("entries"),
    "assignments_removed": _("assignments removed"),
    "organisation": _("organisation"),
    "changes": _("changes"),
    "object": _("what"),
    "fields": _("fields"),
    "username": _("user name"),
    "automatic": _("automatic"),
    "created": _("created"),
    "per_entry": _("reviews per entry"),
    "max_per_reviewer": _("at most per reviewer"),
    "reviewers": _("reviewers"),
    "pairs": _("assignments"),
    "deleted": _("deleted"),
    "found": _("found"),
    "erased": _("erased"),
    "days": _("days"),
    "from_vote": _("from the vote's result"),
    "ballots": _("ballots"),
    "tied_with": _("tied with"),
}
HIDDEN = {"model"}

# (action, key) → {code: label}; other apps add theirs with register_values().
VALUES = {
    (AuditAction.ENTRY_STATUS, "before"): dict(EntryStatus.choices),
    (AuditAction.ENTRY_STATUS, "after"): dict(EntryStatus.choices),
    (AuditAction.DECIDED, "outcome"): dict(Outcome.choices),
    (None, "recommendation"): dict(Recommendation.choices),
    (None, "language"): dict(settings.LANGUAGES),
}


def register_values(action, key, choices):
    VALUES[(action, key)] = dict(choices)


def _value(action, key, value):
    labels = VALUES.get((action, key)) or VALUES.get((None, key))
    if labels is not None and isinstance(value, str) and value in labels:
        return str(labels[value])
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if value is None or value == "":
        return "–"
    if isinstance(value, list):
        return ", ".join(_value(action, key, item) for item in value) or "–"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value(action, key, v)}" for k, v in value.items()) or "–"
    return str(value)


def _field_label(model_label, name):
    try:
        model = apps.get_model(model_label)
    except (LookupError, ValueError, TypeError):
        return name
    translations = getattr(model, "_parler_meta", None)
    for candidate in [model, *([translations.root_model] if translations else [])]:
        try:
            return str(candidate._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            continue
    return name


def readable(event) -> list[tuple[str, str]]:
    """[(label, text)] of an audit event's details, in the active language."""
    details = event.details or {}
    rows = []
    for key, value in details.items():
        if key in HIDDEN:
            continue
        label = str(LABELS.get(key, key.replace("_", " ")))
        if key == "changes" and isinstance(value, dict):
            for name, pair in value.items():
                before, after = (
                    ([*pair, None, None])[:2] if isinstance(pair, list) else (None, pair)
                )
                rows.append(
                    (
                        _field_label(details.get("model", ""), name),
                        f"{_value(event.action, name, before)} → {_value(event.action, name, after)}",
                    )
                )
            continue
        rows.append((label, _value(event.action, key, value)))
    return rows
