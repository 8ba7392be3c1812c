"""What readers hit outside the main flows: texts that are too long, the footer, the
favicon, the Atom feed and open data in the reader's language, charts that can be read
without their tables, and the staff workspace's layout."""

import csv
import io
import json
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail

from publishing import services as publishing
from review import services as review
from review.models import Outcome

from .conftest import entry_form_data, form_url, make_entry, token_from

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
WS = "/en/admin/workspace"


# --- Long texts are checked, not cut ---------------------------------------------------------


def test_over_long_title_gets_the_field_error_and_is_kept_whole(client, campaign):
    title = "Kesätöitä nuorille " * 8 + "tulijoille."
    content = client.post(
        form_url("pledge", "en"), entry_form_data(action="preview", title=title)
    ).content.decode()

    assert len(title) == 163
    assert "Shorten the text to at most 150 characters (it now has 163)." in content
    assert 'href="#id_title">Title: Shorten the text to at most 150' in content
    field = re.search(r'<input type="text" name="title"[^>]*>', content).group(0)
    assert f'value="{title}"' in field  # all 163 characters, nothing cut
    assert "maxlength" not in field  # the browser would cut silently
    assert 'data-limit="150"' in field


def test_long_text_fields_carry_their_limit_for_the_counter(client, campaign):
    content = client.get(form_url("initiative", "fi")).content.decode()

    for name, limit in (("summary", 500), ("description", 5000), ("plan", 4000)):
        field = re.search(rf'<textarea name="{name}"[^>]*>', content).group(0)
        assert f'data-limit="{limit}"' in field
        assert "maxlength" not in field


# --- Every page: results and open data in the footer, a favicon ------------------------------


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
@pytest.mark.parametrize("path", ["", "about/", "submit/pledge/", "no-such-page/"])
def test_every_page_links_the_programme_statistics_and_open_data_in_its_footer(
    client, campaign, language, path
):
    content = client.get(f"/{language}/{path}").content.decode()
    footer = re.search(r'<footer class="site-footer">.*?</footer>', content, re.S).group(0)

    for url in ("programme/", "programme/pdf/", "statistics/", "open-data/", "entries/"):
        assert f'href="/{language}/{url}"' in footer, url
    assert f'href="/{language}/feed.atom"' in footer


def test_pages_name_their_icons_and_the_root_icons_exist(client, campaign):
    content = client.get("/fi/").content.decode()

    assert '<link rel="icon" href="/static/icons/favicon.svg" type="image/svg+xml">' in content
    assert '<link rel="apple-touch-icon" href="/static/icons/apple-touch-icon.png">' in content
    for path, target in (
        ("/favicon.ico", "/static/icons/favicon.ico"),
        ("/apple-touch-icon.png", "/static/icons/apple-touch-icon.png"),
    ):
        response = client.get(path)
        assert response.status_code == 301
        assert response["Location"] == target
        assert (ROOT / "static" / target.removeprefix("/static/")).stat().st_size > 300


def test_menu_is_a_disclosure_that_works_without_javascript(client, campaign):
    content = client.get("/sv/").content.decode()
    nav = re.search(r'<nav class="site-nav".*?</nav>', content, re.S).group(0)

    assert '<details class="site-menu">' in nav
    assert re.search(r'<summary class="site-menu__toggle">.*Meny</summary>', nav)
    assert 'href="/sv/entries/"' in nav and ">Löften och initiativ</a>" in nav
    assert ">Om tjänsten</a>" in nav


# --- The Atom feed and open data in the reader's language -----------------------------------


@pytest.fixture
def published(campaign, staff_user):
    entry = make_entry(campaign, "Kesätöitä nuorille")
    publishing.approve(entry, staff_user)
    return entry


@pytest.mark.parametrize(
    ("language", "author"),
    [
        ("fi", "Työ- ja elinkeinoministeriö"),
        ("sv", "Arbets- och näringsministeriet"),
        ("en", "Ministry of Economic Affairs and Employment of Finland"),
    ],
)
def test_atom_feed_has_an_author_and_links_each_entry_in_every_language(
    client, published, language, author
):
    feed = client.get(f"/{language}/feed.atom").content.decode()
    pk = published.pk

    assert f'xml:lang="{language}"' in feed
    assert f"<author><name>{author}</name><uri>http://testserver/</uri></author>" in feed
    assert f'<link href="http://testserver/{language}/entries/{pk}/" rel="alternate"/>' in feed
    for other in {"fi", "sv", "en"} - {language}:
        assert (
            f'<link href="http://testserver/{other}/entries/{pk}/" hreflang="{other}" '
            'rel="alternate" type="text/html"/>'
        ) in feed
    assert f'hreflang="{language}"' not in feed
    assert f"<id>http://testserver/entries/{pk}</id>" in feed


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_open_data_links_pages_in_the_files_language(client, published, language):
    response = client.get(f"/{language}/open-data/entries.json")
    record = json.loads(b"".join(response.streaming_content))["entries"][0]
    rows = list(
        csv.DictReader(
            io.StringIO(
                b"".join(
                    client.get(f"/{language}/open-data/entries.csv").streaming_content
                ).decode()
            )
        )
    )

    expected = f"http://testserver/{language}/entries/{published.pk}/"
    assert record["url"] == expected
    assert record["urls"] == {
        code: f"http://testserver/{code}/entries/{published.pk}/" for code in ("fi", "sv", "en")
    }
    assert rows[0]["url"] == expected


@pytest.mark.skipif(shutil.which("make") is None, reason="make not installed")
def test_make_run_gives_site_url_from_host_and_port():
    dry_run = subprocess.run(
        ["make", "-n", "run", "HOST=0.0.0.0", "PORT=8123"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    ).stdout

    assert "SITE_URL=${SITE_URL:-http://0.0.0.0:8123}" in dry_run
    assert "kotolupaus.devrun 0.0.0.0:8123" in dry_run


# --- Charts you can read without the table ----------------------------------------------------


def test_statistics_bars_carry_their_category_and_value_on_the_chart(
    client, campaign, staff_user, django_assert_max_num_queries
):
    for n in range(3):
        publishing.approve(make_entry(campaign, f"Lupaus {n}"), staff_user)
    publishing.approve(make_entry(campaign, "Aloite", kind="initiative"), staff_user)

    # (With the map of the regions: their figures in one query, their names in one; and
    # the cooperation in figures in three.)
    with django_assert_max_num_queries(20):
        content = client.get("/fi/statistics/").content.decode()

    svg = re.search(r"<svg.*?</svg>", content, re.S).group(0)  # the first chart: by kind
    labels = re.findall(r'<text class="bar-chart__label"><tspan[^>]*>([^<]+)</tspan></text>', svg)
    values = re.findall(r'<text[^>]*class="bar-chart__value">([^<]+)</text>', svg)
    assert labels == ["Lupaus", "Aloite"]
    assert values == ["3", "1"]
    assert re.search(r'<rect x="0" y="\d+" width="82\.0%"', svg)  # the longest bar
    assert 'aria-label="Pylväskaavio: Julkaistut lupaukset ja aloitteet lajeittain.' in svg
    assert "<table" in content  # the same figures as a table beside the chart


def test_dashboard_chart_has_axes_ticks_and_dates(client, campaign, coordinator):
    for n in range(3):
        make_entry(campaign, f"Lupaus {n}")
    client.force_login(coordinator)

    content = client.get(f"{WS}/dashboard/").content.decode()
    svg = re.search(r'<svg role="img" aria-labelledby="chart-title".*?</svg>', content, re.S)

    assert svg, "the chart"
    svg = svg.group(0)
    assert svg.count('class="ws-chart__axis"') == 2
    ticks = re.findall(r'text-anchor="end" class="ws-chart__text">(\d+)</text>', svg)
    assert ticks[0] == "0" and int(ticks[-1]) >= 3
    dates = re.findall(
        r'text-anchor="middle" class="ws-chart__text ws-chart__date--rank(\d)( [\w-]+)?">([^<]+)<',
        svg,
    )
    assert dates and all(re.fullmatch(r"\d{1,2} \w{3}\.? \d{4}", d) for _r, _e, d in dates), dates
    # On a phone only the first and the last are shown (rank 0), anchored so that neither
    # is cut at the chart's edges.
    assert dates[0][:2] == ("0", " ws-chart__date--first")
    assert dates[-1][:2] == ("0", " ws-chart__date--last")
    assert "Day (Finnish time)" in svg
    assert 'width="100%"' in svg and "viewBox" not in svg  # as wide as the page, text unscaled


def test_dashboard_prize_links_are_large_enough_targets(client, campaign, coordinator):
    client.force_login(coordinator)

    content = client.get(f"{WS}/dashboard/").content.decode()

    assert '<ul class="ws-links">' in content
    css = (ROOT / "static" / "review" / "review.css").read_text()
    assert re.search(r"\.ws-links a[^{]*\{[^}]*min-height: 24px", css)


def test_ranking_scrolls_in_its_own_region_and_workspace_pages_do_not_shift(
    client, campaign, coordinator
):
    entry = make_entry(campaign, "Lupaus")
    review.record_decision(entry, Outcome.INCLUDED, "Hyvä.", coordinator)
    client.force_login(coordinator)

    for path in ("ranking/", "queue/", "dashboard/"):
        content = client.get(f"{WS}/{path}").content.decode()
        # The admin's sidebar opens by script after the page is drawn and pushes the
        # content aside; the workspace has its own navigation instead.
        assert 'id="nav-sidebar"' not in content, path
    ranking = client.get(f"{WS}/ranking/").content.decode()
    assert re.search(
        r'<div class="ws-scroll" role="region" aria-label="Ranking" tabindex="0">\s*'
        r'<table class="ws-table ws-ranking">',
        ranking,
    )
    assert "<td>Included in the programme <em>(provisional)</em></td>" in ranking


# --- Dead ends: the answers say what happened ----------------------------------------------


def test_join_page_of_an_initiative_no_longer_published_says_so(client, campaign, staff_user):
    entry = make_entry(campaign, "Kielikahvila", kind="initiative", partners_sought="Kirjastoja.")
    publishing.approve(entry, staff_user)
    from submissions import services as submissions

    submissions.withdraw_entry(entry)

    for path in (f"/en/entries/{entry.pk}/", f"/en/entries/{entry.pk}/join/"):
        response = client.get(path)
        assert response.status_code == 410, path
        assert "This initiative was withdrawn" in response.content.decode()
        assert "Kielikahvila" not in response.content.decode()


def test_never_published_entry_is_a_plain_not_found(client, campaign):
    entry = make_entry(campaign, "Ei koskaan julkinen")

    response = client.get(f"/en/entries/{entry.pk}/")

    assert response.status_code == 404
    assert "withdrawn" not in response.content.decode()


def test_the_old_link_keeps_working_when_staff_return_the_entry_for_fixes(
    client, campaign, staff_user
):
    from .conftest import confirm_address

    client.post(form_url("pledge", "fi"), entry_form_data("pledge"))
    confirm_address(client, mail.outbox[-1])
    old_token = token_from(mail.outbox[0].body)
    from submissions.models import Entry

    publishing.return_for_fixes(Entry.objects.get(), staff_user, "Lisää tavoite.")

    # Links are never replaced: the one from the first e-mail still opens the entry.
    assert client.get(f"/fi/manage/{old_token}/").status_code == 200
    assert client.get(f"/fi/manage/{old_token}/edit/").status_code == 200
    assert client.get(f"/fi/manage/{'x' * 43}/").status_code == 404


def test_a_long_chart_label_is_wrapped_onto_lines_of_at_most_thirty_characters():
    from publishing import charts

    chart = charts.bars(
        "Mittarit",
        [("Mukana olleita kumppaniorganisaatioita (organisaatiota)", 13), ("Tapahtumia", 2)],
    )

    first, second = chart["rows"]
    assert [line["text"] for line in first["label_lines"]] == [
        "Mukana olleita",
        "kumppaniorganisaatioita",
        "(organisaatiota)",
    ]
    assert [line["y"] for line in first["label_lines"]] == [15, 35, 55]
    assert first["y"] == 60  # the bar under the third line
    assert second["label_y"] == 60 + 22 + 14 + 15


ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def test_each_feed_in_each_language_has_its_own_id(client, published):
    from xml.etree import ElementTree

    ids = [
        ElementTree.fromstring(client.get(path).content).find(f"{ATOM}id").text  # noqa: S314
        for path in ["/fi/feed.atom", "/fi/feed/reports.atom", "/sv/feed.atom", "/en/feed.atom"]
    ]

    assert ids == [
        "http://testserver/fi/feed.atom",
        "http://testserver/fi/feed/reports.atom",
        "http://testserver/sv/feed.atom",
        "http://testserver/en/feed.atom",
    ]


def test_feed_entries_are_updated_no_earlier_than_published_and_carry_their_language(
    client, campaign, staff_user
):
    from xml.etree import ElementTree

    from publishing.models import PublicEntry

    finnish = make_entry(campaign, "Kesätöitä nuorille")
    swedish = make_entry(campaign, "Språkcafé i Vasa", language="sv")
    for entry in (finnish, swedish):
        publishing.approve(entry, staff_user)
    # Edited before it was approved: its last change is older than its publication.
    PublicEntry.objects.filter(pk=finnish.pk).update(
        updated_at=PublicEntry.objects.get(pk=finnish.pk).published_at - timedelta(days=2)
    )

    feed = ElementTree.fromstring(client.get("/fi/feed.atom").content)  # noqa: S314 - our own
    entries = {
        e.find(f"{ATOM}title").text: (
            e.get(XML_LANG),
            e.find(f"{ATOM}published").text,
            e.find(f"{ATOM}updated").text,
        )
        for e in feed.iter(f"{ATOM}entry")
    }

    assert entries["Kesätöitä nuorille (Esimerkki Oy)"][0] is None  # the feed's language
    assert entries["Språkcafé i Vasa (Esimerkki Oy)"][0] == "sv"
    assert all(updated >= published for _l, published, updated in entries.values()), entries


@pytest.mark.parametrize("path", ["", "entries/", "statistics/", "privacy/", "programme/"])
def test_every_public_page_announces_both_feeds(client, published, path):
    content = client.get(f"/sv/{path}").content.decode()

    head = content[: content.index("</head>")]
    assert head.count('rel="alternate" type="application/atom+xml"') == 2
    assert 'href="/sv/feed.atom"' in head and 'href="/sv/feed/reports.atom"' in head
