"""What the public sees of follow-up: the timeline on an entry's page, the catalogue's
progress filter, a pledge's challenge takers, progress on the statistics page, the
reports in open data and in their feed, and the programme's follow-up section."""

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from publishing import services as publishing
from publishing.models import Programme, PublicationStatus
from review import services as review
from review.models import Outcome
from submissions import services
from submissions.models import Entry

from .conftest import make_entry
from .test_follow_up import published_entry, report_on

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.fixture
def kept(campaign, coordinator):
    """A pledge with three approved reports (under way → achieved) and one awaiting."""
    entry = published_entry(campaign, coordinator, title="Kesätöitä nuorille")
    today = timezone.localdate()
    report_on(
        entry,
        "not_started",
        text="Suunnittelu alkoi.",
        reported_on=today - 3 * DAY,
        approve_by=coordinator,
    )
    report_on(
        entry,
        "under_way",
        text="Kaksi iltaa pidetty.",
        reported_on=today - 2 * DAY,
        figures={"people-reached": 40, "events-held": 2},
        approve_by=coordinator,
    )
    report_on(
        entry,
        "achieved",
        text="Kaikki kesätyöt täytetty.",
        reported_on=today - DAY,
        figures={"people-reached": 25, "jobs-offered": 12},
        approve_by=coordinator,
    )
    report_on(entry, "discontinued", text="Odottaa tarkastusta.", reason="Ei rahaa.")
    return entry


def test_the_entry_page_shows_the_timeline_newest_first_with_figures_summed(client, kept):
    html = client.get(f"/fi/entries/{kept.pk}/").content.decode()
    badges = re.search(r'<ul class="badges">.*?</ul>', html, re.S).group(0)
    assert "Toteutunut" in badges  # the latest approved status as a badge
    timeline = re.search(r'<section class="progress-timeline".*?</section>', html, re.S).group(0)
    texts = re.findall(r'<p lang="fi">([^<]+)</p>', timeline)
    assert texts == ["Kaikki kesätyöt täytetty.", "Kaksi iltaa pidetty.", "Suunnittelu alkoi."]
    assert "Odottaa tarkastusta." not in html  # not yet moderated
    assert "Ei rahaa." not in html
    figures = re.search(
        r'<div class="table-responsive progress-figures".*?</table>', timeline, re.S
    )
    rows = re.findall(r"<td>([^<]+)</td><td class=\"text-end\">([^<]+)</td>", figures.group(0))
    assert ("Tavoitettuja ihmisiä", "65 ihmistä") in rows
    assert ("Pidettyjä tapahtumia", "2 tapahtumaa") in rows
    assert len(rows) == 3


def test_a_report_in_another_language_is_shown_as_written_until_staff_translate_it(
    client, campaign, coordinator
):
    entry = published_entry(campaign, coordinator, title="Språkcafé", language="sv")
    report = report_on(
        entry, "under_way", text="Vi träffas varje vecka.", language="sv", approve_by=coordinator
    )
    html = client.get(f"/fi/entries/{entry.pk}/").content.decode()
    assert '<p lang="sv">Vi träffas varje vecka.</p>' in html
    assert "ruotsiksi" in html  # "shown as it was written (in Swedish)"

    report.set_current_language("fi")
    report.text = "Tapaamme joka viikko."
    report.save()
    publishing.report_translation_saved(report, "fi", by=coordinator)
    html = client.get(f"/fi/entries/{entry.pk}/").content.decode()
    assert '<p lang="fi">Tapaamme joka viikko.</p>' in html
    assert "Kampanjan henkilöstön käännös. Alkuperäinen kieli: ruotsi." in html
    sv = client.get(f"/sv/entries/{entry.pk}/").content.decode()
    assert '<p lang="sv">Vi träffas varje vecka.</p>' in sv


def test_a_report_staff_decide_not_to_publish_disappears_from_every_public_place(
    client, kept, coordinator
):
    achieved = kept.progress_reports.get(status="achieved")
    client.get(f"/fi/entries/{kept.pk}/")
    publishing.moderate_report(achieved, PublicationStatus.REJECTED, by=coordinator)
    html = client.get(f"/fi/entries/{kept.pk}/").content.decode()
    assert "Kaikki kesätyöt täytetty." not in html
    assert "Käynnissä" in re.search(r'<ul class="badges">.*?</ul>', html, re.S).group(0)
    assert "Kaikki kesätyöt" not in client.get("/fi/feed/reports.atom").content.decode()
    catalogue = client.get("/fi/entries/", {"progress": "achieved"}).content.decode()
    assert "Kesätöitä nuorille" not in catalogue


def test_the_catalogue_filters_by_the_latest_reported_status(client, kept, campaign, coordinator):
    under_way = published_entry(campaign, coordinator, title="Kielikahvila")
    report_on(under_way, "under_way", approve_by=coordinator)
    published_entry(campaign, coordinator, title="Ei raportteja")

    achieved = client.get("/fi/entries/", {"progress": "achieved"}).content.decode()
    assert "Kesätöitä nuorille" in achieved
    assert "Kielikahvila" not in achieved and "Ei raportteja" not in achieved
    assert "Toteutunut" in achieved  # named in the "filtered by" line

    going = client.get("/fi/entries/", {"progress": "under_way"}).content.decode()
    assert "Kielikahvila" in going and "Kesätöitä nuorille" not in going

    everything = client.get("/fi/entries/").content.decode()
    assert "?progress=achieved" in everything  # a filter link, usable without JavaScript
    bad = client.get("/fi/entries/", {"progress": "finished"})
    assert bad.status_code == 200


def test_a_pledge_lists_the_challenges_taken_up_with_their_statuses(client, campaign, coordinator):
    original = published_entry(campaign, coordinator, title="Alkuperäinen haaste")
    statuses = ["achieved", "achieved", "under_way", None]
    for n, status in enumerate(statuses):
        taker = published_entry(
            campaign, coordinator, title=f"Haasteen ottaja {n}", challenge_of=original
        )
        if status:
            report_on(taker, status, approve_by=coordinator)
    # Pledges that took it up but are not public are not counted: not yet moderated,
    # never confirmed, withdrawn.
    make_entry(campaign, "Odottaa tarkastusta", challenge_of=original)
    make_entry(campaign, "Vahvistamatta", challenge_of=original, confirm=False)
    withdrawn = published_entry(campaign, coordinator, title="Peruttu", challenge_of=original)
    services.withdraw_entry(withdrawn)
    html = client.get(f"/fi/entries/{original.pk}/").content.decode()
    challenge = re.search(r'<section class="challenge".*?</section>', html, re.S).group(0)
    assert "4 organisaatiota on ottanut tämän haasteen vastaan." in challenge
    summary = re.search(r'<ul class="challenge__progress">(.*?)</ul>', challenge, re.S).group(1)
    assert re.findall(r"<li>([^<]+)</li>", summary) == [
        "Käynnissä: 1",
        "Toteutunut: 2",
        "Ei vielä raporttia: 1",
    ]
    assert "Haasteen ottaja 0</a> – Esimerkki Oy (Toteutunut)" in challenge


def test_the_statistics_page_shows_progress_by_kind_and_theme_and_indicator_totals(
    client, kept, campaign, coordinator
):
    initiative = published_entry(campaign, coordinator, title="Aloite", kind="initiative")
    report_on(initiative, "under_way", figures={"people-reached": 10}, approve_by=coordinator)
    published_entry(campaign, coordinator, title="Hiljainen")

    html = client.get("/fi/statistics/").content.decode()
    section = html[html.index('id="progress-heading"') : html.index('id="cooperation-heading"')]
    tables = re.findall(r"<table.*?</table>", section, re.S)
    pledges, initiatives, by_theme, indicators, by_region = tables
    assert '<td>Toteutunut</td><td class="text-end">1</td>' in pledges
    assert '<td>Ei vielä raporttia</td><td class="text-end">1</td>' in pledges
    assert '<td>Käynnissä</td><td class="text-end">1</td>' in initiatives
    assert "Työelämä" in by_theme
    assert '<td>Tavoitettuja ihmisiä (ihmistä)</td><td class="text-end">75</td>' in indicators
    # Every entry of the fixtures is in Helsinki: all of it in Uusimaa.
    assert '<th scope="row">Uusimaa</th><td class="text-end">75</td>' in by_region
    # Every chart has a readable name and the same figures as a table.
    assert section.count('<svg role="img" aria-label=') == 3


def test_open_data_carries_the_approved_reports(client, kept):
    data = json.loads(b"".join(client.get("/fi/open-data/entries.json").streaming_content))
    record = next(r for r in data["entries"] if r["reference"] == kept.reference)
    assert record["progress_status"] == "achieved"
    reports = record["progress_reports"]
    assert [r["status"] for r in reports] == ["not_started", "under_way", "achieved"]
    assert reports[1]["figures"] == {"people-reached": 40, "events-held": 2}
    assert reports[2]["text"] == {"fi": "Kaikki kesätyöt täytetty."}
    assert reports[0]["reason"] is None
    assert "Odottaa tarkastusta." not in json.dumps(data, ensure_ascii=False)

    entries = list(
        csv.DictReader(
            io.StringIO(
                b"".join(client.get("/fi/open-data/entries.csv").streaming_content).decode()
            )
        )
    )
    row = next(r for r in entries if r["reference"] == kept.reference)
    assert (row["progress_status"], row["progress_reports"]) == ("achieved", "3")

    response = client.get("/fi/open-data/reports.csv")
    assert 'filename="kotolupaus-reports.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["status"] for r in rows] == ["not_started", "under_way", "achieved"]
    assert rows[1]["figures"] == "people-reached=40|events-held=2"
    assert rows[2]["entry_url"].endswith(f"/fi/entries/{kept.pk}/")

    docs = client.get("/fi/open-data/").content.decode()
    assert "progress_reports" in docs and "entry_reference, entry_url, reported_on" in docs
    assert "<code>people-reached</code>" in docs


def test_a_report_text_that_looks_like_a_formula_stays_text_in_the_csv(
    client, campaign, coordinator
):
    entry = published_entry(campaign, coordinator)
    report_on(entry, text='=HYPERLINK("http://evil.example","x")', approve_by=coordinator)
    body = b"".join(client.get("/fi/open-data/reports.csv").streaming_content).decode()
    assert "'=HYPERLINK" in body


def test_the_feed_of_reports_lists_approved_reports_linked_to_their_place(client, kept):
    response = client.get("/fi/feed/reports.atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert body.count("<entry>") == 3
    achieved = kept.progress_reports.get(status="achieved")
    assert f"/fi/entries/{kept.pk}/#report-{achieved.pk}" in body
    assert "Kesätöitä nuorille: Toteutunut" in body
    assert 'hreflang="sv"' in body


@pytest.fixture
def programme(kept, campaign, coordinator):
    quiet = published_entry(campaign, coordinator, title="Hiljainen aloite", kind="initiative")
    for entry in (kept, quiet):
        review.record_decision(entry, Outcome.INCLUDED, "Hyvä.", coordinator)
    review.publish_decisions(campaign, coordinator)
    text = Programme(campaign=campaign)
    for language in ("fi", "sv", "en"):
        text.set_current_language(language)
        text.title, text.introduction = "Ohjelma", "Johdanto."
    text.save()
    return kept, quiet


def test_the_programme_has_a_follow_up_section_in_html_and_pdf(client, programme):
    assert len(programme) == 2
    html = client.get("/fi/programme/").content.decode()
    section = html[html.index('id="follow-up"') :]
    assert "Kesätöitä nuorille" in section and "Toteutunut" in section
    assert "Hiljainen aloite" in section and "Ei vielä raporttia" in section
    assert '<a href="#follow-up">' in html  # in the contents

    pdf = PdfReader(io.BytesIO(client.get("/fi/programme/pdf/").getvalue()))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "Seuranta" in text
    assert "Toteutunut" in text and "Ei vielä raporttia" in text


def test_reports_of_an_entry_that_is_no_longer_public_are_nowhere(client, kept):
    services.withdraw_entry(Entry.objects.get(pk=kept.pk))
    assert client.get(f"/fi/entries/{kept.pk}/").status_code == 410
    assert "<entry>" not in client.get("/fi/feed/reports.atom").content.decode()
    body = b"".join(client.get("/fi/open-data/reports.csv").streaming_content).decode()
    assert kept.reference not in body
    assert "Kaikki kesätyöt" not in client.get("/fi/statistics/").content.decode()


def test_a_new_entry_has_no_timeline_and_no_progress_badge(client, campaign, coordinator):
    entry = published_entry(campaign, coordinator)
    html = client.get(f"/fi/entries/{entry.pk}/").content.decode()
    assert "progress-timeline" not in html
    assert "badge-progress" not in html
    make_entry(campaign, "Lähettämätön")  # not published: nothing to report on
