"""The accessibility statement and the privacy notice say what the law asks, in every
language, and the statement's known issues stay true (issue 24)."""

import pytest
from django.test import override_settings

from kotolupaus import accessibility

from .browser.exclusions import NOT_CHECKED

LANGUAGES = ["fi", "sv", "en"]

pytestmark = pytest.mark.django_db


def test_every_exclusion_of_the_automated_checks_is_a_known_issue_of_the_statement():
    explained = {issue.not_checked for issue in accessibility.KNOWN_ISSUES if issue.not_checked}

    assert set(NOT_CHECKED) - explained == set(), "name it in kotolupaus/accessibility.py"
    assert explained - set(NOT_CHECKED) == set(), "the checks cover it now: update the statement"


def test_the_statement_is_dated_again_whenever_it_changes():
    # Changed the statement or its known issues? Set accessibility.UPDATED to today and
    # DIGEST to the value this test prints.
    assert accessibility.statement_digest() == accessibility.DIGEST, (
        f"the statement changed: set UPDATED and DIGEST = {accessibility.statement_digest()!r}"
    )
    assert accessibility.PREPARED <= accessibility.UPDATED


@pytest.mark.parametrize(
    ("language", "authority", "updated", "issue"),
    [
        ("fi", "Lupa- ja valvontavirasto", "7.12.2026", "Ylläpitonäkymän luettelot"),
        ("sv", "Tillstånds- och tillsynsverket", "7.12.2026", "Listorna i administrationspanelen"),
        ("en", "Finnish Supervisory Agency", "7 December 2026", "The lists of the administration"),
    ],
)
@override_settings(ACCESSIBILITY_FEEDBACK_EMAIL="palaute@example.fi")
def test_the_statement_names_the_authority_the_feedback_address_and_the_known_issues(
    client, language, authority, updated, issue
):
    content = client.get(f"/{language}/accessibility/").content.decode()

    assert authority in content
    assert 'href="https://www.saavutettavuusvaatimukset.fi/"' in content
    assert 'href="mailto:palaute@example.fi"' in content
    assert updated in content
    assert issue in content
    assert content.count('<li id="issue-') == len(accessibility.KNOWN_ISSUES)


@pytest.mark.parametrize(
    ("language", "draft", "processor", "required"),
    [
        ("fi", "tietosuojaselosteen luonnos", "Valtori", "Onko tietojen antaminen pakollista?"),
        ("sv", "utkast för kampanjtjänsten", "Valtori", "Måste du lämna uppgifterna?"),
        ("en", "draft for the campaign service", "Valtori", "Do you have to give the data?"),
    ],
)
@override_settings(DATA_PROTECTION_EMAIL="tietosuoja@example.fi", LOG_RETENTION_DAYS=60)
def test_the_privacy_notice_is_final_and_says_what_articles_13_and_14_ask(
    client, language, draft, processor, required
):
    content = client.get(f"/{language}/privacy/").content.decode()
    main = content[content.index("<main") : content.index("</main>")]

    assert draft not in main.lower()
    assert processor in main
    assert required in main
    assert 'href="mailto:tietosuoja@example.fi"' in main
    assert "60" in main and "730" in main  # log and contact data retention, from settings
