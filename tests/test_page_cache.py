"""Visitors' public pages come from the page cache (publishing/caching.py): after the first
visitor, the next gets the same page without a database query, until a public change
moves the version and the next visitor sees the new state at once. Staff, visitors with a
session or a flash message, and pages that set a cookie or carry a CSRF token are never
kept nor answered from it."""

import itertools
import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache, caches
from django.db import connection
from django.http import HttpResponse
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.urls import path
from django.utils import timezone

from kotolupaus.urls import urlpatterns as site_urlpatterns
from publishing import queries
from publishing import services as publishing
from publishing.caching import public_cache
from publishing.changes import public_change
from submissions import services as submissions
from submissions.models import Campaign

from .conftest import make_campaign, make_entry, manage_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings, monkeypatch):
    """The page cache on, empty at the start of each test (the "default" cache, cleared
    for every test of the suite by conftest, explicitly here too). No clock in these
    tests: the public version stays cached between two requests however slow the
    machine (in production it is looked up again every LAST_CHANGE_SECONDS)."""
    settings.PAGE_CACHE_SECONDS = 300
    monkeypatch.setattr(queries, "LAST_CHANGE_SECONDS", 3600)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def site(campaign, coordinator):
    pledge = make_entry(campaign, "Kesätöitä nuorille")
    initiative = make_entry(
        campaign, "Kielikahvila kirjastossa", kind="initiative", partners_sought="Kirjastoja."
    )
    for entry in (pledge, initiative):
        publishing.approve(entry, coordinator)
    report = submissions.add_report(
        pledge,
        {"status": "under_way", "reported_on": timezone.localdate(), "text": "Kymmenen nuorta."},
        language="fi",
    )
    publishing.moderate_report(report, "approved", by=coordinator)
    return {"pledge": pledge, "initiative": initiative, "coordinator": coordinator}


def queries_of(client, url, **extra):
    """The response and the number of queries it took."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **extra)
    return response, len(captured)


PAGES = {
    "home": "/fi/",
    "catalogue": "/fi/entries/",
    "catalogue filtered": "/fi/entries/?kind=pledge&theme=working-life",
    "catalogue searched": "/fi/entries/?q=kesätöitä",
    "programme": "/fi/programme/",
    "statistics": "/sv/statistics/",
    "feed": "/fi/feed.atom",
    "feed of reports": "/en/feed/reports.atom",
    "sitemap": "/sitemap.xml",
}


@pytest.mark.parametrize("page", [*PAGES, "entry page"])
def test_a_kept_page_is_served_without_a_database_query(
    client, site, django_assert_num_queries, page
):
    url = PAGES.get(page) or f"/fi/entries/{site['pledge'].pk}/"
    first = client.get(url)
    assert first.status_code == 200

    with django_assert_num_queries(0):
        again = client.get(url)

    assert again.status_code == 200
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == first["Cache-Control"]
    assert again["Cache-Control"] == "public, max-age=60, s-maxage=60, stale-while-revalidate=30"
    assert not again.cookies


def test_the_pages_show_a_public_change_at_once(client, site):
    pledge, coordinator = site["pledge"], site["coordinator"]
    client.get("/fi/entries/")
    client.get(f"/fi/entries/{pledge.pk}/")
    client.get("/fi/feed.atom")
    newcomer = make_entry(site["pledge"].campaign, "Uimakoulu aikuisille")

    publishing.approve(newcomer, coordinator)  # through the moderation service

    assert "Uimakoulu aikuisille" in client.get("/fi/entries/").content.decode()
    assert "Uimakoulu aikuisille" in client.get("/fi/feed.atom").content.decode()

    submissions.set_consent(pledge, False)  # the submitter withdraws consent

    assert client.get(f"/fi/entries/{pledge.pk}/").status_code == 410
    assert "Kesätöitä nuorille" not in client.get("/fi/entries/").content.decode()
    assert "Kesätöitä nuorille" not in client.get("/fi/feed.atom").content.decode()


def test_a_change_through_public_change_replaces_the_kept_pages(client, site):
    campaign = site["pledge"].campaign
    client.get("/fi/")
    # Behind the services' back, then announced as every public change is.
    Campaign.objects.filter(pk=campaign.pk).update(hashtag="#uusitunniste")
    assert "#uusitunniste" not in client.get("/fi/").content.decode()  # still the kept one

    public_change()

    assert "#uusitunniste" in client.get("/fi/").content.decode()


def test_an_old_etag_gets_the_new_page_and_the_current_one_a_304_without_a_query(
    client, site, django_assert_num_queries
):
    url = f"/fi/entries/{site['pledge'].pk}/"
    first = client.get(url)
    with django_assert_num_queries(0):
        revalidated = client.get(url, headers={"if-none-match": first["ETag"]})
    assert revalidated.status_code == 304

    publishing.approve(make_entry(site["pledge"].campaign, "Uimakoulu"), site["coordinator"])

    changed = client.get(url, headers={"if-none-match": first["ETag"]})
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    with django_assert_num_queries(0):
        assert client.get(url, headers={"if-none-match": changed["ETag"]}).status_code == 304


def test_head_is_answered_from_the_kept_page_and_fills_it(client, site, django_assert_num_queries):
    head = client.head("/fi/entries/")
    assert head.status_code == 200
    assert head.content == b""

    with django_assert_num_queries(0):
        page = client.get("/fi/entries/")
        again = client.head("/fi/entries/")

    assert "Kesätöitä nuorille" in page.content.decode()
    assert again.status_code == 200
    assert again.content == b""
    assert again["ETag"] == page["ETag"]


def test_languages_and_query_strings_are_kept_apart(client, site):
    pages = {
        url: client.get(url).content.decode()
        for url in (
            "/fi/entries/",
            "/sv/entries/",
            "/fi/entries/?q=kesätöitä",
            "/fi/entries/?q=kielikahvila",
            "/fi/entries/?kind=initiative",
        )
    }

    assert '<html lang="fi">' in pages["/fi/entries/"]
    assert '<html lang="sv">' in pages["/sv/entries/"]
    assert "Kesätöitä nuorille" in pages["/fi/entries/?q=kesätöitä"]
    assert "Kielikahvila kirjastossa" not in pages["/fi/entries/?q=kesätöitä"]
    assert "Kielikahvila kirjastossa" in pages["/fi/entries/?q=kielikahvila"]
    assert "Kesätöitä nuorille" not in pages["/fi/entries/?q=kielikahvila"]
    assert "Kesätöitä nuorille" not in pages["/fi/entries/?kind=initiative"]
    assert len(set(pages.values())) == len(pages)


def test_the_same_parameters_in_another_order_share_a_kept_page(
    client, site, django_assert_num_queries
):
    first = client.get("/fi/entries/?kind=pledge&theme=working-life")

    with django_assert_num_queries(0):
        again = client.get("/fi/entries/?theme=working-life&kind=pledge")

    assert again.content == first.content


def test_feeds_and_the_sitemap_ignore_query_strings_they_never_show(
    client, site, django_assert_num_queries
):
    feed = client.get("/fi/feed.atom")
    sitemap = client.get("/sitemap.xml")

    with django_assert_num_queries(0):
        assert client.get("/fi/feed.atom?utm_source=uutiskirje").content == feed.content
        assert client.get("/sitemap.xml?x=1").content == sitemap.content


def test_an_unknown_parameter_gets_the_page_everyone_gets(client, site, django_assert_num_queries):
    """Parameters a page does not read never reach it: not the key, not its links (the
    filters, the pages, the other languages)."""
    plain = client.get("/fi/entries/?kind=pledge")

    with django_assert_num_queries(0):
        tagged = client.get("/fi/entries/?utm_source=uutiskirje&kind=pledge&x=" + "x" * 3700)

    assert tagged.content == plain.content
    assert "utm_source" not in tagged.content.decode()
    assert 'href="/sv/entries/?kind=pledge"' in tagged.content.decode()


def test_values_no_page_reads_are_dropped_before_the_view(client, site, django_assert_num_queries):
    plain = client.get("/fi/entries/")

    with django_assert_num_queries(0):
        overlong = client.get("/fi/entries/?q=" + "a" * 201)  # the search box takes 200
        empty = client.get("/fi/entries/?q=&kind=&theme=")  # the search form, sent empty

    assert overlong.content == plain.content
    assert empty.content == plain.content


def test_staff_never_get_nor_fill_kept_pages(client, site, coordinator):
    staff = type(client)()
    staff.force_login(coordinator)
    url = f"/fi/entries/{site['pledge'].pk}/"

    staff_first, staff_queries = queries_of(staff, url)
    visitor, visitor_queries = queries_of(client, url)  # the staff visit kept nothing
    staff_again, staff_again_queries = queries_of(staff, url)  # nor gets the visitor's

    assert staff_queries > 0
    assert visitor_queries > 0
    assert staff_again_queries > 0
    for response in (staff_first, staff_again):
        assert response.status_code == 200
        assert "private" in response["Cache-Control"]
        assert "no-cache" in response["Cache-Control"]
    assert "public" in visitor["Cache-Control"]


def test_a_flash_message_is_shown_to_its_visitor_and_never_kept(client, site):
    """A submitter's message ("tick the box …") follows them to the next page they open,
    here the catalogue: they see it, nobody else does, before or after."""
    submitter = type(client)()
    token = manage_token(site["pledge"])
    message = "Tick the box to confirm that you want to withdraw the pledge."
    before = client.get("/en/entries/")  # kept for visitors

    submitter.post(f"/en/manage/{token}/", {"action": "withdraw_entry"})
    theirs, count = queries_of(submitter, "/en/entries/")
    after = client.get("/en/entries/")
    submitter.post(f"/en/manage/{token}/", {"action": "withdraw_entry"})
    cache.clear()
    first = submitter.get("/en/entries/")  # the first visitor to an empty cache
    next_visitor = client.get("/en/entries/")

    assert count > 0
    assert message in theirs.content.decode()
    assert message in first.content.decode()
    assert "private" in theirs["Cache-Control"]
    for response in (before, after, next_visitor):
        assert message not in response.content.decode()
        assert "public" in response["Cache-Control"]


# --- Pages that must never be kept: test views behind the same decorator -------------------------

rendered = []


@public_cache(query=[])
def form_page(request):
    """A page with a POST form: its CSRF token belongs to the visitor (and their cookie)."""
    rendered.append(request.path)
    template = engines["django"].from_string(
        '<form method="post">{% csrf_token %}<button>OK</button></form>'
    )
    return HttpResponse(template.render({}, request))


@public_cache(query=[])
def cookie_page(request):
    rendered.append(request.path)
    response = HttpResponse("Tervetuloa")
    response.set_cookie("visited", "yes")
    return response


@public_cache(query=[])
def session_page(request):
    rendered.append(request.path)
    request.session["visited"] = True
    return HttpResponse("Tervetuloa")


@public_cache(query=[])
def missing_page(request):
    rendered.append(request.path)
    return HttpResponse("Ei löydy", status=404)


urlpatterns = [
    path("test/form/", form_page),
    path("test/cookie/", cookie_page),
    path("test/session/", session_page),
    path("test/missing/", missing_page),
    *site_urlpatterns,
]


@pytest.fixture
def test_views():
    rendered.clear()
    return rendered


TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.mark.urls(__name__)
def test_a_page_with_a_csrf_form_is_rendered_for_each_visitor_with_their_own_token(
    client, test_views
):
    other = type(client)()

    mine, theirs = client.get("/test/form/"), other.get("/test/form/")

    assert test_views == ["/test/form/", "/test/form/"]
    assert TOKEN.search(mine.content.decode()) and TOKEN.search(theirs.content.decode())
    assert mine.cookies["csrftoken"].value != theirs.cookies["csrftoken"].value
    for response in (mine, theirs):
        assert "private" in response["Cache-Control"]
        assert "public" not in response["Cache-Control"]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("url", ["/test/cookie/", "/test/session/", "/test/missing/"])
def test_a_page_setting_a_cookie_or_not_found_is_never_kept(test_views, url):
    from django.test import Client

    for _n in range(2):
        Client().get(url)  # two first-time visitors, no cookies

    assert test_views == [url, url]


def test_the_join_form_gives_each_visitor_their_own_token(client, site):
    """The only public form page besides the submission forms: never kept."""
    url = f"/fi/entries/{site['initiative'].pk}/join/"
    other = type(client)()

    mine, theirs = client.get(url), other.get(url)

    assert mine.status_code == theirs.status_code == 200
    assert mine.cookies["csrftoken"].value != theirs.cookies["csrftoken"].value


# --- Settings and time ---------------------------------------------------------------------


def test_the_page_cache_can_be_turned_off(client, site, settings, django_assert_num_queries):
    settings.PAGE_CACHE_SECONDS = 0
    first = client.get("/fi/entries/")

    page, count = queries_of(client, "/fi/entries/")

    assert count > 0
    assert page.content == first.content
    with django_assert_num_queries(0):  # revalidation still costs nothing
        assert (
            client.get("/fi/entries/", headers={"if-none-match": first["ETag"]}).status_code == 304
        )


def test_the_home_page_says_the_campaign_closed_when_it_closes(client, db):
    """No public change happens when a campaign closes by the clock: the kept pages and
    their ETag follow its opening and closing moments all the same."""
    closes = timezone.now().replace(microsecond=0) + timedelta(hours=1)
    make_campaign("closing-soon", closes_at=closes)
    with time_machine.travel(closes - timedelta(seconds=2), tick=False) as clock:
        open_page = client.get("/en/")
        clock.shift(timedelta(seconds=4))
        closed_page = client.get("/en/", headers={"if-none-match": open_page["ETag"]})

    assert "Open now" in open_page.content.decode()
    assert closed_page.status_code == 200
    assert "The campaign closed" in closed_page.content.decode()
    assert closed_page["ETag"] != open_page["ETag"]


def test_cache_busting_query_strings_make_no_pages(client, site, monkeypatch):
    """However long or many the unknown parameters, they all get the one kept page (the
    issue's attack: a 3.7 KB query string made a 223 KB page of its own each time)."""
    keys = []
    default = caches["default"]
    keep = default.set

    def set_and_note(key, *args, **kwargs):
        keys.append(key)
        return keep(key, *args, **kwargs)

    monkeypatch.setattr(default, "set", set_and_note)
    sizes = set()
    for n, length in itertools.product(range(3), (1, 3700)):
        page = client.get(f"/fi/entries/?junk{n}={'x' * length}")
        assert page.status_code == 200
        sizes.add(len(page.content))

    pages = [key for key in keys if key.startswith("page:")]
    assert len(pages) == 1
    assert len(pages[0]) < 80
    assert len(sizes) == 1


def test_a_search_is_kept_under_a_short_key_whatever_its_length(client, site, monkeypatch):
    keys = []
    default = caches["default"]
    keep = default.set
    monkeypatch.setattr(default, "set", lambda key, *a, **k: keys.append(key) or keep(key, *a, **k))

    client.get("/fi/entries/?q=" + "kesätöitä " * 20)

    assert [len(key) for key in keys if key.startswith("page:")] == [len(keys[-1])]
    assert len(keys[-1]) < 80


# --- Every page behind the decorator declares what it reads --------------------------------


def public_cache_views():
    """{URL name: the parameters it reads} of every URL whose view is behind public_cache."""
    from django.urls import get_resolver

    found = {}

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif hasattr(pattern.callback, "reads"):
                found[f"{namespace}{pattern.name}"] = pattern.callback.reads

    walk(get_resolver().url_patterns)
    return found


def test_every_kept_page_declares_the_parameters_it_reads():
    assert public_cache_views() == {
        "home": (),
        "publishing:catalogue": (
            "q",
            "kind",
            "theme",
            "target_group",
            "org_type",
            "region",
            "maakunta",
            "programme",
            "award",
            "campaign",
            "progress",
            "partners",
            "seeks_type",
            "seeks_region",
            "seeks_theme",
            "page",
        ),
        "publishing:entry_detail": (),
        "publishing:badge_svg": (),
        "publishing:badge_png": (),
        "publishing:share_image": (),
        "publishing:programme": ("campaign",),
        "publishing:statistics": ("figure",),
        "publishing:feed": (),
        "publishing:report_feed": (),
        "sitemap": ("p",),
    }


ARGUMENTS = {
    "publishing:entry_detail": "pledge",
    "publishing:badge_svg": "pledge",
    "publishing:badge_png": "pledge",
    "publishing:share_image": "pledge",
}


@pytest.mark.parametrize("name", sorted(public_cache_views()))
def test_no_kept_page_reads_an_unknown_parameter(client, site, name, django_assert_num_queries):
    """Every door of the page cache, found in the URLconf: a parameter the page does not
    read gets the same page from the same kept copy."""
    from django.urls import reverse
    from django.utils import translation

    args = [site[ARGUMENTS[name]].pk] if name in ARGUMENTS else []
    with translation.override("fi"):
        url = reverse(name, args=args)
    plain = client.get(url)
    assert plain.status_code == 200

    with django_assert_num_queries(0):
        tagged = client.get(f"{url}?utm_campaign=syksy&fbclid={'z' * 500}")

    assert tagged.content == plain.content
