"""What the submitter's pages say is true: the edit page promises no preview it does not
have and names the right deadline, and shows the staff comment when the entry came back
for fixes; "stop reminding me" can be undone; zero counts are not shown; the kind is
named wherever it is known."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone

from publishing import services as publishing
from submissions import services
from submissions.models import Entry

from .conftest import entry_form_data, form_url, make_entry, manage_token, token_from
from .jobs import run_jobs

pytestmark = pytest.mark.django_db


# --- The edit page ---------------------------------------------------------------------------

EDIT_TEXT = {
    ("fi", "pledge"): (
        "<h1>Muokkaa lupausta {reference}</h1>",
        "Voit muokata lupausta {day} loppuun asti (Suomen aikaa).",
        "Muutoksesi tallentuvat, kun valitset ”Tallenna muutokset”. Jos lupaus on julkaistu, "
        "muutokset näkyvät julkisesti, kun ministeriön henkilöstö on tarkastanut ne.",
    ),
    ("sv", "initiative"): (
        "<h1>Redigera initiativet {reference}</h1>",
        "Du kan redigera initiativet till och med den {day} (finsk tid).",
        "Dina ändringar sparas när du väljer ”Spara ändringarna”. Om initiativet är publicerat "
        "visas ändringarna när ministeriets personal har granskat dem.",
    ),
    ("en", "pledge"): (
        "<h1>Edit pledge {reference}</h1>",
        "You can edit the pledge until the end of {day} (Finnish time).",
        "Your changes are saved when you choose “Save changes”. If the pledge is published, "
        "the changes are shown once the ministry's staff have checked them.",
    ),
}
DAY = {"fi": "%-d.%-m.%Y", "sv": "%-d.%-m.%Y", "en": "%-d %B %Y"}


@pytest.mark.parametrize(("language", "kind"), list(EDIT_TEXT))
def test_the_edit_page_says_what_it_does(client, campaign, language, kind):
    entry = make_entry(campaign, kind=kind)
    day = campaign.last_day.strftime(DAY[language])

    page = client.get(f"/{language}/manage/{manage_token(entry)}/edit/").content.decode()

    for text in EDIT_TEXT[language, kind]:
        assert text.format(reference=entry.reference, day=day) in page
    # No promise of a preview or of "sending" the form: it saves.
    for untrue in ("Before sending you will see a preview", "You can send the form until"):
        assert untrue not in page
    assert 'value="preview"' not in page


def test_the_edit_page_of_a_returned_entry_shows_the_staff_comment_first(
    client, campaign, coordinator
):
    entry = make_entry(campaign, kind="initiative")
    publishing.return_for_fixes(entry, coordinator, "Lisää aikataulu, kiitos.\nJa kumppanit.")
    campaign.opens_at = timezone.now() - timedelta(days=40)
    campaign.closes_at = timezone.now() - timedelta(days=1)
    campaign.save()

    page = client.get(f"/en/manage/{manage_token(entry)}/edit/").content.decode()

    comment = (
        '<blockquote class="staff-comment"><p>Lisää aikataulu, kiitos.<br>Ja kumppanit.</p>'
        "</blockquote>"
    )
    assert comment in page
    assert page.index(comment) < page.index('<form method="post"')
    assert "The ministry&#x27;s staff ask you to change something" in page
    assert (
        "The ministry's staff returned the initiative to you for fixes: you can edit it "
        "also after the deadline, until they approve it."
    ) in page
    assert "You can edit the initiative until the end of" not in page


def test_the_edit_page_after_the_fixes_were_saved_still_shows_what_was_asked(
    client, campaign, coordinator
):
    entry = make_entry(campaign)
    token = manage_token(entry)
    publishing.return_for_fixes(entry, coordinator, "Tarkenna tavoite.")
    client.post(
        f"/fi/manage/{token}/edit/",
        entry_form_data("pledge", action="save", submission_key=str(entry.submission_key)),
    )

    page = client.get(f"/fi/manage/{token}/edit/").content.decode()

    assert '<blockquote class="staff-comment"><p>Tarkenna tavoite.</p></blockquote>' in page
    assert "Kiitos: muutoksesi odottavat henkilöstön tarkastusta" in page


def test_the_edit_page_of_an_entry_never_returned_shows_no_staff_comment(client, campaign):
    entry = make_entry(campaign)

    page = client.get(f"/en/manage/{manage_token(entry)}/edit/").content.decode()

    assert "staff-comment" not in page


# --- Reminders can be turned on again --------------------------------------------------------


@pytest.fixture
def published(campaign, coordinator):
    entry = make_entry(campaign)
    publishing.approve(entry, coordinator)
    run_jobs()
    mail.outbox = []
    return Entry.objects.get(pk=entry.pk)


def test_reminders_can_be_turned_on_again_from_the_stop_page(client, published):
    stop = urlsplit(services.reminders_stop_link(published, "en")).path

    stopped = client.post(stop).content.decode()
    assert "You will not be reminded about this pledge any more." in stopped
    assert '<button type="submit" name="action" value="resume"' in stopped

    response = client.post(stop, {"action": "resume"}, follow=True)

    published.refresh_from_db()
    assert published.reminders_stopped_at is None
    page = response.content.decode()
    assert "The reminders are on again for this pledge." in page
    assert "Stop these reminders for this pledge?" in page


def test_reminders_can_be_turned_on_again_from_the_management_page(client, published):
    services.stop_reminders(published)
    token = manage_token(published)

    page = client.get(f"/fi/manage/{token}/").content.decode()
    assert "Olet pyytänyt, ettei sinua muistuteta raportoimaan edistymisestä." in page
    assert (
        '<button type="submit" name="action" value="resume_reminders" '
        'class="btn btn-outline-primary btn-sm">Muistuta minua taas</button>'
    ) in page

    response = client.post(f"/fi/manage/{token}/", {"action": "resume_reminders"}, follow=True)

    published.refresh_from_db()
    assert published.reminders_stopped_at is None
    assert "Muistutukset ovat taas käytössä tämän lupauksen osalta." in response.content.decode()
    assert 'value="resume_reminders"' not in response.content.decode()


def test_a_mail_programs_one_click_stop_still_gets_a_200(client, published):
    stop = urlsplit(services.reminders_stop_link(published, "en")).path

    response = client.post(stop, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    published.refresh_from_db()
    assert published.reminders_stopped_at is not None


# --- Zero counts are not shown ---------------------------------------------------------------


def test_a_pledge_nobody_took_up_does_not_say_zero_organisations_did(client, published):
    page = client.get(f"/fi/entries/{published.pk}/").content.decode()

    assert "0 organisaatiota" not in page
    assert "Lupaus on haaste muille" in page
    assert "Ota haaste vastaan" in page


def test_a_closed_campaigns_pledge_nobody_took_up_has_no_challenge_section(
    client, campaign, published
):
    campaign.opens_at = timezone.now() - timedelta(days=40)
    campaign.closes_at = timezone.now() - timedelta(days=1)
    campaign.save()

    page = client.get(f"/en/entries/{published.pk}/").content.decode()

    assert "A pledge is a challenge to others" not in page
    assert "organisations have taken up" not in page


def test_a_pledge_taken_up_says_by_how_many(client, campaign, coordinator, published):
    taker = make_entry(campaign, "Me myös")
    Entry.objects.filter(pk=taker.pk).update(challenge_of=published)
    publishing.approve(taker, coordinator)

    page = client.get(f"/en/entries/{published.pk}/").content.decode()

    assert "1 organisation has taken up this challenge." in page


def test_statistics_without_publications_say_so_in_words(client, campaign):
    page = client.get("/fi/statistics/").content.decode()

    assert "Yhtään lupausta tai aloitetta ei ole vielä julkaistu." in page
    assert "Yhtään edistymisraporttia ei ole vielä julkaistu." in page
    assert "0 lupausta" not in page and "0 edistymisraporttia" not in page


def test_a_search_that_finds_nothing_says_so_without_a_zero(client, campaign):
    page = client.get("/en/entries/?q=olematon").content.decode()

    assert '<p class="results-count" role="status">\n      Nothing found' in page
    assert "0 pledges and initiatives" not in page


# --- The kind is named where it is known -----------------------------------------------------


@pytest.mark.parametrize(
    ("language", "kind", "sentences"),
    [
        (
            "fi",
            "pledge",
            [
                "Annoit luvan julkaista lupauksen.",
                "Henkilökohtainen linkkisi, jolla voit lukea, muokata ja peruuttaa lupauksesi "
                "myös myöhemmin:",
                "kuka tahansa, jolla linkki on, voi muuttaa lupaustasi.",
            ],
        ),
        (
            "sv",
            "initiative",
            [
                "Du gav tillstånd att publicera initiativet.",
                "Din personliga länk för att läsa, redigera och återkalla initiativet, också "
                "senare:",
            ],
        ),
        (
            "en",
            "initiative",
            [
                "You allowed the initiative to be published.",
                "anyone who has it can change the initiative.",
            ],
        ),
    ],
)
def test_the_confirmation_e_mail_names_the_kind(client, campaign, language, kind, sentences):
    client.post(form_url(kind, language), entry_form_data(kind))

    body = mail.outbox[0].body
    for sentence in sentences:
        assert sentence in body
    for generic in ("lupauksen tai aloitteen", "lupausta tai aloitetta", "löftet eller", "entry"):
        assert generic not in body


def test_the_invitation_and_the_reminder_name_the_kind(client, campaign, coordinator):
    entry = make_entry(campaign, kind="initiative", partners=[("Kirjasto", "k@example.fi")])
    services.invite_partner(entry.partnerships.get())
    publishing.approve(entry, coordinator)
    from publishing.reminders import send_reminder

    send_reminder(entry, timezone.localdate())
    run_jobs()

    invitation, reminder = (
        next(m for m in mail.outbox if m.to == ["k@example.fi"]),
        next(m for m in mail.outbox if "/reminders/stop/" in m.body),
    )
    assert "Organisaatiosi näytetään aloitteen yhteydessä vain" in invitation.body
    assert "Raportit näytetään aloitteen sivulla" in reminder.body
    assert "Jos et enää halua näitä muistutuksia tästä aloitteesta:" in reminder.body
    for message in (invitation, reminder):
        assert "lupauksen tai aloitteen" not in message.body
        assert "lupauksesta tai aloitteesta" not in message.body


@pytest.mark.parametrize("kind", ["pledge", "initiative"])
def test_the_submitters_pages_name_the_kind(client, campaign, kind):
    client.post(form_url(kind, "fi"), entry_form_data(kind), follow=True)
    token = token_from(mail.outbox[0].body)
    word = {"pledge": "lupaus", "initiative": "aloite"}[kind]

    pages = [
        client.get("/fi/submit/thank-you/").content.decode(),
        client.get(f"/fi/manage/{token}/").content.decode(),
        client.get(f"/fi/manage/{token}/partners/").content.decode(),
        client.get(f"/fi/manage/{token}/edit/").content.decode(),
    ]

    for page in pages:
        main = page.split('<main id="main"', 1)[1].split("</main>")[0]
        assert "lupaus tai aloite" not in main and "lupauksen tai aloitteen" not in main
        assert "lähetyksesi" not in main and "lähetystä" not in main
    assert word[:5] in pages[0]
