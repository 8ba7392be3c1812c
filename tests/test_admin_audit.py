"""Every change staff make in the admin panel leaves exactly one row in the audit trail,
with the fields it changed: the walks go through every registered ModelAdmin (its
change form, its add form, its delete page, its actions), and a door the tables below
do not name fails the test the day it opens."""

import pytest
from django.contrib.auth import get_user_model

from review.models import AuditAction, AuditEvent

from .admin_walk import Doors, admin_url, everything, post_data, registry

pytestmark = pytest.mark.django_db

# What a coordinator (or an administrator) changes on each admin's change page, and the
# row it must leave: (field, value typed, action, [before, after] as the trail keeps it).
# `language` is the translation tab the form is saved in; `also` the other fields typed.
CHANGES = {
    "auth.group": ("name", "arvioijat", AuditAction.ROLE_CHANGED, ["reviewer", "arvioijat"]),
    "auth.user": (
        "username",
        "reviewer-robert",
        AuditAction.ACCOUNT,
        ["reviewer-bob", "reviewer-robert"],
    ),
    "otp_totp.totpdevice": ("name", "Työpuhelin", AuditAction.ACCOUNT, ["Puhelin", "Työpuhelin"]),
    "publishing.programme": (
        "introduction",
        "Uusi johdanto.",
        AuditAction.PROGRAMME,
        ["Johdanto.", "Uusi johdanto."],
    ),
    "publishing.publication": (
        "note",
        "Tarkista kumppanit.",
        AuditAction.NOTE,
        ["", "Tarkista kumppanit."],
    ),
    "publishing.reportpublication": (
        "note",
        "Kysy luvuista.",
        AuditAction.NOTE,
        ["", "Kysy luvuista."],
    ),
    "publishing.publictext": (
        "title",
        "Summer jobs for young people",
        AuditAction.TRANSLATED,
        ["", "Summer jobs for young people"],
    ),
    "publishing.publicreporttext": (
        "text",
        "Two evenings held.",
        AuditAction.TRANSLATED,
        ["", "Two evenings held."],
    ),
    "review.award": ("citation", "Rohkea ja selkeä.", AuditAction.AWARD_CHANGED, None),
    "review.awardcategory": (
        "name",
        "Rohkein teko",
        AuditAction.AWARD_CHANGED,
        ["Rohkein lupaus", "Rohkein teko"],
    ),
    "review.criterion": ("weight", "2.00", AuditAction.CRITERIA, ["1.00", "2.00"]),
    "review.reviewsettings": ("disputed_spread", "0.75", AuditAction.SETTINGS, ["1.50", "0.75"]),
    "submissions.campaign": ("reminder_months", "3,9", AuditAction.CAMPAIGN, ["6,12", "3,9"]),
    "submissions.indicator": ("maximum", "500", AuditAction.INDICATOR, None),
    "submissions.organisation": (
        "name",
        "Esimerkki Oyj",
        AuditAction.ORGANISATION,
        ["Esimerkki Oy", "Esimerkki Oyj"],
    ),
    "submissions.partnership": (
        "role",
        "Kouluttaja",
        AuditAction.ADMIN_CHANGED,
        ["", "Kouluttaja"],
    ),
    "submissions.targetgroup": ("name", "Vasta tulleet", AuditAction.TAXONOMY, None),
    "submissions.theme": ("name", "Työ ja työpaikat", AuditAction.TAXONOMY, None),
}
# The translation tab a change is made in, and the other fields it must fill.
LANGUAGE = {"publishing.publictext": "en", "publishing.publicreporttext": "en"}
ALSO = {
    "publishing.publictext": {
        "summary": "Summer jobs.",
        "description": "What we do.",
        "promise": "We promise.",
        "target": "Ten a year.",
    },
}
# Change pages where nothing can be changed (a record kept as it was made; the text in
# its original language): saving changes nothing and writes nothing.
NOTHING_TO_CHANGE = {
    "axes.accessattempt",
    "axes.accessfailurelog",
    "axes.accesslog",
    "kotolupaus.message",
    "submissions.draft",
    "submissions.entry",
}
# Records nobody changes in the admin (their pages are read-only): a POST is refused.
READ_ONLY = {
    "procrastinate.procrastinatejob",
    "publishing.joinrequest",
    "review.assignment",
    "review.auditevent",
    "review.ballot",
    "review.conflict",
    "review.decision",
    "review.nomination",
    "review.review",
    "submissions.municipality",
}


@pytest.fixture
def walk(campaign):
    return everything(campaign)


def new_rows(before):
    return list(AuditEvent.objects.filter(pk__gt=before).order_by("pk"))


def last_row():
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def the_object(label, walk):
    model = registry()[label].model
    if label == "auth.user":
        return walk["reviewer"]
    if label == "auth.group":
        return walk["group"]
    if label == "publishing.publictext":
        return model.objects.get(pk=walk["entry"].pk)
    return model._default_manager.order_by("pk").first()


def test_every_admin_is_named_in_exactly_one_table():
    named = [*CHANGES, *NOTHING_TO_CHANGE, *READ_ONLY]
    assert sorted(named) == sorted(set(named))
    assert sorted(set(named)) == sorted(registry())


def test_a_change_saved_in_any_admin_leaves_exactly_one_row_with_the_changed_field(client, walk):
    client.force_login(walk["root"])
    doors = Doors()
    for label, (field, typed, action, values) in sorted(CHANGES.items()):
        with doors.door(label):
            obj = the_object(label, walk)
            language = LANGUAGE.get(label, "fi")
            url = admin_url(label, "change", obj.pk) + f"?language={language}"
            form = client.get(url)
            assert form.status_code == 200
            data = {**post_data(form), field: typed, **ALSO.get(label, {}), "_save": "Save"}
            before = last_row()

            response = client.post(url, data)

            assert response.status_code == 302, response.context["adminform"].form.errors
            rows = new_rows(before)
            assert len(rows) == 1, [(row.action, row.details) for row in rows]
            assert (rows[0].action, rows[0].actor) == (action, walk["root"])
            if values is not None:
                assert rows[0].details["changes"][field] == values, rows[0].details
            else:
                assert field in rows[0].details["changes"], rows[0].details
    doors.check()


def test_pages_with_nothing_to_change_write_nothing_and_read_only_ones_refuse(client, walk):
    client.force_login(walk["root"])
    doors = Doors()
    for label in sorted(NOTHING_TO_CHANGE | READ_ONLY):
        with doors.door(label):
            url = admin_url(label, "change", the_object(label, walk).pk)
            form = client.get(url)
            assert form.status_code == 200
            before = last_row()

            response = client.post(url, {**post_data(form), "_save": "Save"})

            assert response.status_code == (403 if label in READ_ONLY else 302)
            assert new_rows(before) == []
    doors.check()


def test_a_role_change_in_the_user_admin_is_one_row_with_the_other_fields(client, walk):
    reviewer = walk["reviewer"]
    client.force_login(walk["root"])
    url = admin_url("auth.user", "change", reviewer.pk)
    data = {**post_data(client.get(url)), "is_staff": "", "username": "bob-former"}
    data.pop("is_staff")
    before = last_row()

    client.post(url, data)

    (row,) = new_rows(before)
    assert row.action == AuditAction.ROLE_CHANGED
    assert row.user == get_user_model().objects.get(pk=reviewer.pk)
    assert row.details["is_staff"] == [True, False]
    assert row.details["changes"] == {"username": ["reviewer-bob", "bob-former"]}


# --- Deleting ------------------------------------------------------------------------------


def deletable(label, walk):
    """What each admin that can delete deletes in the walk: the fixture's own object,
    or a new one where the fixture's is still needed by others."""
    from django.contrib.auth.models import Group

    from review.models import AwardCategory, Criterion
    from submissions.models import Indicator, Organisation, TargetGroup, Theme

    from .conftest import make_campaign

    campaign = walk["entry"].campaign
    fresh = {
        "auth.group": lambda: Group.objects.create(name="tilapäinen"),
        "auth.user": lambda: get_user_model().objects.create_user("temp-user"),
        "review.awardcategory": lambda: AwardCategory.objects.create(campaign=campaign),
        "review.criterion": lambda: Criterion.objects.create(campaign=campaign, position=9),
        "submissions.campaign": lambda: make_campaign("poistettava"),
        "submissions.indicator": lambda: Indicator.objects.create(
            campaign=campaign, slug="poistettava", maximum=10
        ),
        "submissions.organisation": lambda: Organisation.objects.create(
            name="Lakkautettu ry", type="ngo"
        ),
        "submissions.targetgroup": lambda: TargetGroup.objects.create(slug="poistettava"),
        "submissions.theme": lambda: Theme.objects.create(slug="poistettava"),
    }
    if label in fresh:
        return fresh[label]()
    return the_object(label, walk)


# What deleting one thing in each admin that can delete is called in the trail.
DELETIONS = {
    "auth.group": AuditAction.ROLE_CHANGED,
    "auth.user": AuditAction.ACCOUNT,
    "axes.accessattempt": AuditAction.ADMIN_CHANGED,
    "axes.accessfailurelog": AuditAction.ADMIN_CHANGED,
    "axes.accesslog": AuditAction.ADMIN_CHANGED,
    "otp_totp.totpdevice": AuditAction.DEVICE_REMOVED,
    "publishing.joinrequest": AuditAction.ADMIN_CHANGED,
    "publishing.programme": AuditAction.PROGRAMME,
    "review.assignment": AuditAction.UNASSIGNED,
    "review.award": AuditAction.AWARD_DELETED,
    "review.awardcategory": AuditAction.AWARD_DELETED,
    "review.ballot": AuditAction.ADMIN_CHANGED,
    "review.criterion": AuditAction.CRITERIA,
    "review.nomination": AuditAction.ADMIN_CHANGED,
    "review.reviewsettings": AuditAction.SETTINGS,
    "submissions.campaign": AuditAction.CAMPAIGN,
    "submissions.draft": AuditAction.ADMIN_CHANGED,
    "submissions.indicator": AuditAction.INDICATOR,
    "submissions.organisation": AuditAction.ORGANISATION,
    "submissions.partnership": AuditAction.ADMIN_CHANGED,
    "submissions.targetgroup": AuditAction.TAXONOMY,
    "submissions.theme": AuditAction.TAXONOMY,
}


def test_every_admin_that_deletes_is_named(rf, walk):
    request = rf.get("/")
    request.user = walk["root"]
    deleting = sorted(
        label
        for label, model_admin in registry().items()
        if model_admin.has_delete_permission(request, the_object(label, walk))
    )
    assert deleting == sorted(DELETIONS)


def test_a_deletion_in_any_admin_leaves_exactly_one_row(client, walk):
    client.force_login(walk["root"])
    doors = Doors()
    for label, action in sorted(DELETIONS.items()):
        with doors.door(label):
            obj = deletable(label, walk)
            before = last_row()

            response = client.post(admin_url(label, "delete", obj.pk), {"post": "yes"})

            assert response.status_code == 302, response.status_code
            assert not type(obj)._default_manager.filter(pk=obj.pk).exists()
            rows = new_rows(before)
            assert [(row.action, row.actor) for row in rows] == [(action, walk["root"])], [
                (row.action, row.details) for row in rows
            ]
    doors.check()


def test_deleting_several_at_once_leaves_a_row_for_each(client, walk):
    from submissions.models import Theme

    themes = [Theme.objects.create(slug=f"poistettava-{n}") for n in range(3)]
    client.force_login(walk["root"])
    before = last_row()

    client.post(
        admin_url("submissions.theme"),
        {"action": "delete_selected", "_selected_action": [t.pk for t in themes], "post": "yes"},
    )

    rows = new_rows(before)
    assert [(row.action, row.details["deleted"]) for row in rows] == [
        (AuditAction.TAXONOMY, True)
    ] * 3
    assert sorted(row.details["object"] for row in rows) == [
        "poistettava-0",
        "poistettava-1",
        "poistettava-2",
    ]


# --- Adding ----------------------------------------------------------------------------------


def additions(walk):
    """What is typed on each add page (besides what the page shows filled in), and
    what the row is called."""
    from submissions.models import Organisation

    from .conftest import make_campaign

    campaign = walk["entry"].campaign
    other = make_campaign("toinen")
    organisation = Organisation.objects.create(name="Vastuullinen ry", type="ngo")
    return {
        "auth.group": ({"name": "tarkastajat"}, AuditAction.ROLE_CHANGED),
        "auth.user": (
            {
                "username": "new-staff",
                "usable_password": "true",
                "password1": "a long new password 42",
                "password2": "a long new password 42",
            },
            AuditAction.ACCOUNT,
        ),
        "otp_totp.totpdevice": (
            {"user": walk["reviewer"].pk, "name": "Tabletti", "confirmed": "on"},
            AuditAction.DEVICE_ADDED,
        ),
        "publishing.programme": (
            {"campaign": other.pk, "title": "Ohjelma", "introduction": "Johdanto."},
            AuditAction.PROGRAMME,
        ),
        "review.award": (
            {"category": walk["category"].pk, "entry": walk["initiative"].pk, "citation": "Hyvä."},
            AuditAction.AWARDED,
        ),
        "review.awardcategory": (
            {"campaign": campaign.pk, "name": "Paras aloite", "position": "2"},
            AuditAction.AWARD_CHANGED,
        ),
        "review.criterion": (
            {
                "campaign": campaign.pk,
                "name": "Kestävyys",
                "weight": "1.00",
                "scale_min": "1",
                "scale_max": "5",
                "position": "9",
            },
            AuditAction.CRITERIA,
        ),
        "review.reviewsettings": ({"campaign": other.pk}, AuditAction.SETTINGS),
        "submissions.campaign": (
            {
                "name": "Kotolupaus 2027",
                "slug": "kotolupaus-2027",
                "hashtag": "#kotolupaus",
                "opens_at_0": "2027-01-01",
                "opens_at_1": "00:00:00",
                "closes_at_0": "2027-03-01",
                "closes_at_1": "00:00:00",
                "contact": "Ministeriö.",
                "reminder_months": "6,12",
            },
            AuditAction.CAMPAIGN,
        ),
        "submissions.indicator": (
            {"campaign": campaign.pk, "slug": "kursseja", "name": "Kursseja", "maximum": "50"},
            AuditAction.INDICATOR,
        ),
        "submissions.organisation": (
            {"name": "Uusi Oy", "type": "company"},
            AuditAction.ORGANISATION,
        ),
        "submissions.targetgroup": (
            {"slug": "opiskelijat", "name": "Opiskelijat", "position": "9"},
            AuditAction.TAXONOMY,
        ),
        "submissions.theme": (
            {"slug": "urheilu", "name": "Urheilu", "position": "9"},
            AuditAction.TAXONOMY,
        ),
        "review.assignment": (
            {"entry": walk["initiative"].pk, "reviewer": walk["coordinator"].pk},
            AuditAction.ASSIGNED,
        ),
        "review.conflict": (
            {"organisation": organisation.pk, "reason": "Hallituksen jäsen."},
            AuditAction.CONFLICT_DECLARED,
        ),
        "review.nomination": (
            {"category": walk["category"].pk, "entry": walk["initiative"].pk},
            AuditAction.NOMINATED,
        ),
    }


ADDING = [
    "auth.group",
    "auth.user",
    "otp_totp.totpdevice",
    "publishing.programme",
    "review.assignment",
    "review.award",
    "review.awardcategory",
    "review.conflict",
    "review.criterion",
    "review.nomination",
    "review.reviewsettings",
    "submissions.campaign",
    "submissions.indicator",
    "submissions.organisation",
    "submissions.targetgroup",
    "submissions.theme",
]


def test_every_admin_that_adds_is_named(rf, walk):
    request = rf.get("/")
    request.user = walk["root"]
    adding = sorted(
        label
        for label, model_admin in registry().items()
        if model_admin.has_add_permission(request)
    )
    assert adding == ADDING


def test_adding_in_any_admin_leaves_exactly_one_row(client, walk):
    doors = Doors()
    for label in ADDING:
        with doors.door(label):
            typed, action = additions(walk)[label]
            # A conflict is declared by a reviewer (here a coordinator who reviews too).
            who = walk["coordinator"] if label == "review.conflict" else walk["root"]
            client.force_login(who)
            url = admin_url(label, "add") + "?language=fi"
            data = {**post_data(client.get(url)), **typed, "_save": "Save"}
            model = registry()[label].model
            count = model._default_manager.count()
            before = last_row()

            response = client.post(url, data)

            assert response.status_code == 302, response.context["adminform"].form.errors
            assert model._default_manager.count() == count + 1
            rows = new_rows(before)
            assert [(row.action, row.actor) for row in rows] == [(action, who)], [
                (row.action, row.details) for row in rows
            ]
    doors.check()


# --- Actions ---------------------------------------------------------------------------------

# Every admin action but "delete the chosen" (above), and what its row is called: the
# service's own, or "ran an action in the admin panel" naming it and the objects.
ACTIONS = {
    ("auth.user", "end_all_sessions"): AuditAction.SESSIONS_ENDED,
    ("axes.accessattempt", "cleanup_expired_attempts"): AuditAction.ADMIN_ACTION,
    ("kotolupaus.message", "send_again"): AuditAction.ADMIN_ACTION,
    ("kotolupaus.message", "try_now"): AuditAction.ADMIN_ACTION,
    ("procrastinate.procrastinatejob", "abort"): AuditAction.ADMIN_ACTION,
    ("procrastinate.procrastinatejob", "cancel"): AuditAction.ADMIN_ACTION,
    ("procrastinate.procrastinatejob", "retry"): AuditAction.ADMIN_ACTION,
    ("publishing.publication", "approve"): AuditAction.MODERATED,
    ("publishing.publication", "reconsider"): AuditAction.MODERATED,
    ("publishing.publication", "reject"): AuditAction.MODERATED,
    ("publishing.publication", "return_for_fixes"): AuditAction.MODERATED,
    ("publishing.reportpublication", "approve"): AuditAction.MODERATED,
    ("publishing.reportpublication", "reconsider"): AuditAction.MODERATED,
    ("publishing.reportpublication", "reject"): AuditAction.MODERATED,
    ("publishing.reportpublication", "return_for_fixes"): AuditAction.MODERATED,
    ("submissions.entry", "assign_to_reviewer"): AuditAction.ASSIGNED,
}


def test_every_admin_action_is_named(rf, walk):
    request = rf.get("/")
    request.user = walk["root"]
    actions = sorted(
        (label, name)
        for label, model_admin in registry().items()
        for name in model_admin.get_actions(request)
        if name != "delete_selected"
    )
    assert actions == sorted(ACTIONS)


def chosen_for(label, name, walk):
    """The object an action is run on in the walk (one it can change), and what its
    page asks for."""
    from publishing import services as publishing
    from publishing.models import Publication, ReportPublication

    from .conftest import make_entry

    if label == "publishing.publication":
        entry = make_entry(walk["entry"].campaign, "Uusi lupaus")
        if name == "reconsider":
            publishing.reject(entry, walk["coordinator"])
        return Publication.objects.get(entry=entry), _asked(name)
    if label == "publishing.reportpublication":
        report = walk["report"]
        if name == "reconsider":
            publishing.moderate_report(report, "rejected", by=walk["coordinator"])
        return ReportPublication.objects.get(report=report), _asked(name)
    if label == "submissions.entry":
        return walk["entry"], {"apply": "1", "reviewer": walk["coordinator"].pk}
    if label == "auth.user":
        return walk["reviewer"], {}
    return the_object(label, walk), {}


def _asked(name):
    return {"apply": "1", "comment": "Korjaa päivämäärä."} if name == "return_for_fixes" else {}


def test_every_admin_action_leaves_exactly_one_row(client, walk):
    client.force_login(walk["root"])
    doors = Doors()
    for (label, name), action in sorted(ACTIONS.items()):
        with doors.door(f"{label} {name}"):
            obj, asked = chosen_for(label, name, walk)
            assert obj is not None, f"nothing to run {name} on"
            before = last_row()

            response = client.post(
                admin_url(label) + ("?state=all" if label.startswith("publishing.") else ""),
                {
                    "action": name,
                    "_selected_action": [obj.pk],
                    **asked,
                    **({} if asked else {"index": 0}),
                },
            )

            assert response.status_code == 302, response.status_code
            rows = new_rows(before)
            assert [(row.action, row.actor) for row in rows] == [(action, walk["root"])], [
                (row.action, row.details) for row in rows
            ]
            if action == AuditAction.ADMIN_ACTION:
                assert rows[0].details["action"] == name
                assert rows[0].details["objects"] == [registry()[label].audit_label(obj)]
    doors.check()


def test_line_breaks_as_a_browser_sends_them_are_not_a_change(client, campaign, walk):
    campaign.set_current_language("fi")
    campaign.contact = "Työ- ja elinkeinoministeriö\nkirjaamo@example.fi"
    campaign.save()
    client.force_login(walk["root"])
    url = admin_url("submissions.campaign", "change", campaign.pk) + "?language=fi"
    data = post_data(client.get(url))
    before = last_row()

    client.post(
        url,
        {
            **data,
            "contact": "Työ- ja elinkeinoministeriö\r\nkirjaamo@example.fi",
            "reminder_months": "6",
        },
    )

    (row,) = new_rows(before)
    assert row.details["changes"] == {"reminder_months": ["6,12", "6"]}
