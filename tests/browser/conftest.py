"""Browser tests: Playwright drives Debian's Chromium against the live test server.

Elements are found by role and label, as a screen-reader user finds them. Without a
Chromium the tests are skipped with the reason in pytest's summary; without axe-core
and HTML_CodeSniffer (installed by `make test` from npm) only the accessibility checks
are skipped. Both are served from the site's own origin, so its strict CSP stays on.
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
HTMLCS = ROOT / "var" / "node" / "node_modules" / "html_codesniffer" / "build" / "HTMLCS.js"
# Screenshots for people to look at (git-ignored).
ARTIFACTS = ROOT / "var" / "screenshots"
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
    # Layout shifts are counted from the first byte (an init script is not page script,
    # so the CSP does not apply to it).
    context.add_init_script(CLS_OBSERVER)
    # axe-core and HTML_CodeSniffer from the same origin, so the site's strict CSP stays
    # on during the checks.
    for url, path in (("**/__axe__.js", AXE), ("**/__htmlcs__.js", HTMLCS)):
        if path.exists():
            context.route(url, _serve(path))
    return context


def _serve(path):
    """A route handler answering with one local JavaScript file (Playwright passes the
    request as a second argument to a handler that takes two, so this takes one)."""

    def handler(route):
        route.fulfill(path=str(path), content_type="application/javascript")

    return handler


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


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page):
    """WCAG 2.2 A and AA violations axe-core finds on the page (target size included),
    as readable lines."""
    if not AXE.exists():
        pytest.skip("axe-core not installed (make test installs it from npm)")
    if not page.evaluate("typeof axe !== 'undefined'"):
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


def htmlcs_errors(page):
    """The errors HTML_CodeSniffer (the engine of pa11y) reports against WCAG 2 AA, as
    readable lines; its warnings and notices ask for a person's judgement and are left
    to the reviews."""
    if not HTMLCS.exists():
        pytest.skip("HTML_CodeSniffer not installed (make test installs it from npm)")
    if not page.evaluate("typeof HTMLCS !== 'undefined'"):
        page.add_script_tag(url="/__htmlcs__.js")
    messages = page.evaluate(
        """() => new Promise((resolve, reject) => {
            HTMLCS.process('WCAG2AA', document, () => resolve(
                HTMLCS.getMessages().filter(m => m.type === HTMLCS.ERROR).map(m => ({
                    code: m.code,
                    msg: m.msg,
                    element: m.element && m.element.outerHTML
                        ? m.element.outerHTML.slice(0, 160) : String(m.element)
                }))), reject, 'en');
        })"""
    )
    return [f"{m['code']}: {m['msg']} – {m['element']}" for m in messages]


def screenshot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)


CLS_OBSERVER = """
window.__cls = 0;
window.__clsObserver = new PerformanceObserver(list => {
    for (const entry of list.getEntries()) {
        if (!entry.hadRecentInput) { window.__cls += entry.value; }
    }
});
window.__clsObserver.observe({type: 'layout-shift', buffered: true});
"""


def layout_shift(page):
    """The page's cumulative layout shift since it started loading (Chromium's
    layout-shift entries, counted as Lighthouse does: not those caused by input)."""
    page.wait_for_load_state("load")
    return page.evaluate(
        """() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(() => {
            for (const entry of window.__clsObserver.takeRecords()) {
                if (!entry.hadRecentInput) { window.__cls += entry.value; }
            }
            resolve(window.__cls);
        })))"""
    )


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
