"""The statistics page's tile map of the regions and the catalogue's region filter in
Chromium (issue 26): axe-core and HTML_CodeSniffer in Finnish, Swedish and English at
360 and 1280 px, the map used with the keyboard alone, and the page that does not
scroll sideways for the map on a phone (the map scrolls in its own box)."""

import re

import pytest
from playwright.sync_api import expect

from publishing import services as publishing
from submissions.models import Municipality

from ..conftest import make_campaign, make_entry, make_staff
from .conftest import _context, axe_violations, htmlcs_errors, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LANGUAGES = ["fi", "sv", "en"]
WIDTHS = [360, 1280]
PIRKANMAA = {"fi": "Pirkanmaa", "sv": "Birkaland", "en": "Pirkanmaa"}


@pytest.fixture
def site(db):
    """Published entries in Tampere, in Oulu and Helsinki, and for all of Finland."""
    campaign = make_campaign()
    staff = make_staff("coordinator-alice", "coordinator", "reviewer")
    places = {name: Municipality.objects.get(name_fi=name) for name in ("Tampere", "Oulu")}
    entries = [
        make_entry(campaign, "Tampereen kesätyöt", municipalities=[places["Tampere"]]),
        make_entry(campaign, "Oulun kerho", kind="initiative", municipalities=[places["Oulu"]]),
        make_entry(campaign, "Koko maan mentorit", municipalities=[], whole_country=True),
    ]
    for entry in entries:
        publishing.approve(entry, staff)
    return {"entries": entries}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_region_map_and_filter_pass_axe_and_html_codesniffer(
    browser, live_server, site, language, width
):
    context = _context(browser, live_server, viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        for path in (
            "statistics/",
            "statistics/?figure=programme",
            "statistics/?figure=achieved",
            "entries/?maakunta=06",
            f"entries/{site['entries'][0].pk}/",
        ):
            page.goto(f"/{language}/{path}")
            problems = axe_violations(page) + htmlcs_errors(page)
            assert problems == [], f"/{language}/{path} at {width} px:\n" + "\n".join(problems)
        page.goto(f"/{language}/statistics/")
        assert page.locator(".region-map__tile").count() == 19
        # The map's section fits the screen; on a phone the map scrolls in its own box.
        section = page.locator(".region-map").bounding_box()
        assert section["x"] + section["width"] <= width
        scroll = page.locator(".region-map__scroll")
        sideways = scroll.evaluate("box => box.scrollWidth > box.clientWidth")
        assert sideways == (width < 700)
        tile = page.locator('.region-map__tile[href$="maakunta=06"]')
        name = re.compile(f"^{PIRKANMAA[language]}, 2 ")
        expect(tile).to_have_accessible_name(name)
        screenshot(page, f"region-map-{language}")
    finally:
        context.close()


def test_the_map_is_used_with_the_keyboard_alone(page, site):
    page.goto("/en/statistics/")
    for _step in range(200):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "document.activeElement.getAttribute('class') || document.activeElement.tagName"
        )
        if "region-map__tile" in focused:
            break
    else:
        pytest.fail("no tile of the map takes the focus")
    expect(page.locator(":focus")).to_have_accessible_name(
        "Uusimaa, 1 published entry, 0 in the programme, 0 achieved"
    )
    # The focus is visible: the tile's outline is drawn thicker.
    assert (
        page.evaluate("getComputedStyle(document.activeElement.querySelector('rect')).strokeWidth")
        == "5px"
    )
    for _step in range(4):
        page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_accessible_name(
        "Pirkanmaa, 2 published entries, 0 in the programme, 0 achieved"
    )
    page.keyboard.press("Enter")
    page.wait_for_url("**/en/entries/?maakunta=06")
    assert "Tampereen kesätyöt" in page.content()
    assert "Oulun kerho" not in page.content()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_campaign_report_passes_axe_and_html_codesniffer(page, site, language):
    from .conftest import login

    make_staff("coordinator-bob", "coordinator", "reviewer")
    login(page, "coordinator-bob", language=language)
    page.goto(f"/{language}/admin/workspace/campaign-report/")
    assert (
        page.locator("h1")
        .inner_text()
        .startswith(
            {"fi": "Kampanjaraportti", "sv": "Kampanjrapport", "en": "Campaign report"}[language]
        )
    )
    problems = axe_violations(page) + htmlcs_errors(page)
    assert problems == [], "\n".join(problems)
    screenshot(page, f"campaign-report-{language}")
