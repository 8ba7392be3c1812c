from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client, TestCase
from django.utils import timezone

from submissions.models import Campaign

from .jobs import run_jobs

HELSINKI = ZoneInfo("Europe/Helsinki")


def make_campaign(slug="test-campaign", *, opens_at=None, closes_at=None, **texts):
    """A campaign with fi/sv/en names; open from two weeks ago for a month by default."""
    now = timezone.now()
    campaign = Campaign(
        slug=slug,
        opens_at=opens_at or now - timedelta(days=14),
        closes_at=closes_at or now + timedelta(days=30),
    )
    for language in ("fi", "sv", "en"):
        campaign.set_current_language(language)
        campaign.name = texts.get(f"name_{language}", f"Kampanja {slug} ({language})")
        campaign.intro = texts.get(f"intro_{language}", "")
        campaign.contact = texts.get(f"contact_{language}", f"Yhteystiedot ({language})")
    campaign.save()
    return campaign


class CommittingClient(Client):
    """The test client as the site runs: on-commit callbacks run after each request as
    they would when its transaction commits, and then a worker runs the jobs it queued
    (e-mails land in django.core.mail.outbox)."""

    def request(self, **request):
        from django.db import connection

        deferred = []

        def watch(execute, sql, params, many, context):
            if "procrastinate_defer" in sql:
                deferred.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(watch), TestCase.captureOnCommitCallbacks(execute=True):
            response = super().request(**request)
        if deferred:
            run_jobs()
        return response


@pytest.fixture
def client():
    return CommittingClient()


@pytest.fixture
def campaign(db):
    return make_campaign(
        name_fi="Kotolupaus-testikampanja",
        name_sv="Kotolupaus testkampanj",
        name_en="Kotolupaus test campaign",
    )


@pytest.fixture
def helsinki():
    def at(*args):
        return datetime(*args, tzinfo=HELSINKI)

    return at


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(
        "coordinator-alice", password="correct horse battery", is_staff=True, is_superuser=True
    )


@pytest.fixture
def outsider(django_user_model):
    return django_user_model.objects.create_user("outsider-charlie", password="not staff at all")


# --- Submissions --------------------------------------------------------------------------

VALID_BUSINESS_ID = "0112038-9"


def entry_form_data(kind="pledge", **overrides):
    """A complete, valid POST for the submission form (action "submit")."""
    import uuid

    from submissions.models import Municipality, TargetGroup, Theme

    data = {
        "action": "submit",
        "submission_key": str(uuid.uuid4()),
        "org_name": "Esimerkki Oy",
        "org_business_id": VALID_BUSINESS_ID,
        "org_type": "company",
        "org_municipality": str(Municipality.objects.get(code="091").pk),
        "org_website": "https://esimerkki.example.fi",
        "title": "Kesätöitä nuorille tulijoille",
        "summary": "Tarjoamme kesätöitä nuorille maahanmuuttajille.",
        "description": "Kuvaus siitä, mitä teemme ja kenen kanssa.",
        "themes": [str(Theme.objects.get(slug="working-life").pk)],
        "target_groups": [str(TargetGroup.objects.get(slug="newly-arrived").pk)],
        "municipalities": [str(Municipality.objects.get(code="091").pk)],
        "original_language": "fi",
        "contact_name": "Maija Meikäläinen",
        "contact_email": "maija@esimerkki.example.fi",
        "contact_phone": "+358 40 123 4567",
        "consent_publish": "on",
        "authorised": "on",
        "partners-TOTAL_FORMS": "0",
        "partners-INITIAL_FORMS": "0",
        "partners-MIN_NUM_FORMS": "0",
        "partners-MAX_NUM_FORMS": "10",
    }
    if kind == "pledge":
        data.update(
            promise="Tarjoamme kymmenen kesätyöpaikkaa vuosittain.",
            target="10 kesätyöntekijää vuodessa.",
            pledge_deadline="2027-08-31",
        )
    else:
        data.update(
            goal="Nuoret saavat työkokemusta ja kontakteja.",
            plan="Haemme nuoret yhdessä kunnan kanssa ja perehdytämme heidät.",
            timetable="Kesät 2027 ja 2028.",
        )
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def with_partners(data, *partners):
    data = dict(data)
    for index, (name, email, role) in enumerate(partners):
        data[f"partners-{index}-name"] = name
        data[f"partners-{index}-email"] = email
        data[f"partners-{index}-role"] = role
    data["partners-TOTAL_FORMS"] = str(len(partners))
    return data


def form_url(kind, language="fi"):
    return f"/{language}/submit/{kind}/"


def token_from(text, url_name="manage"):
    """The private token in a link in an e-mail or page."""
    import re

    prefix = {
        "manage": "manage",
        "partner": "partner",
        "draft": "submit/draft",
        "confirm": "submit/confirm",
    }[url_name]
    return re.search(rf"/{prefix}/([A-Za-z0-9_-]{{20,}})/", text).group(1)


def confirm_address(client, message):
    """The contact opens the confirmation link in the e-mail and confirms the address."""
    import re

    path = re.search(
        r"https?://testserver(/[a-z]{2}/submit/confirm/[A-Za-z0-9_-]{20,}/)", message.body
    )
    response = client.post(path.group(1))
    assert response.status_code == 302, response.status_code
    return response


@pytest.fixture(autouse=True)
def _isolated_media_and_cache(settings, tmp_path):
    from django.core.cache import cache

    from publishing import queries

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    queries.forget()


def make_entry(
    campaign,
    title="Kesätöitä nuorille",
    *,
    kind="pledge",
    language="fi",
    organisation="Esimerkki Oy",
    business_id="",
    partners=(),
    confirm=True,
    challenge_of=None,
    **extra,
):
    """A submitted entry, made through the same service the public form uses; with
    confirm=False it still waits for its contact to confirm the e-mail address."""
    import uuid
    from datetime import date

    from django.core import mail

    from submissions.models import Municipality, TargetGroup, Theme
    from submissions.services import confirm_address, submit_entry

    municipality = Municipality.objects.get(code="091")
    texts = {"title": title, "summary": f"{title}: tiivistelmä.", "description": "Kuvaus."}
    if kind == "pledge":
        texts.update(promise="Lupaamme.", target="Tavoite.")
    else:
        texts.update(goal="Tavoite.", plan="Suunnitelma.", timetable="2027.")
    data = {
        "submission_key": uuid.uuid4(),
        "org_name": organisation,
        "org_business_id": business_id,
        "org_type": "company",
        "org_municipality": municipality,
        "org_website": "",
        "themes": [Theme.objects.get(slug="working-life")],
        "target_groups": [TargetGroup.objects.get(slug="newly-arrived")],
        "municipalities": [municipality],
        "original_language": language,
        "contact_name": "Maija Meikäläinen",
        "contact_email": "maija@example.fi",
        "contact_phone": "",
        "consent_publish": True,
        "consent_contact": False,
        "pledge_deadline": date(2027, 12, 31) if kind == "pledge" else None,
        **texts,
        **extra,
    }
    # As the migration of partners wanted did: words on partners sought mean looking.
    data.setdefault("wanted_looking", bool(data.get("partners_sought")))
    partner_rows = [{"name": name, "email": email, "role": ""} for name, email in partners]
    entry = submit_entry(
        campaign=campaign,
        kind=kind,
        data=data,
        partners=partner_rows,
        language=language,
        challenge_of=challenge_of,
    ).entry
    if confirm:
        entry = confirm_address(entry)
    # The e-mails of getting here (confirmation, invitations) have gone out already.
    run_jobs()
    mail.outbox = []
    return entry


def manage_token(entry):
    """A working private link token for the entry (as "lost your link?" would mail)."""
    from submissions.services import add_management_link

    return add_management_link(entry)


def make_staff(username, *groups):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(
        username, password="staff password 123", is_staff=True
    )
    user.groups.add(*Group.objects.filter(name__in=groups))
    return user


@pytest.fixture
def coordinator(db):
    return make_staff("coordinator-alice", "coordinator", "reviewer")


@pytest.fixture
def reviewer(db):
    return make_staff("reviewer-bob", "reviewer")


@pytest.fixture
def reviewer2(db):
    return make_staff("reviewer-dora", "reviewer")


class _SeedApps:
    """The app registry as migration 0003 sees it, but with each municipality given its
    region (a later migration, 0015, made the region required; it is seeded first)."""

    def get_model(self, app_label, model_name):
        import importlib

        from django.apps import apps

        from submissions.models import Municipality, Region

        if model_name != "Municipality":
            return apps.get_model(app_label, model_name)
        classification = importlib.import_module("submissions.migrations.0016_regions")
        if not Region.objects.exists():
            Region.objects.bulk_create(
                Region(code=code, name_fi=fi, name_sv=sv, name_en=en)
                for code, fi, sv, en in classification.REGIONS
            )
        region_of = {
            place: region
            for region, places in classification.MUNICIPALITIES.items()
            for place in places
        }

        def municipality(**row):
            return Municipality(region_id=region_of[row["code"]], **row)

        municipality.objects = Municipality.objects
        return municipality


def ensure_seeded():
    """Put back the data that migrations seed (themes, target groups, municipalities,
    content types, permissions, roles) when a test that empties every table
    (`transaction=True`) removed it."""
    import importlib

    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.management import create_contenttypes

    from submissions.models import Municipality

    if not Municipality.objects.exists():
        importlib.import_module("submissions.migrations.0003_seed_taxonomies").seed(
            _SeedApps(), None
        )
    if not Municipality.objects.filter(majority_language="sv").exists():
        # The data migrations after the seed, as a fresh database has them.
        for module, function in (
            ("submissions.migrations.0008_municipality_majority_language", "set_majority_language"),
            ("submissions.migrations.0010_reviewed_default_taxonomies", "forwards"),
        ):
            getattr(importlib.import_module(module), function)(apps, None)
    from publishing.models import PublicState

    if not PublicState.objects.exists():  # the row the public version moves (migration 0006)
        PublicState.objects.create(pk=1, changed_at=timezone.now())
    if not Permission.objects.exists():
        for app_config in apps.get_app_configs():
            create_contenttypes(app_config, verbosity=0)
            create_permissions(app_config, verbosity=0)
    coordinator = Group.objects.filter(name="coordinator")
    if not (
        coordinator.filter(permissions__codename="coordinate_review").exists()
        and coordinator.filter(permissions__codename="view_contact_data").exists()
        and coordinator.filter(permissions__codename="change_reportpublication").exists()
    ):
        # As the migrations did it: without security events (the kept test database
        # would otherwise keep them for every later test).
        from django.db.models.signals import m2m_changed

        from review import security

        uid = "review.security.group"
        m2m_changed.disconnect(sender=Group.permissions.through, dispatch_uid=uid)
        try:
            for module in (
                "review.migrations.0002_roles_audit_guard_default_criteria",
                "publishing.migrations.0004_coordinator_permissions",
                "kotolupaus.migrations.0002_shared_cache_and_message_permissions",
                "review.migrations.0007_coordinators_see_contact_data",
                "publishing.migrations.0009_follow_up_permissions",
            ):
                importlib.import_module(module).grant_roles(apps)
        finally:
            m2m_changed.connect(
                security.group_permissions_changed,
                sender=Group.permissions.through,
                dispatch_uid=uid,
            )


def empty_job_queue():
    """The job queue's tables are left alone by Django's flush: jobs that a transactional
    test queued and committed would run in a later test (a rebuild of the public files
    falling due in the middle of it, e-mails about rows that are gone)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_periodic_defers")
        cursor.execute("DELETE FROM procrastinate_jobs")


@pytest.fixture(autouse=True)
def _seeded_for_transactional_tests(request, django_db_blocker):
    """Tests with transaction=True start after another one may have emptied every table,
    and leave no job behind."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction"))
    if transactional:
        request.getfixturevalue("transactional_db")
        ensure_seeded()
        # Rate-limit counts live in a table Django's flush leaves alone (the shared
        # cache): every transactional test starts without the last one's.
        from django.core.cache import caches

        caches["shared"].clear()
    yield
    if transactional:
        with django_db_blocker.unblock():
            empty_job_queue()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """A kept test database (--reuse-db) may have been left empty by the last run's
    transactional tests: seed it again, and take the snapshot that serialized_rollback
    restores, with the data, whether the database is new or kept."""
    from django.db import connection

    with django_db_blocker.unblock():
        ensure_seeded()
        empty_job_queue()
        from django.core.cache import caches

        caches["shared"].clear()
        connection._test_serialized_contents = connection.creation.serialize_db_to_string()
