"""WCAG 2.1 A and AA, checked by axe-core in Chromium on every public page, each form
empty and with errors, the staff login and the reviewer workspace, in Finnish, Swedish
and English; a keyboard-only run of the submission form; screenshots at 360 and 1280 px."""

import re

import pytest
from django.core import mail

from publishing import services as publishing
from review import services as review

from ..conftest import make_campaign, make_entry, make_staff
from ..jobs import run_jobs
from .conftest import axe_violations, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LANGUAGES = ["fi", "sv", "en"]


@pytest.fixture
def site(db):
    """A campaign with a published pledge, a published initiative seeking partners, the
    programme and a prize, so every public page has content."""
    campaign = make_campaign()
    staff = make_staff("coordinator-alice", "coordinator", "reviewer")
    pledge = make_entry(campaign, "Kesätöitä nuorille", partners=[("Kumppani ry", "k@x.fi")])
    initiative = make_entry(
        campaign,
        "Språkcafé i Vasa",
        kind="initiative",
        language="sv",
        partners_sought="Bibliotek och föreningar.",
    )
    for entry in (pledge, initiative):
        publishing.approve(entry, staff)
    review.record_decision(pledge, "included", "Hyvä.", staff)
    review.publish_decisions(campaign, staff)
    return {"pledge": pledge, "initiative": initiative, "staff": staff, "campaign": campaign}


def public_paths(site):
    return [
        "",
        "about/",
        "privacy/",
        "accessibility/",
        "entries/",
        "entries/?q=kesätöitä",
        "entries/?q=sprakcafe",  # results for similar words, and the page says so
        "entries/?kind=pledge&theme=working-life",
        f"entries/{site['pledge'].pk}/",
        f"entries/{site['initiative'].pk}/",
        f"entries/{site['initiative'].pk}/join/",
        "programme/",
        "open-data/",
        "statistics/",
        "submit/pledge/",
        "submit/initiative/",
        "manage/lost-link/",
        "no-such-page/",
    ]


def assert_accessible(page, where):
    violations = axe_violations(page)
    assert violations == [], f"{where}: " + "\n".join(violations)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_public_page_passes_axe(page, site, language):
    for path in public_paths(site):
        page.goto(f"/{language}/{path}")
        assert page.locator("html").get_attribute("lang") == language
        assert_accessible(page, f"/{language}/{path}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_forms_with_errors_pass_axe(page, site, language):
    for path in [
        "submit/pledge/",
        "submit/initiative/",
        "manage/lost-link/",
        f"entries/{site['initiative'].pk}/join/",
    ]:
        page.goto(f"/{language}/{path}")
        page.locator("main form[method=post] button.btn-primary").first.click()
        page.locator("#error-summary").wait_for()
        assert_accessible(page, f"/{language}/{path} with errors")


def test_preview_confirmation_and_management_pages_pass_axe(page, site):
    from ..conftest import entry_form_data

    page.goto("/en/submit/pledge/")
    data = entry_form_data("pledge", action="preview")
    page.evaluate(
        """(data) => {
            const form = document.querySelector('form.kl-form');
            for (const [name, value] of Object.entries(data)) {
                for (const v of (Array.isArray(value) ? value : [value])) {
                    const input = document.createElement('input');
                    input.type = 'hidden'; input.name = name; input.value = v;
                    form.append(input);
                }
            }
            form.querySelectorAll('[name="action"]').forEach(b => b.remove());
            form.submit();
        }""",
        data,
    )
    page.get_by_role("heading", name="Check your entry before sending").wait_for()
    assert_accessible(page, "preview")
    page.get_by_role("button", name="Send", exact=True).click()
    page.get_by_role(
        "heading", name="Almost done: confirm your e-mail address to send your pledge"
    ).wait_for()
    assert_accessible(page, "check your inbox")
    run_jobs()
    body = mail.outbox[-1].body
    manage = re.search(r"https?://testserver(/en/manage/\S+/)", body).group(1)
    page.goto(manage)
    page.get_by_role("heading", name="Status").wait_for()
    assert_accessible(page, "management page before confirming")
    page.goto(re.search(r"https?://testserver(/en/submit/confirm/\S+/)", body).group(1))
    assert_accessible(page, "confirm your address")
    page.get_by_role("button", name="Confirm and send").click()
    page.get_by_role("heading", name="Thank you – your pledge was sent").wait_for()
    assert_accessible(page, "sent")
    page.goto(manage)
    page.get_by_role("heading", name="Status").wait_for()
    assert_accessible(page, "management page")


@pytest.mark.parametrize("language", LANGUAGES)
def test_reviewer_workspace_passes_axe(page, site, language):
    login(page, "coordinator-alice", language=language)
    for path in [
        "queue/",
        f"score/{site['pledge'].pk}/",
        "ranking/",
        "dashboard/",
        "assign/auto/",
        "staff/",
    ]:
        page.goto(f"/{language}/admin/workspace/{path}")
        assert_accessible(page, f"workspace {path} ({language})")


@pytest.mark.parametrize("language", LANGUAGES)
def test_staff_login_with_a_one_time_code_passes_axe_also_when_refused(
    page, site, settings, language
):
    settings.STAFF_2FA = True
    labels = {
        "en": ("Username", "Password", "One-time code", "Log in"),
        "sv": ("Användarnamn", "Lösenord", "Engångskod", "Logga in"),
        "fi": ("Käyttäjätunnus", "Salasana", "Kertakäyttökoodi", "Kirjaudu sisään"),
    }[language]
    page.goto(f"/{language}/admin/login/")
    assert_accessible(page, f"staff login ({language})")
    page.get_by_label(labels[0]).fill("coordinator-alice")
    page.get_by_label(labels[1]).fill("not the password")
    page.get_by_label(labels[2]).fill("123456")
    page.get_by_role("button", name=labels[3]).click()
    page.locator(".errornote").wait_for()
    assert_accessible(page, f"staff login refused ({language})")


def test_keyboard_alone_reaches_every_control_of_the_form_with_visible_focus(page, site):
    page.goto("/en/submit/initiative/")
    controls = page.evaluate(
        """() => [...document.querySelectorAll(
                'form.kl-form input, form.kl-form select, form.kl-form textarea, form.kl-form button')]
            .filter(e => e.type !== 'hidden' && e.tabIndex >= 0 && e.offsetParent !== null)
            .map(e => e.type === 'radio' ? 'radio:' + e.name : (e.id || e.name + ':' + e.value))"""
    )
    page.locator("body").focus()
    reached, unstyled = [], []
    for _step in range(len(controls) + 40):
        page.keyboard.press("Tab")
        info = page.evaluate(
            """() => {
                const e = document.activeElement;
                const style = getComputedStyle(e);
                // A radio group is one Tab stop; the arrow keys move within it.
                return {key: e.type === 'radio' ? 'radio:' + e.name : (e.id || e.name + ':' + e.value),
                        outline: style.outlineStyle !== 'none' && style.outlineWidth !== '0px',
                        shadow: style.boxShadow !== 'none',
                        inForm: !!e.closest('form.kl-form')};
            }"""
        )
        if info["inForm"]:
            reached.append(info["key"])
            if not (info["outline"] or info["shadow"]):
                unstyled.append(info["key"])
        if set(controls) <= set(reached):
            break

    assert set(controls) <= set(reached), set(controls) - set(reached)
    assert unstyled == []


def test_skip_link_is_the_first_stop_and_moves_to_the_main_content(page, site):
    page.goto("/sv/")
    page.keyboard.press("Tab")

    skip = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")

    assert skip == "#main"
    assert page.evaluate("document.activeElement.id") == "main"


def test_error_summary_takes_the_focus_after_a_failed_submit(page, site):
    page.goto("/fi/submit/pledge/")
    page.locator("form.kl-form button[value=preview]").last.click()

    page.locator("#error-summary").wait_for()

    assert page.evaluate("document.activeElement.id") == "error-summary"


@pytest.mark.parametrize("width", [360, 1280])
def test_screenshots_of_the_main_pages(browser, live_server, site, width):
    from .conftest import _context

    context = _context(browser, live_server, viewport={"width": width, "height": 900})
    page = context.new_page()
    for name, path in [
        ("home", "/fi/"),
        ("pledge-form", "/fi/submit/pledge/"),
        ("catalogue", "/sv/entries/"),
        ("entry", f"/en/entries/{site['pledge'].pk}/"),
        ("programme", "/fi/programme/"),
        ("statistics", "/en/statistics/"),
    ]:
        page.goto(path)
        screenshot(page, name)
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
        assert not overflow, f"{name} scrolls sideways at {width} px"
    context.close()
