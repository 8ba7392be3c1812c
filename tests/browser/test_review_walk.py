"""Issue 27 walked as a reviewer and a coordinator: the queue with an entry changed
since the review, the scoring page with the word diff, the same page when the entry
changed while it was open, the ranking with scores of an older version and the
agreement between reviewers, the decision page's warning — in fi, sv and en at 360 and
1280 px, screenshots in var/screenshots/ (looked at by a person), nothing sideways."""

import pytest
from playwright.sync_api import expect

from review import services as review
from review.models import Criterion
from submissions import versions
from submissions.models import VersionSource

from ..conftest import make_staff
from .conftest import _context, login, screenshot
from .test_accessibility import assert_accessible, site  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _score(user, entry, value):
    review.save_review(
        user,
        entry,
        scores={c.pk: value for c in Criterion.objects.filter(campaign=entry.campaign)},
        comment="",
        recommendation="include",
    )


def _change(entry, summary):
    text = entry.translations.get(language_code=entry.original_language)
    text.summary = summary
    text.save()
    versions.record(entry, VersionSource.SUBMITTER)


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_walk_the_changed_entry_and_the_agreement(browser, live_server, site, width, language):  # noqa: F811
    pledge, initiative, staff = site["pledge"], site["initiative"], site["staff"]
    other = make_staff("reviewer-dora", "reviewer")
    _score(staff, pledge, 4)
    _score(other, pledge, 2)
    _score(staff, initiative, 5)
    _score(other, initiative, 3)
    _change(pledge, "Kesätöitä ja harjoittelua nuorille: uusi tiivistelmä.")
    context = _context(browser, live_server, viewport={"width": width, "height": 900})
    page = context.new_page()
    login(page, "coordinator-alice", language=language)

    shots = [
        ("review-queue-changed", "queue/"),
        ("review-score-diff", f"score/{pledge.pk}/"),
        ("review-ranking-agreement", "ranking/"),
        ("review-decide-stale", f"decide/{pledge.pk}/"),
    ]
    for name, path in shots:
        page.goto(f"/{language}/admin/workspace/{path}")
        screenshot(page, f"{name}-{language}")
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
        assert not overflow, f"{name} scrolls sideways at {width} px ({language})"

    # Changed while the page was open: the save is refused with the diff.
    page.goto(f"/{language}/admin/workspace/score/{initiative.pk}/")
    _change(initiative, "Ett nytt sammandrag.")
    page.locator("form button[value=save]").click()
    expect(page.locator("#meanwhile-heading")).to_be_visible()
    screenshot(page, f"review-score-meanwhile-{language}")
    assert_accessible(page, f"scoring page, changed meanwhile ({language}, {width})")
    context.close()
