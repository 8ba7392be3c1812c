"""Partners wanted (issue 25, point 1): the entry form's fieldset for both kinds, the
management page's section and its own page, the catalogue's filters and chips, the
cards' label and the entry page's words."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from publishing import services as publishing
from publishing.models import PublicEntry
from submissions import services as submissions
from submissions.models import Entry, PartnerSearch, Theme

from .conftest import entry_form_data, form_url, make_entry, manage_token, token_from

pytestmark = pytest.mark.django_db

FORM_WORDS = {
    "fi": ("Kumppaneita haetaan", "Etsimme kumppaneita", "Millaisia organisaatioita etsit"),
    "sv": (
        "Partnerorganisationer söks",
        "Vi söker partnerorganisationer",
        "Vilka typer av organisationer du söker",
    ),
}
NOTHING_SOUGHT = {
    "fi": "Kerro, millaisia kumppaneita etsit: valitse organisaatiotyyppi, maakunta tai teema",
    "sv": "Berätta vilka partnerorganisationer du söker: kryssa för en typ av organisation",
}


def theme(slug):
    return Theme.objects.get(slug=slug)


def search_data(**overrides):
    """The fieldset as a browser posts it: two kinds, two regions, a theme, open."""
    data = {
        "wanted_looking": "on",
        "wanted_types": ["company", "municipality"],
        "wanted_regions": ["06", "01"],
        "wanted_themes": [str(theme("working-life").pk)],
        "wanted_open": "on",
        "partners_sought": "Yrityksiä ja kuntia.",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def checked(html, name, value=None):
    """Whether the box `name` (=`value`, for one of a group) is ticked in the page."""
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag and (value is None or f'value="{value}"' in tag):
            return " checked" in tag
    raise AssertionError(f"no box {name}={value}")


def publish(entry, by):
    publishing.approve(entry, by)
    return entry


def searching(campaign, title, by, *, kind="pledge", **search):
    """A published entry with a search for partners (the service the form uses)."""
    wanted = {"wanted_looking": True, **search}
    return publish(make_entry(campaign, title, kind=kind, **wanted), by)


# --- The entry form ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["pledge", "initiative"])
@pytest.mark.parametrize("language", ["fi", "sv"])
def test_the_form_saves_the_search_and_shows_it_again(client, campaign, kind, language):
    page = client.get(form_url(kind, language)).content.decode()
    for words in FORM_WORDS[language]:
        assert words in page
    assert 'name="partners_sought"' in page  # now for pledges too

    data = entry_form_data(kind, **search_data(), original_language=language)
    preview = client.post(form_url(kind, language), {**data, "action": "preview"})
    assert preview.status_code == 200
    assert {"fi": "Yritys, Kunta tai kuntayhtymä", "sv": "Företag, Kommun eller samkommun"}[
        language
    ] in preview.content.decode()
    response = client.post(form_url(kind, language), data)
    assert response.status_code == 302

    entry = Entry.objects.get(submission_key=data["submission_key"])
    search = PartnerSearch.objects.get(entry=entry)
    assert search.looking is True
    assert search.organisation_types == ["company", "municipality"]
    assert sorted(search.regions.values_list("code", flat=True)) == ["01", "06"]
    assert list(search.themes.values_list("slug", flat=True)) == ["working-life"]
    assert search.open_to_cooperation is True
    assert search.whole_country is False
    assert entry.original_text("partners_sought") == "Yrityksiä ja kuntia."

    token = token_from(mail.outbox[-1].body)
    edit = client.get(f"/{language}/manage/{token}/edit/").content.decode()
    assert checked(edit, "wanted_looking")
    assert checked(edit, "wanted_open")
    assert checked(edit, "wanted_types", "company")
    assert checked(edit, "wanted_types", "municipality")
    assert not checked(edit, "wanted_types", "ngo")
    assert checked(edit, "wanted_regions", "06")
    assert not checked(edit, "wanted_regions", "02")


def test_a_draft_keeps_the_search(client, campaign):
    data = entry_form_data("pledge", **search_data(), action="draft")
    response = client.post(form_url("pledge"), data)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()

    assert checked(page, "wanted_types", "company")
    assert checked(page, "wanted_regions", "01")
    assert not checked(page, "wanted_regions", "02")
    assert "Yrityksiä ja kuntia." in page


def test_an_edit_changes_the_search_and_the_public_side_at_once(client, campaign, staff_user):
    entry = searching(campaign, "Kesätöitä", staff_user, wanted_types=["company"])
    token = manage_token(entry)
    data = entry_form_data("pledge", **search_data(wanted_types=["ngo"], wanted_regions=None))
    data.update(action="save", submission_key=str(entry.submission_key))

    response = client.post(f"/fi/manage/{token}/edit/", data)

    assert response.status_code == 302
    assert PublicEntry.objects.get(pk=entry.pk).sought_types == ["ngo"]


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_looking_without_saying_what_is_an_error_and_keeps_what_was_typed(
    client, campaign, language
):
    data = entry_form_data(
        "initiative",
        **search_data(
            wanted_types=None, wanted_regions=None, wanted_themes=None, partners_sought=""
        ),
        title="Yhteinen kielikahvila",
        action="preview",
    )

    response = client.post(form_url("initiative", language), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert NOTHING_SOUGHT[language] in html
    assert 'value="Yhteinen kielikahvila"' in html
    assert checked(html, "wanted_open")
    assert not Entry.objects.exists()


# --- The management page ------------------------------------------------------------------


def catalogue_pks(client, query, language="fi"):
    html = client.get(f"/{language}/entries/?{query}").content.decode()
    return {
        int(pk)
        for pk in re.findall(
            r'class="entry-card__title"[^>]*><a href="/[a-z]{2}/entries/(\d+)/"', html
        )
    }


def test_the_management_page_switches_the_search_off_and_on_at_once(client, campaign, staff_user):
    entry = searching(
        campaign, "Kesätöitä", staff_user, wanted_types=["company"], wanted_regions=["06"]
    )
    token = manage_token(entry)
    page = client.get(f"/fi/manage/{token}/").content.decode()
    assert "Kumppaneiksi etsitään: yrityksiä; maakunnasta Pirkanmaa" in page
    assert "Löysimme kumppanit – lopeta haun näyttäminen" in page
    assert catalogue_pks(client, "partners=on") == {entry.pk}

    found = client.post(f"/fi/manage/{token}/partners-wanted/", {"action": "found"})

    assert found.status_code == 302
    public = PublicEntry.objects.get(pk=entry.pk)
    assert public.seeks_partners is False
    assert PartnerSearch.objects.get(entry=entry).found_at is not None
    assert catalogue_pks(client, "partners=on") == set()
    assert "Kumppaneita haetaan" not in client.get(f"/fi/entries/{entry.pk}/").content.decode()
    page = client.get(f"/fi/manage/{token}/").content.decode()
    assert "Näytä kumppanihaku taas" in page

    client.post(f"/fi/manage/{token}/partners-wanted/", {"action": "again"})

    assert PublicEntry.objects.get(pk=entry.pk).seeks_partners is True
    assert PartnerSearch.objects.get(entry=entry).found_at is None
    assert catalogue_pks(client, "partners=on") == {entry.pk}

    client.post(f"/fi/manage/{token}/partners-wanted/", {"action": "open"})
    assert PublicEntry.objects.get(pk=entry.pk).open_to_cooperation is True
    client.post(f"/fi/manage/{token}/partners-wanted/", {"action": "closed"})
    assert PublicEntry.objects.get(pk=entry.pk).open_to_cooperation is False


def test_the_page_of_its_own_edits_the_search_and_refuses_an_empty_one(
    client, campaign, staff_user
):
    entry = publish(make_entry(campaign, "Kesätöitä"), staff_user)
    token = manage_token(entry)
    url = f"/sv/manage/{token}/partners-wanted/"
    assert "no-store" in client.get(url)["Cache-Control"]

    refused = client.post(url, {"action": "save", "wanted_looking": "on", "wanted_open": "on"})

    assert refused.status_code == 200
    assert NOTHING_SOUGHT["sv"] in refused.content.decode()
    assert checked(refused.content.decode(), "wanted_open")
    assert not PartnerSearch.objects.filter(entry=entry).exists()

    saved = client.post(url, {"action": "save", "wanted_looking": "on", "wanted_anywhere": "on"})

    assert saved.status_code == 302
    public = PublicEntry.objects.get(pk=entry.pk)
    assert public.seeks_partners is True
    assert public.sought_whole_country is True
    assert len(public.sought_region_codes) == 19


def test_a_withdrawn_entry_cannot_edit_its_search(client, campaign, staff_user):
    entry = searching(campaign, "Kesätöitä", staff_user, wanted_types=["company"])
    token = manage_token(entry)
    submissions.withdraw_entry(entry)

    assert client.get(f"/fi/manage/{token}/partners-wanted/").status_code == 410
    assert (
        client.post(f"/fi/manage/{token}/partners-wanted/", {"action": "again"}).status_code == 410
    )
    assert "Löysimme kumppanit" not in client.get(f"/fi/manage/{token}/").content.decode()


# --- The catalogue, cards and the entry page -----------------------------------------------


@pytest.fixture
def seekers(campaign, staff_user):
    """Five published entries: four searches of their own, one not looking."""
    working = theme("working-life").pk
    language = theme("training-language").pk
    made = [
        searching(campaign, "Yksi", staff_user, wanted_types=["company"], wanted_regions=["06"]),
        searching(
            campaign,
            "Kaksi",
            staff_user,
            kind="initiative",
            wanted_types=["company", "ngo"],
            wanted_anywhere=True,
            wanted_themes=[working],
        ),
        searching(campaign, "Kolme", staff_user, wanted_regions=["01"], wanted_themes=[language]),
        publish(make_entry(campaign, "Neljä", wanted_open=True), staff_user),
        searching(campaign, "Viisi", staff_user, wanted_types=["religious"]),
    ]
    PartnerSearch.objects.filter(entry=made[4]).update(looking=False, found_at=timezone.now())
    from publishing.changes import public_change

    public_change(entry=made[4])
    return made


def references(client, query):
    pks = catalogue_pks(client, query)
    return sorted(Entry.objects.filter(pk__in=pks).values_list("reference", flat=True))


def test_the_catalogue_filters_by_what_is_sought(client, campaign, seekers):
    year = seekers[0].reference[3:7]

    def ref(*numbers):
        return [f"KL-{year}-{number}" for number in numbers]

    assert references(client, "partners=on") == ref("0001", "0002", "0003")
    assert references(client, "seeks_type=company") == ref("0001", "0002")
    assert references(client, "seeks_type=ngo") == ref("0002")
    assert references(client, "seeks_type=religious") == []  # found: no longer shown
    assert references(client, "seeks_region=06") == ref("0001", "0002")  # 0002: all Finland
    assert references(client, "seeks_region=01") == ref("0002", "0003")
    assert references(client, "seeks_theme=training-language") == ref("0003")
    assert references(client, "seeks_theme=working-life&seeks_region=19") == ref("0002")
    # An unknown region filters nothing out, as the region filter does (maakunta=99).
    assert references(client, "seeks_region=99") == ref("0001", "0002", "0003", "0004", "0005")
    assert references(client, "seeks_theme=no-such-theme") == []


@pytest.mark.parametrize(
    ("language", "chips"),
    [
        ("fi", ["Etsii kumppaneita: kyllä", "Haettu organisaatiotyyppi: Yritys"]),
        ("sv", ["Söker partnerorganisationer: ja", "Typ av organisation som söks: Företag"]),
        ("en", ["Looking for partners: yes", "Kind of organisation sought: Company"]),
    ],
)
def test_the_filters_in_use_are_shown_as_chips(client, campaign, seekers, language, chips):
    html = client.get(f"/{language}/entries/?partners=on&seeks_type=company").content.decode()
    for chip in chips:
        assert chip in html


@pytest.mark.parametrize(
    ("language", "label", "words", "heading"),
    [
        (
            "fi",
            "Etsii kumppaneita",
            "Kumppaneiksi etsitään: yrityksiä, yhdistyksiä, säätiöitä tai muita järjestöjä; "
            "mistä päin Suomea tahansa; teemana Työelämä ja työllistyminen",
            "Kumppaneita haetaan",
        ),
        (
            "sv",
            "Söker partnerorganisationer",
            "De söker: företag, föreningar, stiftelser eller andra organisationer; var som "
            "helst i Finland; inom temat Arbetsliv och sysselsättning",
            "Partnerorganisationer söks",
        ),
        (
            "en",
            "Looking for partners",
            "They look for: companies, associations, foundations or other NGOs; anywhere in "
            "Finland; on the theme Working life and jobs",
            "Partners wanted",
        ),
    ],
)
def test_cards_and_the_entry_page_say_what_is_sought(
    client, campaign, seekers, language, label, words, heading
):
    cards = client.get(f"/{language}/entries/").content.decode()
    assert cards.count(f'<li class="badge-partners">{label}</li>') == 3

    page = client.get(f"/{language}/entries/{seekers[1].pk}/").content.decode()
    assert words in page
    assert heading in page
    assert f"/{language}/entries/{seekers[1].pk}/join/" in page


@pytest.mark.parametrize(
    ("language", "regions"),
    [
        # In the order of the regions' codes (Uusimaa 01, Pirkanmaa 06).
        ("fi", "Kumppaneiksi etsitään: maakunnista Uusimaa tai Pirkanmaa"),
        ("sv", "De söker: i Nyland eller Birkaland"),
        ("en", "They look for: in Uusimaa or Pirkanmaa"),
    ],
)
def test_regions_sought_are_named(client, campaign, staff_user, language, regions):
    entry = searching(campaign, "Yksi", staff_user, wanted_regions=["06", "01"])

    html = client.get(f"/{language}/entries/{entry.pk}/").content.decode()
    assert regions in html


def test_a_pledge_open_to_cooperation_offers_to_join(client, campaign, seekers):
    page = client.get(f"/en/entries/{seekers[3].pk}/").content.decode()

    assert "Open to cooperation" in page
    assert "We want to join" in page
    assert "They look for:" not in page


def test_the_filtered_catalogue_costs_the_same_with_one_or_five_entries(
    client, campaign, staff_user
):
    from django.core.cache import caches

    def cost():
        caches["default"].clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/fi/entries/?partners=on&seeks_type=company&seeks_region=06")
        assert response.status_code == 200
        return len(queries)

    searching(campaign, "Yksi", staff_user, wanted_types=["company"], wanted_regions=["06"])
    one = cost()
    for n in range(4):
        searching(
            campaign, f"Lisää {n}", staff_user, wanted_types=["company"], wanted_anywhere=True
        )
    five = cost()

    assert len(catalogue_pks(client, "partners=on&seeks_type=company&seeks_region=06")) == 5
    assert one == five
