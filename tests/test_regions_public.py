"""The public side by region (issue 26, part 2): the catalogue's region filter with its
counts, "All of Finland" entries in every region, the entry page naming its regions,
and the region codes and names in the open data."""

import csv
import io
import json
import re

import pytest

from submissions.models import Municipality

from .test_follow_up import published_entry

pytestmark = pytest.mark.django_db


def place(name):
    return Municipality.objects.get(name_fi=name)


@pytest.fixture
def spread(campaign, coordinator):
    """A Tampere pledge, a Helsinki-and-Oulu initiative and a pledge for all of Finland."""
    return {
        "tampere": published_entry(
            campaign, coordinator, title="Tampereen kesätyöt", municipalities=[place("Tampere")]
        ),
        "two": published_entry(
            campaign,
            coordinator,
            kind="initiative",
            title="Kahden kaupungin kerho",
            municipalities=[place("Oulu"), place("Helsinki")],
        ),
        "everywhere": published_entry(
            campaign,
            coordinator,
            title="Valtakunnallinen mentorointi",
            municipalities=[],
            whole_country=True,
        ),
    }


def listed(client, **params):
    response = client.get("/fi/entries/", params)
    assert response.status_code == 200
    text = response.content.decode()
    return {
        title
        for title in (
            "Tampereen kesätyöt",
            "Kahden kaupungin kerho",
            "Valtakunnallinen mentorointi",
        )
        if title in text.split('class="facets"')[0] + text.split("</nav>", 1)[-1]
    }


def test_a_tampere_entry_is_found_under_pirkanmaa_and_not_under_uusimaa(client, spread):
    assert listed(client, maakunta="06") == {"Tampereen kesätyöt", "Valtakunnallinen mentorointi"}
    assert listed(client, maakunta="01") == {
        "Kahden kaupungin kerho",
        "Valtakunnallinen mentorointi",
    }
    assert listed(client, maakunta="17") == {
        "Kahden kaupungin kerho",
        "Valtakunnallinen mentorointi",
    }


@pytest.mark.parametrize(
    "code", ["01", "02", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14",
             "15", "16", "17", "18", "19", "21"],
)  # fmt: skip
def test_an_entry_for_all_of_finland_is_in_every_region_and_marked_so(client, spread, code):
    response = client.get("/fi/entries/", {"maakunta": code}).content.decode()
    assert "Valtakunnallinen mentorointi" in response
    card = response.split("Valtakunnallinen mentorointi", 1)[1].split("</article>", 1)[0]
    assert "Koko Suomi" in card


@pytest.mark.parametrize("code", ["03", "20", "99", "1", "x" * 19, "<script>", "06' OR 1=1"])
def test_an_unknown_region_code_is_ignored(client, spread, code):
    assert listed(client, maakunta=code) == {
        "Tampereen kesätyöt",
        "Kahden kaupungin kerho",
        "Valtakunnallinen mentorointi",
    }


def test_the_region_facet_counts_the_entries_of_each_region(client, spread):
    page = client.get("/fi/entries/").content.decode()
    facet = page.split("Maakunta</h3>", 1)[1].split("</ul>", 1)[0]
    assert "Koko Suomen lupaukset ja aloitteet lasketaan ja näytetään joka maakunnassa." in page
    links = {
        name: href
        for href, name in re.findall(r'<li><a href="([^"]+)"[^>]*>([^<]+)</a></li>', facet)
    }
    assert list(links)[:6] == [
        "Uusimaa (2)",
        "Varsinais-Suomi (1)",
        "Satakunta (1)",
        "Kanta-Häme (1)",
        "Pirkanmaa (2)",
        "Päijät-Häme (1)",
    ]
    assert "Pohjois-Pohjanmaa (2)" in links and "Ahvenanmaa (1)" in links
    assert len(links) == 19
    assert links["Pirkanmaa (2)"] == "/fi/entries/?maakunta=06"


def test_the_region_facet_is_named_in_the_page_language(client, spread):
    swedish = client.get("/sv/entries/").content.decode()
    assert "Landskap</h3>" in swedish and "Birkaland (2)" in swedish
    english = client.get("/en/entries/").content.decode()
    assert "Region</h3>" in english and "Southwest Finland (1)" in english


def test_the_filter_in_use_names_the_region(client, spread):
    page = client.get("/en/entries/", {"maakunta": "06"}).content.decode()
    in_use = page.split('class="active-filters"', 1)[1].split("</ul>", 1)[0]
    assert "Region: Pirkanmaa" in in_use


def test_the_entry_page_names_its_regions(client, spread):
    page = client.get(f"/fi/entries/{spread['two'].pk}/").content.decode()
    assert "<dt>Maakunta</dt><dd>Uusimaa, Pohjois-Pohjanmaa</dd>" in page
    page = client.get(f"/en/entries/{spread['tampere'].pk}/").content.decode()
    assert "<dt>Region</dt><dd>Pirkanmaa</dd>" in page
    page = client.get(f"/sv/entries/{spread['everywhere'].pk}/").content.decode()
    assert "<dt>Landskap</dt><dd>Alla landskap (hela Finland)</dd>" in page


def test_the_read_model_carries_the_region_codes(spread):
    from publishing.models import PublicEntry

    codes = dict(PublicEntry.objects.values_list("title_fi", "region_codes"))
    assert codes == {
        "Tampereen kesätyöt": ["06"],
        "Kahden kaupungin kerho": ["01", "17"],
        "Valtakunnallinen mentorointi": [],
    }


def test_open_data_has_the_region_codes_and_names(client, spread):
    data = json.loads(b"".join(client.get("/sv/open-data/entries.json").streaming_content))
    record = next(r for r in data["entries"] if r["reference"] == spread["two"].reference)
    assert record["regions"] == [
        {"code": "01", "name_fi": "Uusimaa", "name_sv": "Nyland", "name_en": "Uusimaa"},
        {
            "code": "17",
            "name_fi": "Pohjois-Pohjanmaa",
            "name_sv": "Norra Österbotten",
            "name_en": "North Ostrobothnia",
        },
    ]
    text = b"".join(client.get("/en/open-data/entries.csv").streaming_content).decode()
    rows = {row["reference"]: row for row in csv.DictReader(io.StringIO(text))}
    row = rows[spread["two"].reference]
    assert (row["region_codes"], row["region_names_sv"], row["region_names_en"]) == (
        "01|17",
        "Nyland|Norra Österbotten",
        "Uusimaa|North Ostrobothnia",
    )
    everywhere = rows[spread["everywhere"].reference]
    assert (everywhere["whole_country"], everywhere["region_codes"]) == ("true", "")
    docs = client.get("/en/open-data/").content.decode()
    assert "<code>regions</code>" in docs and "<code>21</code> – Åland" in docs


# --- The statistics page's tile map ---------------------------------------------------------


def tiles(page):
    """[(its title: what a screen reader says, shade class, [label lines], value)] of the
    map's tiles, in order."""
    svg = page.split('class="region-map__svg"', 1)[1].split("</svg>", 1)[0]
    found = []
    for attributes, body in re.findall(r"<a ([^>]*)>(.*?)</a>", svg, re.S):
        label = re.search(r"<title>([^<]+)</title>", body).group(1)
        shade = re.search(r"region-map__tile--(\d)", attributes).group(1)
        lines = re.findall(r'class="region-map__name">([^<]+)<', body)
        value = int(re.search(r'class="region-map__value">(\d+)<', body).group(1))
        found.append((label, shade, lines, value))
    return found


def table(page):
    body = page.split('class="table table-sm region-map__table"', 1)[1].split("</tbody>", 1)[0]
    return [
        (name, [int(v) for v in values])
        for name, values in (
            (row[0], re.findall(r"<td[^>]*>(\d+)</td>", row[1]))
            for row in re.findall(r'<tr><th scope="row">([^<]+)</th>(.*?)</tr>', body)
        )
    ]


def test_the_map_has_19_labelled_tiles_with_their_figures(client, spread):
    page = client.get("/en/statistics/").content.decode()
    drawn = tiles(page)
    assert len(drawn) == 19
    by_name = {" ".join(lines).replace("- ", "-"): value for _l, _s, lines, value in drawn}
    assert by_name == {
        "Uusimaa": 2, "Southwest Finland": 1, "Satakunta": 1, "Kanta-Häme": 1, "Pirkanmaa": 2,
        "Päijät-Häme": 1, "Kymenlaakso": 1, "South Karelia": 1, "South Savo": 1,
        "North Savo": 1, "North Karelia": 1, "Central Finland": 1, "South Ostrobothnia": 1,
        "Ostrobothnia": 1, "Central Ostrobothnia": 1, "North Ostrobothnia": 2, "Kainuu": 1,
        "Lapland": 1, "Åland": 1,
    }  # fmt: skip
    assert drawn[4][0] == ("Pirkanmaa, 2 published entries, 0 in the programme, 0 achieved")
    assert 'href="/en/entries/?maakunta=06"' in page
    # The highest figure has the darkest shade (4), half of it the middle one (2).
    shades = {" ".join(lines): shade for _l, shade, lines, _v in drawn}
    assert (shades["Uusimaa"], shades["Satakunta"]) == ("4", "2")


def test_the_table_has_the_same_figures_as_the_map(client, spread):
    page = client.get("/fi/statistics/").content.decode()
    rows = table(page)
    assert [name for name, _values in rows][:3] == ["Uusimaa", "Varsinais-Suomi", "Satakunta"]
    assert len(rows) == 19
    drawn = {label.split(",")[0]: value for label, _s, _lines, value in tiles(page)}
    assert {name: values[0] for name, values in rows} == drawn
    assert dict(rows)["Pirkanmaa"] == [2, 0, 0]


def test_the_map_shows_the_chosen_figure_with_a_legend(client, spread, coordinator):
    from publishing.models import PublicEntry

    PublicEntry.objects.filter(pk=spread["tampere"].pk).update(progress_status="achieved")
    page = client.get("/fi/statistics/", {"figure": "achieved"}).content.decode()
    values = {label.split(",")[0]: value for label, _s, _lines, value in tiles(page)}
    assert values["Pirkanmaa"] == 1 and values["Uusimaa"] == 0
    figures = page.split('class="region-map__figures"', 1)[1].split("</ul>", 1)[0]
    assert 'href="?figure=achieved#region-map-heading" aria-current="true"' in figures
    legend = page.split('class="region-map__legend"', 1)[1].split("</ul>", 1)[0]
    assert re.findall(r"</svg> ([^<]+)</li>", legend) == ["0", "1"]


def test_an_unknown_figure_shows_the_entries(client, spread):
    page = client.get("/fi/statistics/", {"figure": "<script>"}).content.decode()
    assert 'href="?figure=entries#region-map-heading" aria-current="true"' in page


def test_the_map_of_a_service_with_nothing_published(client, campaign):
    page = client.get("/sv/statistics/").content.decode()
    assert len(tiles(page)) == 19
    assert {value for _l, _s, _lines, value in tiles(page)} == {0}
    legend = page.split('class="region-map__legend"', 1)[1].split("</ul>", 1)[0]
    assert re.findall(r"</svg> ([^<]+)</li>", legend) == ["0"]
