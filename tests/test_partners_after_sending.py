"""After sending, the submitter sees each partner's answer and, while the entry can be
edited, corrects an address, adds or removes a partner; the images chosen are shown back
in the form, the preview and the management page, and can be replaced or removed."""

import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from submissions.models import Entry, Organisation, Partnership

from .conftest import (
    confirm_address,
    entry_form_data,
    form_url,
    make_entry,
    manage_token,
    token_from,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(client, campaign):
    """A confirmed pledge with one partner, and its private token."""
    entry = make_entry(campaign, partners=[("Kirjasto", "kirjasto@example.fi")])
    return Entry.objects.get(pk=entry.pk), manage_token(entry)


def partners_url(token, language="en"):
    return f"/{language}/manage/{token}/partners/"


def test_the_partner_page_lists_each_answer(client, sent):
    entry, token = sent
    Partnership.objects.filter(entry=entry).update(confirmed_at=timezone.now())

    page = client.get(partners_url(token)).content.decode()

    assert "Kirjasto" in page and "kirjasto@example.fi" in page
    assert "<strong>confirmed</strong>" in page
    assert "Add, correct or remove partners" in client.get(f"/en/manage/{token}/").content.decode()


def test_adding_a_partner_invites_it(client, sent):
    entry, token = sent

    response = client.post(
        partners_url(token),
        {"action": "add", "add-name": "Urheiluseura", "add-email": "seura@example.fi"},
        follow=True,
    )

    assert "The partner was added and asked to confirm." in response.content.decode()
    assert entry.partnerships.filter(organisation__name="Urheiluseura").exists()
    (invitation,) = mail.outbox
    assert invitation.to == ["seura@example.fi"]
    assert f"/fi/partner/{token_from(invitation.body, 'partner')}/" in invitation.body


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (
            {"add-name": "", "add-email": "seura@example.fi"},
            "Enter the name of the partner organisation.",
        ),
        (
            {"add-name": "Seura", "add-email": "not an address"},
            "Enter an e-mail address in the form name@example.fi.",
        ),
        (
            {"add-name": "Toinen kirjasto", "add-email": "KIRJASTO@example.fi"},
            "This e-mail address is already given for another partner.",
        ),
    ],
)
def test_a_bad_partner_is_refused_next_to_the_field_and_nothing_changes(client, sent, data, error):
    entry, token = sent

    response = client.post(partners_url(token), {"action": "add", **data})

    content = response.content.decode()
    assert response.status_code == 200
    assert error in content
    for typed in (data["add-name"], data["add-email"]):
        assert not typed or f'value="{typed}"' in content  # what was typed is kept
    assert entry.partnerships.count() == 1
    assert mail.outbox == []


def test_correcting_an_address_invites_the_partner_again(client, sent):
    entry, token = sent
    partnership = entry.partnerships.get()
    old_hash = partnership.token_hash

    client.post(
        partners_url(token),
        {
            "action": "correct",
            "partnership": partnership.pk,
            f"p{partnership.pk}-email": "kirjasto.oikea@example.fi",
        },
    )

    partnership.refresh_from_db()
    assert partnership.invited_email == "kirjasto.oikea@example.fi"
    assert partnership.token_hash != old_hash  # the old invitation no longer works
    assert [m.to for m in mail.outbox] == [["kirjasto.oikea@example.fi"]]


def test_removing_a_partner_takes_it_off_the_entry(client, sent):
    entry, token = sent
    partnership = entry.partnerships.get()

    client.post(partners_url(token), {"action": "remove", "partnership": partnership.pk})

    assert not entry.partnerships.exists()
    assert not Organisation.objects.filter(name="Kirjasto").exists()


def test_another_entrys_partner_cannot_be_touched(client, campaign, sent):
    _entry, token = sent
    other = make_entry(campaign, "Toinen", partners=[("Muu", "muu@example.fi")])
    foreign = other.partnerships.get()

    client.post(partners_url(token), {"action": "remove", "partnership": foreign.pk})

    assert Partnership.objects.filter(pk=foreign.pk).exists()


def test_partners_cannot_be_changed_once_the_campaign_closed(client, campaign, sent):
    entry, token = sent
    campaign.closes_at = timezone.now() - timedelta(days=1)
    campaign.opens_at = campaign.closes_at - timedelta(days=30)
    campaign.save()

    page = client.get(partners_url(token)).content.decode()
    client.post(
        partners_url(token),
        {"action": "add", "add-name": "Myöhäinen", "add-email": "myo@example.fi"},
    )

    assert "its partners cannot be changed" in page
    assert 'value="add"' not in page
    assert entry.partnerships.count() == 1


def test_partners_added_before_the_address_is_confirmed_are_invited_on_confirming(client, campaign):
    client.post(form_url("pledge", "en"), entry_form_data("pledge"))
    confirmation = mail.outbox[0]
    token = token_from(confirmation.body)

    client.post(
        partners_url(token),
        {"action": "add", "add-name": "Seura", "add-email": "seura@example.fi"},
    )
    assert len(mail.outbox) == 1  # nobody else is mailed before the address is confirmed
    confirm_address(client, confirmation)

    assert [m.to for m in mail.outbox[1:]] == [["seura@example.fi"]]


# --- Images shown back -----------------------------------------------------------------------


def png(colour="teal"):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, format="PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


def test_the_chosen_logo_is_shown_in_the_preview(client, campaign):
    data = entry_form_data("pledge", action="preview")

    preview = client.post(form_url("pledge", "en"), {**data, "org_logo": png()})

    content = preview.content.decode()
    image = re.search(r'<img src="(/en/submit/image/[^"]+/)" alt="Logo"', content)
    assert image, content
    shown = client.get(image.group(1))
    assert shown.status_code == 200 and shown["Content-Type"] in ("image/png", "image/jpeg")
    assert shown.content[:4] in (b"\x89PNG", b"\xff\xd8\xff\xe0")
    assert client.get("/en/submit/image/forged-reference/").status_code == 404


def test_the_logo_is_shown_on_the_management_page_and_can_be_replaced_or_removed(client, campaign):
    client.post(form_url("pledge", "en"), {**entry_form_data("pledge"), "org_logo": png()})
    confirm_address(client, mail.outbox[0])
    token = token_from(mail.outbox[0].body)
    entry = Entry.objects.get()
    first = entry.lead_organisation.logo.name

    page = client.get(f"/en/manage/{token}/").content.decode()
    assert entry.lead_organisation.logo.url in page
    edit_page = client.get(f"/en/manage/{token}/edit/").content.decode()
    assert "Remove the current logo" in edit_page

    client.post(
        f"/en/manage/{token}/edit/", {**entry_form_data("pledge"), "org_logo": png("orange")}
    )
    entry.refresh_from_db()
    assert entry.lead_organisation.logo.name not in ("", first)

    client.post(f"/en/manage/{token}/edit/", {**entry_form_data("pledge"), "org_logo_remove": "on"})
    entry.refresh_from_db()
    assert not entry.lead_organisation.logo
