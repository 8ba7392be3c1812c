"""Browser tests: Playwright drives Debian's Chromium against the live test server.

Elements are found by role and label, as a screen-reader user finds them. Without a
Chromium the tests are skipped with the reason in pytest's summary; without axe-core
(installed by `make test` from npm) only the accessibility checks are skipped.
"""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop in the main thread; the test code's ORM
# calls there are synchronous all the same.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = ROOT / "var" / "node" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("no Chromium (apt-get install chromium): browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _context(browser, live_server, **options):
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(10_000)
    # axe-core from the same origin, so the site's strict CSP stays on during the checks.
    if AXE.exists():
        context.route(
            "**/__axe__.js",
            lambda route: route.fulfill(path=str(AXE), content_type="application/javascript"),
        )
    return context


@pytest.fixture
def context(browser, live_server):
    context = _context(browser, live_server, viewport={"width": 1280, "height": 900})
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    errors = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.console_errors = errors
    return page


@pytest.fixture
def no_js_page(browser, live_server):
    context = _context(
        browser, live_server, java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    yield context.new_page()
    context.close()


@pytest.fixture
def mobile_page(browser, live_server):
    context = _context(browser, live_server, viewport={"width": 360, "height": 740})
    yield context.new_page()
    context.close()


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page):
    """WCAG 2.1 A and AA violations axe-core finds on the page, as readable lines."""
    if not AXE.exists():
        pytest.skip("axe-core not installed (make test installs it from npm)")
    page.add_script_tag(url="/__axe__.js")
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} – "
        + "; ".join(
            node["target"][0] if isinstance(node["target"][0], str) else str(node["target"])
            for node in v["nodes"][:5]
        )
        for v in result["violations"]
    ]


def screenshot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)


def login(page, username, password="staff password 123", language="en"):
    page.goto(f"/{language}/admin/login/")
    labels = {
        "en": ("Username", "Password", "Log in"),
        "sv": ("Användarnamn", "Lösenord", "Logga in"),
        "fi": ("Käyttäjätunnus", "Salasana", "Kirjaudu sisään"),
    }[language]
    page.get_by_label(labels[0]).fill(username)
    page.get_by_label(labels[1]).fill(password)
    page.get_by_role("button", name=labels[2]).click()
