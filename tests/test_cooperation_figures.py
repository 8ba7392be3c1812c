"""Cooperation in figures (issue 25, point 4): the figures equal a hand count, and appear
on the statistics page, the coordinator's dashboard, the ministry's report (page, PDF,
XLSX) and in the open data, in fi, sv and en — aggregates only, never an address."""

import io
import json
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from publishing import services as publishing
from publishing.cooperation.figures import cooperation_figures
from publishing.models import JoinRequest
from submissions import services as submissions
from submissions.models import Organisation, Partnership

from .conftest import make_entry

pytestmark = pytest.mark.django_db


def confirm(entry, name, kind):
    partnership = Partnership.objects.get(entry=entry, organisation__name=name)
    Organisation.objects.filter(pk=partnership.organisation_id).update(type=kind)
    submissions.answer_partnership(partnership, True)


def request(entry, n, status):
    answered = None if status == "waiting" else timezone.now()
    JoinRequest.objects.create(
        entry=entry,
        organisation=f"Pyytäjä {n}",
        name="Pekka",
        email=f"p{n}@example.fi",
        message="Hei!",
        status=status,
        answered_at=answered,
    )


@pytest.fixture
def counted(campaign):
    """Written out by hand: three public entries (a company's with four confirmed partners
    and one that declined, an NGO's with one confirmed and one only invited, a
    municipality's alone), one never published and one withdrawn (with partners that
    do not count), and seven requests to join."""
    company = make_entry(
        campaign,
        "Yrityksen",
        organisation="Yritys Oy",
        org_type="company",
        partners=[
            ("Yhdistys ry", "a@example.fi"),
            ("Seurakunta", "b@example.fi"),
            ("Toinen Oy", "c@example.fi"),
            ("Tuntematon", "d@example.fi"),
            ("Kieltäytyi ry", "e@example.fi"),
        ],
    )
    confirm(company, "Yhdistys ry", "ngo")
    confirm(company, "Seurakunta", "religious")
    confirm(company, "Toinen Oy", "company")
    confirm(company, "Tuntematon", "")
    submissions.answer_partnership(
        Partnership.objects.get(entry=company, organisation__name="Kieltäytyi ry"), False
    )
    ngo = make_entry(
        campaign,
        "Yhdistyksen",
        organisation="Yhdistys B ry",
        org_type="ngo",
        partners=[("Kunta", "f@example.fi"), ("Kolmas ry", "g@example.fi")],
    )
    confirm(ngo, "Kunta", "municipality")
    town = make_entry(campaign, "Kunnan", organisation="Kunta C", org_type="municipality")
    pending = make_entry(
        campaign,
        "Odottaa",
        organisation="Seurakunta D",
        org_type="religious",
        partners=[("Yritys E", "h@example.fi")],
    )
    confirm(pending, "Yritys E", "company")
    gone = make_entry(
        campaign,
        "Peruttu",
        organisation="Opisto",
        org_type="education",
        partners=[("Yritys F", "i@example.fi")],
    )
    confirm(gone, "Yritys F", "company")
    for entry in (company, ngo, town, gone):
        publishing.approve(entry, None)
    submissions.withdraw_entry(gone)
    for n, (entry, status) in enumerate(
        [
            (company, "waiting"),
            (company, "waiting"),
            (company, "accepted"),
            (company, "declined"),
            (company, "expired"),
            (pending, "closed"),
            (town, "relayed"),
        ]
    ):
        request(entry, n, status)
    return campaign


def test_the_figures_equal_the_hand_count(counted):
    figures = cooperation_figures(counted)
    assert figures.public == 3
    assert figures.joint == 2
    assert figures.joint_share == Decimal("66.7")
    assert figures.partners == 5
    assert figures.partners_per_entry == Decimal("1.7")
    assert figures.requests == {
        "waiting": 2,
        "accepted": 1,
        "declined": 1,
        "expired": 1,
        "closed": 1,
        "relayed": 1,
    }
    assert figures.requests_sent == 7
    assert [(p.first, p.second, p.count) for p in figures.pairs] == [
        ("company", "ngo", 1),
        ("company", "religious", 1),
        ("municipality", "ngo", 1),
    ]
    assert (figures.same_kind, figures.unknown_kind) == (1, 1)
    # Of every campaign: the same, there being one.
    assert cooperation_figures().as_data() == figures.as_data()


def test_no_entries_no_division(campaign):
    figures = cooperation_figures(campaign)
    assert (figures.public, figures.joint_share, figures.partners_per_entry) == (0, None, None)


PAGE_WORDS = {
    "fi": [
        "Yhteistyö luvuin",
        "Yhteisten lupausten ja aloitteiden osuus",
        "66,7 %",
        "1,7",
        "Yritys + Yhdistys, säätiö tai muu kansalaisjärjestö",
        "Mukaantulopyynnöt",
    ],
    "sv": [
        "Samarbete i siffror",
        "Andel gemensamma bidrag",
        "66,7 %",
        "1,7",
        "Företag + Förening, stiftelse eller annan medborgarorganisation",
        "Förfrågningar om att delta",
    ],
    "en": [
        "Cooperation in figures",
        "Share of joint entries",
        "66.7 %",
        "1.7",
        "Company + Association, foundation or other NGO",
        "Requests to join",
    ],
}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_statistics_page_shows_them(client, counted, language):
    page = client.get(f"/{language}/statistics/").content.decode()
    for words in PAGE_WORDS[language]:
        assert words in page, words
    assert "example.fi" not in page


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_dashboard_shows_them(client, coordinator, counted, language):
    client.force_login(coordinator)
    page = client.get(
        f"/{language}/admin/workspace/dashboard/", {"campaign": counted.slug}
    ).content.decode()
    for words in PAGE_WORDS[language]:
        assert words in page, words


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_report_shows_them_on_the_page_in_the_pdf_and_the_xlsx(
    client, coordinator, counted, language
):
    client.force_login(coordinator)
    url = f"/{language}/admin/workspace/campaign-report/"
    page = client.get(url, {"campaign": counted.slug}).content.decode()
    title, share, pair = PAGE_WORDS[language][0], PAGE_WORDS[language][1], PAGE_WORDS[language][4]
    assert title in page and share in page and pair in page
    pdf = client.get(url, {"campaign": counted.slug, "export": "pdf"})
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert title in " ".join(text.split())
    xlsx = client.get(url, {"campaign": counted.slug, "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert any(row[1] == pair and row[3] == 1 for row in rows)


def test_the_open_data_has_them_in_each_language(client, counted):
    files = {}
    for language in ("fi", "sv", "en"):
        response = client.get(f"/{language}/open-data/cooperation.json")
        assert response.status_code == 200
        files[language] = json.loads(b"".join(response.streaming_content))
    data = files["en"]
    assert data["licence"] == "CC BY 4.0"
    assert data["cooperation"] == {
        "public_entries": 3,
        "joint_entries": 2,
        "joint_share_percent": 66.7,
        "partner_organisations": 5,
        "partner_organisations_per_entry": 1.7,
        "join_requests": {
            "sent": 7,
            "waiting": 2,
            "accepted": 1,
            "declined": 1,
            "expired": 1,
            "closed": 1,
            "relayed": 1,
        },
        "partnerships_across_sectors": [
            {
                "types": ["company", "ngo"],
                "label": "Company + Association, foundation or other NGO",
                "count": 1,
            },
            {
                "types": ["company", "religious"],
                "label": "Company + Religious community",
                "count": 1,
            },
            {
                "types": ["municipality", "ngo"],
                "label": "Municipality or joint municipal authority + Association, foundation or "
                "other NGO",
                "count": 1,
            },
        ],
        "partnerships_within_a_sector": 1,
        "partnerships_kind_unknown": 1,
    }
    assert [c["campaign"] for c in data["campaigns"]] == [counted.slug]
    assert files["fi"]["cooperation"]["partnerships_across_sectors"][0]["label"] == (
        "Yritys + Yhdistys, säätiö tai muu kansalaisjärjestö"
    )
    assert "@" not in json.dumps(files)
    docs = client.get("/en/open-data/").content.decode()
    assert "/en/open-data/cooperation.json" in docs
