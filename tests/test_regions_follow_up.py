"""The follow-up and the programme by region (issue 26, part 4): the indicator totals of
approved progress reports by region on the statistics page, and the cooperation
programme's section per region in HTML and in the PDF."""

import io
import re

import pytest
from pypdf import PdfReader

from publishing.models import Programme
from review import services as review
from review.models import Outcome
from submissions.models import Municipality

from .test_follow_up import published_entry, report_on

pytestmark = pytest.mark.django_db


def place(name):
    return Municipality.objects.get(name_fi=name)


@pytest.fixture
def reported(campaign, coordinator):
    """A Tampere pledge, a Tampere-and-Turku initiative and a pledge for all of Finland,
    each with approved figures; a report still waiting for moderation counts nowhere."""
    tampere = published_entry(
        campaign, coordinator, title="Tampereen kesätyöt", municipalities=[place("Tampere")]
    )
    two = published_entry(
        campaign,
        coordinator,
        kind="initiative",
        title="Kahden kaupungin kerho",
        municipalities=[place("Tampere"), place("Turku")],
    )
    everywhere = published_entry(
        campaign, coordinator, title="Koko maan mentorit", municipalities=[], whole_country=True
    )
    report_on(tampere, figures={"people-reached": 40, "events-held": 2}, approve_by=coordinator)
    report_on(tampere, figures={"people-reached": 5}, approve_by=coordinator)
    report_on(two, figures={"people-reached": 7}, approve_by=coordinator)
    report_on(everywhere, figures={"people-reached": 100}, approve_by=coordinator)
    report_on(two, figures={"people-reached": 1000})  # not approved
    return {"tampere": tampere, "two": two, "everywhere": everywhere}


def region_rows(page):
    table = page.split('class="table table-sm indicators-by-region"', 1)[1].split("</table>")[0]
    head = re.findall(r'<th scope="col" class="text-end">([^<]+)</th>', table)
    rows = {
        name: [int(v) for v in re.findall(r"<td[^>]*>(\d+)</td>", cells)]
        for name, cells in re.findall(r'<tr><th scope="row">([^<]+)</th>(.*?)</tr>', table)
    }
    return head, rows


def test_the_indicator_totals_by_region(client, reported):
    head, rows = region_rows(client.get("/fi/statistics/").content.decode())
    # The indicators reported, in the campaign's order.
    assert head == ["Tavoitettuja ihmisiä (ihmistä)", "Pidettyjä tapahtumia (tapahtumaa)"]
    assert len(rows) == 20  # the 19 regions and all of Finland
    assert rows["Pirkanmaa"] == [52, 2]  # 40 + 5 + 7
    assert rows["Varsinais-Suomi"] == [7, 0]
    assert rows["Koko Suomi"] == [100, 0]  # in its own row, not in every region
    assert rows["Uusimaa"] == [0, 0]


def test_without_reports_there_is_no_table_by_region(client, campaign, coordinator):
    published_entry(campaign, coordinator)
    assert "indicators-by-region" not in client.get("/fi/statistics/").content.decode()


@pytest.fixture
def programme(reported, campaign, coordinator):
    for entry in (reported["tampere"], reported["everywhere"]):
        review.record_decision(entry, Outcome.INCLUDED, "Hyvä.", coordinator)
    review.publish_decisions(campaign, coordinator)
    text = Programme(campaign=campaign)
    for language in ("fi", "sv", "en"):
        text.set_current_language(language)
        text.title, text.introduction = "Ohjelma", "Johdanto."
    text.save()
    return reported


def test_the_programme_has_a_section_per_region(client, programme):
    html = client.get("/en/programme/").content.decode()
    assert '<a href="#by-region">The programme by region</a>' in html
    section = html[html.index('id="by-region"') : html.index('id="follow-up"')]
    headings = re.findall(r'<h3 id="region-(\d\d)"[^>]*>([^<]+)</h3>', section)
    # The pledge for all of Finland is in every region; the Tampere one in Pirkanmaa.
    assert len(headings) == 19
    assert ("06", "Pirkanmaa (2)") in headings and ("01", "Uusimaa (1)") in headings
    pirkanmaa = section.split('id="region-06"', 1)[1].split("</ul>", 1)[0]
    assert "Tampereen kesätyöt" in pirkanmaa and "Koko maan mentorit" in pirkanmaa
    assert "Kahden kaupungin kerho" not in section  # not selected


def test_the_programme_pdf_has_the_section_per_region(client, programme):
    pdf = PdfReader(io.BytesIO(client.get("/sv/programme/pdf/").getvalue()))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "Programmet per landskap" in text
    assert "Birkaland (2)" in text and "Åland (1)" in text
    assert "Programmet per landskap" in titles(pdf.outline)


def titles(outline):
    """Every bookmark's title, at any depth."""
    found = []
    for item in outline:
        found += titles(item) if isinstance(item, list) else [item.title]
    return found
