"""Form controls a person can see (WCAG 1.4.11, computed styles), counters that speak
only at thresholds, the municipality list with and without JavaScript, and a catalogue
whose title names the search and the page, with a way past its filters (issue 24)."""

import pytest
from playwright.sync_api import expect

from .conftest import _context
from .test_accessibility import site

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

__all__ = ["site"]

# The contrast of each visible control's border against what is behind it (the nearest
# ancestor with a background colour), by the WCAG formula.
BORDER_CONTRAST = """() => {
    const rgb = text => text.match(/[\\d.]+/g).map(Number);
    const luminance = ([r, g, b]) => {
        const [R, G, B] = [r, g, b].map(v => {
            v /= 255;
            return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
        });
        return 0.2126 * R + 0.7152 * G + 0.0722 * B;
    };
    const behind = element => {
        for (let e = element.parentElement; e; e = e.parentElement) {
            const colour = rgb(getComputedStyle(e).backgroundColor);
            if (colour.length < 4 || colour[3] > 0) return colour.slice(0, 3);
        }
        return [255, 255, 255];
    };
    const ratio = (a, b) => {
        const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
        return (x + 0.05) / (y + 0.05);
    };
    return [...document.querySelectorAll(
            'main input:not([type=hidden]):not(.visually-hidden), main select, main textarea')]
        .filter(e => e.offsetParent !== null && !e.closest('.kl-hp'))
        .map(e => {
            const style = getComputedStyle(e);
            return [e.type + '#' + (e.id || e.name),
                    Math.round(ratio(rgb(style.borderTopColor).slice(0, 3), behind(e)) * 100) / 100,
                    style.borderTopWidth];
        });
}"""


@pytest.mark.parametrize(
    "path", ["submit/pledge/", "submit/initiative/", "entries/", "manage/lost-link/"]
)
def test_form_controls_have_borders_of_at_least_3_to_1(page, site, path):
    page.goto(f"/fi/{path}")
    controls = page.evaluate(BORDER_CONTRAST)

    assert controls
    assert [c for c in controls if c[1] < 3 or c[2] == "0px"] == []


def test_checked_boxes_and_radios_stand_out_by_3_to_1(page, site):
    page.goto("/fi/submit/pledge/")
    page.locator("#id_themes_0").check()
    page.locator("input[name=original_language]").first.check()

    colours = page.evaluate(
        """() => ['#id_themes_0', 'input[name=original_language]:checked'].map(
            s => getComputedStyle(document.querySelector(s)).backgroundColor)"""
    )

    assert colours == ["rgb(11, 85, 96)", "rgb(11, 85, 96)"]  # --kl-teal, 8.0:1 on white


def test_the_counter_speaks_only_at_100_20_and_0_left(page, site):
    page.goto("/en/submit/pledge/")
    field = page.locator("#id_summary")
    limit = int(field.get_attribute("data-limit") or field.get_attribute("maxlength"))
    announcer = page.locator("#id_summary ~ .char-counter__announcer")
    counter = page.locator("#id_summary_counter")
    assert announcer.get_attribute("aria-live") == "polite"
    assert counter.get_attribute("aria-live") is None  # read with the field, not live

    heard = []
    for length in [
        10,
        50,
        limit - 150,
        limit - 100,
        limit - 60,
        limit - 20,
        limit - 1,
        limit,
        limit + 1,
    ]:
        field.fill("x" * length)
        heard.append(announcer.text_content())

    assert heard == [
        "",
        "",
        "",
        "100 characters left",
        "100 characters left",
        "20 characters left",
        "20 characters left",
        "0 characters left",
        "1 character too many",
    ]
    field.fill("x" * (limit - 1))
    assert counter.text_content() == "1 character left"


def test_municipalities_are_checkboxes_with_a_filter_box(page, site):
    page.goto("/fi/submit/pledge/")
    group = page.get_by_role("group", name="Kunnat")
    box = page.get_by_label("Etsi kunta luettelosta")

    box.fill("porv")

    shown = page.evaluate(
        """() => [...document.querySelectorAll('#id_municipalities .form-check')]
            .filter(item => !item.hidden).map(item => item.textContent.trim())"""
    )
    assert shown == ["Porvoo"]
    group.get_by_label("Porvoo").check()
    box.fill("")
    assert page.locator("#id_municipalities .form-check:not([hidden])").count() > 300
    assert group.get_by_label("Porvoo").is_checked()


def test_municipalities_can_be_ticked_without_javascript(no_js_page, site):
    page = no_js_page
    page.goto("/sv/submit/initiative/")
    group = page.get_by_role("group", name="Kommuner")

    group.get_by_label("Helsingfors", exact=True).check()
    group.get_by_label("Åbo", exact=True).check()

    assert page.locator("#id_municipalities_filter").count() == 0
    assert page.locator("input[name=municipalities]:checked").count() == 2


def test_the_catalogue_title_names_the_search_and_page_and_a_link_skips_the_filters(
    browser, live_server, site
):
    context = _context(browser, live_server, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto("/fi/entries/?q=kesätöitä&kind=pledge")

    assert page.title().startswith(
        "Hakutulokset: ”kesätöitä”, Lupaus – Julkaistut lupaukset ja aloitteet – "
    )
    skip = page.get_by_role("link", name="Ohita rajaukset ja siirry tuloksiin")
    skip.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "results"
    expect(page.locator("#results .results-count")).to_be_in_viewport()  # scrolled past the filters

    page.goto("/en/entries/")
    assert page.title().startswith("Published pledges and initiatives – ")
    context.close()
