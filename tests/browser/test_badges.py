"""The management page's badge (publishing/cooperation/manage_badge.html) in Chromium,
in Finnish, Swedish and English at 360 and 1280 px: the preview loads, the copy button
puts the HTML code on the clipboard and says so in a live region, and the page passes
axe-core and HTML_CodeSniffer; without JavaScript there is no button, and the code can
be selected in its text area."""

import pytest

from publishing import services as publishing

from ..conftest import make_campaign, make_entry, make_staff, manage_token
from .conftest import _context, axe_violations, htmlcs_errors, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LANGUAGES = ["fi", "sv", "en"]
WORDS = {
    "fi": ("Merkki verkkosivuillesi", "Kopioi koodi", "Kopioitu", "Merkki suomeksi"),
    "sv": ("Ett märke för din webbplats", "Kopiera koden", "Kopierat", "Märket på svenska"),
    "en": ("A badge for your website", "Copy the code", "Copied", "The badge in English"),
}


@pytest.fixture
def token(db):
    campaign = make_campaign()
    staff = make_staff("coordinator-alice", "coordinator", "reviewer")
    entry = make_entry(campaign, "Kesätöitä nuorille", organisation="Esimerkki Oy")
    publishing.approve(entry, staff)
    return manage_token(entry)


def assert_accessible(page, where):
    problems = axe_violations(page) + htmlcs_errors(page)
    assert problems == [], f"{where}:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_badge_is_copied_with_one_button(browser, live_server, token, language):
    heading, button_name, copied, summary = WORDS[language]
    for width in (360, 1280):
        context = _context(browser, live_server, viewport={"width": width, "height": 900})
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        page = context.new_page()
        errors = []
        page.on("console", lambda m, errors=errors: m.type == "error" and errors.append(m.text))
        page.goto(f"/{language}/manage/{token}/")

        section = page.get_by_role("region", name=heading)
        section.scroll_into_view_if_needed()
        # The page's language is open, with its preview loaded (served as an image).
        details = section.locator("details[open]")
        assert details.count() == 1
        assert details.locator("summary").inner_text() == summary
        preview = details.locator("img")
        preview.wait_for()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=preview.element_handle()
        )

        code = details.locator("textarea")
        button = details.get_by_role("button", name=button_name)
        button.click()
        status = details.get_by_role("status")
        status.filter(has_text=copied).wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == code.input_value()
        assert code.input_value().startswith('<a href="')

        screenshot(page, f"manage-badge-{language}")
        assert_accessible(page, f"management page with the badge ({language}, {width} px)")
        assert errors == []
        context.close()


def test_without_javascript_the_code_is_there_to_select(no_js_page, token):
    no_js_page.goto(f"/en/manage/{token}/")
    section = no_js_page.get_by_role("region", name="A badge for your website")
    assert section.get_by_role("button", name="Copy the code").count() == 0  # hidden
    code = section.get_by_label("HTML code of the badge in English")
    assert code.get_attribute("readonly") is not None
    code.focus()
    code.press("Control+a")
    selected = no_js_page.evaluate(
        "() => { const t = document.activeElement; return t.value.slice(t.selectionStart, t.selectionEnd); }"
    )
    assert selected == code.input_value()
    assert "badge.svg" in selected
