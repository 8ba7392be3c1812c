"""The submitter's dead ends and questions in Chromium, in Finnish, Swedish and English,
each checked with axe-core and HTML_CodeSniffer: the image size refused in the browser
next to its field, the 413 page without JavaScript (in the address's language, with a
way back to the form), the 410 pages of used, replaced and removed links, the question
before a confirmed partner is removed (without JavaScript), the edit page with the staff
comment and the reminders page with its undo. Screenshots at 360 and 1280 px."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils.translation import gettext, override

from publishing import services as publishing
from submissions import services
from submissions.models import Entry, Partnership

from ..conftest import entry_form_data, make_campaign, make_entry, make_staff, manage_token
from ..jobs import run_jobs
from .conftest import _context, axe_violations, htmlcs_errors, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LANGUAGES = ["fi", "sv", "en"]
MB = 1024 * 1024


def t(language, text):
    with override(language):
        return gettext(text)


def assert_accessible(page, where):
    problems = axe_violations(page) + htmlcs_errors(page)
    assert problems == [], f"{where}:\n" + "\n".join(problems)


@pytest.fixture
def campaign(db):
    return make_campaign()


def image(size, name="kuva.jpg"):
    return {"name": name, "mimeType": "image/jpeg", "buffer": b"\xff" * size}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_browser_refuses_a_too_large_image_next_to_its_field(
    browser, live_server, campaign, language
):
    for width in (360, 1280):
        context = _context(browser, live_server, viewport={"width": width, "height": 900})
        page = context.new_page()
        errors = []
        page.on("console", lambda m, errors=errors: m.type == "error" and errors.append(m.text))
        page.goto(f"/{language}/submit/pledge/")
        field = page.locator("#id_image")

        field.set_input_files(image(8 * MB))

        error = page.locator("#id_image_too_large")
        expected = {
            "fi": "Kuva on liian suuri (8,0\xa0MB). Suurin sallittu koko on 5,0\xa0MB.",
            "sv": "Bilden är för stor (8,0\xa0MB). Den största tillåtna storleken är 5,0\xa0MB.",
            "en": "The image is too large (8.0\xa0MB). The largest allowed size is 5.0\xa0MB.",
        }[language]
        assert error.inner_text() == expected
        assert error.get_attribute("role") == "alert"
        assert field.evaluate("input => input.files.length") == 0  # never sent
        assert field.get_attribute("aria-invalid") == "true"
        assert "id_image_too_large" in field.get_attribute("aria-describedby").split()
        assert "id_image_helptext" in field.get_attribute("aria-describedby").split()
        error.scroll_into_view_if_needed()
        screenshot(page, f"image-too-large-{language}")
        assert_accessible(page, f"image too large ({language}, {width} px)")

        # A file within the limit takes the error away.
        field.set_input_files(image(MB // 2))
        assert page.locator("#id_image_too_large").count() == 0
        assert field.get_attribute("aria-invalid") is None
        assert field.get_attribute("aria-describedby") == "id_image_helptext"
        assert errors == []
        context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_without_javascript_a_too_large_upload_gets_the_413_page_with_a_way_back(
    no_js_page, page, campaign, language, settings
):
    # A smaller limit than the 15 MB of production, so the browser sends little.
    settings.MAX_REQUEST_BYTES = 2 * MB
    heading = {"fi": "Lähetetyt tiedot ovat liian suuret", "sv": "Filerna är för stora"}.get(
        language, "The upload is too large"
    )
    no_js_page.goto(f"/{language}/submit/pledge/")
    no_js_page.locator("#id_org_name").fill("Kirjasto")
    no_js_page.locator("#id_image").set_input_files(image(3 * MB))

    with no_js_page.expect_response(re.compile(r"/submit/pledge/$")) as answer:
        no_js_page.locator("form.kl-form button[value=preview]").last.click()

    assert answer.value.status == 413
    assert no_js_page.locator("html").get_attribute("lang") == language
    assert no_js_page.locator("h1").inner_text() == heading
    screenshot(no_js_page, f"request-too-large-{language}")
    assert Entry.objects.count() == 0
    no_js_page.get_by_role("link", name=t(language, "Back to the form")).click()
    no_js_page.locator("#id_org_name").wait_for()
    assert urlsplit(no_js_page.url).path == f"/{language}/submit/pledge/"

    # The same page checked by the engines (which need JavaScript): a body too large.
    page.goto(f"/{language}/submit/pledge/")
    with page.expect_response(re.compile(r"/submit/pledge/$")) as answer:
        page.evaluate(
            """() => {
                const form = document.querySelector('form.kl-form');
                const big = document.createElement('textarea');
                big.name = 'description';
                big.value = 'x'.repeat(3 * 1024 * 1024);
                form.append(big);
                form.submit();
            }"""
        )
    assert answer.value.status == 413
    page.locator("h1").wait_for()
    assert page.locator("h1").inner_text() == heading
    assert_accessible(page, f"413 ({language})")


@pytest.fixture
def dead_links(campaign):
    """One link of each kind that worked once: a used confirmation link, the links of an
    entry deleted unconfirmed, a removed partner's invitation and a replaced one."""
    from ..conftest import CommittingClient, confirm_address, token_from, with_partners

    client = CommittingClient()
    client.post(
        "/fi/submit/pledge/",
        with_partners(
            entry_form_data("pledge"),
            ("Kirjasto", "kirjasto@example.fi", ""),
            ("Seura", "seura@example.fi", ""),
        ),
    )
    confirmation = mail.outbox[0]
    used = re.search(r"/submit/confirm/([\w-]+)/", confirmation.body).group(1)
    confirm_address(client, confirmation)
    invitations = {
        m.to[0]: token_from(m.body, "partner") for m in mail.outbox if "/partner/" in m.body
    }
    removed_partner, replaced_partner = Partnership.objects.order_by("pk")
    services.remove_partner(removed_partner)
    services.correct_partner(replaced_partner, email="seura.oikea@example.fi", language="fi")
    run_jobs()

    deleted = make_entry(campaign, "Vahvistamaton", confirm=False)
    deleted_manage = manage_token(deleted)
    services.delete_unconfirmed(deleted)
    return {
        "confirmation used": f"submit/confirm/{used}/",
        "partner removed": f"partner/{invitations['kirjasto@example.fi']}/",
        "invitation replaced": f"partner/{invitations['seura@example.fi']}/",
        "entry deleted unconfirmed": f"manage/{deleted_manage}/",
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_410_pages_of_retired_links_pass_axe_and_html_codesniffer(page, dead_links, language):
    for what, path in dead_links.items():
        response = page.goto(f"/{language}/{path}")
        assert response.status == 410, what
        assert page.locator("html").get_attribute("lang") == language
        assert_accessible(page, f"{what} ({language})")
        screenshot(page, f"gone-{what.replace(' ', '-')}-{language}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_removing_a_confirmed_partner_asks_first_without_javascript(
    browser, live_server, campaign, language
):
    entry = make_entry(campaign, partners=[("Kirjasto", "kirjasto@example.fi")])
    partnership = entry.partnerships.get()
    services.answer_partnership(partnership, confirm=True)
    token = manage_token(entry)
    remove = t(language, "Remove %(name)s…") % {"name": "Kirjasto"}
    question = t(language, "Remove %(name)s?") % {"name": "Kirjasto"}
    for width in (360, 1280):
        # The engines need JavaScript: the pages are checked with it on, used with it off.
        checked = _context(browser, live_server, viewport={"width": width, "height": 900})
        page = checked.new_page()
        page.goto(f"/{language}/manage/{token}/partners/")
        assert_accessible(page, f"partners ({language}, {width} px)")
        page.get_by_role("link", name=remove).click()
        page.get_by_role("heading", name=question).wait_for()
        screenshot(page, f"remove-partner-{language}")
        assert_accessible(page, f"remove a partner? ({language}, {width} px)")
        checked.close()

        context = _context(
            browser,
            live_server,
            java_script_enabled=False,
            viewport={"width": width, "height": 900},
        )
        page = context.new_page()
        page.goto(f"/{language}/manage/{token}/partners/")
        page.get_by_role("link", name=remove).click()
        page.get_by_role("heading", name=question).wait_for()
        if width == 360:
            page.get_by_role("link", name=t(language, "No, keep it")).click()
            page.get_by_role("heading", name=t(language, "Partner organisations")).wait_for()
            assert Partnership.objects.filter(pk=partnership.pk).exists()
        else:
            page.get_by_role(
                "button", name=t(language, "Yes, remove %(name)s") % {"name": "Kirjasto"}
            ).click()
            page.get_by_text(
                t(language, "%(name)s was removed from the partners and told by e-mail.")
                % {"name": "Kirjasto"}
            ).wait_for()
            assert not Partnership.objects.filter(pk=partnership.pk).exists()
        context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_edit_page_with_the_staff_comment_and_the_reminders_undo_pass(page, campaign, language):
    staff = make_staff("coordinator-alice", "coordinator")
    entry = make_entry(campaign, kind="initiative")
    publishing.return_for_fixes(entry, staff, "Lisää aikataulu, kiitos.")
    token = manage_token(entry)

    page.goto(f"/{language}/manage/{token}/edit/")
    page.locator("blockquote.staff-comment").wait_for()
    screenshot(page, f"edit-returned-{language}")
    assert_accessible(page, f"edit page with the staff comment ({language})")

    published = make_entry(campaign, "Julkaistu")
    publishing.approve(published, staff)
    stop = urlsplit(services.reminders_stop_link(published, language)).path
    page.goto(stop)
    page.locator("main form button").click()
    page.get_by_role("button", name=t(language, "Remind me again")).wait_for()
    assert_accessible(page, f"reminders stopped, with the undo ({language})")
    page.get_by_role("button", name=t(language, "Remind me again")).click()
    page.get_by_text(t(language, "The reminders are on again for this pledge.")).wait_for()
    published.refresh_from_db()
    assert published.reminders_stopped_at is None

    services.stop_reminders(published)
    page.goto(f"/{language}/manage/{manage_token(published)}/")
    page.get_by_role("button", name=t(language, "Remind me again")).wait_for()
    assert_accessible(page, f"management page with reminders stopped ({language})")


def test_a_partner_language_is_chosen_in_the_form_and_a_new_row_takes_the_pages(page, campaign):
    page.goto("/sv/submit/initiative/")
    first = page.locator("#id_partners-0-language")
    assert first.input_value() == "sv"
    first.select_option("fi")

    page.get_by_role("button", name=t("sv", "Add another partner")).click()

    rows = page.locator(".partner-row select")
    assert [rows.nth(i).input_value() for i in range(rows.count())] == ["fi", "sv", "sv"]
