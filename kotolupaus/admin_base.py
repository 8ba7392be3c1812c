"""One base for every ModelAdmin and inline: the rules every admin shares.

Every registered ModelAdmin inherits `AdminBase` (first in its bases, before Django's,
parler's or a library's admin class), every inline `InlineBase`;
tests/test_admin_rules.py walks `admin.site._registry` and fails for one that does not.
The admins of libraries (auth, django-otp, django-axes, procrastinate) are registered
again with it in kotolupaus/admin.py and review/admin.py.

Contact data (submissions/access.py). For users without
`submissions.view_contact_data`, contact fields — also reached through relations
("entry__contact_email", "partnerships__invited_email") — are left out of the change
page, the list, the filters, the search and the sortable columns; a lookup (`?…__regex=`,
`__startswith`, `__exact` …), an ordering (`o=`) or a `_to_field` through them is
refused (400) or ignored. Secrets (password and link hashes, one-time-code keys) are
refused for everyone.

Audit. What staff change in the admin panel reaches the audit trail, one row per
thing changed: a form saved (with the fields' values before and after), an object
deleted, an action run. The rows are written by review's audit trail (review/audit.py),
which registers itself here when it starts (data flows one way: submissions' admins
must not import review). Rows a service or a security record writes while the admin
saves (a translation, an assignment, a role change) are the same row, with the changed
fields added. Values of contact data and secrets are never written into the trail:
only that they changed.
"""

from contextlib import contextmanager, nullcontext
from datetime import UTC, date, datetime
from decimal import Decimal

from django import forms
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.http import HttpResponseRedirect

from . import public_side

_trail = None
_contact_rules = None
_entry_reference = None
_entry_change_url_name = None


def register_contact_rules(rules):
    """Which fields hold contact data and who may see them: submissions.access plugs in
    here when it starts (touches, can_view_contact_data, contact_fields_of,
    secret_fields_of, ordering_paths)."""
    global _contact_rules
    _contact_rules = rules


def touches(model, path, user):
    return _contact_rules.touches(model, path, user)


def can_view_contact_data(user):
    return _contact_rules.can_view_contact_data(user)


def contact_fields_of(model):
    return _contact_rules.contact_fields_of(model)


def secret_fields_of(model):
    return _contact_rules.secret_fields_of(model)


def ordering_paths(order):
    return _contact_rules.ordering_paths(order)


def register_entry_reference(reference_of, change_url_name):
    """How to read the reference of the entry a row names by id, as a query expression
    (`reference_of(OuterRef("entry_id"))`), and the URL name of the entry's admin page.
    Submissions plugs them in when it starts (the e-mail messages' list shows and
    searches the reference; this layer knows no entries)."""
    global _entry_reference, _entry_change_url_name
    _entry_reference = reference_of
    _entry_change_url_name = change_url_name


def entry_reference(entry_id):
    """The reference of the entry `entry_id` (an OuterRef) names, or NULL."""
    return _entry_reference(entry_id)


def entry_change_url_name():
    return _entry_change_url_name


def register_audit_trail(trail):
    """Review's audit trail (review/audit.py) plugs in here when it starts."""
    global _trail
    _trail = trail


def audit_trail():
    return _trail


# --- Contact data ------------------------------------------------------------------------


class RulesChangeList(ChangeList):
    """The list's sorting (`o=` picks a column by number) never sorts by a field the user
    may not see: such a column sorts nothing."""

    def __init__(self, request, *args, **kwargs):
        self.rules_user = request.user
        super().__init__(request, *args, **kwargs)

    def get_ordering_field(self, field_name):
        order = super().get_ordering_field(field_name)
        if any(touches(self.model, path, self.rules_user) for path in ordering_paths(order)):
            return None
        return order


class ContactRules:
    """Contact fields and secrets out of every way into an admin (see the module's
    docstring). A display method that shows contact data is marked
    `method.contact_data = True` (or sorts by a contact field)."""

    model: type[models.Model]

    def hides(self, request, name) -> bool:
        """Is this field, path or display column one the user may not see or use?"""
        user = request.user
        if callable(name):
            attr = name
        elif isinstance(name, str):
            if touches(self.model, name, user):
                return True
            attr = getattr(self, name, None) or getattr(self.model, name, None)
        else:
            return False
        if isinstance(attr, property):
            attr = attr.fget
        if getattr(attr, "contact_data", False) and not can_view_contact_data(user):
            return True
        return any(
            touches(self.model, path, user)
            for path in ordering_paths(getattr(attr, "admin_order_field", None))
        )

    def _visible(self, names, request):
        shown = []
        for name in names:
            if isinstance(name, list | tuple):  # fields shown side by side
                inner = self._visible(name, request)
                if inner:
                    shown.append(type(name)(inner))
            elif not self.hides(request, name):
                shown.append(name)
        return shown

    def get_fields(self, request, obj=None):
        return self._visible(super().get_fields(request, obj), request)

    def get_readonly_fields(self, request, obj=None):
        return self._visible(super().get_readonly_fields(request, obj), request)

    def get_fieldsets(self, request, obj=None):
        fieldsets = []
        for name, options in super().get_fieldsets(request, obj):
            fields = self._visible(options.get("fields", ()), request)
            if fields:
                fieldsets.append((name, {**options, "fields": fields}))
        return fieldsets


class AdminBase(ContactRules):
    """The base of every ModelAdmin (put it first: `class X(AdminBase, admin.ModelAdmin)`).

    Audit: `audit_exclude` names form fields whose changes another record describes
    (a user's role, recorded by review/security.py); `audit_label(obj)` is how the trail
    names an object (its str by default)."""

    audit_exclude = ()
    # Public side: adding, changing and deleting reach it (kotolupaus.public_side: the
    # change the model causes by publishing.changes.PUBLIC_MODELS, in the same
    # transaction — read model, search, public version, page cache). An admin whose
    # saves go through a publishing service that makes the public change itself sets
    # this, so that it is not made twice.
    public_change_by_service = False

    # --- Contact data: the list and every way into it

    def get_list_display(self, request):
        return self._visible(super().get_list_display(request), request)

    def get_list_display_links(self, request, list_display):
        links = super().get_list_display_links(request, list_display)
        return links if links is None else [name for name in links if name in list_display]

    def get_list_filter(self, request):
        shown = []
        for item in super().get_list_filter(request):
            if isinstance(item, list | tuple):
                path = item[0]
            elif isinstance(item, str):
                path = item
            else:  # a filter class: its own parameter, unless it says it shows contact data
                if getattr(item, "contact_data", False):
                    continue
                shown.append(item)
                continue
            if not self.hides(request, path):
                shown.append(item)
        return shown

    def get_search_fields(self, request):
        return [
            name
            for name in super().get_search_fields(request)
            if not touches(self.model, name, request.user)
        ]

    def get_sortable_by(self, request):
        return self._visible(super().get_sortable_by(request), request)

    def lookup_allowed(self, lookup, value, request=None):
        if request is not None and touches(self.model, lookup, request.user):
            return False  # the changelist answers 400
        return super().lookup_allowed(lookup, value, request)

    def to_field_allowed(self, request, to_field):
        try:
            field = self.opts.get_field(to_field)
        except FieldDoesNotExist:
            return False
        if not field.concrete or touches(self.model, to_field, request.user):
            return False  # (Django's check fails with a 500 on a reverse relation)
        return super().to_field_allowed(request, to_field)

    def get_changelist(self, request, **kwargs):
        return RulesChangeList

    # --- Audit: every view that can change something runs in one transaction whose audit
    # rows are gathered and written one per thing changed.

    @contextmanager
    def audit_unit(self, request):
        if request.method != "POST" or _trail is None:
            yield
            return
        with transaction.atomic(), _trail.unit():
            yield

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with self.audit_unit(request):
            return super().changeform_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        with self.audit_unit(request):
            return super().changelist_view(request, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        with self.audit_unit(request):
            return super().delete_view(request, object_id, extra_context)

    def audit_label(self, obj) -> str:
        return str(obj)

    def audit_changes(self, form, change) -> dict:
        """{field: [before, after]} of what the form changed, as plain values (names of
        related objects, codes of choices, ISO dates); contact data and secrets only as
        changed, without their values."""
        hidden = contact_fields_of(self.model) | secret_fields_of(self.model)
        changes: dict[str, object] = {}
        for name in form.changed_data:
            if name in self.audit_exclude:
                continue
            field = form.fields.get(name)
            if name in hidden or isinstance(getattr(field, "widget", None), forms.PasswordInput):
                changes[name] = HIDDEN
                continue
            before = plain(field, form.initial.get(name)) if change else None
            after = plain(field, form.cleaned_data.get(name))
            if before != after:  # e.g. a time shown without its microseconds
                changes[name] = [before, after]
        return changes

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        obj._audit_changes = self.audit_changes(form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not self.public_change_by_service:
            public_side.model_changed(form.instance, by=request.user)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        if not self.public_change_by_service:
            public_side.model_changed(obj, by=request.user)

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        if _trail is not None:
            _trail.saved(request, self, obj, added=True, changes=_pop_changes(obj))
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        if _trail is not None:
            _trail.saved(request, self, obj, added=False, changes=_pop_changes(obj))
        return entry

    def log_deletions(self, request, queryset):
        entries = super().log_deletions(request, queryset)
        if _trail is not None:
            _trail.deleting(request, self, list(queryset))
        return entries

    def delete_queryset(self, request, queryset):
        """One by one, each with its own row in the trail (and what its deletion does)."""
        for obj in queryset:
            with _trail.each(request, self, obj) if _trail is not None else nullcontext():
                self.delete_model(request, obj)

    def response_action(self, request, queryset):
        chosen = request.POST.getlist(ACTION_CHECKBOX_NAME)
        everything = request.POST.get("select_across") in ("1", "True", "on")
        name = request.POST.get("action", "")
        if _trail is None:
            return super().response_action(request, queryset)
        with _trail.action(request, self, name) as action:
            response = super().response_action(request, queryset)
            function = self.get_actions(request).get(name, (None,))[0]
            if isinstance(response, HttpResponseRedirect) and not getattr(
                function, "audited_by_service", False
            ):
                action.done(queryset if everything else queryset.filter(pk__in=chosen))
        return response


def _pop_changes(obj):
    changes = getattr(obj, "_audit_changes", None)
    obj._audit_changes = None
    return changes


HIDDEN = "(hidden)"


def plain(field, value):
    """A form value as the audit trail keeps it (JSON): text, numbers, lists; related
    objects by name."""
    if isinstance(field, forms.ModelMultipleChoiceField):
        return sorted(_names(field, value or []))
    if isinstance(field, forms.ModelChoiceField):
        if value in (None, ""):
            return None
        return _names(field, [value])[0] if _names(field, [value]) else str(value)
    if isinstance(value, str):  # a browser sends line breaks as \r\n
        return value.replace("\r\n", "\n")
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.replace(microsecond=0).astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [plain(None, item) for item in value]
    if hasattr(value, "name") and hasattr(value, "url"):  # a file
        return value.name or ""
    return str(value)


def _names(field, values):
    objects = [value for value in values if isinstance(value, models.Model)]
    keys = [value for value in values if not isinstance(value, models.Model)]
    if keys:
        objects += list(field.queryset.model._default_manager.filter(pk__in=keys))
    return [str(obj) for obj in objects]


class InlineBase(ContactRules):
    """The base of every inline (`class X(InlineBase, admin.TabularInline)`): contact
    fields left out for users without the permission. Saves are audited with their
    parent's form."""


def audited_by_service(action):
    """Marks an admin action whose service writes the audit rows (one per thing it
    changed; none for what it refused): the base adds no row of its own."""
    action.audited_by_service = True
    return action
