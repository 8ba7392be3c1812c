"""Every kind of change the public can see reaches the public pages at once: the
catalogue, the search and the entry page show the new state, and a browser or CDN that
asks with an old ETag gets the new page (200), never a stale 304. Staff's changes are
made as staff make them, in the admin; a submitter's edit of a published entry waits for
moderation while the approved version stays public."""

import pytest
from django.core import mail
from django.utils import timezone

from kotolupaus.models import Message, MessageKind
from publishing import services as publishing
from publishing.models import Programme
from review import services as review
from review.models import AwardCategory
from submissions import services as submissions
from submissions.models import Indicator, TargetGroup, Theme

from .admin_forms import save_in_admin
from .conftest import entry_form_data, make_entry, token_from
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


def test_an_edit_waits_for_moderation_while_the_approved_version_stays_public(client, site):
    entry = site["entry"]
    report = submissions.add_report(
        entry,
        {"status": "under_way", "reported_on": timezone.localdate(), "text": "Kymmenen nuorta."},
        language="fi",
    )
    publishing.moderate_report(report, "approved", by=site["coordinator"])
    token = submissions.add_management_link(entry)
    before = snapshot(client, entry)

    client.post(
        f"/fi/manage/{token}/edit/",
        entry_form_data("pledge", title="Kesätöitä vuonna 2027", org_name="Uusi Nimi Oy"),
    )

    status, page = text(client, f"/fi/entries/{entry.pk}/")
    assert status == 200
    assert "Kesätöitä nuorille" in page and "Kesätöitä vuonna 2027" not in page
    assert "Uusi Nimi Oy" not in page
    assert "Kymmenen nuorta." in page  # its approved report too
    assert "Kesätöitä nuorille" in text(client, "/fi/entries/?q=kesätöitä")[1]
    assert "Nothing found" in text(client, "/en/entries/?q=2027")[1]
    assert "Uusi Nimi Oy" not in text(client, "/fi/entries/?q=uusi")[1]

    publishing.approve(entry, site["coordinator"])

    page = text(client, f"/fi/entries/{entry.pk}/")[1]
    assert "Kesätöitä vuonna 2027" in page and "Uusi Nimi Oy" in page
    assert "Kymmenen nuorta." in page
    assert "Kesätöitä vuonna 2027" in text(client, "/fi/entries/?q=2027")[1]
    assert "Kesätöitä vuonna 2027" in text(client, "/fi/entries/?q=uusi")[1]
    assert_revalidates(client, before)


def test_a_rejected_edit_keeps_the_approved_version_and_tells_the_submitter(client, site):
    entry = site["entry"]
    token = submissions.add_management_link(entry)
    client.post(f"/fi/manage/{token}/edit/", entry_form_data("pledge", title="Huono otsikko"))
    mail.outbox = []

    publishing.reject(entry, site["coordinator"])
    run_jobs()
    entry.refresh_from_db()

    page = text(client, f"/fi/entries/{entry.pk}/")[1]
    assert "Kesätöitä nuorille" in page and "Huono otsikko" not in page
    (message,) = mail.outbox
    assert message.to == ["maija@esimerkki.example.fi"]  # as the edit gave it
    assert message.subject == f"Muutoksiasi lupaukseen {entry.reference} ei hyväksytty"
    assert "Lupaus pysyy kampanjan verkkosivuilla sellaisena kuin se julkaistiin aiemmin." in (
        message.body
    )
    assert Message.objects.filter(kind=MessageKind.EDIT_REJECTED, entry_id=entry.pk).count() == 1
    manage = text(client, f"/en/manage/{token}/")[1]
    assert "Your latest changes were not accepted" in manage


def test_rejecting_the_approved_version_takes_the_entry_off_at_once(client, site):
    entry = site["entry"]
    before = snapshot(client, entry)

    publishing.reject(entry, site["coordinator"])

    assert text(client, f"/fi/entries/{entry.pk}/")[0] == 410
    assert "Kesätöitä nuorille" not in text(client, "/fi/entries/?q=kesätöitä")[1]
    assert_revalidates(client, before)


def test_withdrawal_takes_the_entry_off_at_once_also_while_an_edit_waits(client, site):
    entry = site["entry"]
    token = submissions.add_management_link(entry)
    client.post(f"/fi/manage/{token}/edit/", entry_form_data("pledge", title="Muutettu"))
    before = snapshot(client, entry)

    client.post(f"/fi/manage/{token}/", {"action": "withdraw_entry", "confirm": "yes"})

    assert text(client, f"/fi/entries/{entry.pk}/")[0] == 410
    assert "Kesätöitä nuorille" not in text(client, "/fi/entries/?q=kesätöitä")[1]
    assert_revalidates(client, before)


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
    client.force_login(site["coordinator"])

    url = f"/fi/admin/review/award/{award.pk}/change/"
    save_in_admin(client, f"{url}?language=fi", citation="Rohkea, selkeä ja jo toteutettu.")
    client.logout()

    assert "Rohkea, selkeä ja jo toteutettu." in text(client, f"/fi/entries/{entry.pk}/")[1]
    assert_revalidates(client, before)
    # Pages in other languages show the citation as it was written until it is
    # translated, and the translation once it is.
    assert "Rohkea, selkeä ja jo toteutettu." in text(client, f"/sv/entries/{entry.pk}/")[1]
    client.force_login(site["coordinator"])
    save_in_admin(client, f"{url}?language=sv", citation="Modigt, tydligt och redan genomfört.")
    client.logout()
    swedish = text(client, f"/sv/entries/{entry.pk}/")[1]
    assert "Modigt, tydligt och redan genomfört." in swedish
    assert "Rohkea, selkeä" not in swedish


def test_campaign_texts_in_every_footer_are_shown_at_once(client, site):
    entry = site["entry"]
    before = snapshot(client, entry)

    client.force_login(site["coordinator"])
    save_in_admin(
        client,
        f"/fi/admin/submissions/campaign/{entry.campaign.pk}/change/?language=fi",
        contact="Uusi yhteystieto: kotolupaus@example.fi",
    )
    client.logout()

    for url in [*PAGES.values(), f"/fi/entries/{entry.pk}/"]:
        assert "Uusi yhteystieto" in text(client, url)[1], url
    assert_revalidates(client, before)


@pytest.mark.parametrize("taxonomy", [Theme, TargetGroup])
def test_theme_and_target_group_names_are_shown_at_once(client, site, taxonomy, admin_user):
    entry = site["entry"]
    before = snapshot(client, entry)
    item = taxonomy.objects.filter(entries=entry).first()
    client.force_login(admin_user)  # an administrator keeps the taxonomies

    save_in_admin(
        client,
        f"/fi/admin/submissions/{taxonomy._meta.model_name}/{item.pk}/change/?language=fi",
        name="Aivan uusi nimi",
    )
    client.logout()

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
    client.force_login(site["coordinator"])

    save_in_admin(
        client,
        f"/fi/admin/publishing/programme/{programme.pk}/change/?language=fi",
        introduction="Toinen, korjattu johdanto.",
    )
    client.logout()

    again = client.get("/fi/programme/", headers={"if-none-match": old["ETag"]})
    assert again.status_code == 200
    assert "Toinen, korjattu johdanto." in again.content.decode()


def test_a_change_nobody_sees_leaves_the_pages_as_they_were(client, site):
    """A campaign counting a new entry is no public change: pages still revalidate."""
    entry = site["entry"]
    page = client.get("/fi/entries/")

    make_entry(entry.campaign, "Vielä vahvistamatta", confirm=False)

    assert client.get("/fi/entries/", headers={"if-none-match": page["ETag"]}).status_code == 304


def test_an_organisation_renamed_in_the_admin_is_shown_and_found_at_once(client, site, admin_user):
    entry = site["entry"]
    before = snapshot(client, entry)
    client.force_login(admin_user)  # an administrator

    save_in_admin(
        client,
        f"/fi/admin/submissions/organisation/{entry.lead_organisation_id}/change/",
        name="Kesätyöyhdistys Aurinko ry",
    )
    client.logout()

    assert "Kesätyöyhdistys Aurinko ry" in text(client, f"/fi/entries/{entry.pk}/")[1]
    found = text(client, "/fi/entries/?q=aurinko")[1]
    assert "Kesätöitä nuorille" in found and "Kesätyöyhdistys Aurinko ry" in found
    assert "Nothing found" in text(client, "/en/entries/?q=esimerkki")[1]  # the old name
    assert_revalidates(client, before)


def test_a_partner_organisation_renamed_in_the_admin_is_shown_and_found_at_once(
    client, site, admin_user
):
    entry = site["entry"]
    client.post(f"/fi/partner/{site['partner_token']}/", {"answer": "confirm"})
    partner = entry.partnerships.get().organisation
    before = snapshot(client, entry)
    client.force_login(admin_user)

    save_in_admin(
        client, f"/fi/admin/submissions/organisation/{partner.pk}/change/", name="Lukuseura Sivu"
    )
    client.logout()

    assert "Lukuseura Sivu" in text(client, f"/fi/entries/{entry.pk}/")[1]
    assert "Kesätöitä nuorille" in text(client, "/fi/entries/?q=lukuseura")[1]
    assert "Nothing found" in text(client, "/en/entries/?q=kirjastoyhdistys")[1]
    assert_revalidates(client, before)


def test_an_indicator_renamed_in_the_admin_is_shown_at_once(client, site):
    entry = site["entry"]
    indicator = Indicator.objects.filter(campaign=entry.campaign).order_by("position").first()
    report = submissions.add_report(
        entry,
        {
            "status": "under_way",
            "reported_on": timezone.localdate(),
            "text": "Kymmenen nuorta.",
            "figures": {indicator: 10},
        },
        language="fi",
    )
    publishing.moderate_report(report, "approved", by=site["coordinator"])
    pages = {
        "entry": client.get(f"/fi/entries/{entry.pk}/"),
        "statistics": client.get("/fi/statistics/"),
    }
    assert "Tavoitetut nuoret" not in pages["entry"].content.decode()
    client.force_login(site["coordinator"])

    save_in_admin(
        client,
        f"/fi/admin/submissions/indicator/{indicator.pk}/change/?language=fi",
        name="Tavoitetut nuoret",
    )
    client.logout()

    assert "Tavoitetut nuoret" in text(client, f"/fi/entries/{entry.pk}/")[1]
    assert "Tavoitetut nuoret" in text(client, "/fi/statistics/")[1]
    assert_revalidates(client, pages)
