"""The management page's suggestions and the statistics page's cooperation in figures:
axe-core and HTML_CodeSniffer clean at 360 and 1280 px in Finnish, Swedish and English."""

import pytest
from django.db import transaction

from publishing import services as publishing
from publishing.changes import public_change
from publishing.models import JoinRequest
from submissions import services as submissions
from submissions.models import Municipality, Organisation, PartnerSearch, Partnership, TargetGroup

from ..conftest import make_campaign, make_entry, manage_token
from .conftest import _context, axe_violations, htmlcs_errors

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def cooperation(db):
    """A company's pledge in Tampere (not public yet), an association's published pledge
    there looking for companies, with a confirmed partner of another kind, and a request
    to join."""
    campaign = make_campaign()
    tampere = Municipality.objects.get(code="837")
    seekers = TargetGroup.objects.get(slug="job-seekers")
    me = make_entry(
        campaign,
        "Alfan kesätyöt",
        organisation="Alfa Oy",
        municipalities=[tampere],
        target_groups=[seekers],
    )
    other = make_entry(
        campaign,
        "Beetan työpajat",
        organisation="Beeta ry",
        org_type="ngo",
        municipalities=[tampere],
        partners=[("Seurakunta", "s@example.fi")],
    )
    partnership = Partnership.objects.get(entry=other)
    Organisation.objects.filter(pk=partnership.organisation_id).update(type="religious")
    submissions.answer_partnership(partnership, True)
    with transaction.atomic():
        PartnerSearch.objects.create(entry=other, looking=True, organisation_types=["company"])
        public_change(entry=other)
    publishing.approve(other, None)
    JoinRequest.objects.create(
        entry=other, organisation="Gamma", name="G", email="g@example.fi", message="Hei!"
    )
    return {"token": manage_token(me)}


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_suggestions_and_figures_pass_axe_and_html_codesniffer(
    browser, live_server, cooperation, language, width
):
    context = _context(browser, live_server, viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        for path, landmark in (
            (f"/{language}/manage/{cooperation['token']}/", "#suggestions-heading"),
            (f"/{language}/statistics/", "#cooperation-heading"),
        ):
            page.goto(path)
            assert page.locator(landmark).is_visible()
            problems = axe_violations(page) + htmlcs_errors(page)
            assert problems == [], f"{path} at {width} px:\n" + "\n".join(problems)
        page.goto(f"/{language}/manage/{cooperation['token']}/")
        assert page.locator(".suggestion-list li").count() == 1
    finally:
        context.close()
