"""WCAG 2.2 AA in Chromium: axe-core (wcag2a … wcag22aa, target size included) and
HTML_CodeSniffer (WCAG2AA, the engine of pa11y) on every public page, each form empty
and with errors, the preview, confirmation and management pages, the pages that explain
a dead end, and the reviewer workspace, in Finnish, Swedish and English; a keyboard-only
run; the menu on small and wide screens with and without JavaScript; layout shift;
screenshots at 360, 768 and 1280 px in var/screenshots/."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from kotolupaus import mail as mail_layer
from kotolupaus.models import Message, MessageKind, MessageStatus
from publishing import services as publishing
from review import services as review
from review.models import AwardCategory
from submissions import services as submissions
from submissions.tokens import new_token

from ..conftest import make_campaign, make_entry, make_staff, manage_token, seek_partners
from ..jobs import run_jobs
from .conftest import _context, axe_violations, htmlcs_errors, layout_shift, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LANGUAGES = ["fi", "sv", "en"]
MENU = {"fi": "Valikko", "sv": "Meny", "en": "Menu"}


@pytest.fixture
def site(db):
    """A campaign with a published pledge, a published initiative seeking partners, the
    programme, a prize, a withdrawn entry that was public and its partner's link,
    so every public page and every dead end has content."""
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
    withdrawn = make_entry(campaign, "Peruttu lupaus", partners=[("Seura", "seura@x.fi")])
    for entry in (pledge, initiative, withdrawn):
        publishing.approve(entry, staff)
    seek_partners(initiative)
    submissions.withdraw_entry(withdrawn)
    # The withdrawn entry's partner link (its invitation) now explains that (410).
    partnership = withdrawn.partnerships.get()
    old_link, partnership.token_hash = new_token()
    partnership.save(update_fields=["token_hash"])
    review.record_decision(pledge, "included", "Hyvä.", staff)
    review.publish_decisions(campaign, staff)
    # What became of the pledge: two approved progress reports, with figures.
    indicators = list(campaign.indicators.all())
    for status, text in [("under_way", "Kaksi iltaa pidetty."), ("achieved", "Valmista.")]:
        report = submissions.add_report(
            pledge,
            {
                "status": status,
                "reported_on": timezone.localdate(),
                "text": text,
                "figures": {indicators[0]: 12},
                "contributors": [],
            },
            language="fi",
        )
        publishing.moderate_report(report, "approved", by=staff)
    # A message that failed, so that the admin index and the dashboard show mail trouble.
    failed = mail_layer.queue(
        MessageKind.WITHDRAWN, to="mailbox@unknown.example", language="fi", entry=pledge, context={}
    )
    Message.objects.filter(pk=failed.pk).update(
        status=MessageStatus.FAILED,
        failed_at=timezone.now(),
        last_error="recipient refused: 550 5.1.1 No such mailbox",
    )
    return {
        "pledge": pledge,
        "initiative": initiative,
        "withdrawn": withdrawn,
        "old_link": old_link,
        "staff": staff,
        "campaign": campaign,
        "failed_message": failed,
    }


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
        "entries/?progress=achieved",
        f"entries/{site['pledge'].pk}/",
        f"entries/{site['initiative'].pk}/",
        f"entries/{site['initiative'].pk}/join/",
        "programme/",
        "open-data/",
        "statistics/",
        "submit/pledge/",
        "submit/initiative/",
        "manage/lost-link/",
    ]


def dead_ends(site):
    """Pages answered with 404 or 410 (their explanations are pages too)."""
    return [
        "no-such-page/",
        f"entries/{site['withdrawn'].pk}/",
        f"partner/{site['old_link']}/",
    ]


def assert_accessible(page, where):
    problems = axe_violations(page) + htmlcs_errors(page)
    assert problems == [], f"{where}:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_public_page_passes_axe_and_html_codesniffer(page, site, language):
    for path in public_paths(site):
        page.goto(f"/{language}/{path}")
        assert page.locator("html").get_attribute("lang") == language
        assert_accessible(page, f"/{language}/{path}")
    # No missing favicon or any other failed request on the way.
    assert page.console_errors == []
    for path in dead_ends(site):
        response = page.goto(f"/{language}/{path}")
        assert response.status in (404, 410)
        assert_accessible(page, f"/{language}/{path} ({response.status})")


@pytest.mark.parametrize("language", LANGUAGES)
def test_forms_with_errors_pass_axe_and_html_codesniffer(page, site, language):
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
    # A draft without a contact e-mail is refused with its own error.
    page.goto(f"/{language}/submit/initiative/")
    page.locator("form.kl-form button[value=draft]").click()
    page.locator("#error-summary").wait_for()
    assert_accessible(page, f"/{language}/ draft refused")


@pytest.mark.parametrize("language", LANGUAGES)
def test_preview_confirmation_management_and_spent_draft_pass(page, site, language):
    from ..conftest import entry_form_data

    page.goto(f"/{language}/submit/pledge/")
    page.locator("form.kl-form input[name=contact_email]").fill("maija@example.fi")
    page.locator("form.kl-form button[value=draft]").click()
    page.wait_for_url("**/submit/draft/**")
    draft_url = page.url
    data = entry_form_data("pledge", action="preview")
    page.evaluate(
        """(data) => {
            const form = document.querySelector('form.kl-form');
            form.querySelectorAll('input[type=text], input[type=email], textarea')
                .forEach(field => { field.value = ''; });
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
    page.locator(".preview-section").first.wait_for()
    assert_accessible(page, f"preview ({language})")
    page.locator("form.form-actions button[value=submit]").click()
    page.locator(".confirmation-panel").wait_for()
    assert_accessible(page, f"check your inbox ({language})")
    run_jobs()
    body = next(m.body for m in reversed(mail.outbox) if "/submit/confirm/" in m.body)
    manage = re.search(r"https?://testserver(/\w\w/manage/\S+/)", body).group(1)
    page.goto(manage)
    page.locator("#status-heading").wait_for()
    assert_accessible(page, f"management page before confirming ({language})")
    page.goto(re.search(r"https?://testserver(/\w\w/submit/confirm/\S+/)", body).group(1))
    assert_accessible(page, f"confirm your address ({language})")
    page.locator("main form[method=post] button[type=submit]").click()
    page.locator(".confirmation-panel").wait_for()
    assert_accessible(page, f"sent ({language})")
    page.goto(manage)
    page.locator("#status-heading").wait_for()
    assert_accessible(page, f"management page ({language})")
    page.goto(draft_url)  # the draft was sent: 410 with an explanation
    assert_accessible(page, f"spent draft ({language})")


@pytest.mark.parametrize("language", LANGUAGES)
def test_progress_report_form_and_reminder_stop_page_pass(page, site, language):
    token = manage_token(site["initiative"])
    page.goto(f"/{language}/manage/{token}/reports/new/")
    assert_accessible(page, f"progress report form ({language})")
    page.locator("main form[method=post] button.btn-primary").first.click()
    page.locator("#error-summary").wait_for()
    assert_accessible(page, f"progress report form with errors ({language})")
    stop = submissions.reminders_stop_link(site["pledge"], language)
    page.goto(urlsplit(stop).path)
    assert_accessible(page, f"stop reminders ({language})")


@pytest.mark.parametrize("language", LANGUAGES)
def test_reviewer_workspace_passes_axe_and_html_codesniffer(page, site, language):
    from axes.models import AccessAttempt
    from django.utils import timezone

    login(page, "coordinator-alice", language=language)
    # A login locked from one address: the staff page shows it with "Open the login".
    AccessAttempt.objects.create(
        username="coordinator-alice",
        ip_address="10.0.0.9",
        user_agent="test",
        failures_since_start=5,
        attempt_time=timezone.now(),
        get_data="",
        post_data="",
        http_accept="",
        path_info="/",
    )
    for path in [
        "queue/",
        f"score/{site['pledge'].pk}/",
        "ranking/",
        "dashboard/",
        "follow-up/",
        "assign/auto/",
        "staff/",
        "staff/backup-codes/",
    ]:
        page.goto(f"/{language}/admin/workspace/{path}")
        assert_accessible(page, f"workspace {path} ({language})")
    # New backup codes, shown once.
    page.locator("form[action$='backup-codes/'] button").click()
    assert_accessible(page, f"workspace new backup codes ({language})")
    # Mail trouble in sight on the dashboard, as a list of links.
    page.goto(f"/{language}/admin/workspace/dashboard/")
    expect(page.locator(".mail-health a")).to_have_count(1)


@pytest.mark.parametrize("language", LANGUAGES)
def test_mail_health_and_a_messages_page_pass_axe_and_html_codesniffer(page, site, language):
    login(page, "coordinator-alice", language=language)
    page.goto(f"/{language}/admin/")
    health = page.locator(".mail-health a")
    expect(health).to_have_count(1)
    assert_accessible(page, f"admin index with mail trouble ({language})")
    # The list it links to is Django's own changelist (not checked here, see exclusions.py
    # "admin-changelists" and the accessibility statement: its filters'
    # links and breadcrumbs fail axe as on every changelist of the admin).
    health.click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    page.goto(f"/{language}/admin/kotolupaus/message/{site['failed_message'].pk}/change/")
    assert_accessible(page, f"a failed message's page ({language})")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_lost_link_answer_passes_axe_and_html_codesniffer(page, site, language):
    page.goto(f"/{language}/manage/lost-link/")
    page.locator("main input[name=email]").fill("maija@example.fi")
    page.locator("main form[method=post] button.btn-primary").click()
    page.locator("main .alert").wait_for()
    assert_accessible(page, f"lost-link answer ({language})")


@pytest.fixture
def decisions_and_votes(site):
    """A review withdrawn by a coordinator (the reviewer's queue lists it), a counting one
    (the decision page offers to record its reviewer's conflict), a provisional decision
    (the list to publish) and a prize vote tied for the first place (the award form)."""
    staff, pledge, initiative = site["staff"], site["pledge"], site["initiative"]
    bob = make_staff("reviewer-bob", "reviewer")
    dora = make_staff("reviewer-dora", "reviewer")
    criteria = list(site["campaign"].criteria.all())
    for reviewer in (bob, dora):
        review.save_review(
            reviewer,
            pledge,
            scores={c.pk: 4 for c in criteria},
            comment="",
            recommendation="include",
        )
    review.declare_conflict(bob, "Hallituksen jäsen.", entry=pledge, by=staff)
    review.record_decision(initiative, "not_included", "Ei nyt.", staff, language="fi")
    category = AwardCategory(campaign=site["campaign"])
    category.set_current_language("fi")
    category.name = "Vuoden teko"
    category.save()
    for entry in (pledge, initiative):
        review.nominate(category, entry, staff)
    review.cast_ballot(category, staff, {pledge.pk: 1, initiative.pk: 2})
    other = make_staff("coordinator-frank", "coordinator")
    review.cast_ballot(category, other, {pledge.pk: 2, initiative.pk: 1})
    run_jobs()
    return {"category": category, "bob": bob}


@pytest.mark.parametrize("language", LANGUAGES)
def test_decisions_conflicts_and_the_prize_vote_pass_axe_and_html_codesniffer(
    page, site, decisions_and_votes, language
):
    login(page, "coordinator-alice", language=language)
    page.goto(f"/{language}/admin/workspace/decide/{site['pledge'].pk}/")
    page.locator("details.ws-conflict summary").click()  # the coordinator's conflict form
    assert_accessible(page, f"decision page with a withdrawn review ({language})")
    page.locator("details.ws-conflict button").click()  # no reason: the error beside it
    expect(page.locator("details.ws-conflict .errornote")).to_be_visible()
    assert_accessible(page, f"conflict form with an error ({language})")
    page.goto(f"/{language}/admin/workspace/decisions/publish/")
    expect(
        page.get_by_role("region").get_by_role("link", name=site["initiative"].reference)
    ).to_be_visible()
    assert_accessible(page, f"decisions to publish ({language})")
    vote = f"/{language}/admin/workspace/prizes/{decisions_and_votes['category'].pk}/vote/"
    page.goto(vote)
    assert_accessible(page, f"prize vote tied ({language})")
    page.locator("button[value=award]").click()  # nothing chosen, no citation: errors
    expect(page.locator("#award ~ .errornote")).to_be_visible()
    assert_accessible(page, f"award form with errors ({language})")

    page.context.clear_cookies()
    login(page, "reviewer-bob", password="staff password 123", language=language)
    page.goto(f"/{language}/admin/workspace/queue/")
    expect(page.locator(".ws-withdrawn-reviews")).to_be_visible()
    assert_accessible(page, f"queue with a withdrawn review ({language})")


@pytest.mark.parametrize(
    "path", ["queue/", "decisions/publish/", "ranking/", "follow-up/", "staff/", "dashboard/"]
)
def test_workspace_tables_scroll_in_their_own_box_on_a_phone(
    mobile_page, site, decisions_and_votes, path
):
    login(mobile_page, "coordinator-alice", language="fi")

    mobile_page.goto(f"/fi/admin/workspace/{path}")

    assert not mobile_page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")


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
    # One try left before the lock: the warning; then the lockout page.
    settings.AXES_FAILURE_LIMIT = 3
    page.get_by_label(labels[1]).fill("still not the password")
    page.get_by_label(labels[2]).fill("123456")
    page.get_by_role("button", name=labels[3]).click()
    page.locator("#last-try-warning").wait_for()
    assert_accessible(page, f"staff login, last try ({language})")
    page.get_by_label(labels[1]).fill("not it either")
    page.get_by_label(labels[2]).fill("123456")
    page.get_by_role("button", name=labels[3]).click()
    page.locator(".prose h1").wait_for()  # the lockout page (error.html's layout)
    assert_accessible(page, f"lockout page ({language})")


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
    # The page's script moves the focus once it has run (deferred, after the parse);
    # expect() polls without evaluating a string in the page, which our CSP forbids.
    expect(page.locator("#error-summary")).to_be_focused()


# --- Small screens: the menu collapses, with and without JavaScript -------------------------


def menu_items_visible(page):
    """How many menu links a sighted visitor sees (a closed <details> keeps its content
    laid out but not rendered: checkVisibility() knows)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.site-menu__list a')]
            .filter(a => a.checkVisibility({contentVisibilityAuto: true, visibilityProperty: true})
                         && a.getBoundingClientRect().height > 0).length"""
    )


@pytest.mark.parametrize("javascript", [False, True])
@pytest.mark.parametrize("language", LANGUAGES)
def test_menu_collapses_on_a_phone_and_opens_from_its_button(
    browser, live_server, site, language, javascript
):
    context = _context(
        browser, live_server, viewport={"width": 360, "height": 740}, java_script_enabled=javascript
    )
    page = context.new_page()
    page.goto(f"/{language}/")
    toggle = page.get_by_role("button" if javascript else "group", name=MENU[language])
    if not javascript:
        toggle = page.locator("summary.site-menu__toggle")

    header = page.locator(".site-header").bounding_box()
    assert header["height"] < 200, header  # no longer ~400 px of links
    assert menu_items_visible(page) == 0
    assert toggle.bounding_box()["height"] >= 44

    toggle.click()
    if javascript:
        page.locator(".site-menu__list.show").wait_for()  # opened, its animation done
    page.locator(".site-menu__list a").first.wait_for(state="visible")
    assert menu_items_visible(page) == 6
    if javascript:
        assert toggle.get_attribute("aria-expanded") == "true"
        page.keyboard.press("Escape")
        page.locator(".site-menu__list a").first.wait_for(state="hidden")
        assert toggle.get_attribute("aria-expanded") == "false"
        assert page.evaluate("document.activeElement.className") == "site-menu__toggle"
    else:
        page.locator(".site-menu__list a").nth(3).click()
        page.wait_for_url(f"**/{language}/entries/")
    context.close()


@pytest.mark.parametrize("javascript", [False, True])
@pytest.mark.parametrize("language", LANGUAGES)
def test_menu_is_one_row_at_1280_px(browser, live_server, site, language, javascript):
    context = _context(
        browser,
        live_server,
        viewport={"width": 1280, "height": 800},
        java_script_enabled=javascript,
    )
    page = context.new_page()
    page.goto(f"/{language}/")

    tops = page.evaluate(
        "() => [...document.querySelectorAll('.site-menu__list > li')]"
        ".map(li => Math.round(li.getBoundingClientRect().top))"
    )
    assert len(tops) == 6 and len(set(tops)) == 1, tops
    assert page.locator(".site-menu__toggle").is_hidden()
    assert menu_items_visible(page) == 6
    context.close()


def test_error_summary_is_in_view_on_a_phone_after_a_failed_submit(mobile_page, site):
    page = mobile_page
    page.goto("/fi/submit/pledge/")
    page.locator("form.kl-form button[value=preview]").last.click()
    page.locator("#error-summary").wait_for()

    box = page.locator("#error-summary").bounding_box()
    heading = page.locator("#error-summary-title").bounding_box()
    assert 0 <= box["y"] < 740
    assert heading["y"] + heading["height"] <= 740  # the heading and the first lines show


# --- Staff pages: no layout shift, a ranking that scrolls instead of being cut -------------


@pytest.mark.parametrize("path", ["queue/", "ranking/", "dashboard/"])
def test_workspace_pages_do_not_shift_as_they_load(page, site, path):
    login(page, "coordinator-alice", language="fi")

    page.goto(f"/fi/admin/workspace/{path}")

    assert layout_shift(page) < 0.01


def test_public_pages_do_not_shift_as_they_load(mobile_page, site):
    for path in (
        "/fi/",
        "/sv/entries/",
        f"/en/entries/{site['pledge'].pk}/",
        "/fi/statistics/",
        "/fi/programme/",
    ):
        mobile_page.goto(path)
        assert layout_shift(mobile_page) < 0.01, path


def test_ranking_table_scrolls_in_its_own_box_at_1280_px(page, site):
    login(page, "coordinator-alice", language="fi")
    page.goto("/fi/admin/workspace/ranking/")

    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    region = page.get_by_role("region", name="Paremmuusjärjestys")
    decision = region.get_by_role("columnheader", name="Päätös")
    decision.scroll_into_view_if_needed()
    inside = page.evaluate(
        """() => {
            const box = document.querySelector('.ws-scroll').getBoundingClientRect();
            const cells = [...document.querySelectorAll('.ws-ranking th')];
            const last = cells[cells.length - 1].getBoundingClientRect();
            return last.right <= box.right + 1 && last.left >= box.left - 1;
        }"""
    )

    assert not overflow
    assert inside
    assert region.get_attribute("tabindex") == "0"  # the keyboard can scroll it too


# --- Screenshots for people to look at -------------------------------------------------------


@pytest.mark.parametrize("width", [360, 768, 1280])
def test_screenshots_of_the_main_pages(browser, live_server, site, width):
    context = _context(browser, live_server, viewport={"width": width, "height": 900})
    page = context.new_page()
    shots = [
        ("home", "/fi/"),
        ("pledge-form", "/fi/submit/pledge/"),
        ("catalogue", "/sv/entries/"),
        ("entry", f"/en/entries/{site['pledge'].pk}/"),
        ("programme", "/fi/programme/"),
        ("statistics", "/en/statistics/"),
        ("no-longer-published", f"/fi/entries/{site['withdrawn'].pk}/"),
    ]
    for name, path in shots:
        page.goto(path)
        screenshot(page, name)
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
        assert not overflow, f"{name} scrolls sideways at {width} px"

    page.goto("/fi/submit/pledge/")
    page.locator("form.kl-form button[value=preview]").last.click()
    page.locator("#error-summary").wait_for()
    screenshot(page, "pledge-form-errors")

    login(page, "coordinator-alice", language="fi")
    page.goto("/fi/admin/workspace/ranking/")
    screenshot(page, "ranking")
    page.goto("/fi/admin/workspace/dashboard/")
    screenshot(page, "dashboard")
    page.goto("/fi/admin/")
    screenshot(page, "admin-index")
    page.goto(f"/fi/admin/kotolupaus/message/{site['failed_message'].pk}/change/")
    screenshot(page, "message")
    page.goto("/fi/admin/workspace/follow-up/")
    screenshot(page, "follow-up")
    context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_scoring_page_with_what_changed_passes_axe_and_html_codesniffer(page, site, language):
    """A reviewer's review, then the entry changed: the scoring page shows the word diff
    (issue 27), marked in text as well as by strike-through and underline."""
    from review.models import Criterion
    from submissions import versions
    from submissions.models import VersionSource

    pledge = site["pledge"]
    review.save_review(
        site["staff"],
        pledge,
        scores={c.pk: 4 for c in Criterion.objects.filter(campaign=site["campaign"])},
        comment="",
        recommendation="include",
    )
    text = pledge.translations.get(language_code="fi")
    text.summary = "Kesätöitä ja harjoittelua nuorille: tiivistelmä."
    text.save()
    versions.record(pledge, VersionSource.SUBMITTER)
    login(page, "coordinator-alice", language=language)

    page.goto(f"/{language}/admin/workspace/score/{pledge.pk}/")

    expect(page.locator(".ws-changed .ws-diff ins")).to_have_text("{+ ja harjoittelua+}")
    assert_accessible(page, f"scoring page with a diff ({language})")
    page.goto(f"/{language}/admin/workspace/queue/")
    expect(page.locator(".ws-queue .ws-flag")).to_have_count(1)
    assert_accessible(page, f"queue with a changed entry ({language})")
