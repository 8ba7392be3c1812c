"""Reflow (WCAG 1.4.10) and non-text contrast (1.4.11) in Chromium: every public page,
every form with its errors, the private management pages and every workspace page, in
Finnish, Swedish and English, at 320 and 360 px: the page never scrolls sideways, no
text of a chart is cut at its edge, a table too wide scrolls in its own focusable box.

Before issue 24 (the demo data, 320 px): the programme 439/416/451 px (fi/sv/en), the fi
home 341, the sv accessibility statement 336, entry 145 in fi 362, the fi statistics 361;
see docs in README ("Reflow")."""

import itertools

import pytest

from ..conftest import make_entry, manage_token
from .conftest import _context, login
from .test_accessibility import LANGUAGES, dead_ends, decisions_and_votes, public_paths, site

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

__all__ = ["decisions_and_votes", "site"]  # fixtures used by the tests below

WIDTHS = [320, 360]

WORKSPACE = [
    "admin/workspace/queue/",
    "admin/workspace/ranking/",
    "admin/workspace/follow-up/",
    "admin/workspace/dashboard/",
    "admin/workspace/staff/",
    "admin/workspace/decisions/publish/",
    "admin/personal-data/",
]

# What does not fit: the page's own width, every SVG text outside its SVG and every
# element of <main> whose right edge passes the window (a table inside a scrolling box
# is clipped by the box, so it is not counted; nor is the region map, which keeps its
# two-dimensional layout in a box of its own, as WCAG 1.4.10 allows for maps).
OVERFLOW = """() => {
    const width = window.innerWidth;
    const problems = [];
    if (document.documentElement.scrollWidth > width) {
        problems.push('page ' + document.documentElement.scrollWidth + ' px');
    }
    for (const text of document.querySelectorAll('svg text')) {
        const box = text.getBoundingClientRect();
        const svg = text.closest('svg').getBoundingClientRect();
        const shown = getComputedStyle(text).display !== 'none';
        if (shown && (box.left < svg.left - 1 || box.right > svg.right + 1)) {
            problems.push('svg text cut: ' + text.textContent.slice(0, 40));
        }
    }
    for (const element of document.querySelectorAll('main *')) {
        const box = element.getBoundingClientRect();
        if (box.width === 0 || element.closest('.table-responsive, .ws-scroll, .kl-hp, .region-map__scroll')) {
            continue;
        }
        if (box.right > width + 1) {
            problems.push(element.tagName.toLowerCase() + '.' + element.className + ' ends at '
                + Math.round(box.right) + ': ' + (element.textContent || '').trim().slice(0, 40));
        }
    }
    return problems.slice(0, 8);
}"""


def overflow(page):
    return page.evaluate(OVERFLOW)


@pytest.fixture
def long_words(site):
    """An entry whose title and organisation are long compounds, as in the demo data."""
    entry = make_entry(
        site["campaign"],
        "Kotoutumiskoulutuksenjärjestämisyhteistyö",
        organisation="Kumppaniorganisaatioiden yhteistyöverkosto",
    )
    from publishing import services as publishing

    publishing.approve(entry, site["staff"])
    return entry


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages_reflow_at_320_and_360_px(
    browser, live_server, site, long_words, language, width
):
    context = _context(browser, live_server, viewport={"width": width, "height": 740})
    page = context.new_page()
    found = {}
    paths = public_paths(site) + dead_ends(site) + [f"entries/{long_words.pk}/"]
    for path in paths:
        page.goto(f"/{language}/{path}")
        if problems := overflow(page):
            found[path] = problems
    # The forms with every error shown.
    for path in ["submit/pledge/", "submit/initiative/", "manage/lost-link/"]:
        page.goto(f"/{language}/{path}")
        page.locator("main form[method=post] button.btn-primary").first.click()
        page.locator("#error-summary").wait_for()
        if problems := overflow(page):
            found[f"{path} with errors"] = problems
    # The private management pages of an entry.
    token = manage_token(site["pledge"])
    for path in [f"manage/{token}/", f"manage/{token}/edit/", f"manage/{token}/partners/"]:
        page.goto(f"/{language}/{path}")
        if problems := overflow(page):
            found[path.replace(token, "<token>")] = problems
    context.close()

    assert found == {}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_workspace_pages_reflow_at_320_and_360_px(
    browser, live_server, site, decisions_and_votes, language, width
):
    context = _context(browser, live_server, viewport={"width": width, "height": 740})
    page = context.new_page()
    login(page, "coordinator-alice", language=language)
    found = {}
    paths = [
        *WORKSPACE,
        f"admin/workspace/decide/{site['pledge'].pk}/",
        f"admin/workspace/score/{site['pledge'].pk}/",
        f"admin/workspace/prizes/{decisions_and_votes['category'].pk}/vote/",
    ]
    for path in paths:
        page.goto(f"/{language}/{path}")
        if problems := overflow(page):
            found[path] = problems
    context.close()

    assert found == {}


def test_tables_that_scroll_are_focusable_named_regions(page, site):
    page.set_viewport_size({"width": 320, "height": 740})
    for path in ["/fi/programme/", "/sv/statistics/", f"/en/entries/{site['pledge'].pk}/"]:
        page.goto(path)
        boxes = page.evaluate(
            """() => [...document.querySelectorAll('main table')].map(table => {
                const box = table.closest('.table-responsive');
                return box ? [box.getAttribute('role'), box.tabIndex,
                              !!(box.getAttribute('aria-labelledby') || box.getAttribute('aria-label'))]
                           : table.className;
            })"""
        )
        assert boxes and all(box == ["region", 0, True] for box in boxes), (path, boxes)


def test_the_dashboard_shows_few_enough_dates_on_a_phone_that_none_overlap(page, site):
    login(page, "coordinator-alice", language="fi")
    for width in (320, 360, 768, 1280):
        page.set_viewport_size({"width": width, "height": 740})
        page.goto("/fi/admin/workspace/dashboard/")
        boxes = page.evaluate(
            """() => [...document.querySelectorAll('.ws-chart__svg text[class*=ws-chart__date]')]
                .filter(t => getComputedStyle(t).display !== 'none')
                .map(t => { const r = t.getBoundingClientRect(); return [r.left, r.right]; })"""
        )
        assert boxes, width
        gaps = [after[0] - before[1] for before, after in itertools.pairwise(boxes)]
        assert all(gap > 4 for gap in gaps), (width, boxes)
        assert overflow(page) == [], width
