"""Requests to join in Chromium, in Finnish, Swedish and English: the public form, and
the management page with requests waiting and answered — accepted and declined (with a
sentence) without JavaScript — checked with axe-core and HTML_CodeSniffer at 360 and
1280 px."""

import pytest
from django.utils.translation import gettext, override

from publishing import services as publishing
from publishing.cooperation.requests import relay_join_request
from publishing.models import JoinRequest

from ..conftest import make_campaign, make_entry, make_staff, manage_token, seek_partners
from .conftest import _context, axe_violations, htmlcs_errors, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LANGUAGES = ["fi", "sv", "en"]


def t(language, text):
    with override(language):
        return gettext(text)


def assert_accessible(page, where):
    problems = axe_violations(page) + htmlcs_errors(page)
    assert problems == [], f"{where}:\n" + "\n".join(problems)


def asked(campaign, staff, width):
    entry = make_entry(campaign, f"Kielikahvila {width}", kind="initiative")
    publishing.approve(entry, staff)
    seek_partners(entry)
    for organisation, email, language in (
        ("Lukijat ry", "lukijat@example.fi", "fi"),
        ("Vasa bibliotek", "vasa@example.fi", "sv"),
    ):
        relay_join_request(
            entry,
            organisation=organisation,
            organisation_type="ngo",
            name="Liisa Lukija",
            email=email,
            message="Voisimme järjestää lukupiirin.\nOtattehan yhteyttä!",
            language=language,
        )
    return entry


@pytest.mark.parametrize("language", LANGUAGES)
def test_requests_are_answered_on_the_management_page_without_javascript(
    browser, live_server, language
):
    campaign = make_campaign()
    staff = make_staff("coordinator-alice", "coordinator")
    for width in (360, 1280):
        entry = asked(campaign, staff, width)
        token = manage_token(entry)
        viewport = {"width": width, "height": 900}

        checked = _context(browser, live_server, viewport=viewport)
        page = checked.new_page()
        page.goto(f"/{language}/entries/{entry.pk}/join/")
        assert_accessible(page, f"join form ({language}, {width} px)")
        page.goto(f"/{language}/manage/{token}/#join-requests")
        page.get_by_role("heading", name=t(language, "Requests to join")).wait_for()
        screenshot(page, f"join-requests-{language}")
        assert_accessible(page, f"requests waiting ({language}, {width} px)")
        # The decline question as a page of its own (where a sentence too long is shown).
        waiting = JoinRequest.objects.get(entry=entry, email="vasa@example.fi")
        page.goto(f"/{language}/manage/{token}/requests/{waiting.pk}/")
        page.get_by_role("button", name=t(language, "Decline")).wait_for()
        assert_accessible(page, f"decline page ({language}, {width} px)")
        checked.close()

        context = _context(browser, live_server, java_script_enabled=False, viewport=viewport)
        page = context.new_page()
        page.goto(f"/{language}/manage/{token}/")
        accept = f"{t(language, 'Accept')} – Lukijat ry"
        page.get_by_role("button", name=accept).click()
        page.get_by_text(
            t(
                language,
                "You accepted the request of %(organisation)s. We e-mailed them an "
                "invitation to confirm taking part as a partner.",
            )
            % {"organisation": "Lukijat ry"}
        ).wait_for()
        note = f"{t(language, 'A sentence to the organisation (optional)')} – Vasa bibliotek"
        page.get_by_label(note).fill("Tack, vi har redan tillräckligt med partner.")
        page.get_by_role("button", name=f"{t(language, 'Decline')} – Vasa bibliotek").click()
        page.get_by_text(
            t(language, "You declined the request of %(organisation)s. We told them by e-mail.")
            % {"organisation": "Vasa bibliotek"}
        ).wait_for()
        context.close()

        states = dict(JoinRequest.objects.filter(entry=entry).values_list("email", "status"))
        assert states == {"lukijat@example.fi": "accepted", "vasa@example.fi": "declined"}
        checked = _context(browser, live_server, viewport=viewport)
        page = checked.new_page()
        page.goto(f"/{language}/manage/{token}/#join-requests")
        page.get_by_text("lukijat@example.fi").wait_for()  # shown once accepted
        screenshot(page, f"join-requests-answered-{language}")
        assert_accessible(page, f"requests answered ({language}, {width} px)")
        checked.close()
