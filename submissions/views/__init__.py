"""Public views of the submissions app, one module per page family. Views parse, call a
service in submissions.services and render."""

from .confirmation import (
    confirm,
    confirmed,
)
from .entry_form import (
    NOT_SAVED_IN_DRAFT,
    _challenge_initial,
    _closed,
    _handle_form,
    _partner_rows,
    _show_form,
    _unbound,
    draft,
    initiative_create,
    kept_image,
    pledge_create,
    similar,
    similar_entries,
    submitted,
)
from .manage import (
    CORRECTED,
    _form_errors,
    _initial_from_entry,
    _removed,
    manage,
    manage_edit,
    reminders_stop,
)
from .partners import (
    manage_partners,
    partner_confirm,
    partner_remove,
)
from .private_links import (
    _by_kind,
    _dead_link,
    _entry_for_token,
    _explain_retired,
    _lost_link,
    _private_gone,
    _valid_email,
    lost_link,
)
from .reports import (
    _progress_context,
    _report_page,
    report_edit,
    report_new,
)

__all__ = [
    "CORRECTED",
    "NOT_SAVED_IN_DRAFT",
    "_by_kind",
    "_challenge_initial",
    "_closed",
    "_dead_link",
    "_entry_for_token",
    "_explain_retired",
    "_form_errors",
    "_handle_form",
    "_initial_from_entry",
    "_lost_link",
    "_partner_rows",
    "_private_gone",
    "_progress_context",
    "_removed",
    "_report_page",
    "_show_form",
    "_unbound",
    "_valid_email",
    "confirm",
    "confirmed",
    "draft",
    "initiative_create",
    "kept_image",
    "lost_link",
    "manage",
    "manage_edit",
    "manage_partners",
    "partner_confirm",
    "partner_remove",
    "pledge_create",
    "reminders_stop",
    "report_edit",
    "report_new",
    "similar",
    "similar_entries",
    "submitted",
]
