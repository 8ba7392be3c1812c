"""The project as a whole: migrations, admin access, demo data."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from publishing.models import PublicationStatus, PublicEntry
from publishing.queries import published
from submissions.models import Campaign, Entry, ProgressReport

pytestmark = pytest.mark.django_db


def test_no_model_change_lacks_a_migration():
    output = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=output)

    assert "No changes detected" in output.getvalue()


def test_admin_login_page_is_reachable_in_each_language(client):
    for language, word in [("fi", "Kirjaudu"), ("sv", "Logga in"), ("en", "Log in")]:
        response = client.get(f"/{language}/admin/login/")
        assert response.status_code == 200
        assert word in response.content.decode()


def test_admin_sends_anonymous_visitors_to_login(client):
    response = client.get("/fi/admin/submissions/campaign/")

    assert response.status_code == 302
    assert "/fi/admin/login/" in response["Location"]


def test_admin_refuses_a_user_who_is_not_staff(client, outsider):
    client.force_login(outsider)

    response = client.get("/fi/admin/submissions/campaign/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_edit_campaign_translations_in_the_admin(client, staff_user, campaign):
    client.force_login(staff_user)

    listing = client.get("/en/admin/submissions/campaign/")
    change = client.get(f"/en/admin/submissions/campaign/{campaign.pk}/change/?language=sv")

    assert listing.status_code == 200
    assert "Kotolupaus test campaign" in listing.content.decode()
    assert change.status_code == 200
    assert "Kotolupaus testkampanj" in change.content.decode()


def test_seed_demo_is_refused_when_debug_is_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", stdout=StringIO())


def test_seed_demo_creates_the_2015_and_an_open_campaign_and_can_run_twice(settings):
    settings.DEBUG = True

    call_command("seed_demo", "--entries", "12", stdout=StringIO())
    call_command("seed_demo", "--entries", "12", stdout=StringIO())

    historical = Campaign.objects.get(slug="kotolupaus-2015")
    assert Campaign.objects.count() == 2
    assert historical.opens_at.isoformat() == "2015-10-06T07:00:00+00:00"  # 10:00 EEST
    assert historical.last_day.isoformat() == "2015-11-16"
    assert Campaign.objects.current().slug == "kotolupaus-demo"
    assert Campaign.objects.current().is_open()
    assert Entry.objects.filter(campaign__slug="kotolupaus-demo").count() == 12
    assert {e.original_language for e in Entry.objects.all()} == {"fi", "sv", "en"}
    assert published().count() >= 8
    assert Entry.objects.filter(decision__outcome="included").exists()
    assert Entry.objects.filter(awards__isnull=False).exists()
    # Progress reports on some published entries: most approved, some awaiting.
    reports = ProgressReport.objects.filter(entry__campaign__slug="kotolupaus-demo")
    assert reports.filter(publication__status=PublicationStatus.APPROVED).exists()
    assert PublicEntry.objects.exclude(progress_status="").exists()
    assert PublicEntry.objects.count() == published().count()
    # The read model the demo's services wrote is what a rebuild from the source tables
    # makes: not a difference.
    out = StringIO()
    call_command("rebuild_public", "--check", stdout=out)
    assert out.getvalue().splitlines() == [
        "Approved publications without their version: 0",
        "Public entries missing from the read model: 0",
        "Rows of entries that are not public: 0",
        "Rows with different values: 0",
        "Vocabulary: missing 0, left over 0, counted wrong 0",
        "No differences.",
    ]
    historical.set_current_language("sv")
    assert historical.name.startswith("Kotolupaus 2015")
    # Demo contacts are fictional: no news (partners' answers, publication) wait for them.
    from submissions.models import SubmitterNews

    assert not SubmitterNews.objects.filter(told_at__isnull=True).exists()
