"""The moderation admin in Chromium: the list fits 1280 px with its state column in
view, and "Return to the submitter for fixes" goes round in Finnish — from the list,
through the submitter's private link, back to the list and approved — with axe-core
and HTML_CodeSniffer clean on every page of the way."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.utils import timezone

from publishing import services as publishing
from publishing.models import Publication, PublicationStatus
from submissions import services as submissions

from ..conftest import make_campaign, make_entry, make_staff
from ..jobs import run_jobs
from .conftest import axe_violations, htmlcs_errors, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def waiting(db):
    """Entries waiting for moderation, one of them in Swedish, and a coordinator."""
    campaign = make_campaign()
    make_staff("coordinator-alice", "coordinator", "reviewer")
    entries = [
        make_entry(campaign, "Kesätöitä nuorille tulijoille", contact_email="maija@example.fi"),
        make_entry(campaign, "Språkcafé för nyanlända i Vasa", language="sv"),
        make_entry(campaign, "Liikuntaa ja hyvinvointia kaikenikäisille"),
    ]
    return entries


def assert_accessible(page, where):
    problems = axe_violations(page) + htmlcs_errors(page)
    assert problems == [], f"{where}:\n" + "\n".join(problems)


# The column names and the first row's state as a coordinator reads them.
MODERATION_LIST = {
    "fi": (
        ("Julkaisu", "Julkinen nyt", "Suostumus", "Automaattiset merkinnät"),
        "Odottaa tarkastusta",
    ),
    "sv": (("Publicering", "Publik nu", "Samtycke", "Automatiska flaggor"), "Väntar på granskning"),
    "en": (("Publication", "Public now", "Consent", "Automatic flags"), "Waiting for moderation"),
}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_moderation_list_at_1280_px_shows_the_state_consent_and_flags(page, waiting, language):
    headers, state = MODERATION_LIST[language]
    login(page, "coordinator-alice", language=language)
    page.goto(f"/{language}/admin/publishing/publication/")
    table = page.locator("#changelist .results")

    fits = page.evaluate(
        "() => { const r = document.querySelector('#changelist .results');"
        " return r.scrollWidth <= r.clientWidth + 1; }"
    )
    box = table.bounding_box()
    for header in headers:
        cell = page.get_by_role("columnheader", name=header)
        bounds = cell.bounding_box()
        assert bounds["x"] + bounds["width"] <= box["x"] + box["width"] + 1, header
    screenshot(page, f"moderation-list-{language}")

    assert fits
    first_row = page.locator("#result_list tbody tr").first
    assert first_row.locator(".field-status").inner_text() == state


def test_return_for_fixes_round_trip_in_finnish_passes_axe_and_html_codesniffer(page, waiting):
    entry = waiting[0]
    login(page, "coordinator-alice", language="fi")
    page.goto("/fi/admin/publishing/publication/")
    assert_accessible(page, "the moderation list")

    row = page.locator("#result_list tbody tr", has_text=entry.reference)
    row.locator("input.action-select").check()
    page.get_by_label("Toiminto").select_option(label="Palauta lähettäjälle korjattavaksi…")
    page.get_by_role("button", name="Suorita").click()
    page.get_by_role("heading", name="Palauta lähettäjälle korjattavaksi").wait_for()
    assert_accessible(page, "what should the submitter change")
    screenshot(page, "return-for-fixes")

    page.get_by_role("button", name="Lähetä").click()
    page.get_by_text("Kirjoita, mitä lähettäjän pitäisi muuttaa.").wait_for()
    assert_accessible(page, "the comment missing")
    page.get_by_label("Mitä lähettäjän pitäisi muuttaa?").fill("Lisää mitattava tavoite, kiitos.")
    page.get_by_role("button", name="Lähetä").click()
    page.get_by_text("pyydettiin korjaamaan lähetyksensä").wait_for()
    assert_accessible(page, "returned")
    assert Publication.objects.get(entry=entry).status == PublicationStatus.RETURNED

    # The submitter follows the link in the e-mail, reads the comment and fixes it.
    page.context.clear_cookies()
    run_jobs()
    (message,) = [m for m in mail.outbox if m.to == ["maija@example.fi"]]
    manage = re.search(r"https?://testserver(/fi/manage/\S+/)", message.body).group(1)
    page.goto(manage)
    page.get_by_text("Lisää mitattava tavoite, kiitos.").wait_for()
    assert_accessible(page, "the management page with the staff comment")
    # The staff comment's notice and the page's own button both lead to the form.
    page.get_by_role("link", name="Muokkaa lupausta", exact=True).first.click()
    page.get_by_label(re.compile(r"^\s*Mitattava tavoite")).fill("20 nuorta joka kesä.")
    page.get_by_role("button", name="Tallenna muutokset").click()
    page.get_by_text("Muutoksesi on tallennettu.").wait_for()
    assert Publication.objects.get(entry=entry).status == PublicationStatus.FIXED

    # Back at the top of the list, fixed; approved from there.
    login(page, "coordinator-alice", language="fi")
    page.goto("/fi/admin/publishing/publication/")
    first_row = page.locator("#result_list tbody tr").first
    assert entry.reference in first_row.inner_text()
    assert "Lähettäjä korjannut – odottaa tarkastusta" in first_row.inner_text()
    first_row.locator("input.action-select").check()
    page.get_by_label("Toiminto").select_option(label="Hyväksy julkaistavaksi")
    page.get_by_role("button", name="Suorita").click()
    page.get_by_text("hyväksytty").first.wait_for()
    assert_accessible(page, "approved")
    assert Publication.objects.get(entry=entry).status == PublicationStatus.APPROVED


def test_return_for_fixes_from_the_entrys_own_page_passes_axe(page, waiting):
    publication = Publication.objects.get(entry=waiting[1])
    login(page, "coordinator-alice", language="fi")
    page.goto(f"/fi/admin/publishing/publication/{publication.pk}/change/")
    assert_accessible(page, "an entry's moderation page")
    page.get_by_role("link", name="Palauta lähettäjälle korjattavaksi…").click()
    page.get_by_label("Mitä lähettäjän pitäisi muuttaa?").fill("Lägg till en tidtabell.")
    assert_accessible(page, "return one entry")
    page.get_by_role("button", name="Lähetä").click()
    page.get_by_text("pyydettiin korjaamaan lähetyksensä").wait_for()

    assert Publication.objects.get(pk=publication.pk).status == PublicationStatus.RETURNED


def test_the_pages_around_moderation_pass_axe_and_html_codesniffer(page, waiting):
    """The trail that records it, a translation beside its original, the reports' list,
    a publication's own page, in Finnish and Swedish."""
    entry = waiting[1]
    publishing.approve(entry, User.objects.get(username="coordinator-alice"))
    report = submissions.add_report(
        entry,
        {
            "status": "under_way",
            "reason": "",
            "reported_on": timezone.localdate(),
            "text": "Två kvällar har hållits.",
            "figures": {entry.campaign.indicators.first(): 12},
            "contributors": [],
        },
        language="sv",
    )
    login(page, "coordinator-alice", language="fi")
    for language in ("fi", "sv"):
        for where, path in [
            ("the audit trail", "review/auditevent/"),
            ("a translation tab", f"publishing/publictext/{entry.pk}/change/?language=fi"),
            (
                "a report's translation tab",
                f"publishing/publicreporttext/{report.pk}/change/?language=en",
            ),
            ("the reports' moderation list", "publishing/reportpublication/"),
            ("a publication's page", f"publishing/publication/{entry.publication.pk}/change/"),
        ]:
            page.goto(f"/{language}/admin/{path}")
            assert_accessible(page, f"{where} ({language})")
    page.goto(f"/fi/admin/publishing/publictext/{entry.pk}/change/?language=fi")
    screenshot(page, "translation-beside-the-original")
