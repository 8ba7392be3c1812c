"""The ministry's campaign report (issue 26, part 5): a coordinator's page, a tagged PDF
and an XLSX with inert cells in fi/sv/en; every figure about published entries equal to
what the open data says (recomputed here from the open-data file) and to the statistics
page's map; a campaign with no entries gets a report that says so."""

import io
import json
from collections import Counter

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from publishing import campaign_report
from review import services as review
from review.models import Outcome
from submissions import services
from submissions.models import REGION_CODES, Municipality, Region

from .conftest import make_campaign, make_entry
from .test_follow_up import published_entry, report_on

pytestmark = pytest.mark.django_db


def place(name):
    return Municipality.objects.get(name_fi=name)


@pytest.fixture
def campaign_with_entries(campaign, coordinator):
    """Published entries of several kinds, places and languages, one selected, reports
    with figures, one entry withdrawn and one never published."""
    tampere = published_entry(
        campaign, coordinator, title="Tampereen kesätyöt", municipalities=[place("Tampere")]
    )
    two = published_entry(
        campaign,
        coordinator,
        kind="initiative",
        title="Två städers klubb",
        language="sv",
        municipalities=[place("Vaasa"), place("Turku")],
    )
    everywhere = published_entry(
        campaign, coordinator, title="Koko maan mentorit", municipalities=[], whole_country=True
    )
    make_entry(campaign, "Odottaa vielä")  # received, not published
    gone = published_entry(campaign, coordinator, title="Peruttu")
    services.withdraw_entry(gone)
    review.record_decision(tampere, Outcome.INCLUDED, "Hyvä.", coordinator)
    review.publish_decisions(campaign, coordinator)
    report_on(tampere, "achieved", figures={"people-reached": 40}, approve_by=coordinator)
    report_on(two, "under_way", figures={"people-reached": 7}, approve_by=coordinator)
    report_on(everywhere, figures={"people-reached": 100}, approve_by=coordinator)
    return campaign


def table(made, key):
    return dict(next(t for t in made.tables if t.key == key).rows)


def open_data(client):
    return json.loads(b"".join(client.get("/en/open-data/entries.json").streaming_content))


def test_every_published_figure_equals_the_open_data(client, campaign_with_entries):
    from django.utils.translation import override

    with override("en"):
        made = campaign_report.report(campaign_with_entries)
    records = [r for r in open_data(client)["entries"] if r["campaign"] == "test-campaign"]
    assert made.published == len(records) == 3
    kinds = Counter(r["kind"] for r in records)
    assert table(made, "kind") == {"Pledge": [kinds["pledge"]], "Initiative": [kinds["initiative"]]}
    languages = Counter(r["original_language"] for r in records)
    assert table(made, "language") == {
        "suomi": [languages["fi"]], "svenska": [languages["sv"]], "English": [languages["en"]],
    }  # fmt: skip
    types = Counter(r["lead_organisation"]["type"] for r in records)
    assert table(made, "organisation_type")["Company"] == [types["company"]]
    names = dict(Region.objects.values_list("code", "name_en"))
    in_region = {
        names[code]: [
            sum(1 for r in records
                if r["whole_country"] or code in [g["code"] for g in r["regions"]])
        ]
        for code in REGION_CODES
    }  # fmt: skip
    assert table(made, "region") == in_region
    assert in_region["Pirkanmaa"] == [2] and in_region["Ostrobothnia"] == [2]
    themes = Counter(slug for r in records for slug in r["themes"])
    assert table(made, "theme")["Working life and jobs"] == [themes["working-life"]]
    selection = table(made, "selection")
    assert selection["Selected into the cooperation programme"][-1] == sum(
        r["in_programme"] for r in records
    )
    assert selection["Awarded a prize"][-1] == sum(bool(r["awards"]) for r in records)
    cooperation = table(made, "cooperation")
    assert cooperation["Partner organisations in them"][-1] == sum(
        len(r["partners"]) for r in records
    )
    assert cooperation["Single entries"][-1] == sum(not r["partners"] for r in records)
    statuses = Counter((r["kind"], r["progress_status"] or "none") for r in records)
    labels = {"not_started": "Not started", "under_way": "Under way", "achieved": "Achieved",
              "discontinued": "Discontinued", "none": "No report yet"}  # fmt: skip
    assert table(made, "status_kind") == {
        label: [statuses[("pledge", status)], statuses[("initiative", status)]]
        for status, label in labels.items()
    }
    assert table(made, "status_kind")["Under way"] == [1, 1]
    figures = table(made, "indicators_region")
    reached = Counter()
    for r in records:
        total = sum(report["figures"].get("people-reached", 0) for report in r["progress_reports"])
        for code in ["00"] if r["whole_country"] else [g["code"] for g in r["regions"]]:
            reached[code] += total
    assert figures["Pirkanmaa"][0] == reached["06"] == 40
    assert figures["Southwest Finland"][0] == reached["02"] == 7
    assert figures["All of Finland"][0] == reached["00"] == 100
    reports = table(made, "reports")
    assert reports["Progress reports published"] == [
        sum(len(r["progress_reports"]) for r in records)
    ]


def test_the_received_figures_count_what_the_public_does_not_see(campaign_with_entries):
    made = campaign_report.report(campaign_with_entries)
    # Five confirmed entries (one withdrawn, one never published), three published.
    assert (made.received, made.withdrawn, made.published) == (5, 1, 3)


def test_the_region_figures_equal_the_statistics_map(client, campaign_with_entries):
    from django.utils.translation import override

    with override("fi"):
        made = campaign_report.report(campaign_with_entries)
    page = client.get("/fi/statistics/").content.decode()
    from .test_regions_public import tiles

    drawn = {label.split(",")[0]: value for label, _s, _l, value in tiles(page)}
    assert {name: values[0] for name, values in table(made, "region").items()} == drawn


@pytest.mark.parametrize(
    ("language", "heading", "empty"),
    [
        ("fi", "Kampanjaraportti", "Kampanjaan ei ole vielä tullut yhtään lupausta"),
        ("sv", "Kampanjrapport", "Kampanjen har inte fått några löften"),
        ("en", "Campaign report", "No entries have been received for this campaign"),
    ],
)
def test_a_campaign_without_entries_gets_a_report_that_says_so(
    client, coordinator, language, heading, empty
):
    make_campaign("empty-campaign")
    client.force_login(coordinator)
    page = client.get(f"/{language}/admin/workspace/campaign-report/?campaign=empty-campaign")
    assert page.status_code == 200
    text = page.content.decode()
    assert heading in text and empty in text
    pdf = client.get(
        f"/{language}/admin/workspace/campaign-report/?campaign=empty-campaign&export=pdf"
    )
    reader = PdfReader(io.BytesIO(pdf.content))
    assert empty in "".join(p.extract_text() for p in reader.pages).replace("\n", " ")


def test_the_page_and_its_downloads(client, coordinator, campaign_with_entries):
    client.force_login(coordinator)
    page = client.get("/sv/admin/workspace/campaign-report/").content.decode()
    assert "Publicerade löften och initiativ per landskap" in page
    assert "Birkaland" in page
    pdf = client.get("/sv/admin/workspace/campaign-report/?export=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    assert reader.metadata.title.startswith("Kampanjrapport")
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged
    assert reader.trailer["/Root"]["/Lang"] == "sv"
    text = "".join(p.extract_text() for p in reader.pages)
    assert "Birkaland" in text and "Publicerade löften och initiativ per landskap" in text


def test_the_xlsx_holds_every_figure_in_inert_cells(client, coordinator, campaign_with_entries):
    campaign_with_entries.set_current_language("en")
    campaign_with_entries.name = '=HYPERLINK("http://evil.example","x")'
    campaign_with_entries.save()
    client.force_login(coordinator)
    response = client.get("/en/admin/workspace/campaign-report/?export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("table", "row", "column", "value")
    assert rows[1] == ("Campaign", '=HYPERLINK("http://evil.example","x")', None, None)
    assert sheet.cell(row=2, column=2).data_type == "s"  # text, never a formula
    assert ("Published entries by region", "Pirkanmaa", "Published entries", 2) in rows
    assert ("Figures reported by region", "All of Finland", "People reached (people)", 100) in rows


def test_only_coordinators_see_the_report(client, reviewer, campaign_with_entries):
    client.force_login(reviewer)
    assert client.get("/en/admin/workspace/campaign-report/").status_code in (302, 403)
