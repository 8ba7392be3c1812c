"""Who may see contact data: the one check, used by every page, export and tool.

Contact data are the name, e-mail address and telephone number of an entry's contact
person, the e-mail addresses partner organisations were invited at, the name and
address of someone who sent a "we want to join" message, the addresses e-mails went to,
a draft's form data and staff members' names and addresses (CONTACT_DATA). Coordinators
have the permission `submissions.view_contact_data` (their group is given it by review
migration 0007); reviewers score the entry's text, its organisations and partners
without it.

Secrets (SECRETS: password and private-link hashes, one-time-code keys, session keys,
the text of e-mails, which carries private links) are never looked up, sorted or
searched by anyone.

`touches(model, path, fields)` tells whether a lookup, an ordering or a search path
("entry__partnerships__invited_email__regex" from a publication) passes through such a
field; the admin base class (kotolupaus/admin_base.py) refuses those paths for users
without the permission, on every admin.
"""

from django.core.exceptions import FieldDoesNotExist
from django.db.models import F
from django.db.models.constants import LOOKUP_SEP

CONTACT_PERMISSION = "submissions.view_contact_data"
# An entry's contact person.
CONTACT_FIELDS = ("contact_name", "contact_email", "contact_phone", "contact_language")

# Contact data, model by model ("app_label.model_name" → fields). The models of the later
# apps are named, not imported (data flows one way). tests/test_admin_rules.py finds
# every field that looks like a person's name, address or telephone number in every
# model and fails for one that is not here (or in its list of fields that are not).
CONTACT_DATA = {
    "submissions.entry": CONTACT_FIELDS,
    "submissions.partnership": ("invited_email",),
    "submissions.draft": ("data",),
    "publishing.joinrequest": ("name", "email"),
    "kotolupaus.message": ("recipient", "recipient_key", "reply_to", "masked_body"),
    "auth.user": ("email", "first_name", "last_name"),
}
SECRETS = {
    "auth.user": ("password",),
    "otp_totp.totpdevice": ("key",),
    "otp_static.statictoken": ("token",),
    "kotolupaus.message": ("body", "unsubscribe_url", "message_id"),
    "submissions.entry": ("confirm_token_hash", "submission_key"),
    "submissions.managementlink": ("token_hash",),
    "submissions.partnership": ("token_hash",),
    "submissions.draft": ("token_hash",),
    "submissions.retiredlink": ("token_hash",),
    "review.staffsession": ("session_key",),
    "axes.accesslog": ("session_hash",),
    "sessions.session": ("session_key", "session_data"),
}


def can_view_contact_data(user) -> bool:
    """May this user see contact data? The only place that decides."""
    return bool(user is not None and user.is_active and user.has_perm(CONTACT_PERMISSION))


def _declared(table, model) -> frozenset:
    meta = model._meta.concrete_model._meta
    return frozenset(table.get(meta.label_lower, ()))


def contact_fields_of(model) -> frozenset:
    return _declared(CONTACT_DATA, model)


def secret_fields_of(model) -> frozenset:
    return _declared(SECRETS, model)


def hidden_fields_of(model, user) -> frozenset:
    """The fields of `model` this user may never look up, sort or search by."""
    secret = secret_fields_of(model)
    return secret if can_view_contact_data(user) else secret | contact_fields_of(model)


def path_fields(model, path):
    """The (model, field) pairs a lookup path passes through, from `model`:
    "entry__partnerships__invited_email__regex" from Publication gives (Publication,
    entry), (Entry, partnerships), (Partnership, invited_email); what follows a field
    that is not a relation ("regex", a JSON key) is a transform or a lookup."""
    for part in path.lstrip("-^=@?").split(LOOKUP_SEP):
        meta = model._meta
        try:
            field = meta.pk if part == "pk" else meta.get_field(part)
        except FieldDoesNotExist:
            return
        yield model, field
        related = field.related_model if field.is_relation else None
        if related is None or isinstance(related, str):
            return
        model = related


def touches(model, path, user) -> bool:
    """Does the path pass through a field the user may not look up, sort or search by?"""
    return any(
        field.name in hidden_fields_of(owner, user) for owner, field in path_fields(model, path)
    )


def ordering_paths(order):
    """The field paths an admin ordering (a name, "-name", F(), Lower(F()), OrderBy …)
    sorts by."""
    if order is None:
        return []
    if isinstance(order, str):
        return [order.lstrip("-")]
    if isinstance(order, F):
        return [order.name]
    paths = []
    for source in getattr(order, "get_source_expressions", list)():
        paths.extend(ordering_paths(source))
    return paths
