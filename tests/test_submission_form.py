"""The public pledge and initiative forms, as a submitter uses them."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from kotolupaus.models import Message
from submissions.models import Entry, EntryStatus, Organisation

from .conftest import (
    confirm_address,
    entry_form_data,
    form_url,
    make_campaign,
    token_from,
    with_partners,
)

pytestmark = pytest.mark.django_db


def submit(client, kind="pledge", language="fi", **overrides):
    return client.post(form_url(kind, language), entry_form_data(kind, **overrides))


def send(client, kind="pledge", language="fi", **overrides):
    """Submit the form and confirm the address from the e-mail, as a submitter does."""
    before = len(mail.outbox)
    response = submit(client, kind, language, **overrides)
    assert response.status_code == 302
    confirm_address(client, mail.outbox[before])
    return response


@pytest.mark.parametrize("kind", ["pledge", "initiative"])
@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("fi", {"pledge": "Anna lupaus", "initiative": "Tee aloite"}),
        ("sv", {"pledge": "Ge ett löfte", "initiative": "Föreslå ett initiativ"}),
        ("en", {"pledge": "Make a pledge", "initiative": "Propose an initiative"}),
    ],
)
def test_form_is_shown_in_each_language(client, campaign, kind, language, heading):
    response = client.get(form_url(kind, language))
    content = response.content.decode()

    assert response.status_code == 200
    assert f"<h1>{heading[kind]}</h1>" in content
    assert 'name="consent_publish"' in content
    assert "checked" not in re.search(r'<input[^>]*name="consent_publish"[^>]*>', content).group(0)
    # The language written in defaults to the page's language.
    assert re.search(
        rf'<input[^>]*value="{language}"[^>]*name="original_language"[^>]*checked'
        rf'|<input[^>]*name="original_language"[^>]*value="{language}"[^>]*checked',
        content,
    )


@pytest.mark.parametrize("kind", ["pledge", "initiative"])
def test_form_page_costs_the_same_queries_however_many_entries_exist(
    client, campaign, kind, django_assert_max_num_queries
):
    # 9: the regions of partners wanted are read once into the cache (like the municipalities).
    with django_assert_max_num_queries(9):
        client.get(form_url(kind))
    for _ in range(3):
        submit(client, kind)
    with django_assert_max_num_queries(9):
        client.get(form_url(kind))


SUBJECTS = {
    (
        "fi",
        "pledge",
    ): "Vahvista sähköpostiosoitteesi, jotta lupauksesi lähetetään – Kotolupaus-testikampanja",
    (
        "fi",
        "initiative",
    ): "Vahvista sähköpostiosoitteesi, jotta aloitteesi lähetetään – Kotolupaus-testikampanja",
    (
        "sv",
        "pledge",
    ): "Bekräfta din e-postadress för att skicka ditt löfte – Kotolupaus testkampanj",
    (
        "sv",
        "initiative",
    ): "Bekräfta din e-postadress för att skicka ditt initiativ – Kotolupaus testkampanj",
    ("en", "pledge"): "Confirm your e-mail address to send your pledge – Kotolupaus test campaign",
    (
        "en",
        "initiative",
    ): "Confirm your e-mail address to send your initiative – Kotolupaus test campaign",
}


@pytest.mark.parametrize("kind", ["pledge", "initiative"])
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_submitting_saves_the_entry_and_asks_to_confirm_the_address(
    client, campaign, kind, language
):
    preview = submit(client, kind, language, action="preview")
    assert preview.status_code == 200
    assert "Kesätöitä nuorille tulijoille" in preview.content.decode()
    assert Entry.objects.count() == 0  # the preview saves nothing

    response = submit(client, kind, language)

    assert response.status_code == 302
    entry = Entry.objects.get()
    assert entry.status == EntryStatus.UNCONFIRMED
    assert entry.reference == ""  # given when the address is confirmed
    assert entry.kind == kind
    assert entry.contact_language == language
    assert entry.original_language == "fi"
    assert entry.consent_publish is True
    assert entry.consent_publish_at is not None
    assert entry.lead_organisation.business_id == "0112038-9"
    entry.set_current_language("fi")
    assert entry.title == "Kesätöitä nuorille tulijoille"
    # The thank-you page says where to look, and never shows the private link itself.
    page = client.get(response["Location"]).content.decode()
    assert "maija@esimerkki.example.fi" in page
    assert not re.search(r"/(manage|submit/confirm)/[\w-]{20,}/", page)

    (message,) = mail.outbox
    assert message.to == ["maija@esimerkki.example.fi"]
    assert message.subject == SUBJECTS[language, kind]
    token = token_from(message.body)
    assert Entry.objects.by_token(token).get() == entry
    assert not entry.management_links.filter(token_hash__contains=token).exists()  # only hashes
    assert f"http://testserver/{language}/manage/{token}/" in message.body
    assert f"http://testserver/{language}/submit/confirm/" in message.body


@pytest.mark.parametrize("kind", ["pledge", "initiative"])
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_confirming_the_address_sends_the_entry_and_gives_its_reference(
    client, campaign, kind, language
):
    submit(client, kind, language)
    confirm_path = re.search(
        r"http://testserver(/\w\w/submit/confirm/[\w-]+/)", mail.outbox[0].body
    )
    confirm_path = confirm_path.group(1)

    # Opening the link only asks (mail scanners open links too); the button confirms.
    page = client.get(confirm_path)
    assert page.status_code == 200
    assert Entry.objects.get().status == EntryStatus.UNCONFIRMED
    response = client.post(confirm_path)

    assert response.status_code == 302
    entry = Entry.objects.get()
    year = timezone.localtime(campaign.opens_at).year
    assert entry.status == EntryStatus.SUBMITTED
    assert entry.reference == f"KL-{year}-0001"
    assert entry.confirmed_at is not None
    assert entry.reference in client.get(response["Location"]).content.decode()
    # The link was for one use: opened again it says the entry is confirmed (410) and
    # points to the private link without giving it; a forged one is a plain 404.
    for again in (client.get(confirm_path), client.post(confirm_path)):
        assert again.status_code == 410
        page = again.content.decode()
        assert f"<h1>{ALREADY_CONFIRMED[language, kind]}</h1>" in page
        assert entry.reference in page
        assert f'href="/{language}/manage/lost-link/"' in page
        assert not re.search(r"/manage/[\w-]{20,}/", page)
        assert again["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    assert client.post(f"/{language}/submit/confirm/{'x' * 43}/").status_code == 404
    assert Entry.objects.get().reference == f"KL-{year}-0001"


ALREADY_CONFIRMED = {
    ("fi", "pledge"): "Lupauksesi on jo vahvistettu",
    ("fi", "initiative"): "Aloitteesi on jo vahvistettu",
    ("sv", "pledge"): "Ditt löfte är redan bekräftat",
    ("sv", "initiative"): "Ditt initiativ är redan bekräftat",
    ("en", "pledge"): "Your pledge is already confirmed",
    ("en", "initiative"): "Your initiative is already confirmed",
}


def test_the_management_page_can_confirm_the_address_too(client, campaign):
    submit(client, "pledge", "en")
    token = token_from(mail.outbox[0].body)
    page = client.get(f"/en/manage/{token}/").content.decode()
    assert "Not sent yet: confirm your e-mail address" in page
    assert "Withdraw the entry" not in page

    client.post(f"/en/manage/{token}/", {"action": "confirm_address"})

    entry = Entry.objects.get()
    assert entry.status == EntryStatus.SUBMITTED
    assert "Not sent yet" not in client.get(f"/en/manage/{token}/").content.decode()


def test_an_entry_not_confirmed_in_time_is_removed_with_its_uploads(client, campaign):
    from django.core.management import call_command

    submit(client, "pledge", "en")
    kept = send(client, "pledge", "en", title="Vahvistettu")
    assert kept.status_code == 302

    with time_machine.travel(timedelta(days=6, hours=23)):
        call_command("remove_unconfirmed_entries")
    assert Entry.objects.count() == 2
    with time_machine.travel(timedelta(days=7, minutes=1)):
        call_command("remove_unconfirmed_entries")

    entry = Entry.objects.get()
    assert entry.status == EntryStatus.SUBMITTED
    assert Organisation.objects.count() == 1
    assert not Message.objects.filter(entry_id__isnull=True, kind="confirm_address").exists()


@pytest.mark.parametrize(
    ("language", "greeting", "name_line", "consent_line"),
    [
        (
            "fi",
            "Hei,\n",
            "Lomakkeessa yhteyshenkilön nimeksi on annettu ”Maija Meikäläinen”.",
            "Annoit luvan",
        ),
        (
            "sv",
            "Hej,\n",
            "I formuläret anges kontaktpersonens namn som ”Maija Meikäläinen”.",
            "Du gav tillstånd",
        ),
        (
            "en",
            "Hello,\n",
            "The form gives the contact person's name as “Maija Meikäläinen”.",
            "You allowed",
        ),
    ],
)
def test_confirmation_email_is_in_the_submitters_language(
    client, campaign, language, greeting, name_line, consent_line
):
    submit(client, "pledge", language)

    body = mail.outbox[0].body
    # The address is not confirmed yet: the typed name is quoted and attributed, never
    # the greeting.
    assert body.startswith(greeting)
    assert name_line in body
    assert consent_line in body
    assert "&quot;" not in body and "&amp;" not in body  # plain text, not HTML-escaped


def test_consent_wording_shown_is_stored_with_the_entry(client, campaign):
    submit(client, "pledge", "sv")

    entry = Entry.objects.get()
    assert entry.consent_wording.startswith("Jag godkänner")


def test_entry_without_consent_keeps_no_consent_time(client, campaign):
    submit(client, "pledge", consent_publish=None)

    entry = Entry.objects.get()
    assert entry.consent_publish is False
    assert entry.consent_publish_at is None
    assert entry.consent_wording == ""


def test_joint_initiative_invites_each_partner_once_the_address_is_confirmed(client, campaign):
    data = with_partners(
        entry_form_data("initiative"),
        ("Kotikunnan kaupunki", "kunta@example.fi", "tarjoaa tilat"),
        ("Yhdistys ry", "yhdistys@example.fi", ""),
    )

    response = client.post(form_url("initiative", "sv"), data)

    assert response.status_code == 302
    entry = Entry.objects.get()
    assert [p.organisation.name for p in entry.partnerships.all()] == [
        "Kotikunnan kaupunki",
        "Yhdistys ry",
    ]
    # Nothing goes to a third party before the contact proves the address.
    assert [m.to for m in mail.outbox] == [["maija@esimerkki.example.fi"]]
    confirm_address(client, mail.outbox[0])

    entry.refresh_from_db()
    assert [p.confirmed_at for p in entry.partnerships.all()] == [None, None]
    invitations = mail.outbox[1:]
    assert sorted(m.to[0] for m in invitations) == ["kunta@example.fi", "yhdistys@example.fi"]
    assert all("/sv/partner/" in m.body for m in invitations)
    assert {m.subject for m in invitations} == {
        f"Bekräfta: din organisation har angetts som partnerorganisation i initiativet {entry.reference}"
    }
    # The sender's own words are in the body only, quoted and attributed.
    assert "En organisation som kallar sig ”Esimerkki Oy”" in invitations[0].body


REQUIRED = {
    "pledge": [
        "org_name",
        "org_type",
        "title",
        "summary",
        "description",
        "promise",
        "target",
        "pledge_deadline",
        "themes",
        "target_groups",
        "original_language",
        "contact_name",
        "contact_email",
        "authorised",
    ],
    "initiative": [
        "org_name",
        "org_type",
        "title",
        "summary",
        "description",
        "goal",
        "plan",
        "timetable",
        "themes",
        "target_groups",
        "original_language",
        "contact_name",
        "contact_email",
        "authorised",
    ],
}


@pytest.mark.parametrize(
    ("kind", "field"),
    [(kind, field) for kind, fields in REQUIRED.items() for field in fields],
)
def test_each_required_field_missing_is_named_and_nothing_is_saved(client, campaign, kind, field):
    response = submit(client, kind, "en", **{field: None})
    content = response.content.decode()

    assert response.status_code == 200
    assert Entry.objects.count() == 0
    assert mail.outbox == []
    assert 'id="error-summary"' in content
    assert "<title>Error:" in content
    summary = re.search(r'<div class="error-summary".*?</div>', content, re.S).group(0)
    assert f'href="#id_{field}' in summary
    # Everything else typed is kept.
    if field != "org_name":
        assert 'value="Esimerkki Oy"' in content
    if field != "contact_email":
        assert 'value="maija@esimerkki.example.fi"' in content


def test_region_is_required_unless_all_of_finland(client, campaign):
    missing = submit(client, municipalities=None, action="preview")
    whole_country = submit(client, municipalities=None, whole_country="on", action="preview")

    assert (
        "Choose at least one municipality"
        in submit(client, "pledge", "en", municipalities=None).content.decode()
    )
    assert 'href="#id_municipalities_0"' in missing.content.decode()
    assert whole_country.status_code == 200
    assert "error-summary" not in whole_country.content.decode()


@pytest.mark.parametrize(
    ("business_id", "message"),
    [
        ("0112038-8", "check digit does not match"),
        ("1234567", "seven digits, a hyphen and a check digit"),
        ("ABC", "seven digits, a hyphen and a check digit"),
    ],
)
def test_bad_business_id_is_refused_next_to_the_field(client, campaign, business_id, message):
    content = submit(client, "pledge", "en", org_business_id=business_id).content.decode()

    assert message in content
    assert f'value="{business_id}"' in content
    assert Entry.objects.count() == 0


def test_business_id_is_optional_and_old_six_digit_form_is_normalised(client, campaign):
    submit(client, org_business_id="112038-9")
    submit(client, org_business_id="")

    assert sorted(Entry.objects.values_list("lead_organisation__business_id", flat=True)) == [
        "",
        "0112038-9",
    ]


@pytest.mark.parametrize("email", ["maija", "maija@", "maija@@example.fi", "m aija@example.fi"])
def test_bad_email_is_refused(client, campaign, email):
    content = submit(client, "pledge", "en", contact_email=email).content.decode()

    assert "Enter an e-mail address in the form name@example.fi." in content
    assert Entry.objects.count() == 0


def test_bad_partner_email_is_refused_with_the_partner_named(client, campaign):
    data = with_partners(entry_form_data("initiative"), ("Yhdistys ry", "ei-osoite", ""))

    content = client.post(form_url("initiative", "en"), data).content.decode()

    assert 'href="#id_partners-0-email"' in content
    assert "Partner 1" in content
    assert Entry.objects.count() == 0


def test_the_same_partner_email_twice_is_refused(client, campaign):
    data = with_partners(
        entry_form_data("initiative"),
        ("A ry", "same@example.fi", ""),
        ("B ry", "SAME@example.fi", ""),
    )

    content = client.post(form_url("initiative", "en"), data).content.decode()

    assert "already given for another partner" in content
    assert Entry.objects.count() == 0


def test_over_long_text_is_refused_and_kept(client, campaign):
    title = "x" * 151

    content = submit(client, "pledge", "en", title=title).content.decode()

    assert "Shorten the text to at most 150 characters (it now has 151)." in content
    assert f'value="{title}"' in content
    assert Entry.objects.count() == 0


def test_bad_telephone_is_refused(client, campaign):
    content = submit(client, "pledge", "en", contact_phone="call me").content.decode()

    assert "Enter a telephone number" in content


def test_text_is_stored_as_typed_and_escaped_on_output(client, campaign):
    script = '<script>alert("x")</script>'
    submit(client, title=f"Hyvä {script}")

    entry = Entry.objects.get()
    entry.set_current_language("fi")
    assert entry.title == f"Hyvä {script}"
    token = token_from(mail.outbox[0].body)
    assert f"Hyvä {script}" in mail.outbox[0].body  # plain text e-mail: as typed
    page = client.get(f"/fi/manage/{token}/").content.decode()
    assert script not in page
    assert "&lt;script&gt;" in page


def test_honeypot_filled_in_saves_nothing(client, campaign):
    response = submit(client, homepage="http://spam.example")

    assert response.status_code == 200
    assert Entry.objects.count() == 0
    assert mail.outbox == []


def test_add_another_partner_works_without_javascript_and_keeps_values(client, campaign):
    data = with_partners(
        entry_form_data("initiative", action="add_partner"),
        ("Yhdistys ry", "yhdistys@example.fi", "vapaaehtoiset"),
    )
    data["contact_email"] = "not an address yet"

    response = client.post(form_url("initiative", "en"), data)
    content = response.content.decode()

    assert response.status_code == 200
    assert 'name="partners-TOTAL_FORMS" value="2"' in content
    assert 'value="Yhdistys ry"' in content
    assert 'name="partners-1-name"' in content
    assert 'value="not an address yet"' in content
    assert "error-summary" not in content  # adding a row is not an attempt to send
    assert Entry.objects.count() == 0


def test_back_to_the_form_from_preview_keeps_everything(client, campaign):
    response = submit(client, "initiative", "en", action="edit")
    content = response.content.decode()

    assert 'value="Kesätöitä nuorille tulijoille"' in content
    assert "Nuoret saavat työkokemusta ja kontakteja." in content
    assert "error-summary" not in content


def test_sending_the_same_form_twice_creates_one_entry(client, campaign):
    data = entry_form_data("pledge")

    first = client.post(form_url("pledge"), data)
    second = client.post(form_url("pledge"), data)

    assert first.status_code == second.status_code == 302
    assert Entry.objects.count() == 1
    assert len(mail.outbox) == 1


def test_sending_again_from_another_browser_tab_says_it_was_already_sent(client, campaign):
    from django.test import Client

    data = entry_form_data("pledge")
    client.post(form_url("pledge", "en"), data)
    other = Client()

    response = other.post(form_url("pledge", "en"), data, follow=True)

    assert Entry.objects.count() == 1
    assert "had already been sent" in response.content.decode()


def test_references_count_up_per_campaign_without_gaps(client, campaign):
    for _ in range(3):
        send(client)
    submit(client)  # not confirmed: gets no number

    year = timezone.localtime(campaign.opens_at).year
    assert list(
        Entry.objects.submitted().order_by("number").values_list("reference", flat=True)
    ) == [
        f"KL-{year}-0001",
        f"KL-{year}-0002",
        f"KL-{year}-0003",
    ]


def test_form_outside_the_campaign_window_shows_a_notice_instead(client, helsinki):
    make_campaign(opens_at=helsinki(2015, 10, 6, 10, 0), closes_at=helsinki(2015, 11, 17, 0, 0))

    response = client.get(form_url("pledge", "en"))
    content = response.content.decode()

    assert response.status_code == 200
    assert "Submissions are closed" in content
    assert 'name="org_name"' not in content


def test_form_before_the_campaign_opens_says_when_it_opens(client):
    now = timezone.now()
    make_campaign(opens_at=now + timedelta(days=3), closes_at=now + timedelta(days=30))

    content = client.get(form_url("pledge", "en")).content.decode()

    assert "The campaign is not open yet." in content


def test_post_one_second_after_closing_is_refused_and_saves_nothing(client):
    now = timezone.now()
    make_campaign(opens_at=now - timedelta(days=30), closes_at=now - timedelta(seconds=1))

    response = submit(client, "pledge", "en")

    assert response.status_code == 403
    assert "Submissions are closed" in response.content.decode()
    assert Entry.objects.count() == 0
    assert mail.outbox == []


def test_form_started_before_the_deadline_and_sent_after_it_is_refused(client):
    closes = timezone.now() + timedelta(minutes=5)
    make_campaign(opens_at=closes - timedelta(days=30), closes_at=closes)
    assert client.get(form_url("pledge")).status_code == 200
    data = entry_form_data("pledge")

    with time_machine.travel(closes + timedelta(seconds=1), tick=False):
        response = client.post(form_url("pledge", "en"), data)

    assert response.status_code == 403
    assert Entry.objects.count() == 0


def test_the_last_second_before_closing_is_still_accepted(client):
    closes = timezone.now() + timedelta(minutes=5)
    make_campaign(opens_at=closes - timedelta(days=30), closes_at=closes)

    with time_machine.travel(closes - timedelta(seconds=1), tick=False):
        response = submit(client)
    assert response.status_code == 302

    # Sent in time and confirmed the next morning: the time of sending counts.
    with time_machine.travel(closes + timedelta(hours=9), tick=False):
        confirm_address(client, mail.outbox[0])
    entry = Entry.objects.get()
    assert entry.status == EntryStatus.SUBMITTED
    assert entry.submitted_at == closes - timedelta(seconds=1)


def approve_all(staff):
    from publishing import services as publishing

    for entry in Entry.objects.all():
        publishing.approve(entry, staff)


def test_similar_titles_are_suggested_from_the_same_campaign(client, campaign, staff_user):
    send(client, title="Kesätyöpaikkoja nuorille maahanmuuttajille")
    send(client, title="Salainen aloite", consent_publish=None)
    approve_all(staff_user)
    send(client, title="Kesätyöpaikkoja nuorille odottaa vielä moderointia")

    response = client.get("/fi/submit/similar/", {"title": "kesätyöpaikat nuorille"})

    titles = [row["title"] for row in response.json()["similar"]]
    assert titles == ["Kesätyöpaikkoja nuorille maahanmuuttajille"]
    # An entry whose submitter did not allow publication is never suggested, nor one that
    # a moderator has not approved yet.
    hidden = client.get("/fi/submit/similar/", {"title": "Salainen aloite"}).json()
    assert hidden["similar"] == []
    waiting = client.get("/fi/submit/similar/", {"title": "odottaa vielä moderointia"}).json()
    assert "Kesätyöpaikkoja nuorille odottaa vielä moderointia" not in [
        row["title"] for row in waiting["similar"]
    ]


def test_preview_lists_similar_entries_without_javascript(client, campaign, staff_user):
    send(client, title="Kesätyöpaikkoja nuorille maahanmuuttajille")
    approve_all(staff_user)

    content = submit(
        client, "pledge", "en", title="Kesätyöpaikat nuorille maahanmuuttajille", action="preview"
    ).content.decode()

    assert "Similar entries already sent" in content
    assert "Kesätyöpaikkoja nuorille maahanmuuttajille" in content


def test_too_many_posts_from_one_address_are_refused(client, campaign, settings):
    settings.RATELIMIT_POST_RATE = "3/m"

    statuses = [submit(client, "pledge", "en", action="preview").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    assert "Too many attempts" in submit(client, "pledge", "en").content.decode()


def test_oversize_request_body_is_refused(client, campaign, settings):
    settings.MAX_REQUEST_BYTES = 1000

    response = submit(client, "pledge", "en", description="x" * 2000)

    assert response.status_code == 413
    assert Entry.objects.count() == 0


@pytest.mark.parametrize("value", ["0", "no", "false", "off", ""])
def test_a_box_is_ticked_only_by_what_a_ticked_box_sends(client, campaign, value):
    response = submit(client, "pledge", "en", authorised=value)

    assert response.status_code == 200
    assert "Confirm that you are authorised" in response.content.decode()
    assert Entry.objects.count() == 0
    submit(client, "pledge", "en", consent_publish=value)
    assert Entry.objects.get().consent_publish is False


def test_a_failed_form_keeps_the_chosen_places_and_organisation_type(client, campaign):
    from submissions.models import Municipality

    places = {code: Municipality.objects.get(code=code).pk for code in ("091", "853", "599")}
    response = submit(
        client,
        "pledge",
        "sv",
        title=None,
        org_municipality=str(places["599"]),
        municipalities=[str(places["091"]), str(places["853"])],
    )
    content = response.content.decode()

    def options(name):
        select = re.search(rf'<select name="{name}".*?</select>', content, re.S).group(0)
        return re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select)

    def boxes(name):
        return re.findall(
            rf'<input type="checkbox" class="form-check-input" name="{name}" value="([^"]*)"'
            r' id="[^"]+"( checked)?><label class="form-check-label" for="[^"]+">([^<]*)</label>',
            content,
        )

    chosen = [label for _value, checked, label in boxes("municipalities") if checked]
    assert chosen == ["Helsingfors", "Åbo"]  # Swedish names on the Swedish page
    assert [label for _v, s, label in options("org_municipality") if s] == ["Pedersöre"]
    assert [value for value, s, _l in options("org_type") if s] == ["company"]
    # Every municipality once, in the Swedish names' order.
    names = [label for _value, _checked, label in boxes("municipalities")]
    assert len(names) == Municipality.objects.count()
    assert names.index("Helsingfors") < names.index("Pedersöre") < names.index("Åbo")


def test_a_blank_form_is_built_once_and_each_visitor_gets_their_own_key(
    client, campaign, django_assert_max_num_queries
):
    first = client.get(form_url("pledge", "sv")).content.decode()
    with django_assert_max_num_queries(3):  # the campaign and its texts; no lists
        second = client.get(form_url("pledge", "sv")).content.decode()
    initiative = client.get(form_url("initiative", "sv")).content.decode()
    finnish = client.get(form_url("pledge", "fi")).content.decode()

    def key(html):
        return re.search(r'name="submission_key" value="([^"]+)"', html).group(1)

    def without_tokens(html):
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
        return html.replace(key(html), "")

    assert key(first) != key(second)
    assert without_tokens(first) == without_tokens(second)
    # Each language and kind has its own fields: Swedish names, the initiative's texts.
    assert "Helsingfors" in second and "Helsingfors" not in finnish
    assert 'name="promise"' in second and 'name="promise"' not in initiative
    assert 'name="goal"' in initiative
