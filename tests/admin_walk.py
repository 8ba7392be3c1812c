"""What the admin walks share: one of everything the admin panel shows (with contact data
that can be recognised: every value of it contains "zq"), and the POST a browser sends
for an admin form as it was shown."""

from contextlib import contextmanager

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from .conftest import make_entry, make_staff, seek_partners
from .jobs import run_jobs

# Every piece of contact data in the fixture contains this (never in a CSRF token).
MARK = "zq-"


def registry():
    """Every registered ModelAdmin, by the model's label ("submissions.entry")."""
    return {
        model._meta.label_lower: model_admin for model, model_admin in admin.site._registry.items()
    }


def admin_url(label, view="changelist", *args, language="en"):
    app_label, model_name = label.split(".")
    if view == "changelist":
        return f"/{language}/admin/{app_label}/{model_name}/"
    if view == "add":
        return f"/{language}/admin/{app_label}/{model_name}/add/"
    return f"/{language}/admin/{app_label}/{model_name}/{args[0]}/{view}/"


def everything(campaign):
    """One (or more) of every model with an admin, contact data marked with MARK."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from publishing import services as publishing
    from publishing.cooperation.requests import relay_join_request
    from publishing.models import Programme
    from review import services as review
    from review.models import AwardCategory, Criterion
    from submissions import services as submissions
    from submissions.models import Draft, Indicator
    from submissions.tokens import new_token

    root = get_user_model().objects.create_superuser(
        "root-admin", password="staff password 123", email=f"{MARK}root@example.fi"
    )
    coordinator = make_staff("coordinator-alice", "coordinator", "reviewer")
    coordinator.email = f"{MARK}alice@example.fi"
    coordinator.first_name, coordinator.last_name = f"{MARK}alice", f"{MARK}koordinaattori"
    coordinator.save()
    reviewer = make_staff("reviewer-bob", "reviewer")
    entry = make_entry(
        campaign,
        "Kesätöitä nuorille",
        partners=[("Kumppani ry", f"{MARK}partner@example.fi")],
        contact_name=f"{MARK}maija Meikäläinen",
        contact_email=f"{MARK}maija@example.fi",
        contact_phone="+358 40 765 4321",
    )
    initiative = make_entry(
        campaign,
        "Kielikahvila",
        kind="initiative",
        partners_sought="Kirjastoja.",
        contact_name=f"{MARK}matti Virtanen",
        contact_email=f"{MARK}matti@example.fi",
    )
    publishing.approve(entry, coordinator)
    publishing.approve(initiative, coordinator)
    seek_partners(initiative)
    relay_join_request(
        initiative,
        organisation="Kirjasto",
        name=f"{MARK}liisa Lukija",
        email=f"{MARK}liisa@example.fi",
        message="Haluamme mukaan.",
    )
    indicator = Indicator.objects.filter(campaign=campaign).first()
    report = submissions.add_report(
        entry,
        {
            "status": "under_way",
            "reason": "",
            "reported_on": timezone.localdate(),
            "text": "Kaksi iltaa pidetty.",
            "figures": {indicator: 3},
            "contributors": [],
        },
        language="fi",
    )
    _token, token_hash = new_token()
    Draft.objects.create(
        campaign=campaign,
        kind="pledge",
        language="fi",
        token_hash=token_hash,
        data={"contact_name": f"{MARK}keskeneräinen", "contact_email": f"{MARK}draft@example.fi"},
    )
    programme = Programme(campaign=campaign)
    programme.set_current_language("fi")
    programme.title, programme.introduction = "Yhteistyöohjelma", "Johdanto."
    programme.save()
    criteria = Criterion.objects.filter(campaign=campaign).order_by("position")
    review.assign(entry, reviewer, coordinator)
    review.save_review(
        reviewer,
        entry,
        scores={c.pk: 4 for c in criteria},
        comment="Hyvä.",
        recommendation="include",
    )
    review.declare_conflict(reviewer, "Entinen työpaikka.", entry=initiative)
    review.record_decision(entry, "included", "Selkeä.", coordinator, language="fi")
    category = AwardCategory(campaign=campaign)
    category.set_current_language("fi")
    category.name = "Rohkein lupaus"
    category.save()
    review.nominate(category, entry, coordinator)
    review.cast_ballot(category, coordinator, {entry.pk: 1})
    review.award(category, entry, {"fi": "Rohkea."}, coordinator)
    TOTPDevice.objects.create(user=coordinator, name="Puhelin", confirmed=True)
    AccessAttempt.objects.create(
        username="coordinator-alice",
        ip_address="10.0.0.9",
        user_agent="test",
        http_accept="*/*",
        path_info="/fi/admin/login/",
        get_data="",
        post_data="username=coordinator-alice",
        failures_since_start=1,
    )
    AccessLog.objects.create(
        username="coordinator-alice",
        ip_address="10.0.0.9",
        user_agent="test",
        http_accept="*/*",
        path_info="/fi/admin/login/",
    )
    AccessFailureLog.objects.create(
        username="coordinator-alice",
        ip_address="10.0.0.9",
        user_agent="test",
        http_accept="*/*",
        path_info="/fi/admin/login/",
    )
    run_jobs()
    return {
        "root": root,
        "coordinator": coordinator,
        "reviewer": reviewer,
        "entry": entry,
        "initiative": initiative,
        "report": report,
        "category": category,
        "group": Group.objects.get(name="reviewer"),
    }


def post_data(response):
    """The POST a browser sends for an admin change (or add) form as the response shows
    it: every field's value as rendered, with the inlines' management forms."""
    context = response.context
    data = {}
    _form_data(context["adminform"].form, data)
    for formset in context.get("inline_admin_formsets", []):
        management = formset.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = str(management[name].value() or 0)
        for form in formset.formset.forms:
            _form_data(form, data)
    return data


def _form_data(form, data):
    from django import forms

    for name, field in form.fields.items():
        bound = form[name]
        value = bound.value()
        key = form.add_prefix(name)
        widget = getattr(field.widget, "widget", field.widget)  # the admin's wrapper
        if isinstance(widget, forms.MultiWidget):
            parts = widget.decompress(value) if not isinstance(value, list) else value
            for index, part in enumerate(parts):
                data[f"{key}_{index}"] = "" if part is None else str(part)
        elif isinstance(widget, forms.CheckboxInput):
            if value:
                data[key] = "on"
        elif isinstance(widget, forms.SelectMultiple | forms.CheckboxSelectMultiple) or (
            isinstance(value, list)
        ):
            data[key] = [str(item) for item in value or []]
        elif isinstance(widget, forms.FileInput):
            continue
        else:
            data[key] = "" if value is None else str(value)
    return data


class _Undo(Exception):
    pass


class Doors:
    """Walks the doors in one test: each in a transaction of its own that is rolled back
    afterwards (so one door's change never meets the next), its failure noted and the
    walk going on; `check()` fails with every door that failed."""

    def __init__(self):
        self.failed = {}

    @contextmanager
    def door(self, name):
        try:
            with transaction.atomic():
                yield
                raise _Undo
        except _Undo:
            pass
        except AssertionError as failure:
            self.failed[name] = str(failure).splitlines()[0][:300]

    def check(self):
        if self.failed:
            pytest.fail("\n".join(f"{door}: {why}" for door, why in self.failed.items()))
