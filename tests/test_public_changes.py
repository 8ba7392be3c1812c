"""Every kind of change the public can see reaches the public pages at once: the
catalogue, the search and the entry page show the new state, and a browser or CDN that
asks with an old ETag gets the new page (200), never a stale 304."""

import pytest
from django.core import mail

from publishing import services as publishing
from publishing.models import Programme
from review import services as review
from review.models import Award, AwardCategory
from submissions import services as submissions
from submissions.models import TargetGroup, Theme

from .conftest import make_entry, token_from
from .jobs import run_jobs

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(campaign, coordinator):
    entry = make_entry(
        campaign,
        "Kesätöitä nuorille",
        partners=[("Kirjastoyhdistys Lukijat", "lukijat@example.fi")],
        confirm=False,
    )
    submissions.confirm_address(entry)
    run_jobs()
    partner_token = token_from(mail.outbox[-1].body, "partner")
    mail.outbox = []
    publishing.approve(entry, coordinator)
    return {"entry": entry, "partner_token": partner_token, "coordinator": coordinator}


PAGES = {
    "catalogue": "/fi/entries/",
    "search": "/fi/entries/?q=kesätöitä",
}


def snapshot(client, entry):
    """Each public page with its ETag, as a browser would have kept it."""
    pages = {**PAGES, "entry": f"/fi/entries/{entry.pk}/"}
    return {name: client.get(url) for name, url in pages.items()}


def assert_revalidates(client, before):
    """Asked with the ETag it had, every page now answers 200 with a new ETag."""
    for name, response in before.items():
        if response.status_code != 200:
            continue
        url = response.wsgi_request.get_full_path()
        again = client.get(url, headers={"if-none-match": response["ETag"]})
        assert again.status_code in (200, 410), (name, again.status_code)
        if again.status_code == 200:
            assert again["ETag"] != response["ETag"], name


def text(client, url):
    response = client.get(url)
    return response.status_code, response.content.decode()


def test_a_partner_confirming_is_shown_and_found_at_once(client, site):
    entry = site["entry"]
    before = snapshot(client, entry)
    assert "Kirjastoyhdistys Lukijat" not in before["entry"].content.decode()

    client.post(f"/fi/partner/{site['partner_token']}/", {"answer": "confirm"})

    assert "Kirjastoyhdistys Lukijat" in text(client, f"/fi/entries/{entry.pk}/")[1]
    assert entry.reference in text(client, "/fi/entries/?q=kirjastoyhdistys")[1] or (
        "Kesätöitä nuorille" in text(client, "/fi/entries/?q=kirjastoyhdistys")[1]
    )
    assert_revalidates(client, before)


def test_a_partner_declining_after_confirming_disappears_at_once(client, site):
    entry = site["entry"]
    client.post(f"/fi/partner/{site['partner_token']}/", {"answer": "confirm"})
    before = snapshot(client, entry)

    client.post(f"/fi/partner/{site['partner_token']}/", {"answer": "decline"})

    assert "Kirjastoyhdistys Lukijat" not in text(client, f"/fi/entries/{entry.pk}/")[1]
    assert "Kesätöitä nuorille" not in text(client, "/fi/entries/?q=kirjastoyhdistys")[1]
    assert_revalidates(client, before)


def test_an_edit_by_the_submitter_takes_the_entry_off_until_moderated(client, site):
    from .conftest import entry_form_data

    entry = site["entry"]
    token = submissions.add_management_link(entry)
    before = snapshot(client, entry)

    client.post(f"/fi/manage/{token}/edit/", entry_form_data("pledge", title="Kesätöitä 2027"))

    assert text(client, f"/fi/entries/{entry.pk}/")[0] == 410  # no longer public
    assert "Kesätöitä" not in text(client, "/fi/entries/")[1]
    assert_revalidates(client, before)
    publishing.approve(entry, site["coordinator"])
    assert "Kesätöitä 2027" in text(client, "/fi/entries/?q=kesätöitä")[1]


def test_consent_withdrawn_takes_the_entry_off_at_once(client, site):
    entry = site["entry"]
    before = snapshot(client, entry)

    submissions.set_consent(entry, False)

    assert text(client, f"/fi/entries/{entry.pk}/")[0] == 410  # no longer public
    assert "Kesätöitä nuorille" not in text(client, "/fi/entries/?q=kesätöitä")[1]
    assert_revalidates(client, before)


def test_a_staff_translation_is_shown_and_found_at_once(client, site):
    entry = site["entry"]
    before = {"sv": client.get("/sv/entries/"), "sv entry": client.get(f"/sv/entries/{entry.pk}/")}
    client.force_login(site["coordinator"])

    response = client.post(
        f"/sv/admin/publishing/publictext/{entry.pk}/change/?language=sv",
        {
            "title": "Sommarjobb för unga",
            "summary": "Vi erbjuder sommarjobb.",
            "description": "Beskrivning.",
            "promise": "Vi lovar.",
            "target": "Mål.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()

    page = text(client, f"/sv/entries/{entry.pk}/")[1]
    assert "Sommarjobb för unga" in page
    assert "Översatt av kampanjens personal" in page or "Translated by the campaign" in page
    assert "Sommarjobb för unga" in text(client, "/sv/entries/?q=sommarjobb")[1]
    assert_revalidates(client, before)


def test_a_decision_published_puts_the_entry_in_the_programme_at_once(client, site):
    entry = site["entry"]
    review.record_decision(entry, "included", "Hyvä.", site["coordinator"], language="fi")
    before = snapshot(client, entry)

    review.publish_decisions(entry.campaign, site["coordinator"])

    assert "In the cooperation programme" in text(client, f"/en/entries/{entry.pk}/")[1]
    assert "Kesätöitä nuorille" in text(client, "/fi/programme/")[1]
    assert_revalidates(client, before)


def test_a_prize_and_its_citation_are_shown_at_once(client, site):
    entry = site["entry"]
    category = AwardCategory.objects.create(campaign=entry.campaign)
    category.set_current_language("fi")
    category.name = "Vuoden teko"
    category.save()
    award = review.award(category, entry, {"fi": "Rohkea ja selkeä."}, site["coordinator"])
    before = snapshot(client, entry)

    award = Award.objects.get(pk=award.pk)
    award.set_current_language("fi")
    award.citation = "Rohkea, selkeä ja jo toteutettu."
    award.save()

    assert "Rohkea, selkeä ja jo toteutettu." in text(client, f"/fi/entries/{entry.pk}/")[1]
    assert_revalidates(client, before)
    # Pages in other languages show the citation as it was written until it is
    # translated, and the translation once it is.
    assert "Rohkea, selkeä ja jo toteutettu." in text(client, f"/sv/entries/{entry.pk}/")[1]
    award.set_current_language("sv")
    award.citation = "Modigt, tydligt och redan genomfört."
    award.save()
    swedish = text(client, f"/sv/entries/{entry.pk}/")[1]
    assert "Modigt, tydligt och redan genomfört." in swedish
    assert "Rohkea, selkeä" not in swedish


def test_campaign_texts_in_every_footer_are_shown_at_once(client, site):
    entry = site["entry"]
    before = snapshot(client, entry)

    campaign = entry.campaign
    campaign.set_current_language("fi")
    campaign.contact = "Uusi yhteystieto: kotolupaus@example.fi"
    campaign.save()

    for url in [*PAGES.values(), f"/fi/entries/{entry.pk}/"]:
        assert "Uusi yhteystieto" in text(client, url)[1], url
    assert_revalidates(client, before)


@pytest.mark.parametrize("taxonomy", [Theme, TargetGroup])
def test_theme_and_target_group_names_are_shown_at_once(client, site, taxonomy):
    entry = site["entry"]
    before = snapshot(client, entry)
    item = taxonomy.objects.filter(entries=entry).first()

    item.set_current_language("fi")
    item.name = "Aivan uusi nimi"
    item.save()

    assert "Aivan uusi nimi" in text(client, f"/fi/entries/{entry.pk}/")[1]
    assert "Aivan uusi nimi" in text(client, "/fi/entries/")[1]
    assert_revalidates(client, before)


def test_programme_text_is_shown_at_once(client, site):
    entry = site["entry"]
    programme = Programme(campaign=entry.campaign)
    programme.set_current_language("fi")
    programme.title = "Yhteistyöohjelma"
    programme.introduction = "Ensimmäinen johdanto."
    programme.save()
    old = client.get("/fi/programme/")

    programme.introduction = "Toinen, korjattu johdanto."
    programme.save()

    again = client.get("/fi/programme/", headers={"if-none-match": old["ETag"]})
    assert again.status_code == 200
    assert "Toinen, korjattu johdanto." in again.content.decode()


def test_a_change_nobody_sees_leaves_the_pages_as_they_were(client, site):
    """A campaign counting a new entry is no public change: pages still revalidate."""
    entry = site["entry"]
    page = client.get("/fi/entries/")

    make_entry(entry.campaign, "Vielä vahvistamatta", confirm=False)

    assert client.get("/fi/entries/", headers={"if-none-match": page["ETag"]}).status_code == 304
