"""The rules every admin shares (kotolupaus/admin_base.py): every registered ModelAdmin
and inline inherits the admin base; staff without the contact-data permission get no
yes/no answer about contact data from any admin — not through a lookup in the URL
(`?contact_email__regex=^demo1`), an ordering, facets, the search, an autocomplete, a
`_to_field` or a change page — also through relations. The contact fields are found by
walking every model's fields, not from a list that can go stale."""

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth.models import Permission
from django.db import models

from kotolupaus.admin_base import AdminBase, InlineBase
from submissions.access import CONTACT_DATA, SECRETS, can_view_contact_data, touches

from .admin_walk import MARK, Doors, admin_url, everything, registry
from .conftest import make_staff

pytestmark = pytest.mark.django_db


def admins_without_the_base(site):
    """ModelAdmins and inlines of `site` that do not inherit the admin base first (before
    Django's own class, so that its rules are the ones that run)."""
    missing = []
    for model, model_admin in site._registry.items():
        order = type(model_admin).__mro__
        if not isinstance(model_admin, AdminBase) or order.index(AdminBase) > order.index(
            admin.ModelAdmin
        ):
            missing.append(f"{model._meta.label}: {type(model_admin).__name__}")
        for inline in model_admin.inlines:
            if not issubclass(inline, InlineBase) or inline.__mro__.index(
                InlineBase
            ) > inline.__mro__.index(admin.options.InlineModelAdmin):
                missing.append(f"{model._meta.label}: inline {inline.__name__}")
    return sorted(missing)


def test_every_registered_admin_and_inline_inherits_the_admin_base():
    assert admins_without_the_base(admin.site) == []


def test_the_check_finds_an_admin_without_the_base():
    from submissions.models import Theme

    class PlainInline(admin.TabularInline):
        model = Theme

    class Plain(admin.ModelAdmin):
        inlines = [PlainInline]

    class Late(admin.ModelAdmin, AdminBase):
        pass

    site = admin.AdminSite(name="test")
    site.register(Theme, Plain)
    from submissions.models import TargetGroup

    site.register(TargetGroup, Late)

    assert admins_without_the_base(site) == [
        "submissions.TargetGroup: Late",
        "submissions.Theme: Plain",
        "submissions.Theme: inline PlainInline",
    ]


# --- Which fields are contact data ---------------------------------------------------------

LOOKS_LIKE_CONTACT = re.compile(
    r"(^|_)(email|e_mail|phone|telephone|mobile|recipient|reply_to|first_name|last_name|"
    r"contact_name|contact_language)($|_)"
)
LOOKS_SECRET = re.compile(r"token|password|secret|session_key|session_hash|session_data")
# Fields whose names look like contact data or secrets but are not (written by a person,
# each with its reason).
NOT_CONTACT_DATA = {
    # The kind of an e-mail message and the number of messages are not addresses.
    # Whether the contact asked for the monthly e-mail of suggestions: a yes or a no.
    "submissions.partnersearch.suggestions_by_email",
}
NOT_SECRET = {
    # A token's hash is in SECRETS; these name no secret.
}


def all_fields():
    for model in apps.get_models(include_auto_created=False):
        for field in model._meta.get_fields():
            if field.concrete and not field.is_relation:
                yield model, field


def declared(table, model, field):
    return field.name in table.get(model._meta.concrete_model._meta.label_lower, ())


def test_every_field_that_looks_like_contact_data_is_declared():
    undeclared = sorted(
        f"{model._meta.label_lower}.{field.name}"
        for model, field in all_fields()
        if (isinstance(field, models.EmailField) or LOOKS_LIKE_CONTACT.search(field.name))
        and not declared(CONTACT_DATA, model, field)
        and f"{model._meta.label_lower}.{field.name}" not in NOT_CONTACT_DATA
    )
    assert undeclared == []


def test_every_field_that_looks_secret_is_declared():
    undeclared = sorted(
        f"{model._meta.label_lower}.{field.name}"
        for model, field in all_fields()
        if LOOKS_SECRET.search(field.name)
        and not declared(SECRETS, model, field)
        and f"{model._meta.label_lower}.{field.name}" not in NOT_SECRET
    )
    assert undeclared == []


def test_a_name_beside_an_address_is_contact_data():
    """A model with an e-mail address and a `name`: the name is the person's."""
    undeclared = sorted(
        model._meta.label_lower
        for model in apps.get_models()
        if any(isinstance(f, models.EmailField) for f in model._meta.concrete_fields)
        and any(f.name == "name" for f in model._meta.concrete_fields)
        and not declared(CONTACT_DATA, model, model._meta.get_field("name"))
    )
    assert undeclared == []


def test_every_declared_field_exists():
    missing = sorted(
        f"{label}.{name}"
        for table in (CONTACT_DATA, SECRETS)
        for label, names in table.items()
        if label in {m._meta.label_lower for m in apps.get_models()}
        for name in names
        if name not in {f.name for f in apps.get_model(label)._meta.get_fields()}
    )
    assert missing == []


# --- Paths to contact data from every admin --------------------------------------------------


def contact_paths(model, depth=3):
    """Every lookup path from `model` to a contact field, through up to `depth` fields
    (relations followed both ways, never straight back)."""
    paths = []

    def walk(current, prefix, came_over, left):
        for field in current._meta.get_fields():
            if declared(CONTACT_DATA, current, field) or declared(SECRETS, current, field):
                paths.append("__".join([*prefix, field.name]))
                continue
            related = field.related_model if field.is_relation else None
            back = came_over is not None and getattr(came_over, "remote_field", None) is field
            if related is None or left <= 1 or back:
                continue
            walk(related, [*prefix, field.name], field, left - 1)

    walk(model, [], None, depth)
    return sorted(set(paths))


@pytest.fixture
def walk(campaign):
    return everything(campaign)


@pytest.fixture
def viewer(db):
    """Staff who may view everything in the admin panel, but not contact data."""
    user = make_staff("viewer-vera")
    user.user_permissions.add(
        *Permission.objects.filter(codename__startswith="view_").exclude(
            codename="view_contact_data"
        )
    )
    assert not can_view_contact_data(user)
    return user


PHONE_DIGITS = "765 4321"  # the contact's telephone number in the fixture
PHONE_DIGITS = "765 4321"  # the contact's telephone number in the fixture
LOOKUPS = {"regex": f"^{MARK}", "startswith": MARK, "exact": f"{MARK}maija@example.fi"}


def rows_of(response):
    return list(response.context["cl"].result_list) if response.status_code == 200 else None


def refused_by_the_changelist(model_admin, user, rf, query):
    """The changelist's own gate, without the rest of the request: the list refuses the
    lookup (which the site answers with 400) or ignores it."""
    request = rf.get("/en/admin/", query)
    request.user = user
    request.LANGUAGE_CODE = "en"
    try:
        model_admin.get_changelist_instance(request)
    except DisallowedModelAdminLookup:
        return True
    except IncorrectLookupParameters:
        return True  # the list is shown unfiltered (?e=1)
    return False


def test_no_lookup_through_contact_data_answers_without_the_permission(client, rf, walk, viewer):
    doors = Doors()
    for user in (walk["reviewer"], viewer):
        client.force_login(user)
        for label, model_admin in sorted(registry().items()):
            if client.get(admin_url(label)).status_code == 403:
                continue  # nothing of this admin for them at all
            with doors.door(f"{user} {label}"):
                answers = {}
                paths = contact_paths(model_admin.model)
                for path in paths:
                    if path.count("__") >= 2:
                        # Three relations away: asked of the changelist itself (the
                        # same gate as over HTTP, a thousand requests cheaper).
                        query = {f"{path}__regex": LOOKUPS["regex"]}
                        if not refused_by_the_changelist(model_admin, user, rf, query):
                            answers[f"{path}__regex"] = "answered"
                        continue
                    # Every lookup on the model's own fields; the strongest through relations.
                    asked = LOOKUPS if "__" not in path else {"regex": LOOKUPS["regex"]}
                    for lookup, value in asked.items():
                        response = client.get(admin_url(label), {f"{path}__{lookup}": value})
                        if response.status_code != 400:
                            answers[f"{path}__{lookup}"] = response.status_code
                for name in sorted({path.split("__")[0] for path in paths}):
                    response = client.get(admin_url(label), {"_to_field": name, "_popup": "1"})
                    if response.status_code != 400:
                        answers[f"_to_field={name}"] = response.status_code
                assert answers == {}, answers
    doors.check()


# Lookups that Django's admin allows (a field of the model itself): with the permission
# they answer, so the walk above asks real questions.
LOCAL_LOOKUPS = {
    "submissions.entry": ("contact_email", f"{MARK}maija"),
    "publishing.publictext": ("contact_email", f"{MARK}maija"),
    "submissions.partnership": ("invited_email", f"{MARK}partner"),
    "publishing.joinrequest": ("email", f"{MARK}liisa"),
    "kotolupaus.message": ("recipient", f"{MARK}maija"),
    "auth.user": ("email", f"{MARK}alice"),
}


@pytest.mark.parametrize("label", sorted(LOCAL_LOOKUPS))
def test_with_the_permission_the_same_lookups_answer(client, walk, label):
    field, start = LOCAL_LOOKUPS[label]
    client.force_login(walk["root"])

    found = client.get(admin_url(label), {f"{field}__startswith": start})
    missed = client.get(admin_url(label), {f"{field}__startswith": f"{start}-not"})

    assert len(rows_of(found)) >= 1
    assert rows_of(missed) == []


def test_no_ordering_facet_or_search_reaches_contact_data(client, rf, walk, viewer):
    client.force_login(viewer)
    doors = Doors()
    for label, model_admin in sorted(registry().items()):
        with doors.door(label):
            # Every column number `o=` can name, as the list itself sorts by it.
            columns = len(model_admin.list_display) + 2
            for order in [*range(columns), *(f"-{n}" for n in range(columns))]:
                request = rf.get(admin_url(label), {"o": order})
                request.user, request.LANGUAGE_CODE = viewer, "en"
                ordering = model_admin.get_changelist_instance(request).queryset.query.order_by
                sorted_by = [str(item) for item in ordering]
                touching = [p for p in sorted_by if touches(model_admin.model, p, viewer)]
                assert touching == [], (order, touching)
            response = client.get(admin_url(label), {"_facets": "1"})
            if response.status_code == 200:
                for spec in response.context["cl"].filter_specs:
                    path = getattr(spec, "field_path", None)
                    assert path is None or not touches(model_admin.model, path, viewer), path
            if response.status_code == 200 and model_admin.get_search_fields(response.wsgi_request):
                response = client.get(admin_url(label), {"q": MARK})
                assert rows_of(response) == [], "found by the search"
    doors.check()


def test_the_search_finds_contact_data_only_with_the_permission(client, walk, viewer):
    client.force_login(walk["root"])
    assert len(rows_of(client.get(admin_url("submissions.entry"), {"q": MARK}))) == 2
    client.force_login(viewer)
    assert rows_of(client.get(admin_url("submissions.entry"), {"q": MARK})) == []


def autocompletes():
    return sorted(
        (label, field)
        for label, model_admin in registry().items()
        for field in model_admin.autocomplete_fields
    )


def test_no_autocomplete_finds_by_contact_data(client, walk, viewer):
    client.force_login(viewer)
    found = {}
    for label, field in autocompletes():
        app_label, model_name = label.split(".")
        query = {"app_label": app_label, "model_name": model_name, "field_name": field}
        response = client.get("/en/admin/autocomplete/", {**query, "term": MARK})
        if response.status_code != 403 and response.json()["results"]:
            found[f"{label}.{field}"] = response.json()["results"]
    assert autocompletes() != []
    assert found == {}


def test_the_entry_autocomplete_finds_by_contact_data_with_the_permission(client, walk):
    query = {
        "app_label": "review",
        "model_name": "assignment",
        "field_name": "entry",
        "term": f"{MARK}maija",
    }
    client.force_login(walk["root"])

    results = client.get("/en/admin/autocomplete/", query).json()["results"]

    assert [r["id"] for r in results] == [str(walk["entry"].pk)]


def test_no_page_of_any_admin_shows_contact_data_without_the_permission(client, walk, viewer):
    client.force_login(viewer)
    shown = {}
    for label, model_admin in sorted(registry().items()):
        pages = [admin_url(label)] + [
            admin_url(label, "change", obj.pk)
            for obj in model_admin.model._default_manager.order_by("pk")[:3]
        ]
        for url in pages:
            response = client.get(url)
            if response.status_code not in (200, 302, 403):  # 302: not theirs to see
                shown[url] = response.status_code
            else:
                content = response.content.decode().lower()
                for secret in (MARK, PHONE_DIGITS):
                    if secret in content:
                        at = content.index(secret)
                        shown[url] = content[at - 80 : at + 40]
    assert shown == {}


def test_a_column_that_shows_contact_data_anyway_never_sorts_the_list(rf, walk, viewer):
    """Should an admin show a contact column despite the rules (its own
    get_list_display), `o=` still cannot sort by it for staff without the permission."""
    from submissions.models import Entry

    class Careless(AdminBase, admin.ModelAdmin):
        def get_list_display(self, request):
            return ["reference", "contact_email"]

    careless = Careless(Entry, admin.site)

    def sorted_by(user):
        request = rf.get("/en/admin/submissions/entry/", {"o": "2"})  # 0: the checkbox
        request.user, request.LANGUAGE_CODE = user, "en"
        return [str(o) for o in careless.get_changelist_instance(request).queryset.query.order_by]

    assert "contact_email" in sorted_by(walk["root"])
    assert [o for o in sorted_by(viewer) if "contact" in o] == []


def test_the_penetration_tests_binary_search_gets_the_same_answer_for_every_guess(client, walk):
    """Issue 20: as a reviewer, `?id=199&contact_email__regex=^demo1[0-9]` listed the
    entry or not, and a contact's address came out in 134 requests."""
    entry = walk["entry"]
    client.force_login(walk["reviewer"])
    answers = {
        (lookup, guess): client.get(
            "/en/admin/submissions/entry/", {"id": entry.pk, lookup: guess}
        ).status_code
        for lookup, guesses in {
            "contact_email__regex": ["^zq-m", "^zz"],
            "contact_phone__regex": ["^\\+358 40 7", "^\\+358 50"],
            "contact_name__startswith": ["zq-maija", "Pekka"],
        }.items()
        for guess in guesses
    }
    answers |= {
        ("invited_email__startswith", guess): client.get(
            "/en/admin/submissions/partnership/", {"invited_email__startswith": guess}
        ).status_code
        for guess in ["zq-p", "zz"]
    }

    assert set(answers.values()) == {400}
