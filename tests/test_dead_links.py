"""Private links that worked once and no longer do answer with a 410 page that says what
happened and what to do, in the page's language: a confirmation link opened again, the
links of an entry deleted because nobody confirmed it (or erased on request), a removed
partner's invitation, an invitation replaced by a newer one. Only the links' hashes are
kept (RetiredLink); a link that never existed stays a plain 404."""

import re

import pytest
from django.core import mail

from publishing.personal_data import erase
from submissions import services
from submissions.models import Entry, RetiredLink
from submissions.tokens import hash_token

from .conftest import (
    confirm_address,
    entry_form_data,
    form_url,
    make_entry,
    manage_token,
    token_from,
    with_partners,
)
from .jobs import run_jobs

pytestmark = pytest.mark.django_db


def links_of(message):
    """(confirmation path, management path) in a confirmation e-mail."""
    confirm = re.search(r"http://testserver(/\w\w/submit/confirm/[\w-]+/)", message.body).group(1)
    manage = re.search(r"http://testserver(/\w\w/manage/[\w-]+/)", message.body).group(1)
    return confirm, manage


def in_language(path, language):
    return f"/{language}/" + path.split("/", 2)[2]


def assert_gone(response, heading):
    assert response.status_code == 410
    page = response.content.decode()
    assert f"<h1>{heading}</h1>" in page
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    assert '<meta name="robots" content="noindex">' in page
    return page


# --- An entry nobody confirmed ---------------------------------------------------------------

DELETED = {
    "fi": (
        "Tämä lupaus tai aloite on poistettu",
        "Sen sähköpostiosoitetta ei vahvistettu 7 päivän kuluessa, joten se poistettiin "
        "kaikkine tietoineen. Jos haluat osallistua, täytä lomake uudelleen.",
        ('<a href="/fi/submit/pledge/">Anna lupaus</a>', "/fi/submit/initiative/"),
    ),
    "sv": (
        "Det här löftet eller initiativet har raderats",
        "Dess e-postadress bekräftades inte inom 7 dagar, så det raderades med allt som "
        "skickades med det. Om du vill delta kan du fylla i formuläret på nytt.",
        ("/sv/submit/pledge/", "/sv/submit/initiative/"),
    ),
    "en": (
        "This entry was deleted",
        "Its e-mail address was not confirmed within 7 days, so the entry and everything "
        "sent with it were deleted. To take part, fill in the form again.",
        ('<a href="/en/submit/pledge/">Make a pledge</a>', "/en/submit/initiative/"),
    ),
}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_links_of_an_entry_deleted_unconfirmed_say_so_and_offer_the_forms(
    client, campaign, language
):
    client.post(form_url("pledge", "fi"), entry_form_data("pledge"))
    confirm, manage = links_of(mail.outbox[0])
    entry = Entry.objects.get()

    services.delete_unconfirmed(entry)

    heading, text, links = DELETED[language]
    for path in (confirm, manage, f"{manage}edit/", f"{manage}partners/"):
        page = assert_gone(client.get(in_language(path, language)), heading)
        assert text in page
        for link in links:
            assert link in page
    assert_gone(client.post(in_language(confirm, language)), heading)
    assert not Entry.objects.exists()


def test_the_links_of_an_unconfirmed_entry_erased_on_request_say_why(client, campaign, coordinator):
    client.post(form_url("pledge", "en"), entry_form_data("pledge"))
    confirm, manage = links_of(mail.outbox[0])

    erase("maija@esimerkki.example.fi", coordinator)

    for path in (confirm, manage):
        page = assert_gone(client.get(path), "This entry was deleted")
        assert (
            "It was deleted with its contact person&#x27;s personal data, as the contact "
            "person asked. Nothing of it is kept."
        ) in page
        assert "/submit/pledge/" not in page.split("<main", 1)[1].split("</main>")[0]


def test_only_hashes_of_retired_links_are_kept(client, campaign):
    client.post(form_url("pledge", "en"), entry_form_data("pledge"))
    confirm, manage = links_of(mail.outbox[0])
    tokens = [confirm.rstrip("/").rsplit("/", 1)[1], manage.rstrip("/").rsplit("/", 1)[1]]

    services.delete_unconfirmed(Entry.objects.get())

    kept = list(RetiredLink.objects.values_list("token_hash", "kind", "reason", "entry"))
    assert sorted(kept) == sorted(
        [
            (hash_token(tokens[0]), "confirm", "expired", None),
            (hash_token(tokens[1]), "manage", "expired", None),
        ]
    )


@pytest.mark.parametrize(
    "path",
    [
        "/en/submit/confirm/{}/",
        "/en/manage/{}/",
        "/en/manage/{}/edit/",
        "/en/manage/{}/partners/",
        "/en/manage/{}/reports/new/",
        "/en/partner/{}/",
        "/en/submit/draft/{}/",
    ],
)
def test_a_link_that_never_existed_is_a_plain_404(client, campaign, path):
    assert client.get(path.format("x" * 43)).status_code == 404


# --- Partners' invitations --------------------------------------------------------------------

REMOVED = {
    ("fi", "pledge"): (
        "Organisaatiosi ei ole enää kumppani tässä lupauksessa",
        "Lupauksen lähettänyt organisaatio poisti organisaatiosi kumppaneistaan",
    ),
    ("sv", "initiative"): (
        "Din organisation är inte längre partnerorganisation i det här initiativet",
        "Organisationen som lämnade in initiativet har tagit bort din organisation",
    ),
    ("en", "pledge"): (
        "Your organisation is no longer a partner in this pledge",
        "The organisation that sent the pledge removed your organisation from its partners",
    ),
}


@pytest.mark.parametrize(("language", "kind"), list(REMOVED))
def test_a_removed_partners_invitation_says_it_was_removed(client, campaign, language, kind):
    entry = make_entry(campaign, kind=kind, partners=[("Kirjasto", "kirjasto@example.fi")])
    partnership = entry.partnerships.get()
    services.invite_partner(partnership)  # a link we know (the first went by e-mail)
    run_jobs()
    invitation = token_from(mail.outbox[-1].body, "partner")

    services.remove_partner(partnership)

    heading, text = REMOVED[language, kind]
    page = assert_gone(client.get(f"/{language}/partner/{invitation}/"), heading)
    assert text in page
    assert (
        client.post(f"/{language}/partner/{invitation}/", {"answer": "confirm"}).status_code == 410
    )


REPLACED = {
    "fi": (
        "Tämän kutsun tilalle on lähetetty uudempi",
        "Lupauksen lähettänyt organisaatio korjasi kumppaninsa tietoja, ja lähetimme uuden "
        "kutsun sähköpostilla. Käytä uusimman kutsun linkkiä.",
    ),
    "sv": (
        "En nyare inbjudan har ersatt den här",
        "Organisationen som lämnade in löftet har korrigerat uppgifterna om sin "
        "partnerorganisation, och vi har skickat en ny inbjudan per e-post.",
    ),
    "en": (
        "A newer invitation replaced this one",
        "The organisation that sent the pledge corrected its partner&#x27;s details, and we "
        "e-mailed a new invitation. Use the link in the newest invitation.",
    ),
}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_an_invitation_replaced_after_the_address_was_corrected_says_so(client, campaign, language):
    client.post(
        form_url("pledge", "fi"),
        with_partners(entry_form_data("pledge"), ("Kirjasto", "kirjasto@example.fi", "")),
    )
    confirm_address(client, mail.outbox[0])
    first = token_from(mail.outbox[-1].body, "partner")
    entry = Entry.objects.get()

    services.correct_partner(
        entry.partnerships.get(), email="kirjasto.oikea@example.fi", language="fi"
    )
    run_jobs()

    heading, text = REPLACED[language]
    page = assert_gone(client.get(f"/{language}/partner/{first}/"), heading)
    assert text in page
    newest = token_from(mail.outbox[-1].body, "partner")
    assert client.get(f"/{language}/partner/{newest}/").status_code == 200


def test_an_invitation_sent_again_in_another_language_replaces_the_first(client, campaign):
    entry = make_entry(campaign, partners=[("Bibliotek", "bibliotek@example.fi")])
    partnership = entry.partnerships.get()
    services.invite_partner(partnership)
    run_jobs()
    first = token_from(mail.outbox[-1].body, "partner")

    services.correct_partner(partnership, email="bibliotek@example.fi", language="sv")
    run_jobs()

    assert_gone(client.get(f"/en/partner/{first}/"), "A newer invitation replaced this one")
    assert mail.outbox[-1].to == ["bibliotek@example.fi"]
    assert f"/sv/partner/{token_from(mail.outbox[-1].body, 'partner')}/" in mail.outbox[-1].body


def test_a_partner_link_of_a_withdrawn_entry_still_explains_the_withdrawal(client, campaign):
    entry = make_entry(campaign, partners=[("Kirjasto", "kirjasto@example.fi")])
    partnership = entry.partnerships.get()
    services.invite_partner(partnership)
    run_jobs()
    link = token_from(mail.outbox[-1].body, "partner")

    services.withdraw_entry(entry)

    assert_gone(client.get(f"/en/partner/{link}/"), "This pledge was withdrawn")


# --- Private links of an entry that exists keep working --------------------------------------


def test_every_private_link_of_an_existing_entry_keeps_working(client, campaign):
    entry = make_entry(campaign)
    first, second = manage_token(entry), manage_token(entry)

    for token in (first, second):
        assert client.get(f"/en/manage/{token}/").status_code == 200


# --- Drafts ------------------------------------------------------------------------------------


def test_a_draft_erased_with_its_contacts_data_says_so(client, campaign, coordinator):
    client.post(
        form_url("pledge", "sv"),
        entry_form_data("pledge", action="draft", contact_email="utkast@example.fi"),
    )
    link = token_from(mail.outbox[-1].body, "draft")

    erase("utkast@example.fi", coordinator)

    page = assert_gone(client.get(f"/sv/submit/draft/{link}/"), "Det här utkastet har raderats")
    assert "på kontaktpersonens begäran" in page


def test_drafts_of_a_campaign_past_its_retention_say_so(client, campaign):
    from datetime import timedelta

    from django.utils import timezone

    from publishing.personal_data import purge_after_retention

    client.post(form_url("pledge", "en"), entry_form_data("pledge", action="draft"))
    link = token_from(mail.outbox[-1].body, "draft")
    campaign.opens_at = timezone.now() - timedelta(days=900)
    campaign.closes_at = timezone.now() - timedelta(days=800)
    campaign.save()

    purge_after_retention(730)

    page = assert_gone(client.get(f"/en/submit/draft/{link}/"), "This draft was deleted")
    assert "The campaign it was saved for closed long ago" in page
