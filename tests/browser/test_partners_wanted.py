"""Partners wanted in Chromium, in Finnish, Swedish and English at 360 and 1280 px, each
page checked with axe-core and HTML_CodeSniffer: the catalogue filtered by what is
sought (with the cards' label and the chips), the management page's section, its page
of its own with an error, and the switch "we found our partners"."""

import pytest
from django.utils.translation import gettext, override

from publishing import services as publishing
from publishing.models import PublicEntry

from ..conftest import make_campaign, make_entry, make_staff, manage_token
from .conftest import _context, axe_violations, htmlcs_errors, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LANGUAGES = ["fi", "sv", "en"]


def t(language, text):
    with override(language):
        return gettext(text)


def assert_accessible(page, where):
    problems = axe_violations(page) + htmlcs_errors(page)
    assert problems == [], f"{where}:\n" + "\n".join(problems)


@pytest.fixture
def seeker(db):
    """A published pledge that looks for companies in Pirkanmaa, a published initiative
    open to cooperation, and one that looks for nobody."""
    campaign = make_campaign()
    staff = make_staff("coordinator-alice", "coordinator", "reviewer")
    pledge = make_entry(
        campaign,
        "Kesätöitä nuorille",
        wanted_looking=True,
        wanted_types=["company", "education"],
        wanted_regions=["06"],
    )
    initiative = make_entry(
        campaign, "Språkcafé i Vasa", kind="initiative", language="sv", wanted_open=True
    )
    alone = make_entry(campaign, "Yksin tehty")
    for entry in (pledge, initiative, alone):
        publishing.approve(entry, staff)
    return pledge


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_filter_and_the_management_section(browser, live_server, seeker, language):
    token = manage_token(seeker)
    for width in (360, 1280):
        context = _context(browser, live_server, viewport={"width": width, "height": 900})
        page = context.new_page()

        page.goto(f"/{language}/entries/?partners=on&seeks_type=company")
        assert page.locator(".entry-card").count() == 1
        assert page.locator(".badge-partners").inner_text() == t(language, "Looking for partners")
        assert_accessible(page, f"catalogue filtered ({language}, {width} px)")
        screenshot(page, f"partners-wanted-catalogue-{language}")

        page.goto(f"/{language}/entries/{seeker.pk}/")
        page.get_by_text(t(language, "They look for:"), exact=False).wait_for()
        assert_accessible(page, f"entry page ({language}, {width} px)")

        page.goto(f"/{language}/manage/{token}/")
        page.get_by_role("heading", name=t(language, "Partners wanted")).wait_for()
        assert_accessible(page, f"management page ({language}, {width} px)")
        screenshot(page, f"partners-wanted-manage-{language}")

        page.goto(f"/{language}/manage/{token}/partners-wanted/")
        assert_accessible(page, f"partners wanted page ({language}, {width} px)")
        for value in ("company", "education"):
            page.locator(f"input[name=wanted_types][value={value}]").uncheck()
        page.locator("input[name=wanted_regions][value='06']").uncheck()
        page.get_by_role("button", name=t(language, "Save the search")).click()
        page.locator("#error-summary").wait_for()
        assert_accessible(page, f"partners wanted page with an error ({language}, {width} px)")
        screenshot(page, f"partners-wanted-error-{language}")
        context.close()

    context = _context(browser, live_server, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"/{language}/manage/{token}/")
    page.get_by_role(
        "button", name=t(language, "We found our partners – stop showing the search")
    ).click()
    page.get_by_text(t(language, "The search for partners is no longer shown.")).wait_for()
    assert_accessible(page, f"management page after the switch ({language})")
    assert PublicEntry.objects.get(pk=seeker.pk).seeks_partners is False
    page.get_by_role("button", name=t(language, "Show the search for partners again")).click()
    page.get_by_text(t(language, "The search for partners is shown again.")).wait_for()
    assert PublicEntry.objects.get(pk=seeker.pk).seeks_partners is True
    context.close()
