"""The moderation admin as coordinators use it: "Return to the submitter for fixes"
through the real changelist POSTs (the action, its page asking for the comment, then
"Send") and from an entry's or a report's own page, in Finnish, Swedish and English;
the submitter then fixes it through the private link and staff approve it."""

import re

import pytest
from django.core import mail
from django.utils import timezone

from publishing import services as publishing
from publishing.models import Publication, PublicationStatus, ReportPublication
from submissions import services as submissions
from submissions.models import Indicator

from .conftest import entry_form_data, make_entry, token_from

pytestmark = pytest.mark.django_db

# What a coordinator reads on the page that asks for the comment, per language.
PAGE = {
    "fi": {
        "label": "Mitä lähettäjän pitäisi muuttaa?",
        "send": "Lähetä",
        "empty": "Kirjoita, mitä lähettäjän pitäisi muuttaa.",
        "done_entry": "1 lähettäjää pyydettiin korjaamaan lupauksensa tai aloitteensa.",
        "done_report": "1 lähettäjää pyydettiin korjaamaan edistymisraporttinsa.",
    },
    "sv": {
        "label": "Vad ska den som har lämnat in bidraget ändra?",
        "send": "Skicka",
        "empty": "Skriv vad den som har lämnat in bidraget ska ändra.",
        "done_entry": "1 person som har lämnat in ett bidrag ombads korrigera det.",
        "done_report": "1 person som har lämnat in en lägesrapport ombads korrigera den.",
    },
    "en": {
        "label": "What should the submitter change?",
        "send": "Send",
        "empty": "Write what the submitter should change.",
        "done_entry": "1 submitter was asked to fix the entry.",
        "done_report": "1 submitter was asked to fix the progress report.",
    },
}
LANGUAGES = ["fi", "sv", "en"]


def report_on(entry, text="Kaksi työnhakuiltaa pidetty."):
    indicator = Indicator.objects.filter(campaign=entry.campaign).first()
    return submissions.add_report(
        entry,
        {
            "status": "under_way",
            "reason": "",
            "reported_on": timezone.localdate(),
            "text": text,
            "figures": {indicator: 3},
            "contributors": [],
        },
        language="fi",
    )


def report_form(**overrides):
    return {
        "status": "under_way",
        "reason": "",
        "reported_on": timezone.localdate().isoformat(),
        "text": "Kolme työnhakuiltaa pidetty.",
        "language": "fi",
        **overrides,
    }


def return_through_the_list(client, language, changelist, pk, comment):
    """The three POSTs a coordinator's browser sends: the action, then "Send" without a
    comment (refused), then with one."""
    chosen = {"_selected_action": [pk], "action": "return_for_fixes"}
    asked = client.post(changelist, {**chosen, "index": "0"})
    assert asked.status_code == 200
    page = asked.content.decode()
    assert PAGE[language]["label"] in page
    assert f">{PAGE[language]['send']}</button>" in page

    empty = client.post(changelist, {**chosen, "apply": "1", "comment": "   "})
    assert empty.status_code == 200
    assert PAGE[language]["empty"] in empty.content.decode()

    return client.post(changelist, {**chosen, "apply": "1", "comment": comment}, follow=True)


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_entry_returned_from_the_list_is_fixed_by_its_submitter_then_approved(
    client, campaign, coordinator, language
):
    entry = make_entry(campaign, "Kesätöitä nuorille", contact_email="maija@example.fi")
    publication = Publication.objects.get(entry=entry)
    client.force_login(coordinator)
    changelist = f"/{language}/admin/publishing/publication/"

    done = return_through_the_list(
        client, language, changelist, publication.pk, "Lisää mitattava tavoite, kiitos."
    )

    assert PAGE[language]["done_entry"] in done.content.decode()
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.RETURNED
    assert publication.returned_comment == "Lisää mitattava tavoite, kiitos."
    (message,) = mail.outbox
    assert message.to == ["maija@example.fi"]
    assert "Lisää mitattava tavoite, kiitos." in message.body
    assert "Lisää mitattava tavoite" not in message.subject

    # The submitter follows the link, reads the comment and fixes the entry.
    client.logout()
    token = token_from(message.body)
    management = client.get(f"/fi/manage/{token}/").content.decode()
    assert "Lisää mitattava tavoite, kiitos." in management
    edit = client.post(
        f"/fi/manage/{token}/edit/",
        entry_form_data("pledge", title="Kesätöitä nuorille", target="20 nuorta vuodessa."),
    )
    assert edit.status_code == 302
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.FIXED

    # Back at the top of the moderation list; approved from there.
    client.force_login(coordinator)
    listing = client.get(changelist).content.decode()
    assert entry.reference in listing
    client.post(changelist, {"action": "approve", "_selected_action": [publication.pk], "index": 0})
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.APPROVED
    assert client.get(f"/{language}/entries/{entry.pk}/").status_code == 200


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_progress_report_returned_from_the_list_is_fixed_then_approved(
    client, campaign, coordinator, language
):
    entry = make_entry(campaign, "Kesätöitä nuorille")
    publishing.approve(entry, coordinator)
    report = report_on(entry)
    moderation = ReportPublication.objects.get(report=report)
    client.force_login(coordinator)
    changelist = f"/{language}/admin/publishing/reportpublication/"

    done = return_through_the_list(
        client, language, changelist, moderation.pk, "Kerro, montako osallistui."
    )

    assert PAGE[language]["done_report"] in done.content.decode()
    moderation.refresh_from_db()
    assert moderation.status == PublicationStatus.RETURNED
    (message,) = mail.outbox
    assert "Kerro, montako osallistui." in message.body

    client.logout()
    token = token_from(message.body)
    edit = client.post(f"/fi/manage/{token}/reports/{report.pk}/edit/", report_form())
    assert edit.status_code == 302
    moderation.refresh_from_db()
    assert moderation.status == PublicationStatus.FIXED

    client.force_login(coordinator)
    client.post(changelist, {"action": "approve", "_selected_action": [moderation.pk], "index": 0})
    moderation.refresh_from_db()
    assert moderation.status == PublicationStatus.APPROVED


@pytest.mark.parametrize(
    ("model", "language"), [("publication", "fi"), ("reportpublication", "sv")]
)
def test_return_for_fixes_from_the_things_own_admin_page(
    client, campaign, coordinator, model, language
):
    entry = make_entry(campaign, "Kesätöitä nuorille")
    if model == "publication":
        moderated = Publication.objects.get(entry=entry)
    else:
        publishing.approve(entry, coordinator)
        moderated = ReportPublication.objects.get(report=report_on(entry))
    client.force_login(coordinator)
    change = f"/{language}/admin/publishing/{model}/{moderated.pk}/change/"

    page = client.get(change).content.decode()
    link = f"/{language}/admin/publishing/{model}/{moderated.pk}/return/"
    assert f'href="{link}"' in page
    asked = client.get(link)
    assert PAGE[language]["label"] in asked.content.decode()
    refused = client.post(link, {"comment": ""})
    assert PAGE[language]["empty"] in refused.content.decode()
    moderated.refresh_from_db()
    assert moderated.status != PublicationStatus.RETURNED

    sent = client.post(link, {"comment": "Korjaa päivämäärä."})

    assert sent.status_code == 302 and sent["Location"] == change
    moderated.refresh_from_db()
    assert (moderated.status, moderated.returned_comment) == (
        PublicationStatus.RETURNED,
        "Korjaa päivämäärä.",
    )
    assert len(mail.outbox) == 1
    # Returned already: no second link to return it.
    assert f'href="{link}"' not in client.get(change).content.decode()


def test_a_reviewer_cannot_return_anything(client, campaign, reviewer):
    entry = make_entry(campaign)
    publication = Publication.objects.get(entry=entry)
    client.force_login(reviewer)

    page = client.post(
        f"/en/admin/publishing/publication/{publication.pk}/return/", {"comment": "Korjaa."}
    )

    assert page.status_code == 403
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.PENDING


def test_editing_the_internal_note_keeps_the_entrys_place_in_the_queue(
    client, campaign, coordinator
):
    first, second, third = (make_entry(campaign, f"Lupaus {n}") for n in (1, 2, 3))
    client.force_login(coordinator)
    changelist = "/en/admin/publishing/publication/"

    def queue():
        """The references in the list's rows, top to bottom, each once."""
        rows = client.get(changelist).content.decode().split("<tbody>")[1]
        return list(dict.fromkeys(re.findall(r"KL-\d{4}-\d{4}", rows)))

    assert queue() == [first.reference, second.reference, third.reference]
    response = client.post(
        f"/en/admin/publishing/publication/{first.publication.pk}/change/",
        {"note": "Tarkista kumppanit ensin."},
    )
    assert response.status_code == 302

    assert queue() == [first.reference, second.reference, third.reference]
    assert Publication.objects.get(entry=first).note == "Tarkista kumppanit ensin."


# --- Rough edges ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "other"),
    [
        (
            "/fi/admin/publishing/publication/?state=all",
            "/sv/admin/publishing/publication/?state=all",
        ),
        ("/sv/admin/", "/en/admin/"),
        (
            "/en/admin/review/auditevent/?kind=security",
            "/fi/admin/review/auditevent/?kind=security",
        ),
    ],
)
def test_the_admin_switches_language_on_the_same_page(client, coordinator, page, other):
    client.force_login(coordinator)

    html = client.get(page).content.decode()

    switch = html.split('<nav class="admin-languages"')[1].split("</nav>")[0]
    current = page.split("/")[1]
    assert f'href="{page}" lang="{current}" hreflang="{current}" aria-current="true"' in switch
    assert f'href="{other}"' in switch
    assert [name for name in ("Suomi", "Svenska", "English") if f">{name}</a>" in switch] == [
        "Suomi",
        "Svenska",
        "English",
    ]


def test_the_moderation_list_shows_each_title_once_with_state_consent_and_flags(
    client, campaign, coordinator
):
    entry = make_entry(campaign, "Kielikahvila Vaasassa")
    client.force_login(coordinator)

    response = client.get("/fi/admin/publishing/publication/")

    html = response.content.decode()
    row = html.split("<tbody>")[1].split("</tr>")[0]
    shown = re.sub(r"<[^>]+>", " ", row)  # the text a person sees
    assert shown.count("Kielikahvila Vaasassa") == 1
    assert shown.count(entry.reference) == 1
    assert 'alt="kyllä"' in row and 'alt="True"' not in row  # consent, in Finnish
    columns = list(response.context["cl"].list_display)
    assert columns == [
        "action_checkbox",
        "reference",
        "title",
        "status",
        "shown",
        "consent",
        "flag_list",
        "waiting_since",
    ]


def test_a_translation_tab_shows_the_original_beside_each_field(client, campaign, coordinator):
    entry = make_entry(campaign, "Språkcafé i Vasa", language="sv")
    client.force_login(coordinator)
    page = f"/fi/admin/publishing/publictext/{entry.pk}/change/"

    finnish_tab = client.get(page + "?language=fi").content.decode()
    swedish_tab = client.get(page + "?language=sv").content.decode()

    assert "Alkuperäinen teksti (ruotsiksi)" in finnish_tab
    assert '<span lang="sv">Språkcafé i Vasa</span>' in finnish_tab
    assert 'aria-describedby="id_title_original"' in finnish_tab
    assert 'id="id_title_original"' in finnish_tab
    # In the original's own tab it is the text itself (read-only), nothing beside it.
    assert "Alkuperäinen teksti" not in swedish_tab


def test_a_report_translation_tab_shows_the_original_report(client, campaign, coordinator):
    entry = make_entry(campaign, "Kesätöitä nuorille")
    publishing.approve(entry, coordinator)
    report = report_on(entry, text="Kaksi työnhakuiltaa pidetty.")
    client.force_login(coordinator)

    english_tab = client.get(
        f"/en/admin/publishing/publicreporttext/{report.pk}/change/?language=en"
    ).content.decode()

    assert "Original text (in Finnish)" in english_tab
    assert '<span lang="fi">Kaksi työnhakuiltaa pidetty.</span>' in english_tab


def test_the_moderation_list_costs_the_same_queries_for_one_or_three_entries(
    client, campaign, coordinator, django_assert_num_queries
):
    make_entry(campaign, "Ensimmäinen")
    client.force_login(coordinator)
    client.get("/fi/admin/publishing/publication/")  # the session and caches warm

    with django_assert_num_queries(MODERATION_LIST_QUERIES):
        client.get("/fi/admin/publishing/publication/")
    make_entry(campaign, "Toinen", language="sv")
    make_entry(campaign, "Kolmas", kind="initiative")
    with django_assert_num_queries(MODERATION_LIST_QUERIES):
        client.get("/fi/admin/publishing/publication/")


# Read from a run and checked by hand: the session, the user and their permissions (2),
# the campaigns for the filter, the two counts of the list (waiting, all), the page of
# publications with their entries, the entries' texts.
MODERATION_LIST_QUERIES = 9
