"""The private management link, "lost your link?" and partner confirmation, as the
submitter and the partner organisations use them."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from submissions.models import Entry, EntryStatus, Partnership

from .conftest import confirm_address, entry_form_data, form_url, token_from, with_partners

pytestmark = pytest.mark.django_db

CONSENT_WORDING_EN = (
    "I agree that the ministry may publish this pledge (its title, texts, organisations, "
    "themes, region and image, but not the contact person's details) on the campaign "
    "website and in its open data, and share it on social media. I can withdraw this "
    "consent at any time with the private link."
)
LOST_LINK_URL = "/en/manage/lost-link/"
# The same words for every address, whether it has entries or has had its links for the
# day: they say how many links a day go out and that earlier links keep working.
LOST_LINK_MESSAGE = (
    "If entries were sent with that address, we have e-mailed private links to it. "
    "We send links to one address at most 3 times a day: if no e-mail arrives now, use a "
    "link in one sent earlier today. Links you received earlier keep working."
)


def send_entry(client, kind="pledge", partners=(), **overrides):
    """Send a complete entry through the English form; the entry and its private token."""
    data = entry_form_data(kind, **overrides)
    if partners:
        data = with_partners(data, *partners)
    before = len(mail.outbox)
    response = client.post(form_url(kind, "en"), data)
    assert response.status_code == 302
    confirmation = mail.outbox[before]
    confirm_address(client, confirmation)
    token = token_from(confirmation.body)
    return Entry.objects.by_token(token).get(), token


def manage_url(token):
    return f"/en/manage/{token}/"


def messages_shown(content):
    """The texts of the flash messages on a page."""
    return re.findall(r'<div class="alert alert-\w+">(.*?)</div>', content, re.S)


def title_of(entry):
    entry.set_current_language(entry.original_language)
    return entry.title


# --- The private link -------------------------------------------------------------------


def test_management_page_shows_the_entry_of_its_token(client, campaign):
    entry, token = send_entry(client)

    response = client.get(manage_url(token))
    content = response.content.decode()

    assert response.status_code == 200
    assert entry.reference in content
    assert "Kesätöitä nuorille tulijoille" in content
    assert '<meta name="robots" content="noindex">' in content
    assert f'href="/en/manage/{token}/edit/"' in content


@pytest.mark.parametrize(
    "token",
    ["no-such-token-at-all-000000000000000000000", "x", "A" * 43],
)
def test_management_page_with_a_wrong_token_is_not_found(client, campaign, token):
    send_entry(client)

    response = client.get(manage_url(token))

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_management_page_post_with_a_wrong_token_is_not_found_and_changes_nothing(client, campaign):
    entry, _token = send_entry(client)

    response = client.post(manage_url("no-such-token-" + "0" * 30), {"action": "withdraw_consent"})

    assert response.status_code == 404
    entry.refresh_from_db()
    assert entry.consent_publish is True


def test_token_of_another_entry_shows_only_that_other_entry(client, campaign):
    first, first_token = send_entry(
        client, title="Ensimmäinen lupaus", contact_email="first@example.fi"
    )
    second, second_token = send_entry(
        client, title="Toinen lupaus", contact_email="second@example.fi"
    )

    first_page = client.get(manage_url(first_token)).content.decode()
    second_page = client.get(manage_url(second_token)).content.decode()

    assert first.reference in first_page
    assert "Ensimmäinen lupaus" in first_page
    assert "first@example.fi" in first_page
    assert second.reference not in first_page
    assert "Toinen lupaus" not in first_page
    assert "second@example.fi" not in first_page
    assert second.reference in second_page
    assert "Toinen lupaus" in second_page
    assert first.reference not in second_page
    assert "Ensimmäinen lupaus" not in second_page
    assert "first@example.fi" not in second_page


def test_action_through_one_token_changes_only_that_entry(client, campaign):
    first, first_token = send_entry(client, contact_email="first@example.fi")
    second, _second_token = send_entry(client, contact_email="second@example.fi")

    client.post(manage_url(first_token), {"action": "withdraw_consent"})

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.consent_publish is False
    assert second.consent_publish is True


# --- Lost your link? --------------------------------------------------------------------


def test_lost_link_page_is_shown(client, campaign):
    response = client.get(LOST_LINK_URL)
    content = response.content.decode()

    assert response.status_code == 200
    assert "<h1>Lost your link?</h1>" in content
    assert 'name="email"' in content


def test_lost_link_sends_a_new_link_and_the_old_link_keeps_working(client, campaign):
    entry, old_token = send_entry(client)
    mail.outbox.clear()

    response = client.post(LOST_LINK_URL, {"email": "maija@esimerkki.example.fi"})

    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["maija@esimerkki.example.fi"]
    assert message.subject == "Your private links – Kotolupaus test campaign"
    assert entry.reference in message.body
    new_token = token_from(message.body)
    assert new_token != old_token
    assert f"http://testserver/en/manage/{new_token}/" in message.body
    # A stranger who knows the address cannot break the submitter's link.
    assert client.get(manage_url(old_token)).status_code == 200
    new_page = client.get(manage_url(new_token))
    assert new_page.status_code == 200
    assert entry.reference in new_page.content.decode()


def test_lost_link_twice_gives_two_links_that_both_work(client, campaign):
    send_entry(client)
    client.post(LOST_LINK_URL, {"email": "maija@esimerkki.example.fi"})
    first_resent = token_from(mail.outbox[-1].body)

    client.post(LOST_LINK_URL, {"email": "maija@esimerkki.example.fi"})
    second_resent = token_from(mail.outbox[-1].body)

    assert first_resent != second_resent
    assert client.get(manage_url(first_resent)).status_code == 200
    assert client.get(manage_url(second_resent)).status_code == 200


def test_lost_link_mails_an_address_at_most_three_times_a_day(client, campaign):
    send_entry(client)
    mail.outbox.clear()

    answers = [
        client.post(LOST_LINK_URL, {"email": "maija@esimerkki.example.fi"}, follow=True)
        for _ in range(5)
    ]

    assert len(mail.outbox) == 3
    # The fourth and fifth asker sees exactly what the first saw.
    assert {tuple(messages_shown(a.content.decode())) for a in answers} == {(LOST_LINK_MESSAGE,)}
    with time_machine.travel(timedelta(hours=25)):
        client.post(LOST_LINK_URL, {"email": "maija@esimerkki.example.fi"})
    assert len(mail.outbox) == 4


def test_lost_link_sends_one_email_with_every_entry_of_the_address(client, campaign):
    first, _ = send_entry(client, title="Ensimmäinen lupaus")
    second, _ = send_entry(client, "initiative", title="Toinen aloite")
    send_entry(client, title="Jonkun muun lupaus", contact_email="other@example.fi")
    mail.outbox.clear()

    client.post(LOST_LINK_URL, {"email": "MAIJA@esimerkki.example.fi "})

    (message,) = mail.outbox
    assert message.to == ["maija@esimerkki.example.fi"]
    body = message.body
    assert f"Pledge {first.reference}\n“Ensimmäinen lupaus”" in body
    assert f"Initiative {second.reference}\n“Toinen aloite”" in body
    assert "Jonkun muun lupaus" not in body
    tokens = re.findall(r"/en/manage/([A-Za-z0-9_-]{20,})/", body)
    assert len(tokens) == 2
    assert {Entry.objects.by_token(token).get() for token in tokens} == {first, second}


def test_lost_link_answers_the_same_for_known_and_unknown_addresses(client, campaign):
    send_entry(client)
    mail.outbox.clear()

    known = client.post(LOST_LINK_URL, {"email": "maija@esimerkki.example.fi"})
    sent_for_known = len(mail.outbox)
    unknown = client.post(LOST_LINK_URL, {"email": "nobody@example.fi"})
    sent_for_unknown = len(mail.outbox) - sent_for_known

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == LOST_LINK_URL
    assert sent_for_known == 1
    assert sent_for_unknown == 0


def test_lost_link_shows_the_same_message_for_known_and_unknown_addresses(client, campaign):
    send_entry(client)
    mail.outbox.clear()

    known = client.post(LOST_LINK_URL, {"email": "maija@esimerkki.example.fi"}, follow=True)
    unknown = client.post(LOST_LINK_URL, {"email": "nobody@example.fi"}, follow=True)

    assert known.redirect_chain == unknown.redirect_chain == [(LOST_LINK_URL, 302)]
    assert known.status_code == unknown.status_code == 200
    assert messages_shown(known.content.decode()) == [LOST_LINK_MESSAGE]
    assert messages_shown(unknown.content.decode()) == [LOST_LINK_MESSAGE]
    assert [m.to for m in mail.outbox] == [["maija@esimerkki.example.fi"]]


@pytest.mark.parametrize("email", ["", "maija", "maija@", "not an address"])
def test_lost_link_with_an_invalid_address_shows_a_field_error(client, campaign, email):
    send_entry(client)
    mail.outbox.clear()

    response = client.post(LOST_LINK_URL, {"email": email})
    content = response.content.decode()

    assert response.status_code == 200
    assert "<title>Error:" in content
    assert 'href="#id_email"' in content
    expected = (
        "Enter the e-mail address given for the contact person."
        if email == ""
        else "Enter an e-mail address in the form name@example.fi."
    )
    assert expected in content
    assert mail.outbox == []


# --- Consent to publish -----------------------------------------------------------------


def test_withdrawing_consent_clears_its_time_and_wording(client, campaign):
    entry, token = send_entry(client)
    assert entry.consent_publish is True

    response = client.post(manage_url(token), {"action": "withdraw_consent"}, follow=True)

    assert response.redirect_chain == [(manage_url(token), 302)]
    assert messages_shown(response.content.decode()) == [
        "Your consent to publish was withdrawn. The pledge is not shown publicly."
    ]
    assert "You have not allowed the pledge to be published." in response.content.decode()
    entry.refresh_from_db()
    assert entry.consent_publish is False
    assert entry.consent_publish_at is None
    assert entry.consent_wording == ""


def test_giving_consent_again_stores_a_new_time_and_the_wording_shown(client, campaign):
    entry, token = send_entry(client)
    first_consent_at = entry.consent_publish_at
    client.post(manage_url(token), {"action": "withdraw_consent"})
    page = client.get(manage_url(token)).content.decode()
    assert CONSENT_WORDING_EN.replace("'", "&#x27;") in page

    later = first_consent_at + timedelta(hours=2)
    with time_machine.travel(later, tick=False):
        response = client.post(manage_url(token), {"action": "give_consent"}, follow=True)

    assert messages_shown(response.content.decode()) == [
        "Thank you: you allowed the pledge to be published."
    ]
    entry.refresh_from_db()
    assert entry.consent_publish is True
    assert entry.consent_publish_at == later
    assert entry.consent_wording == CONSENT_WORDING_EN


def test_giving_consent_twice_keeps_the_first_time(client, campaign):
    entry, token = send_entry(client)
    consented_at = entry.consent_publish_at

    with time_machine.travel(consented_at + timedelta(hours=1), tick=False):
        client.post(manage_url(token), {"action": "give_consent"})

    entry.refresh_from_db()
    assert entry.consent_publish_at == consented_at


def test_consent_can_be_withdrawn_and_given_after_the_campaign_closed(client, campaign):
    entry, token = send_entry(client)
    after_closing = campaign.closes_at + timedelta(days=10)

    with time_machine.travel(after_closing, tick=False):
        page = client.get(manage_url(token)).content.decode()
        withdrawn = client.post(manage_url(token), {"action": "withdraw_consent"})
        entry.refresh_from_db()
        consent_after_withdrawal = (entry.consent_publish, entry.consent_publish_at)
        given = client.post(manage_url(token), {"action": "give_consent"})

    assert 'value="withdraw_consent"' in page
    assert f'href="/en/manage/{token}/edit/"' not in page  # no more editing
    assert withdrawn.status_code == given.status_code == 302
    assert consent_after_withdrawal == (False, None)
    entry.refresh_from_db()
    assert entry.consent_publish is True
    assert entry.consent_publish_at == after_closing
    assert entry.consent_wording == CONSENT_WORDING_EN


# --- Withdrawing the entry --------------------------------------------------------------


def test_withdrawing_the_entry_without_ticking_the_box_changes_nothing(client, campaign):
    entry, token = send_entry(client)

    response = client.post(manage_url(token), {"action": "withdraw_entry"}, follow=True)

    assert messages_shown(response.content.decode()) == [
        "Tick the box to confirm that you want to withdraw the pledge."
    ]
    assert 'class="alert alert-danger"' in response.content.decode()
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SUBMITTED
    assert entry.withdrawn_at is None


def test_withdrawing_the_entry_with_the_box_ticked_withdraws_it(client, campaign):
    entry, token = send_entry(client)

    response = client.post(
        manage_url(token), {"action": "withdraw_entry", "confirm": "yes"}, follow=True
    )
    content = response.content.decode()

    assert messages_shown(content) == [
        "The pledge was withdrawn. It will not be reviewed or published."
    ]
    entry.refresh_from_db()
    assert entry.status == EntryStatus.WITHDRAWN
    assert entry.withdrawn_at is not None
    assert "Withdrawn on " in content
    assert f'href="/en/manage/{token}/edit/"' not in content
    assert 'value="withdraw_entry"' not in content
    assert 'value="withdraw_consent"' not in content


def test_withdrawn_entry_cannot_be_edited(client, campaign):
    entry, token = send_entry(client)
    client.post(manage_url(token), {"action": "withdraw_entry", "confirm": "yes"})

    page = client.get(f"/en/manage/{token}/edit/")
    post = client.post(
        f"/en/manage/{token}/edit/", entry_form_data(action="save", title="Uusi otsikko")
    )

    assert page.status_code == post.status_code == 410
    assert "This pledge was withdrawn" in page.content.decode()
    assert "A withdrawn pledge can no longer be edited." in page.content.decode()
    assert f'href="/en/manage/{token}/"' in page.content.decode()
    assert 'name="title"' not in page.content.decode()
    entry.refresh_from_db()
    assert title_of(entry) == "Kesätöitä nuorille tulijoille"
    assert entry.status == EntryStatus.WITHDRAWN


def test_edit_page_of_a_withdrawn_entry_does_not_claim_the_campaign_closed(client, campaign):
    _entry, token = send_entry(client)
    client.post(manage_url(token), {"action": "withdraw_entry", "confirm": "yes"})

    content = client.get(f"/en/manage/{token}/edit/").content.decode()

    assert "The campaign has closed" not in content


# --- Editing ----------------------------------------------------------------------------


def test_edit_page_shows_the_entry_as_sent(client, campaign):
    entry, token = send_entry(client)

    response = client.get(f"/en/manage/{token}/edit/")
    content = response.content.decode()

    assert response.status_code == 200
    assert f"<h1>Edit pledge {entry.reference}</h1>" in content
    assert 'value="Kesätöitä nuorille tulijoille"' in content
    assert 'value="Esimerkki Oy"' in content
    assert 'value="maija@esimerkki.example.fi"' in content
    assert "Tarjoamme kymmenen kesätyöpaikkaa vuosittain." in content
    assert 'value="save"' in content


def test_editing_while_open_changes_the_text_and_keeps_the_reference(client, campaign):
    entry, token = send_entry(client)
    reference, number = entry.reference, entry.number

    response = client.post(
        f"/en/manage/{token}/edit/",
        entry_form_data(action="save", title="Kesätöitä ja harjoittelupaikkoja"),
        follow=True,
    )

    assert response.redirect_chain == [(manage_url(token), 302)]
    assert messages_shown(response.content.decode()) == ["Your changes were saved."]
    assert "Kesätöitä ja harjoittelupaikkoja" in response.content.decode()
    entry.refresh_from_db()
    assert title_of(entry) == "Kesätöitä ja harjoittelupaikkoja"
    assert (entry.reference, entry.number) == (reference, number)
    assert Entry.objects.count() == 1
    assert client.get(manage_url(token)).status_code == 200  # the link still works


def test_editing_in_another_language_shows_the_new_text_on_every_page(client, campaign):
    _entry, token = send_entry(
        client, title="Summer jobs for young newcomers", original_language="en"
    )

    client.post(
        f"/en/manage/{token}/edit/",
        entry_form_data(action="save", title="Kesätöitä nuorille", original_language="fi"),
    )
    content = client.get(manage_url(token)).content.decode()

    assert "Kesätöitä nuorille" in content
    assert "Summer jobs for young newcomers" not in content


def test_editing_with_a_missing_field_shows_the_error_and_changes_nothing(client, campaign):
    entry, token = send_entry(client)

    response = client.post(
        f"/en/manage/{token}/edit/",
        entry_form_data(action="save", title="Uusi otsikko", summary=None),
    )
    content = response.content.decode()

    assert response.status_code == 200
    assert 'href="#id_summary"' in content
    assert 'value="Uusi otsikko"' in content
    entry.refresh_from_db()
    assert title_of(entry) == "Kesätöitä nuorille tulijoille"


def test_edit_page_after_the_deadline_shows_the_closed_notice(client, campaign):
    _entry, token = send_entry(client)

    with time_machine.travel(campaign.closes_at + timedelta(seconds=1), tick=False):
        response = client.get(f"/en/manage/{token}/edit/")
    content = response.content.decode()

    assert response.status_code == 200
    assert "<h1>Submissions are closed</h1>" in content
    assert "The campaign has closed and no longer accepts submissions or changes." in content
    assert 'name="title"' not in content


def test_edit_sent_after_the_deadline_is_refused_and_changes_nothing(client, campaign):
    entry, token = send_entry(client)
    updated_at = entry.updated_at
    # The form was opened while the campaign was open ...
    assert client.get(f"/en/manage/{token}/edit/").status_code == 200

    # ... and sent one second after it closed.
    with time_machine.travel(campaign.closes_at + timedelta(seconds=1), tick=False):
        response = client.post(
            f"/en/manage/{token}/edit/", entry_form_data(action="save", title="Liian myöhään")
        )

    assert response.status_code == 403
    assert "Submissions are closed" in response.content.decode()
    entry.refresh_from_db()
    assert title_of(entry) == "Kesätöitä nuorille tulijoille"
    assert entry.updated_at == updated_at


# --- Partner organisations --------------------------------------------------------------

PARTNERS = (
    ("Kotikunnan kaupunki", "kunta@example.fi", "tarjoaa tilat"),
    ("Yhdistys ry", "yhdistys@example.fi", ""),
    ("Seurakunta", "seurakunta@example.fi", "vapaaehtoiset"),
)


def send_joint_initiative(client, partners=PARTNERS, **overrides):
    """An initiative with partners; the entry, its token and the partner tokens by e-mail."""
    entry, token = send_entry(client, "initiative", partners=partners, **overrides)
    partner_tokens = {
        message.to[0]: token_from(message.body, "partner")
        for message in mail.outbox
        if "/partner/" in message.body
    }
    return entry, token, partner_tokens


def partner_url(token):
    return f"/en/partner/{token}/"


def test_partner_page_shows_the_entry_but_not_the_contact_persons_details(client, campaign):
    _entry, _token, partner_tokens = send_joint_initiative(client)

    response = client.get(partner_url(partner_tokens["kunta@example.fi"]))
    content = response.content.decode()

    assert response.status_code == 200
    assert "<h1>Confirm taking part</h1>" in content
    assert (
        "Esimerkki Oy named Kotikunnan kaupunki as a partner organisation in its initiative:"
        in content
    )
    assert "Kesätöitä nuorille tulijoille" in content
    assert "Your role: tarjoaa tilat" in content
    assert "maija@esimerkki.example.fi" not in content
    assert "Maija Meikäläinen" not in content
    assert "+358 40 123 4567" not in content
    assert "Yhdistys ry" not in content  # nor the other partners
    assert '<meta name="robots" content="noindex">' in content


def test_partner_confirms_taking_part(client, campaign):
    _entry, _token, partner_tokens = send_joint_initiative(client)
    token = partner_tokens["kunta@example.fi"]

    response = client.post(partner_url(token), {"answer": "confirm"}, follow=True)
    content = response.content.decode()

    assert response.redirect_chain == [(partner_url(token), 302)]
    assert messages_shown(content) == ["Thank you: your organisation is now a confirmed partner."]
    assert "You have confirmed taking part." in content
    assert 'value="confirm"' not in content
    assert 'value="decline"' in content
    partnership = Partnership.objects.get(invited_email="kunta@example.fi")
    assert partnership.confirmed_at is not None
    assert partnership.declined_at is None
    others = Partnership.objects.exclude(pk=partnership.pk)
    assert list(others.values_list("confirmed_at", "declined_at")) == [(None, None)] * 2


def test_partner_declines_taking_part(client, campaign):
    _entry, _token, partner_tokens = send_joint_initiative(client)
    token = partner_tokens["yhdistys@example.fi"]

    response = client.post(partner_url(token), {"answer": "decline"}, follow=True)
    content = response.content.decode()

    assert messages_shown(content) == [
        "You declined. Your organisation will not be shown with the initiative."
    ]
    assert "You have declined." in content
    partnership = Partnership.objects.get(invited_email="yhdistys@example.fi")
    assert partnership.declined_at is not None
    assert partnership.confirmed_at is None


def test_partner_may_decline_after_confirming_and_confirm_again(client, campaign):
    _entry, _token, partner_tokens = send_joint_initiative(client)
    token = partner_tokens["kunta@example.fi"]
    partnership = Partnership.objects.get(invited_email="kunta@example.fi")

    client.post(partner_url(token), {"answer": "confirm"})
    partnership.refresh_from_db()
    assert partnership.confirmed_at is not None and partnership.declined_at is None

    client.post(partner_url(token), {"answer": "decline"})
    partnership.refresh_from_db()
    assert partnership.confirmed_at is None and partnership.declined_at is not None

    client.post(partner_url(token), {"answer": "confirm"})
    partnership.refresh_from_db()
    assert partnership.confirmed_at is not None and partnership.declined_at is None


def test_partner_answer_other_than_confirm_or_decline_changes_nothing(client, campaign):
    _entry, _token, partner_tokens = send_joint_initiative(client)

    response = client.post(partner_url(partner_tokens["kunta@example.fi"]), {"answer": "maybe"})

    assert response.status_code == 302
    partnership = Partnership.objects.get(invited_email="kunta@example.fi")
    assert (partnership.confirmed_at, partnership.declined_at) == (None, None)


def test_partner_page_with_a_wrong_token_is_not_found(client, campaign):
    _entry, manage_token, _partner_tokens = send_joint_initiative(client)

    assert client.get(partner_url("no-such-token-" + "0" * 30)).status_code == 404
    assert client.post(partner_url("x"), {"answer": "confirm"}).status_code == 404
    # The submitter's private link is no partner link.
    assert client.get(partner_url(manage_token)).status_code == 404
    assert not Partnership.objects.filter(confirmed_at__isnull=False).exists()


def test_partner_token_does_not_open_the_management_page(client, campaign):
    _entry, _token, partner_tokens = send_joint_initiative(client)

    assert client.get(manage_url(partner_tokens["kunta@example.fi"])).status_code == 404


def test_partner_page_of_a_withdrawn_entry_says_it_was_withdrawn(client, campaign):
    _entry, token, partner_tokens = send_joint_initiative(client)
    client.post(manage_url(token), {"action": "withdraw_entry", "confirm": "yes"})

    page = client.get(partner_url(partner_tokens["kunta@example.fi"]))
    answer = client.post(partner_url(partner_tokens["kunta@example.fi"]), {"answer": "confirm"})

    assert page.status_code == answer.status_code == 410
    assert "This initiative was withdrawn" in page.content.decode()
    assert 'value="confirm"' not in page.content.decode()
    assert not Partnership.objects.filter(confirmed_at__isnull=False).exists()


def test_management_page_shows_each_partners_state(client, campaign):
    _entry, token, partner_tokens = send_joint_initiative(client)
    client.post(partner_url(partner_tokens["kunta@example.fi"]), {"answer": "confirm"})
    client.post(partner_url(partner_tokens["yhdistys@example.fi"]), {"answer": "decline"})

    content = client.get(manage_url(token)).content.decode()

    assert "Kotikunnan kaupunki (tarjoaa tilat): <strong>confirmed</strong>" in content
    assert "Yhdistys ry: <strong>declined</strong>" in content
    assert "Seurakunta (vapaaehtoiset): <strong>waiting for confirmation</strong>" in content
    assert "kunta@example.fi" not in content  # partner addresses are not repeated here


def test_management_page_costs_the_same_queries_with_one_or_three_partners(
    client, campaign, django_assert_max_num_queries
):
    _one, one_token, _ = send_joint_initiative(
        client, partners=PARTNERS[:1], contact_email="one@example.fi"
    )
    _three, three_token, _ = send_joint_initiative(
        client, partners=PARTNERS, contact_email="three@example.fi"
    )

    client.get(manage_url(three_token))  # the current campaign is then kept in memory
    # 14, and the sections of cooperation: partners wanted, requests to join, the badge's
    # question whether the entry is public, the suggestions (tests/test_query_counts_submitter.py).
    with django_assert_max_num_queries(18):
        one = client.get(manage_url(one_token))
    with django_assert_max_num_queries(18):
        three = client.get(manage_url(three_token))

    assert one.content.decode().count("<strong>waiting for confirmation</strong>") == 1
    assert three.content.decode().count("<strong>waiting for confirmation</strong>") == 3
