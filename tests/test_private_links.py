"""Pages behind a private link are the contact's own: their tokens never reach a log, and
no browser or proxy keeps a copy of the pages (Cache-Control: no-store, private)."""

import io
import json
import logging
from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from kotolupaus.logs import JSONFormatter, MaskPrivateLinks, mask
from submissions.services import withdraw_entry

from .conftest import make_entry, manage_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_output():
    """What the site's own console handler writes (plain and JSON), as it writes it."""
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "name", "") == "console")
    plain, as_json = io.StringIO(), io.StringIO()
    json_handler = logging.StreamHandler(as_json)
    json_handler.setFormatter(JSONFormatter())
    json_handler.addFilter(MaskPrivateLinks())
    old_stream = handler.setStream(plain)
    logging.getLogger().addHandler(json_handler)
    try:
        yield lambda: plain.getvalue() + as_json.getvalue()
    finally:
        handler.setStream(old_stream)
        logging.getLogger().removeHandler(json_handler)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Gone: /en/manage/AbC_d-123/edit/", "Gone: /en/manage/[private]/edit/"),
        ("Forbidden: /fi/manage/tok/partners/", "Forbidden: /fi/manage/[private]/partners/"),
        ("GET /sv/partner/tok123/ HTTP/1.1", "GET /sv/partner/[private]/ HTTP/1.1"),
        (
            "/fi/submit/draft/x1/ /fi/submit/confirm/y2/",
            "/fi/submit/draft/[private]/ /fi/submit/confirm/[private]/",
        ),
        ("/en/submit/image/a.b-c/", "/en/submit/image/[private]/"),
        ("/fi/reminders/stop/abc:def/", "/fi/reminders/stop/[private]/"),
        (
            "/fi/admin/login/?next=%2Ffi%2Fmanage%2FSECRET%2F",
            "/fi/admin/login/?next=%2Ffi%2Fmanage%2F[private]%2F",
        ),
        # Not private: left as they are.
        ("/fi/manage/lost-link/", "/fi/manage/lost-link/"),
        ("/fi/submit/thank-you/ /fi/entries/12/", "/fi/submit/thank-you/ /fi/entries/12/"),
    ],
)
def test_private_tokens_are_masked(text, masked):
    assert mask(text) == masked


def test_a_token_in_arguments_and_tracebacks_is_masked(log_output):
    try:
        raise ValueError("no entry for /en/manage/SeCrEt-Tok3n/")
    except ValueError:
        logging.getLogger("submissions.views").exception(
            "failed on %s", "/fi/partner/SeCrEt-Tok3n/", extra={"link": "/sv/manage/SeCrEt-Tok3n/"}
        )

    written = log_output()
    assert "SeCrEt-Tok3n" not in written
    assert "failed on /fi/partner/[private]/" in written
    assert "ValueError: no entry for /en/manage/[private]/" in written
    assert '"link": "/sv/manage/[private]/"' in written


def test_gone_forbidden_and_too_many_requests_on_private_pages_log_no_token(
    campaign, settings, log_output
):
    settings.RATELIMIT_POST_RATE = "2/h"
    withdrawn = make_entry(campaign, "Peruttu lupaus")
    gone_token = manage_token(withdrawn)
    withdraw_entry(withdrawn)
    entry = make_entry(campaign, "Voimassa oleva lupaus")
    token = manage_token(entry)

    gone = Client().get(f"/en/manage/{gone_token}/edit/")
    with time_machine.travel(campaign.closes_at + timedelta(days=1), tick=False):
        forbidden = Client().post(f"/en/manage/{token}/edit/", {"title": "x"})
    posts = [
        Client(REMOTE_ADDR="10.4.0.1").post(f"/fi/manage/{token}/", {"action": "nothing"})
        for _ in range(3)
    ]

    assert gone.status_code == 410
    assert forbidden.status_code == 403
    assert posts[-1].status_code == 429
    written = log_output()
    assert gone_token not in written
    assert token not in written
    assert "Gone: /en/manage/[private]/edit/" in written
    assert "Forbidden: /en/manage/[private]/edit/" in written
    assert "Too Many Requests: /fi/manage/[private]/" in written
    assert '"path": "/fi/manage/[private]/"' in written
    assert all(json.loads(line) for line in written.splitlines() if line.startswith("{"))


# --- No copy kept anywhere ------------------------------------------------------------------

FAKE_TOKEN = "Zx9" * 14 + "q"  # the shape of a token, matching nothing

# Every URL behind a private link, as a person lists them (the walk below fails for a
# new URL that is in neither list, and when the resolver's private arguments disagree).
PRIVATE_LINK_PAGES = {
    "submissions:draft",
    "submissions:confirm",
    "submissions:kept_image",
    "submissions:manage",
    "submissions:manage_edit",
    "submissions:manage_partners",
    "submissions:report_new",
    "submissions:report_edit",
    "submissions:reminders_stop",
    "submissions:partner_confirm",
    "submissions:partner_remove",
    "publishing:suggestion_join",
    "publishing:suggestions_by_email",
    "publishing:manage_partners_wanted",
    "publishing:answer_join_request",
}
PUBLIC_PAGES = {
    "home",
    "about",
    "privacy",
    "accessibility",
    "health",
    "sitemap",
    "submissions:pledge_create",
    "submissions:initiative_create",
    "submissions:submitted",
    "submissions:similar",
    "submissions:confirmed",
    "submissions:lost_link",
    "publishing:catalogue",
    "publishing:entry_detail",
    "publishing:join",
    "publishing:take_up_challenge",
    "publishing:programme",
    "publishing:programme_pdf",
    "publishing:open_data_docs",
    "publishing:open_data",
    "publishing:open_data_reports",
    "publishing:open_data_cooperation",
    "publishing:statistics",
    "publishing:feed",
    "publishing:report_feed",
    "publishing:badge_svg",
    "publishing:badge_png",
    "publishing:share_image",
}


def url_patterns():
    """(name with its namespaces, route as written) of every URL the site has."""
    from django.urls import URLResolver, get_resolver

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif pattern.name:
                yield namespace + pattern.name, prefix + str(pattern.pattern)

    return sorted(set(walk(get_resolver().url_patterns, "", "")))


def staff_route(route):
    from django.conf import settings

    return route.startswith(f"fi/{settings.ADMIN_PATH}")


def concrete(route):
    """The route under /fi/ with a fake token for text arguments and 1 for numbers."""
    import re

    path = re.sub(r"<int:\w+>", "1", route)
    path = re.sub(r"<(?:str|path|slug):\w+>", FAKE_TOKEN, path)
    return "/" + path


def test_every_url_is_known_as_private_staff_or_public():
    import re

    site = [(name, route) for name, route in url_patterns() if route.startswith("fi/")]
    outside_staff = {name for name, route in site if not staff_route(route)}
    with_secret = {
        name
        for name, route in site
        if not staff_route(route) and re.search(r"<\w+:(?:token|signature|reference)>", route)
    }

    assert outside_staff - PRIVATE_LINK_PAGES - PUBLIC_PAGES == set(), "classify the new URL"
    assert with_secret == PRIVATE_LINK_PAGES


def private_link_routes():
    return [
        (name, route)
        for name, route in url_patterns()
        if name in PRIVATE_LINK_PAGES and route.startswith("fi/")
    ]


def assert_kept_nowhere(response, url):
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    assert {"no-store", "private"} <= directives, (url, response.status_code, directives)
    assert "public" not in directives and not any(d.startswith("s-maxage") for d in directives)


@pytest.mark.parametrize("method", ["get", "post"])
def test_every_page_behind_a_private_link_is_kept_nowhere_whatever_its_answer(campaign, method):
    routes = private_link_routes()
    assert {name for name, _route in routes} == PRIVATE_LINK_PAGES

    for name, route in routes:
        url = concrete(route)
        response = getattr(Client(), method)(url)
        assert_kept_nowhere(response, url)
        assert FAKE_TOKEN not in mask(url), f"{name}: its token would reach the log"


def test_working_management_and_partner_pages_are_kept_nowhere(campaign):
    from submissions.models import Partnership
    from submissions.tokens import new_token

    entry = make_entry(campaign, partners=[("Kumppani ry", "kumppani@example.fi")])
    token = manage_token(entry)
    partner_token, partner_hash = new_token()
    Partnership.objects.filter(entry=entry).update(token_hash=partner_hash)

    for url in (
        f"/fi/manage/{token}/",
        f"/fi/manage/{token}/edit/",
        f"/fi/manage/{token}/partners/",
        f"/fi/partner/{partner_token}/",
    ):
        response = Client().get(url)
        assert response.status_code == 200, url
        assert_kept_nowhere(response, url)
    assert "maija@example.fi" in Client().get(f"/fi/manage/{token}/").content.decode()


def test_every_staff_page_is_kept_nowhere(client, coordinator):
    from django.contrib import admin
    from django.urls import reverse

    urls = [
        concrete(route)
        for name, route in url_patterns()
        if route.startswith("fi/") and staff_route(route) and not name.startswith("admin:")
    ]
    urls += ["/fi/admin/", "/fi/admin/login/", "/fi/admin/no-such-page/"]
    urls += [
        reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist")
        for m in admin.site._registry
    ]
    anonymous = Client().get("/fi/admin/login/")
    client.force_login(coordinator)

    assert len(urls) > 30
    assert_kept_nowhere(anonymous, "/fi/admin/login/")
    for url in urls:
        assert_kept_nowhere(client.get(url), url)


def test_public_pages_stay_cacheable(client, campaign):
    home = client.get("/fi/")

    assert "public" in home["Cache-Control"]
    assert "no-store" not in home["Cache-Control"]
