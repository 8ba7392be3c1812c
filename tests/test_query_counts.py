"""Every list and detail page costs the same number of queries with one row as with
many: the numbers are pinned exactly, so a change that adds a query per row (or any
query) shows up here."""

import pytest
from django.core.cache import caches
from django.utils import timezone

from publishing import services as publishing
from publishing.models import Programme
from review import services as review
from review.models import AwardCategory, Criterion
from submissions import services
from submissions.models import Indicator, Partnership

from .conftest import make_entry

pytestmark = pytest.mark.django_db

MANY = 6


@pytest.fixture(params=[1, MANY], ids=["one row", "many rows"])
def site(request, campaign, coordinator, reviewer):
    """Published entries with everything a page can show: confirmed partners, themes,
    a decision in the programme, a prize with a citation, reviews."""
    rows = request.param
    category = AwardCategory.objects.create(campaign=campaign)
    category.set_current_language("fi")
    category.name = "Vuoden teko"
    category.save()
    programme = Programme(campaign=campaign)
    programme.set_current_language("fi")
    programme.title, programme.introduction = "Ohjelma", "Johdanto."
    programme.save()
    criteria = list(Criterion.objects.filter(campaign=campaign).order_by("position"))
    indicators = list(Indicator.objects.filter(campaign=campaign))
    entries = []
    for n in range(rows):
        entry = make_entry(
            campaign,
            f"Kesätöitä nuorille {n}",
            kind="initiative" if n % 2 else "pledge",
            partners=[(f"Kumppani {n}-{p}", f"k{n}-{p}@example.fi") for p in range(rows)],
        )
        Partnership.objects.filter(entry=entry).update(confirmed_at=timezone.now())
        publishing.approve(entry, coordinator)
        for r in range(rows):  # progress reports with figures and contributors
            report = services.add_report(
                entry,
                {
                    "status": "under_way" if r < rows - 1 else "achieved",
                    "reported_on": timezone.localdate(),
                    "text": f"Raportti {n}-{r}.",
                    "figures": dict.fromkeys(indicators, r + 1),
                    "contributors": list(entry.partnerships.all()),
                },
                language="fi",
            )
            publishing.moderate_report(report, "approved", by=coordinator)
        review.record_decision(entry, "included", "Hyvä.", coordinator, language="fi")
        review.award(category, entry, {"fi": f"Perustelu {n}."}, coordinator)
        review.save_review(
            reviewer,
            entry,
            scores={c.pk: 4 for c in criteria},
            comment="",
            recommendation="include",
        )
        entries.append(entry)
    review.publish_decisions(campaign, coordinator)
    return {"entries": entries, "rows": rows}


def count(client, url, django_assert_num_queries, expected):
    # What a first visitor gets: nothing kept from before, neither the public version nor
    # a page in the page cache (tests/test_page_cache.py counts the pages kept).
    caches["default"].clear()
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200, url
    return response


PUBLIC = {
    # Each includes the public version (ETag, the page cache's key): one query.
    "home": ("/fi/", 3),
    # The filters' names (queries.taxonomy) are 12 of these, once per public change;
    # the entries per region (the region filter's counts) one more, as often.
    "catalogue": ("/fi/entries/", 17),
    "catalogue filtered": ("/fi/entries/?kind=pledge&theme=working-life", 17),
    # Helsinki's region, then one with none of the entries (no cards to read).
    "catalogue by region": ("/fi/entries/?maakunta=01", 17),
    "catalogue by an empty region": ("/fi/entries/?maakunta=06", 16),
    "catalogue by an unknown region": ("/fi/entries/?maakunta=99", 17),
    # The words looked up, then the matches counted and ranked in one query.
    "search": ("/fi/entries/?q=kesätöitä", 18),
    "catalogue by progress": ("/fi/entries/?progress=achieved", 17),
    "programme": ("/fi/programme/", 16),
    # The region map: every figure of every region in one query, the regions' names;
    # the indicator totals by region (the site has reports with figures) one more.
    "statistics": ("/fi/statistics/", 22),
    "statistics, map of the achieved": ("/fi/statistics/?figure=achieved", 22),
    # The read model's rows, nothing more.
    "feed": ("/fi/feed.atom", 2),
    "feed of reports": ("/fi/feed/reports.atom", 4),
    "sitemap": ("/sitemap.xml", 2),
}


@pytest.mark.parametrize("page", list(PUBLIC))
def test_public_pages_cost_a_fixed_number_of_queries(client, site, django_assert_num_queries, page):
    url, expected = PUBLIC[page]
    count(client, url, django_assert_num_queries, expected)


def test_the_entry_page_costs_the_same_with_one_or_many_partners_prizes_and_reports(
    client, site, django_assert_num_queries, settings
):
    entry = site["entries"][-1]
    url = f"/fi/entries/{entry.pk}/"
    # The first visitor after a change also reads the names of themes, places and prizes
    # (queries.taxonomy, 9 queries) and the current campaign (2), which every later page
    # takes from memory.
    count(client, url, django_assert_num_queries, 18)
    # A page rendered anew with those names cached: not from the page cache, which would
    # answer without a query (tests/test_page_cache.py).
    settings.PAGE_CACHE_SECONDS = 0
    with django_assert_num_queries(6):
        response = client.get(url)
    html = response.content.decode()
    rows = site["rows"]
    # The partners in the facts, and as contributors of every report.
    assert html.count(f"Kumppani {rows - 1}-0") == 1 + rows
    assert html.count('class="progress-report"') == rows


def test_open_data_costs_a_fixed_number_of_queries(client, site, django_assert_num_queries):
    # Built once (by the job, or here by the first request) in queries that do not grow
    # with the entries (tests/test_open_data_files.py), then served as files.
    # (One of them the regions' names.)
    # (five of them the cooperation in figures, six the rows of its files)
    with django_assert_num_queries(47):
        client.get("/fi/open-data/entries.json").getvalue()
    for url in (
        "/fi/open-data/entries.json",
        "/fi/open-data/entries.csv",
        "/fi/open-data/reports.csv",
    ):
        caches["default"].clear()
        with django_assert_num_queries(1):
            response = client.get(url)
            body = b"".join(response.streaming_content)
        assert body.count(b"KL-") >= site["rows"]


STAFF = {
    "queue": ("/en/admin/workspace/queue/", "reviewer"),
    "ranking": ("/en/admin/workspace/ranking/", "coordinator"),
    "dashboard": ("/en/admin/workspace/dashboard/", "coordinator"),
    "follow-up": ("/en/admin/workspace/follow-up/", "coordinator"),
    "campaign report": ("/en/admin/workspace/campaign-report/", "coordinator"),
    # With the mail-health box (one query), and the messages with each one's next try.
    "admin index": ("/en/admin/", "coordinator"),
    "messages": ("/en/admin/kotolupaus/message/", "coordinator"),
}
STAFF_QUERIES = {
    # 12, the reviewer's withdrawn reviews (none here), their progress (scored, changed)
    # and their e-mail choice
    "queue": 15,
    # with each entry's latest version (scores of an older one) and the agreement
    # between reviewers (criteria, their names, the scores)
    "ranking": 18,
    "admin index": 6,
    "messages": 10,
    "dashboard": 22,  # with the cooperation in figures (three)
    "follow-up": 16,
    "campaign report": 28,  # (each table one or two queries, whatever the rows)
    "score": 20,  # with the entry's latest version
    "decide": 18,
}


@pytest.mark.parametrize("page", list(STAFF))
def test_staff_lists_cost_a_fixed_number_of_queries(
    client, site, coordinator, reviewer, django_assert_num_queries, page
):
    url, who = STAFF[page]
    client.force_login({"reviewer": reviewer, "coordinator": coordinator}[who])
    count(client, url, django_assert_num_queries, STAFF_QUERIES[page])


@pytest.mark.parametrize(("page", "who"), [("score", "reviewer"), ("decide", "coordinator")])
def test_staff_entry_pages_cost_the_same_with_one_or_many_partners(
    client, site, coordinator, reviewer, django_assert_num_queries, page, who
):
    client.force_login({"reviewer": reviewer, "coordinator": coordinator}[who])
    entry = site["entries"][-1]
    if page == "score":
        review.unassign(entry, reviewer, coordinator)
    response = count(
        client,
        f"/en/admin/workspace/{page}/{entry.pk}/",
        django_assert_num_queries,
        STAFF_QUERIES[page],
    )
    assert response.content.decode().count("Kumppani") >= site["rows"]


def test_the_prize_vote_and_the_decisions_to_publish_cost_a_fixed_number_of_queries(
    client, site, campaign, coordinator, django_assert_num_queries
):
    category = AwardCategory.objects.create(campaign=campaign)
    for entry in site["entries"]:
        review.nominate(category, entry, coordinator)
        review.record_decision(entry, "not_included", "Ei.", coordinator, language="fi")
    review.cast_ballot(category, coordinator, {e.pk: 1 for e in site["entries"]})
    client.force_login(coordinator)

    vote = count(
        client, f"/en/admin/workspace/prizes/{category.pk}/vote/", django_assert_num_queries, 15
    )
    publish = count(client, "/en/admin/workspace/decisions/publish/", django_assert_num_queries, 10)

    assert vote.content.decode().count("(tied)") == (site["rows"] if site["rows"] > 1 else 0)
    assert publish.content.decode().count("Not included") == site["rows"]


def test_the_queue_and_the_scoring_page_cost_the_same_with_entries_changed_since_review(
    client, site, reviewer, coordinator, django_assert_num_queries
):
    """Issue 27: every entry changed after the reviewer's review (a new version of its
    text). The queue marks them all in the same queries; the scoring page adds one query
    for who made the versions in between to show the word diff; the ranking marks the
    scores of an older version in the same queries."""
    from submissions import versions
    from submissions.models import VersionSource

    for entry in site["entries"]:
        text = entry.translations.get(language_code="fi")
        text.summary = f"{text.summary} Uutta."
        text.save()
        versions.record(entry, VersionSource.SUBMITTER)
    client.force_login(reviewer)

    queue = count(client, "/en/admin/workspace/queue/", django_assert_num_queries, 15)
    assert queue.content.decode().count("changed since your review</strong>") == site["rows"]
    entry = site["entries"][-1]
    page = count(client, f"/en/admin/workspace/score/{entry.pk}/", django_assert_num_queries, 21)
    assert "{+ Uutta.+}" in page.content.decode()
    client.logout()
    client.force_login(coordinator)
    ranking = count(client, "/en/admin/workspace/ranking/", django_assert_num_queries, 18)
    assert "of an older version" in ranking.content.decode()
