"""Finnish, Swedish and English as the ministry would publish them: the kind of entry
named where it is known, the reader's own names for languages and places, dates and
times as each language writes them, and default texts that translators have seen."""

import importlib
import re
from datetime import date, datetime

import pytest
from django.apps import apps
from django.utils.formats import date_format
from django.utils.translation import gettext, override

from kotolupaus.templatetags.kotolupaus import HELSINKI, when
from publishing import services as publishing
from review.defaults import DEFAULT_CRITERIA
from review.models import Criterion
from submissions import defaults
from submissions.models import Entry, Municipality, TargetGroup, Theme

from .conftest import entry_form_data, form_url, make_campaign, make_entry, token_from

pytestmark = pytest.mark.django_db


# --- The kind of entry, where it is known -------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "language", "almost", "thanks"),
    [
        (
            "pledge",
            "fi",
            "Melkein valmista: vahvista sähköpostiosoitteesi, jotta lupauksesi lähetetään",
            "Kiitos – lupauksesi on lähetetty",
        ),
        (
            "initiative",
            "fi",
            "Melkein valmista: vahvista sähköpostiosoitteesi, jotta aloitteesi lähetetään",
            "Kiitos – aloitteesi on lähetetty",
        ),
        (
            "pledge",
            "sv",
            "Nästan klart: bekräfta din e-postadress för att skicka ditt löfte",
            "Tack – ditt löfte har skickats",
        ),
        (
            "initiative",
            "sv",
            "Nästan klart: bekräfta din e-postadress för att skicka ditt initiativ",
            "Tack – ditt initiativ har skickats",
        ),
        (
            "initiative",
            "en",
            "Almost done: confirm your e-mail address to send your initiative",
            "Thank you – your initiative was sent",
        ),
    ],
)
def test_thank_you_pages_name_the_kind_that_was_sent(
    client, campaign, kind, language, almost, thanks
):
    from django.core import mail

    from .conftest import confirm_address

    response = client.post(form_url(kind, language), entry_form_data(kind), follow=True)
    content = response.content.decode()
    confirmed = confirm_address(client, mail.outbox[-1])
    sent = client.get(confirmed["Location"]).content.decode()

    assert f"<h1>{almost}</h1>" in content
    assert f"<title>{almost} –" in content
    assert f"<h1>{thanks}</h1>" in sent
    for page in (content, sent):
        assert "lupauksesi tai aloitteesi" not in page
        assert "lupaustasi tai aloitettasi" not in page


@pytest.mark.parametrize(
    ("kind", "heading", "section"),
    [
        ("pledge", "Tarkista lupauksesi ennen lähettämistä", "Lupauksesi"),
        ("initiative", "Tarkista aloitteesi ennen lähettämistä", "Aloitteesi"),
    ],
)
def test_preview_names_the_kind_and_writes_dates_the_finnish_way(
    client, campaign, kind, heading, section
):
    content = client.post(
        form_url(kind, "fi"), entry_form_data(kind, action="preview")
    ).content.decode()

    assert f"<h1>{heading}</h1>" in content
    assert f"<h2>{section}</h2>" in content
    if kind == "pledge":
        assert "<dd>31.8.2027</dd>" in content
        assert "2027-08-31</dd>" not in content
    # The language the text is written in, as an answer: "Suomi", not "suomi".
    assert "<dd>Suomi</dd>" in content


def test_management_page_speaks_of_an_initiative_as_an_initiative(client, campaign):
    client.post(form_url("initiative", "fi"), entry_form_data("initiative"))
    from django.core import mail

    from .conftest import confirm_address

    confirm_address(client, mail.outbox[-1])
    token = token_from(mail.outbox[0].body)
    content = client.get(f"/fi/manage/{token}/").content.decode()

    assert "Muokkaa aloitetta" in content
    assert "Peruuta aloite" in content
    assert "Olet antanut luvan julkaista aloitteen." in content
    assert "lupausta tai aloitetta" not in content


def test_form_help_texts_and_consent_name_the_kind(client, campaign):
    pledge = client.get(form_url("pledge", "en")).content.decode()
    initiative = client.get(form_url("initiative", "en")).content.decode()

    assert "The organisation that leads the pledge." in pledge
    assert "may publish this pledge (its title" in pledge
    assert "Language the pledge is written in" in pledge
    assert "The organisation that leads the initiative." in initiative
    assert "may publish this initiative (its title" in initiative
    assert "Language the initiative is written in" in initiative
    for content in (pledge, initiative):
        assert "pledge or initiative" not in content
        assert "this entry" not in content


def test_consent_stored_with_an_initiative_is_the_wording_shown_for_initiatives(client, campaign):
    client.post(form_url("initiative", "sv"), entry_form_data("initiative"))

    entry = Entry.objects.get()
    assert entry.consent_wording.startswith(
        "Jag godkänner att ministeriet publicerar detta initiativ"
    )


# --- Errors read as sentences ---------------------------------------------------------------


def test_error_summary_has_no_full_stop_before_a_colon(client, campaign):
    data = entry_form_data("pledge", authorised=None, promise=None)

    content = client.post(form_url("pledge", "fi"), data).content.decode()
    summary = re.search(r'<div class="error-summary".*?</div>', content, re.S).group(0)

    assert ".:" not in summary
    assert ">Vahvista, että sinulla on oikeus lähettää tämä organisaation puolesta.</a>" in summary
    # A question stays a question, followed by the error without a colon.
    assert ">Mitä lupaat? Kirjoita, mitä lupaat.</a>" in summary


# --- Language names, place names, dates and times -------------------------------------------


@pytest.mark.parametrize(
    ("page_language", "entry_language", "phrase"),
    [
        ("en", "fi", "This text is shown as it was written (in Finnish)."),
        ("sv", "fi", "Texten visas så som den skrevs (på finska)."),
        ("fi", "sv", "Teksti näytetään sellaisena kuin se on kirjoitettu (ruotsiksi)."),
        ("fi", "en", "Teksti näytetään sellaisena kuin se on kirjoitettu (englanniksi)."),
    ],
)
def test_language_of_an_untranslated_text_is_named_in_the_pages_language(
    client, campaign, staff_user, page_language, entry_language, phrase
):
    entry = make_entry(campaign, "Otsikko", language=entry_language)
    publishing.approve(entry, staff_user)

    page = client.get(f"/{page_language}/entries/{entry.pk}/").content.decode()
    catalogue = client.get(f"/{page_language}/entries/").content.decode()

    assert phrase in page
    in_language = re.search(r"\((.+)\)\.$", phrase).group(1)
    assert f"({in_language})" in catalogue
    for own_name in ("(suomi)", "(svenska)", "(English)"):
        assert own_name not in page


SWEDISH_MAJORITY = {
    # The municipalities the issue names, and Åland's capital.
    "Närpes", "Korsholm", "Larsmo", "Pedersöre", "Kronoby", "Jakobstad", "Kristinestad",
    "Malax", "Vörå", "Nykarleby", "Raseborg", "Kimitoön", "Pargas", "Ingå", "Korsnäs",
    "Mariehamn", "Jomala", "Eckerö",
}  # fmt: skip
FINNISH_MAJORITY_BILINGUAL = {"Lovisa", "Sibbo", "Borgå", "Helsingfors", "Esbo", "Vasa"}


def test_majority_language_follows_the_2023_2032_classification():
    swedish = set(Municipality.objects.filter(majority_language="sv").values_list("name_sv"))
    swedish = {name for (name,) in swedish}

    assert len(swedish) == 31  # 16 in Åland, 15 bilingual with a Swedish majority
    assert swedish >= SWEDISH_MAJORITY
    assert not swedish & FINNISH_MAJORITY_BILINGUAL


@pytest.mark.parametrize(
    ("code", "fi", "sv", "en"),
    [
        ("478", "Maarianhamina", "Mariehamn", "Mariehamn"),
        ("598", "Pietarsaari", "Jakobstad", "Jakobstad"),
        ("545", "Närpiö", "Närpes", "Närpes"),
        ("091", "Helsinki", "Helsingfors", "Helsinki"),
        ("638", "Porvoo", "Borgå", "Porvoo"),
        ("434", "Loviisa", "Lovisa", "Loviisa"),
    ],
)
def test_municipality_is_named_for_the_reader_of_each_language(code, fi, sv, en):
    municipality = Municipality.objects.get(code=code)

    for language, expected in (("fi", fi), ("sv", sv), ("en", en)):
        with override(language):
            assert str(municipality) == expected


def test_english_page_shows_mariehamn_not_maarianhamina(client, campaign, staff_user):
    entry = make_entry(campaign, "Språkcafé", language="sv")
    entry.municipalities.set([Municipality.objects.get(code="478")])
    publishing.approve(entry, staff_user)

    english = client.get(f"/en/entries/{entry.pk}/").content.decode()
    finnish = client.get(f"/fi/entries/{entry.pk}/").content.decode()

    assert "Mariehamn" in english and "Maarianhamina" not in english
    assert "Maarianhamina" in finnish


def test_form_lists_municipalities_alphabetically_by_the_name_shown(client, campaign):
    content = client.get(form_url("pledge", "en")).content.decode()
    names = re.findall(
        r'name="municipalities" value="\d+" id="[^"]+"><label class="form-check-label"'
        r' for="[^"]+">([^<]+)</label>',
        content,
    )

    assert "Mariehamn" in names and "Maarianhamina" not in names
    assert names == sorted(names)


@pytest.mark.parametrize(
    ("language", "day", "moment"),
    [
        ("fi", "31.12.2027", "31.12.2027 klo 9.05 (Suomen aikaa)"),
        ("sv", "31.12.2027", "31.12.2027 kl. 9.05 (finsk tid)"),
        ("en", "31 December 2027", "31 December 2027, 09:05 (Finnish time)"),
    ],
)
def test_dates_and_times_are_written_as_each_language_writes_them(language, day, moment):
    from datetime import UTC

    utc = datetime(2027, 12, 31, 7, 5, tzinfo=UTC)  # 9.05 in Helsinki (winter time)

    with override(language):
        assert date_format(date(2027, 12, 31), "DATE_FORMAT") == day
        assert date_format(date(2027, 12, 31), "SHORT_DATE_FORMAT") in (day, "31 Dec 2027")
        assert when(utc) == moment
    assert utc.astimezone(HELSINKI).hour == 9


def test_management_page_gives_the_sending_time_with_the_zone(client, campaign):
    client.post(form_url("pledge", "sv"), entry_form_data("pledge"))
    from django.core import mail

    from .conftest import confirm_address

    confirm_address(client, mail.outbox[-1])
    token = token_from(mail.outbox[0].body)
    content = client.get(f"/sv/manage/{token}/").content.decode()

    assert re.search(
        r"Skickat den \d{1,2}\.\d{1,2}\.\d{4} kl\. \d{1,2}\.\d{2} \(finsk tid\)\.", content
    )


def test_closed_form_says_when_it_opens_in_helsinki_time(client, helsinki):
    make_campaign(opens_at=helsinki(2099, 3, 1, 9, 0), closes_at=helsinki(2099, 4, 1, 0, 0))

    content = client.get(form_url("pledge", "fi")).content.decode()

    assert "Lomake avataan 1.3.2099 klo 9.00 (Suomen aikaa)." in content


# --- Default texts are msgids, and the rows match the catalogues ----------------------------


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_default_rows_match_the_catalogues(language):
    """The seeding migrations carry frozen copies of the defaults; a reviewed change in
    the .po files needs a data migration too, or this fails (locale/TERMS.md)."""
    for model, table in ((Theme, defaults.THEMES), (TargetGroup, defaults.TARGET_GROUPS)):
        rows = {row.slug: row for row in model.objects.prefetch_related("translations")}
        for slug, msgid in table:
            with override(language):
                expected = gettext(msgid)
            assert rows[slug].safe_translation_getter("name", language_code=language) == (
                expected
            ), (model.__name__, slug)


def test_a_new_campaign_gets_the_default_criteria_as_the_catalogues_translate_them():
    campaign = make_campaign("criteria-campaign")

    criteria = list(Criterion.objects.filter(campaign=campaign).prefetch_related("translations"))
    assert [c.position for c in criteria] == [row[0] for row in DEFAULT_CRITERIA]
    for criterion, (_position, _weight, name, guidance) in zip(
        criteria, DEFAULT_CRITERIA, strict=True
    ):
        for language in ("fi", "sv", "en"):
            with override(language):
                assert criterion.safe_translation_getter("name", language_code=language) == (
                    gettext(name)
                )
                assert criterion.safe_translation_getter(
                    "guidance", language_code=language
                ) == gettext(guidance)
    swedish = [c.safe_translation_getter("name", language_code="sv") for c in criteria]
    assert "Konkrethet" in swedish and "Konkretion" not in swedish


def test_data_migrations_fix_old_default_texts_and_leave_edited_ones_alone():
    campaign = make_campaign("old-texts")
    first, fourth = Criterion.objects.filter(campaign=campaign, position__in=[1, 4])
    translation = Criterion._parler_meta.root_model
    translation.objects.filter(master=first, language_code="sv").update(name="Konkretion")
    translation.objects.filter(master=fourth, language_code="fi").update(name="Uutuus")
    edited = make_campaign("edited-texts")
    translation.objects.filter(
        master__campaign=edited, master__position=1, language_code="sv"
    ).update(name="Hur konkret är det?")
    group = TargetGroup._parler_meta.root_model.objects.filter(
        master__slug="newly-arrived", language_code="fi"
    )
    group.update(name="Äskettäin maahan muuttaneet")

    importlib.import_module("review.migrations.0009_reviewed_default_criteria").forwards(apps, None)
    importlib.import_module("submissions.migrations.0010_reviewed_default_taxonomies").forwards(
        apps, None
    )

    assert translation.objects.get(master=first, language_code="sv").name == "Konkrethet"
    assert translation.objects.get(master=fourth, language_code="fi").name == "Uudenlaisuus"
    assert (
        translation.objects.get(
            master__campaign=edited, master__position=1, language_code="sv"
        ).name
        == "Hur konkret är det?"
    )
    assert group.get().name == "Vasta maahan muuttaneet"


def test_migrations_never_import_live_application_code():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    offenders = []
    for path in root.glob("*/migrations/*.py"):
        for line in path.read_text().splitlines():
            # Field validators are referenced as makemigrations writes them; nothing else.
            if re.match(
                r"\s*(from|import) (submissions|review|publishing|kotolupaus)\b(?!\.validators$)",
                line,
            ):
                offenders.append(f"{path.relative_to(root)}: {line.strip()}")
    assert offenders == []


def test_staff_pages_show_an_entry_in_its_own_language_when_untranslated(
    client, campaign, coordinator
):
    entry = make_entry(campaign, "Språkcafé i Vasa", language="sv")
    client.force_login(coordinator)

    for path in ("queue/", "ranking/"):
        content = client.get(f"/fi/admin/workspace/{path}").content.decode()
        assert '<td lang="sv">Språkcafé i Vasa' in content, path
    with override("fi"):
        assert Entry.objects.get(pk=entry.pk).title == "Språkcafé i Vasa"


def test_default_indicators_are_named_as_the_catalogues_say_in_new_and_migrated_campaigns():
    """New campaigns take the indicators' names and units from the catalogues; the data
    migration for campaigns that existed before carries the same texts, frozen."""
    from submissions.defaults import INDICATORS
    from submissions.models import Indicator

    frozen = {
        slug: texts
        for slug, _position, _maximum, texts in importlib.import_module(
            "submissions.migrations.0012_default_indicators"
        ).INDICATORS
    }
    campaign = make_campaign("indicator-texts")
    for slug, name, unit, _maximum in INDICATORS:
        indicator = Indicator.objects.get(campaign=campaign, slug=slug)
        for language in ("fi", "sv", "en"):
            with override(language):
                expected = (gettext(name), str(unit))
            assert frozen[slug][language] == expected
            assert (
                indicator.safe_translation_getter("name", language_code=language),
                indicator.safe_translation_getter("unit", language_code=language),
            ) == expected
