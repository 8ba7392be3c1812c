"""Partners and notifications: each partner's language is chosen in the form and on the
management page and used for every e-mail to it; partners are told when removed and
when the entry is withdrawn; removing a confirmed partner asks first; the contact hears
of partners' answers and of the publication in one e-mail a day at most, in their
language (submissions/news.py)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from kotolupaus.models import Message, MessageKind
from publishing import services as publishing
from submissions import services
from submissions.models import Entry, Partnership, SubmitterNews

from .conftest import (
    confirm_address,
    entry_form_data,
    form_url,
    make_entry,
    manage_token,
    token_from,
    with_partners,
)
from .jobs import run_all_jobs, run_jobs

pytestmark = pytest.mark.django_db

INVITATION_SUBJECT = {
    "fi": "Vahvista: organisaatiosi on nimetty kumppaniksi lupauksessa {}",
    "sv": "Bekräfta: din organisation har angetts som partnerorganisation i löftet {}",
    "en": "Please confirm: your organisation was named as a partner in pledge {}",
}


def partners_url(token, language="en"):
    return f"/{language}/manage/{token}/partners/"


def subjects_to(address):
    return [m.subject for m in mail.outbox if m.to == [address]]


# --- The partner's language ----------------------------------------------------------------


def test_the_form_offers_each_partner_the_pages_language(client, campaign):
    page = client.get(form_url("initiative", "sv")).content.decode()

    assert 'for="id_partners-0-language" class="form-label">' in page
    assert "Språk för våra e-postmeddelanden till partnerorganisationen" in page
    assert '<option value="sv" selected>Svenska</option>' in page
    assert '<option value="fi">Finska</option>' in page


def test_each_partner_is_invited_in_the_language_chosen_for_it(client, campaign):
    data = with_partners(
        entry_form_data("pledge"),
        ("Kirjasto", "kirjasto@example.fi", ""),
        ("Bibliotek", "bibliotek@example.fi", ""),
        ("Library", "library@example.fi", ""),
    )
    data["partners-1-language"] = "sv"
    data["partners-2-language"] = "en"

    client.post(form_url("pledge", "fi"), data)  # no language for the first: the page's
    confirm_address(client, mail.outbox[0])

    reference = Entry.objects.get().reference
    assert subjects_to("kirjasto@example.fi") == [INVITATION_SUBJECT["fi"].format(reference)]
    assert subjects_to("bibliotek@example.fi") == [INVITATION_SUBJECT["sv"].format(reference)]
    assert subjects_to("library@example.fi") == [INVITATION_SUBJECT["en"].format(reference)]
    bibliotek = next(m for m in mail.outbox if m.to == ["bibliotek@example.fi"])
    assert f"/sv/partner/{token_from(bibliotek.body, 'partner')}/" in bibliotek.body
    assert "Med vänliga hälsningar\n" in bibliotek.body
    assert dict(Partnership.objects.values_list("invited_email", "language")) == {
        "kirjasto@example.fi": "fi",
        "bibliotek@example.fi": "sv",
        "library@example.fi": "en",
    }


def test_the_preview_and_a_draft_keep_each_partners_language(client, campaign):
    data = with_partners(entry_form_data("pledge"), ("Bibliotek", "bibliotek@example.fi", ""))
    data["partners-0-language"] = "sv"

    preview = client.post(form_url("pledge", "en"), {**data, "action": "preview"})
    assert "Bibliotek – bibliotek@example.fi – e-mails in Swedish" in preview.content.decode()
    assert 'name="partners-0-language" value="sv"' in preview.content.decode()

    client.post(form_url("pledge", "en"), {**data, "action": "draft"})
    draft = client.get(f"/en/submit/draft/{token_from(mail.outbox[-1].body, 'draft')}/")
    assert '<option value="sv" selected>Swedish</option>' in draft.content.decode()


def test_a_partner_added_on_the_management_page_is_invited_in_its_language(client, campaign):
    entry = make_entry(campaign, language="fi")
    token = manage_token(entry)

    client.post(
        partners_url(token),
        {
            "action": "add",
            "add-name": "Bibliotek",
            "add-email": "bibliotek@example.fi",
            "add-language": "sv",
        },
    )

    assert subjects_to("bibliotek@example.fi") == [INVITATION_SUBJECT["sv"].format(entry.reference)]


def test_the_language_of_a_partner_that_answered_changes_later_e_mails_only(client, campaign):
    entry = make_entry(campaign, partners=[("Kirjasto", "kirjasto@example.fi")])
    partnership = entry.partnerships.get()
    services.answer_partnership(partnership, confirm=True)
    run_all_jobs()
    mail.outbox = []
    token = manage_token(entry)

    response = client.post(
        partners_url(token),
        {
            "action": "correct",
            "partnership": partnership.pk,
            f"p{partnership.pk}-email": "kirjasto@example.fi",
            f"p{partnership.pk}-language": "en",
        },
        follow=True,
    )

    assert "The language was changed: our next e-mails to the partner are in it." in (
        response.content.decode()
    )
    partnership.refresh_from_db()
    assert (partnership.language, partnership.confirmed_at is not None) == ("en", True)
    assert mail.outbox == []  # it answered already: no new invitation
    services.withdraw_entry(entry)
    run_jobs()
    assert subjects_to("kirjasto@example.fi") == [
        f"Pledge {entry.reference}, in which your organisation was named as a partner, "
        "was withdrawn"
    ]


def test_the_management_page_shows_and_offers_each_partners_language(client, campaign):
    entry = make_entry(campaign, partners=[("Bibliotek", "bibliotek@example.fi")])
    Partnership.objects.update(language="sv")

    page = client.get(partners_url(manage_token(entry), "fi")).content.decode()

    assert "bibliotek@example.fi (sähköpostien kieli: ruotsi)" in page
    assert "Kieli, jolla lähetämme sähköpostit organisaatiolle Bibliotek" in page
    assert '<option value="sv" selected>Ruotsi</option>' in page


# --- Removing a partner --------------------------------------------------------------------

REMOVED_SUBJECT = {
    "fi": "Organisaatiosi ei ole enää kumppani lupauksessa {}",
    "sv": "Din organisation är inte längre partnerorganisation i löftet {}",
    "en": "Your organisation is no longer a partner in pledge {}",
}


@pytest.fixture
def confirmed_partner(campaign):
    entry = make_entry(campaign, partners=[("Bibliotek", "bibliotek@example.fi")])
    partnership = entry.partnerships.get()
    Partnership.objects.filter(pk=partnership.pk).update(language="sv")
    services.answer_partnership(partnership, confirm=True)
    run_all_jobs()
    mail.outbox = []
    return entry, partnership, manage_token(entry)


def test_removing_a_confirmed_partner_asks_first(client, confirmed_partner):
    entry, partnership, token = confirmed_partner

    listing = client.get(partners_url(token)).content.decode()
    ask = f"/en/manage/{token}/partners/{partnership.pk}/remove/"
    assert f'<a class="btn btn-outline-danger" href="{ask}">Remove Bibliotek…</a>' in listing
    # The plain button of a stale page goes to the question too, and removes nothing.
    stale = client.post(partners_url(token), {"action": "remove", "partnership": partnership.pk})
    assert stale.status_code == 302 and stale["Location"] == ask
    assert entry.partnerships.exists()

    question = client.get(ask)
    page = question.content.decode()
    assert question.status_code == 200
    assert question["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    assert "<h1>Remove Bibliotek?</h1>" in page
    assert "Bibliotek confirmed on " in page and "that it takes part in the pledge." in page
    assert "We tell it by e-mail (bibliotek@example.fi, in Swedish) that it was removed." in page
    assert '<button type="submit" class="btn btn-danger">Yes, remove Bibliotek</button>' in page
    assert f'<a class="btn btn-link" href="{partners_url(token)}">No, keep it</a>' in page
    assert mail.outbox == []

    done = client.post(ask, follow=True)

    assert "Bibliotek was removed from the partners and told by e-mail." in done.content.decode()
    assert not entry.partnerships.exists()
    assert subjects_to("bibliotek@example.fi") == [REMOVED_SUBJECT["sv"].format(entry.reference)]
    body = mail.outbox[0].body
    assert "Din organisation visas inte tillsammans med löftet" in body
    assert "Med vänliga hälsningar\n" in body


def test_a_partner_that_has_not_answered_is_removed_at_once_and_told(client, campaign):
    entry = make_entry(campaign, partners=[("Kirjasto", "kirjasto@example.fi")])
    token = manage_token(entry)

    client.post(
        partners_url(token), {"action": "remove", "partnership": entry.partnerships.get().pk}
    )

    assert not entry.partnerships.exists()
    assert subjects_to("kirjasto@example.fi") == [REMOVED_SUBJECT["fi"].format(entry.reference)]


def test_a_partner_that_declined_or_was_never_invited_is_not_mailed_when_removed(client, campaign):
    declined = make_entry(campaign, partners=[("Kirjasto", "kirjasto@example.fi")])
    services.answer_partnership(declined.partnerships.get(), confirm=False)
    client.post(form_url("pledge", "en"), entry_form_data("pledge"))
    unconfirmed = Entry.objects.get(status="unconfirmed")
    services.add_partner(unconfirmed, name="Seura", email="seura@example.fi")
    run_all_jobs()
    mail.outbox = []

    services.remove_partner(declined.partnerships.get())
    services.remove_partner(unconfirmed.partnerships.get())
    run_all_jobs()

    assert mail.outbox == []


def test_the_removal_question_is_only_for_this_entrys_partners_while_it_can_be_edited(
    client, campaign, confirmed_partner
):
    entry, partnership, token = confirmed_partner
    other = make_entry(campaign, "Toinen", partners=[("Muu", "muu@example.fi")])
    foreign = other.partnerships.get()

    assert client.get(f"/en/manage/{token}/partners/{foreign.pk}/remove/").status_code == 404
    assert client.post(f"/en/manage/{token}/partners/{foreign.pk}/remove/").status_code == 404
    assert Partnership.objects.filter(pk=foreign.pk).exists()
    services.withdraw_entry(entry)
    response = client.post(f"/en/manage/{token}/partners/{partnership.pk}/remove/")
    assert response.status_code == 302
    assert entry.partnerships.exists()


# --- Withdrawal -------------------------------------------------------------------------------


def test_partners_are_told_of_a_withdrawal_in_their_languages(client, campaign):
    entry = make_entry(
        campaign,
        kind="initiative",
        partners=[
            ("Kirjasto", "kirjasto@example.fi"),
            ("Bibliotek", "bibliotek@example.fi"),
            ("Kieltäytyjä", "ei@example.fi"),
        ],
    )
    Partnership.objects.filter(invited_email="bibliotek@example.fi").update(language="sv")
    services.answer_partnership(Partnership.objects.get(invited_email="ei@example.fi"), False)
    run_all_jobs()
    mail.outbox = []
    token = manage_token(entry)

    client.post(f"/fi/manage/{token}/", {"action": "withdraw_entry", "confirm": "yes"})

    reference = entry.reference
    assert subjects_to("kirjasto@example.fi") == [
        f"Aloite {reference}, jossa organisaatiosi nimettiin kumppaniksi, on peruutettu"
    ]
    assert subjects_to("bibliotek@example.fi") == [
        f"Initiativet {reference}, där din organisation angavs som partnerorganisation, har "
        "återkallats"
    ]
    assert subjects_to("ei@example.fi") == []  # it had declined
    assert subjects_to("maija@example.fi") == [f"Aloitteesi {reference} on peruutettu"]


# --- News for the submitter, at most once a day --------------------------------------------


def mail_jobs(done):
    """The jobs of e-mail among those run (the public files' builds left out)."""
    return [job for job in done if job[0] in ("send_submitter_news", "send_message")]


def news_jobs():
    return list(
        ProcrastinateJob.objects.filter(task_name="send_submitter_news", status="todo")
        .order_by("id")
        .values_list("queueing_lock", "scheduled_at")
    )


def news_messages():
    return list(Message.objects.filter(kind=MessageKind.SUBMITTER_NEWS).order_by("pk"))


@pytest.fixture
def with_partners_entry(campaign):
    entry = make_entry(
        campaign,
        language="sv",
        partners=[("Kirjasto", "kirjasto@example.fi"), ("Seura", "seura@example.fi")],
    )
    return entry, *entry.partnerships.order_by("pk")


def test_answers_wait_a_quarter_of_an_hour_and_go_together_in_the_contacts_language(
    campaign, with_partners_entry
):
    entry, kirjasto, seura = with_partners_entry
    now = timezone.now()

    services.answer_partnership(kirjasto, confirm=True)
    services.answer_partnership(seura, confirm=False)

    ((lock, due),) = news_jobs()  # one job for both, thanks to the queueing lock
    assert lock == f"submitter_news:{entry.pk}"
    assert timedelta(minutes=14) < due - now <= timedelta(minutes=15, seconds=5)
    assert run_jobs() == []  # not due yet
    assert mail_jobs(run_all_jobs()) == [
        ("send_submitter_news", "succeeded"),
        ("send_message", "succeeded"),
    ]

    (message,) = mail.outbox
    assert message.to == ["maija@example.fi"]
    assert message.subject == f"Nyheter om ditt löfte {entry.reference}"
    assert "Det här har hänt med ditt löfte ”Kesätöitä nuorille” " in message.body
    assert (
        "- ”Kirjasto”, som du angav som partnerorganisation, har bekräftat sitt deltagande."
        in message.body
    )
    assert (
        "- ”Seura”, som du angav som partnerorganisation, har tackat nej till att delta."
        in message.body
    )
    assert "/sv/manage/" in message.body
    assert "Vi skickar sådana här nyheter högst en gång om dagen." in message.body


def test_the_next_news_wait_a_day_after_the_previous(campaign, with_partners_entry):
    _entry, kirjasto, seura = with_partners_entry
    services.answer_partnership(kirjasto, confirm=True)
    run_all_jobs()
    (message,) = news_messages()
    first = message.created_at

    services.answer_partnership(seura, confirm=True)

    ((_lock, due),) = news_jobs()
    assert due == first + timedelta(days=1)
    # A worker that runs it early (here: at once) sends nothing and waits for its time.
    assert mail_jobs(run_all_jobs()) == [("send_submitter_news", "succeeded")]
    assert len(news_messages()) == 1
    ((_lock, due),) = news_jobs()
    assert due == first + timedelta(days=1)

    # A day later (the first news moved a day back) the job sends the rest.
    Message.objects.filter(pk=message.pk).update(created_at=first - timedelta(days=1))
    run_all_jobs()

    assert len(news_messages()) == 2
    assert "”Seura”" in mail.outbox[-1].body and "”Kirjasto”" not in mail.outbox[-1].body


def test_a_partner_that_changed_its_mind_is_told_with_its_last_answer(
    campaign, with_partners_entry
):
    _entry, kirjasto, _seura = with_partners_entry
    services.answer_partnership(kirjasto, confirm=True)
    services.answer_partnership(kirjasto, confirm=False)
    services.answer_partnership(kirjasto, confirm=False)  # the same answer again: no news

    run_all_jobs()

    assert SubmitterNews.objects.count() == 2
    (message,) = mail.outbox
    assert "”Kirjasto”, som du angav som partnerorganisation, har tackat nej" in message.body
    assert "bekräftat" not in message.body


def test_publication_is_news_with_the_public_page(campaign, coordinator, with_partners_entry):
    entry, kirjasto, _seura = with_partners_entry
    services.answer_partnership(kirjasto, confirm=True)

    publishing.approve(entry, coordinator)
    run_all_jobs()

    (_message,) = news_messages()
    body = mail.outbox[-1].body
    assert body.index("Ministeriets personal har publicerat löftet.") < body.index("”Kirjasto”")
    assert f"http://testserver/sv/entries/{entry.pk}/" in body


def test_approval_without_consent_or_of_a_withdrawn_entry_sends_no_news(
    campaign, coordinator, with_partners_entry
):
    entry, kirjasto, _seura = with_partners_entry
    services.set_consent(entry, False)
    publishing.approve(entry, coordinator)
    assert not SubmitterNews.objects.exists()

    services.answer_partnership(kirjasto, confirm=True)
    services.withdraw_entry(entry)
    run_all_jobs()

    assert news_messages() == []
    assert not SubmitterNews.objects.exists()


def test_an_answer_forgotten_after_a_correction_is_not_told(campaign, with_partners_entry):
    _entry, kirjasto, _seura = with_partners_entry
    services.answer_partnership(kirjasto, confirm=True)
    services.correct_partner(kirjasto, email="kirjasto.oikea@example.fi", language="sv")

    run_all_jobs()

    assert news_messages() == []


def test_a_partner_row_with_only_its_language_is_an_empty_row(client, campaign):
    data = entry_form_data("initiative")
    data.update(
        {
            "partners-TOTAL_FORMS": "2",
            "partners-0-language": "fi",
            "partners-1-language": "sv",
        }
    )

    client.post(form_url("initiative", "fi"), data)

    assert Entry.objects.get().partnerships.count() == 0
