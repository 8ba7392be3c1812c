"""The public read model (PublicEntry): what it holds and never holds, who writes it,
the doors that reach it, what a rebuild finds, and the versions it is built from."""

import io
import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver
from django.utils import timezone

from kotolupaus.admin_base import AdminBase
from publishing import read_model
from publishing import services as publishing
from publishing.changes import PUBLIC_MODELS, public_model
from publishing.models import Publication, PublicEntry, SearchTerm
from review import services as review
from review.models import AwardCategory
from submissions import services as submissions
from submissions.models import EntryVersion, Indicator, Partnership

from .conftest import entry_form_data, make_entry, manage_token, seek_partners
from .jobs import run_jobs

pytestmark = pytest.mark.django_db

CONTACT_NAME, CONTACT_EMAIL, CONTACT_PHONE = (
    "Salla Salainen",
    "salla@salainen.example",
    "+358 40 765 4321",
)
PARTNER_EMAIL = "kumppani@salainen.example"
SECRETS = (CONTACT_NAME, CONTACT_EMAIL, CONTACT_PHONE, PARTNER_EMAIL, "salainen.example")


@pytest.fixture
def rich(campaign, coordinator):
    """A published pledge with everything a public page can show: a confirmed partner,
    a prize, the programme, an approved progress report with a figure, a published
    pledge that took up its challenge; and a withdrawn one that was public."""
    entry = make_entry(
        campaign,
        "Kesätöitä nuorille",
        partners=[("Kirjastoyhdistys Lukijat", PARTNER_EMAIL)],
        contact_name=CONTACT_NAME,
        contact_email=CONTACT_EMAIL,
        contact_phone=CONTACT_PHONE,
    )
    Partnership.objects.filter(entry=entry).update(confirmed_at=timezone.now())
    submissions.answer_partnership(Partnership.objects.get(entry=entry), True)
    publishing.approve(entry, coordinator)
    category = AwardCategory.objects.create(campaign=campaign)
    category.set_current_language("fi")
    category.name = "Vuoden teko"
    category.save()
    review.award(category, entry, {"fi": "Rohkea."}, coordinator)
    review.record_decision(entry, "included", "Hyvä.", coordinator, language="fi")
    review.publish_decisions(campaign, coordinator)
    indicator = Indicator.objects.filter(campaign=campaign).order_by("position").first()
    report = submissions.add_report(
        entry,
        {
            "status": "under_way",
            "reported_on": timezone.localdate(),
            "text": "Kymmenen nuorta.",
            "figures": {indicator: 10},
            "contributors": list(entry.partnerships.all()),
        },
        language="fi",
    )
    publishing.moderate_report(report, "approved", by=coordinator)
    taker = make_entry(campaign, "Haaste otettu", challenge_of=entry)
    publishing.approve(taker, coordinator)
    initiative = make_entry(
        campaign, "Kielikahvila", kind="initiative", partners_sought="Kirjastoja."
    )
    publishing.approve(initiative, coordinator)
    seek_partners(initiative)
    withdrawn = make_entry(campaign, "Peruttu lupaus")
    publishing.approve(withdrawn, coordinator)
    submissions.withdraw_entry(withdrawn)
    run_jobs()
    return {"entry": entry, "initiative": initiative, "withdrawn": withdrawn, "taker": taker}


# --- No contact data near it ------------------------------------------------------------------


def test_the_read_model_table_has_exactly_the_public_columns(db):
    with connection.cursor() as cursor:
        columns = {
            c.name
            for c in connection.introspection.get_table_description(
                cursor, PublicEntry._meta.db_table
            )
        }
    assert columns == {
        "entry_id",
        "campaign_id",
        "reference",
        "number",
        "kind",
        "original_language",
        "languages",
        "texts",
        "title_fi",
        "title_sv",
        "title_en",
        "summary_fi",
        "summary_sv",
        "summary_en",
        "organisation_name",
        "organisation_type",
        "organisation_business_id",
        "organisation_municipality",
        "organisation_website",
        "logo",
        "partners",
        "theme_ids",
        "target_group_ids",
        "municipality_ids",
        "region_codes",
        "whole_country",
        "pledge_deadline",
        "image",
        "in_programme",
        "prizes",
        "prize_category_ids",
        "progress_status",
        "reports",
        "challenge_taker_ids",
        "challenge_of",
        "seeks_partners",
        "open_to_cooperation",
        "sought_types",
        "sought_whole_country",
        "sought_region_codes",
        "sought_theme_ids",
        "published_at",
        "updated_at",
        "document",
    }
    assert not [c for c in columns if re.search("contact|mail|phone|invited", c)]


def test_no_contact_data_is_in_any_row_or_version(rich):
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(p)::text FROM publishing_publicentry p")
        rows = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT content::text FROM submissions_entryversion")
        versions = [row[0] for row in cursor.fetchall()]
    assert len(rows) == 3 and versions
    assert "Kirjastoyhdistys Lukijat" in " ".join(rows)  # the partner's name is public
    for text in rows + versions:
        for secret in SECRETS:
            assert secret not in text


# --- Every public page, and what its SQL reads --------------------------------------------------

# Every URL name of the site, each either a public page (with the address to ask for) or
# a page that is not public (staff, private links, files and redirects). A new page has
# to be put in one of the two before this file passes.
PRIVATE = {
    "admin",
    "queue",
    "score",
    "ranking",
    "reviews_export",
    "decide",
    "publish_decisions",
    "auto_assign",
    "assignments_csv",
    "vote",
    "dashboard",
    "lock",
    "staff",
    "end_sessions",
    "follow_up",
    "follow_up_remind",
    "campaign_report",
    "personal_data",
    "draft",
    "confirm",
    "confirmed",
    "manage",
    "manage_edit",
    "manage_partners",
    "report_new",
    "report_edit",
    "partner_confirm",
    "reminders_stop",
    "kept_image",
    "partner_remove",
    "suggestion_join",
    "suggestions_by_email",
    "manage_partners_wanted",
    "answer_join_request",
    "unlock_login",
    "backup_codes",
    "health",
    "ready",
    "set_language",
}


def public_pages(entries):
    entry, initiative, withdrawn = entries["entry"], entries["initiative"], entries["withdrawn"]
    return {
        "home": ["/fi/"],
        "about": ["/fi/about/"],
        "privacy": ["/fi/privacy/"],
        "accessibility": ["/fi/accessibility/"],
        "catalogue": [
            "/fi/entries/",
            "/fi/entries/?q=kesätöitä",
            "/fi/entries/?q=kesätöitä&theme=working-life",
            "/fi/entries/?kind=pledge&programme=on&award=any&progress=under_way",
            "/sv/entries/?region=091",
        ],
        "entry_detail": [
            f"/fi/entries/{entry.pk}/",
            f"/en/entries/{initiative.pk}/",
            f"/fi/entries/{withdrawn.pk}/",
        ],
        "join": [f"/fi/entries/{initiative.pk}/join/"],
        "badge_svg": [f"/fi/entries/{entry.pk}/badge.svg", f"/sv/entries/{withdrawn.pk}/badge.svg"],
        "badge_png": [f"/en/entries/{initiative.pk}/badge.png"],
        "share_image": [f"/fi/entries/{entry.pk}/share.png"],
        "take_up_challenge": [f"/fi/entries/{entry.pk}/challenge/"],
        "programme": ["/fi/programme/"],
        "programme_pdf": ["/fi/programme/pdf/"],
        "open_data_docs": ["/fi/open-data/"],
        "open_data": ["/fi/open-data/entries.json", "/fi/open-data/entries.csv.gz"],
        "open_data_reports": ["/fi/open-data/reports.csv"],
        "open_data_cooperation": ["/fi/open-data/cooperation.json"],
        "statistics": ["/fi/statistics/"],
        "feed": ["/fi/feed.atom"],
        "report_feed": ["/fi/feed/reports.atom"],
        "sitemap": ["/sitemap.xml"],
        "pledge_create": ["/fi/submit/pledge/", f"/fi/submit/pledge/?challenge={entry.pk}"],
        "initiative_create": ["/fi/submit/initiative/"],
        "submitted": ["/fi/submit/thank-you/"],
        "lost_link": ["/fi/manage/lost-link/"],
        "similar": ["/fi/submit/similar/?title=Kesätöitä nuorille"],
    }


def url_names():
    names = set()

    def walk(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                if getattr(pattern, "app_name", None) == "admin":
                    names.add("admin")
                    continue
                walk(pattern.url_patterns)
            elif pattern.name:
                names.add(pattern.name)

    walk(get_resolver().url_patterns)
    return names


def test_every_page_is_either_public_or_not(rich):
    public = set(public_pages(rich))
    assert not public & PRIVATE
    assert url_names() - {"root_icon"} - public - PRIVATE == set()


# A request to join is counted by state (cooperation in figures), never read.
CONTACT_COLUMNS = re.compile(
    r'contact_(name|email|phone)|invited_email|joinrequest"\."(name|email|message|note)"'
)


def test_no_public_page_reads_contact_columns(client, rich):
    for name, urls in public_pages(rich).items():
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
                if response.streaming:
                    b"".join(response.streaming_content)
            assert response.status_code in (200, 302, 410), (name, url, response.status_code)
            body = b"" if response.streaming else response.content
            for secret in SECRETS:
                assert secret.encode() not in body, (url, secret)
            read = [q["sql"] for q in queries.captured_queries if CONTACT_COLUMNS.search(q["sql"])]
            assert read == [], (url, read)


# --- What follows a change: the registry and its doors ------------------------------------------

# Tables of the public side itself, read by its pages but no source of what they show.
OWN_TABLES = {"publishing_publicstate", "publishing_searchterm", "publishing_publicfile"}


def model_of_table(table):
    """The model a table belongs to: a many-to-many table's is the model declaring it."""
    for model in apps.get_models(include_auto_created=True):
        if model._meta.db_table == table:
            return public_model(model._meta.auto_created or model)
    return None


def test_every_model_the_public_sees_is_on_the_list(client, rich):
    """The models whose tables the read model is built from and the public pages read
    are exactly the ones PUBLIC_MODELS says what a change of causes."""
    with CaptureQueriesContext(connection) as queries:
        read_model.build([rich["entry"].pk, rich["initiative"].pk])
        for urls in public_pages(rich).values():
            for url in urls:
                response = client.get(url)
                if response.streaming:
                    b"".join(response.streaming_content)
    tables = set()
    for query in queries.captured_queries:
        if query["sql"].lstrip().upper().startswith(("SELECT", "WITH")):
            tables |= set(re.findall(r'(?:FROM|JOIN)\s+"?(\w+)"?', query["sql"]))
    models = {
        model_of_table(t)
        for t in tables
        if t.split("_")[0] in ("submissions", "review", "publishing")
    }
    models.discard(None)
    models.discard(PublicEntry)
    models -= {m for m in models if m._meta.db_table in OWN_TABLES}
    missing = {m.__name__ for m in models if m not in PUBLIC_MODELS}
    assert missing == set()
    assert {m.__name__ for m in PUBLIC_MODELS} == {
        "Entry",
        "EntryVersion",
        "Publication",
        "Partnership",
        "PartnerSearch",
        "Organisation",
        "ProgressReport",
        "ReportPublication",
        "ReportFigure",
        "Decision",
        "Award",
        "Campaign",
        "Theme",
        "TargetGroup",
        "Municipality",
        "Region",
        "AwardCategory",
        "Indicator",
        "Programme",
        "JoinRequest",
    }


# The admins of public models that save through publishing's own services, which make
# the public change themselves (the admin base's would make it twice).
SAVED_THROUGH_SERVICES = {
    "PublicTextAdmin",  # services.translation_saved
    "PublicReportTextAdmin",  # services.report_translation_saved
    "PublicationAdmin",  # services.moderate (its form saves only the internal note)
    "ReportPublicationAdmin",  # services.moderate_report (likewise)
}


def test_every_admin_of_a_model_the_public_sees_reaches_the_public_side():
    reaching = {
        type(model_admin).__name__
        for model, model_admin in admin.site._registry.items()
        if public_model(model) in PUBLIC_MODELS
    }
    by_base = {
        type(model_admin).__name__
        for model_admin in admin.site._registry.values()
        if isinstance(model_admin, AdminBase) and not model_admin.public_change_by_service
    }
    assert reaching - by_base == SAVED_THROUGH_SERVICES
    assert public_model(Publication) in PUBLIC_MODELS


# --- One transaction ---------------------------------------------------------------------------


def test_a_change_that_fails_half_way_leaves_the_read_model_as_it_was(rich, monkeypatch):
    entry = rich["entry"]
    row = PublicEntry.objects.filter(pk=entry.pk).values().get()
    vocabulary = set(SearchTerm.objects.values_list("config", "lexeme", "word", "entries"))

    def broken(*args):
        raise ConnectionError("the database connection dropped")

    monkeypatch.setattr(read_model, "_count", broken)
    with pytest.raises(ConnectionError):
        submissions.withdraw_entry(entry)

    assert PublicEntry.objects.filter(pk=entry.pk).values().get() == row
    assert set(SearchTerm.objects.values_list("config", "lexeme", "word", "entries")) == vocabulary


# --- Rebuilding ---------------------------------------------------------------------------------


def test_a_rebuild_reports_each_difference_and_repairs_it(rich, monkeypatch):
    monkeypatch.setattr(read_model, "COPY_FROM", 1)  # rows written with COPY, as in bulk
    entry, initiative = rich["entry"], rich["initiative"]
    PublicEntry.objects.filter(pk=entry.pk).update(organisation_name="Väärä nimi")
    PublicEntry.objects.filter(pk=initiative.pk).delete()
    SearchTerm.objects.create(config="simple", lexeme="zzz", word="zzz", plain="zzz", entries=1)
    SearchTerm.objects.filter(config="finnish", word="kielikahvila").delete()
    SearchTerm.objects.filter(config="simple", word="lukijat").update(entries=7)
    out = io.StringIO()

    call_command("rebuild_public", stdout=out)

    assert out.getvalue().splitlines() == [
        "Approved publications without their version: 0",
        f"Public entries missing from the read model: 1 ({initiative.reference})",
        "Rows of entries that are not public: 0",
        "Rows with different values: organisation_name 1",
        "Vocabulary: missing 1, left over 1, counted wrong 1",
        "Recreated.",
    ]
    check = io.StringIO()
    call_command("rebuild_public", "--check", stdout=check)
    assert check.getvalue().splitlines()[-1] == "No differences."
    assert PublicEntry.objects.get(pk=entry.pk).organisation_name == "Esimerkki Oy"


def test_a_rebuild_makes_the_versions_of_entries_published_before_there_were_versions(
    campaign, coordinator
):
    entry = make_entry(campaign, "Vanha lupaus")
    publishing.approve(entry, coordinator)
    Publication.objects.filter(entry=entry).update(approved_version=None)
    EntryVersion.objects.filter(entry=entry).delete()
    PublicEntry.objects.all().delete()
    out = io.StringIO()

    with pytest.raises(Exception, match="differs"):
        call_command("rebuild_public", "--check", stdout=io.StringIO())
    call_command("rebuild_public", stdout=out)

    assert out.getvalue().splitlines()[0] == "Approved publications without their version: 1"
    version = Publication.objects.get(entry=entry).approved_version
    assert (version.number, version.source, version.made_by) == (1, "approval", coordinator)
    assert PublicEntry.objects.get().title_fi == "Vanha lupaus"


# --- Versions ------------------------------------------------------------------------------------


def test_versions_are_kept_from_the_entry_reaching_staff_on(client, campaign, coordinator):
    entry = make_entry(campaign, "Kesätöitä", confirm=False)
    assert not EntryVersion.objects.exists()  # not before its address is confirmed
    submissions.confirm_address(entry)
    token = manage_token(entry)

    client.post(f"/fi/manage/{token}/edit/", entry_form_data("pledge", title="Kesätöitä 2027"))
    entry.refresh_from_db()
    entry.set_current_language("sv")
    entry.title, entry.summary, entry.description = "Sommarjobb", "Sammandrag.", "Text."
    entry.promise, entry.target = "Vi lovar.", "Mål."
    entry.save()
    publishing.translation_saved(entry, "sv", by=coordinator)
    publishing.approve(entry, coordinator)  # nothing changed since: no new version

    versions = list(
        EntryVersion.objects.filter(entry=entry).values_list("number", "source", "made_by")
    )
    assert versions == [
        (1, "submitter", None),
        (2, "submitter", None),
        (3, "translation", coordinator.pk),
    ]
    second, third = EntryVersion.objects.filter(entry=entry, number__in=[2, 3]).order_by("number")
    assert second.changed == [
        "texts.fi.title",
        "texts.fi.summary",
        "texts.fi.description",
        "texts.fi.promise",
        "texts.fi.target",
        "organisation",
        "pledge_deadline",
    ]
    assert third.changed == [
        "texts.sv.title",
        "texts.sv.summary",
        "texts.sv.description",
        "texts.sv.promise",
        "texts.sv.target",
    ]
    assert third.content["texts"]["sv"]["title"] == "Sommarjobb"
    assert Publication.objects.get(entry=entry).approved_version == third
