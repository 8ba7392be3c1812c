"""Drafts ("Save as draft"), submits racing each other, and the database constraints
that guard entries when the application code does not."""

import io
import re
import threading
import uuid
from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.utils import timezone
from PIL import Image

from kotolupaus.models import Message
from submissions.models import Draft, Entry, EntryStatus, Organisation

from .conftest import ensure_seeded, entry_form_data, form_url, token_from, with_partners

DRAFT_SAVED = (
    "Your draft was saved. We e-mailed a link for continuing it to {email}. "
    "You can also bookmark this page."
)
DRAFT_SAVED_AGAIN = (
    "Your draft was saved. Continue it later from this page's address: bookmark it, "
    "or use the link we e-mailed when you first saved the draft."
)
DRAFT_NEEDS_EMAIL = (
    "To save a draft, enter the contact person's e-mail address: the link for continuing "
    "the draft is sent there."
)
CONTINUING = "You are continuing a saved draft. A draft is not an entry until you send it."
KEPT = "The image you chose earlier is kept. Choose a new file only if you want to replace it."


def save_draft(client, kind="pledge", **overrides):
    """Save the English form as a draft; the response and the draft's private token."""
    response = client.post(form_url(kind, "en"), entry_form_data(kind, action="draft", **overrides))
    match = re.fullmatch(r"/en/submit/draft/([A-Za-z0-9_-]{20,})/", response["Location"])
    assert response.status_code == 302 and match, response
    return response, match.group(1)


def draft_url(token):
    return f"/en/submit/draft/{token}/"


def logo_png():
    buffer = io.BytesIO()
    Image.new("RGBA", (40, 30), (0, 0, 255, 255)).save(buffer, format="PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


# --- Drafts -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_draft_with_required_fields_missing_is_saved_under_a_private_link(client, campaign):
    response, token = save_draft(client, title=None, summary=None, authorised=None)

    assert response["Location"] == f"/en/submit/draft/{token}/"
    assert Draft.objects.count() == 1
    assert Entry.objects.count() == 0
    draft = Draft.objects.get()
    assert (draft.kind, draft.language, draft.campaign) == ("pledge", "en", campaign)
    assert token not in draft.token_hash  # only a hash is stored
    assert client.get(draft_url(token)).status_code == 200


@pytest.mark.django_db
def test_draft_link_is_emailed_to_the_contact_email(client, campaign):
    _response, token = save_draft(client, title=None, summary=None, authorised=None)

    (message,) = mail.outbox
    assert message.to == ["maija@esimerkki.example.fi"]
    assert message.subject == "Your saved draft – Kotolupaus test campaign"
    assert f"http://testserver/en/submit/draft/{token}/" in message.body
    assert token_from(message.body, "draft") == token


@pytest.mark.django_db
def test_draft_links_go_to_one_address_at_most_three_times_a_day(client, campaign):
    tokens = [save_draft(client, title=f"Luonnos {n}")[1] for n in range(5)]

    # Every draft is saved and opens from its page's address; only the e-mails stop.
    assert all(client.get(draft_url(token)).status_code == 200 for token in tokens)
    assert len(mail.outbox) == 3
    assert {m.to[0] for m in mail.outbox} == {"maija@esimerkki.example.fi"}


@pytest.mark.django_db
def test_draft_page_shows_the_saved_values_without_error_messages(client, campaign):
    data = with_partners(
        entry_form_data("initiative", action="draft", title=None, contact_phone="040 765 4321"),
        ("Yhdistys ry", "yhdistys@example.fi", "vapaaehtoiset"),
    )
    response = client.post(form_url("initiative", "en"), data, follow=True)
    content = response.content.decode()

    assert re.fullmatch(r"/en/submit/draft/[A-Za-z0-9_-]{20,}/", response.redirect_chain[0][0])
    assert response.status_code == 200
    saved_message = DRAFT_SAVED.format(email="maija@esimerkki.example.fi")
    assert f'<div class="alert alert-success">{saved_message}</div>' in content
    assert CONTINUING in content
    assert "<h1>Propose an initiative</h1>" in content
    assert 'value="Esimerkki Oy"' in content
    assert 'value="040 765 4321"' in content
    assert "Nuoret saavat työkokemusta ja kontakteja." in content
    assert 'value="Yhdistys ry"' in content
    assert 'value="yhdistys@example.fi"' in content
    assert re.search(r'<input type="text" name="title"(?![^>]*value=)[^>]*>', content)
    assert "error-summary" not in content
    assert "is-invalid" not in content
    assert "<title>Error:" not in content
    # Partners are invited only when the entry is sent, not for a draft.
    assert ["yhdistys@example.fi"] not in [m.to for m in mail.outbox]


@pytest.mark.django_db
@pytest.mark.parametrize("address", [None, "", "maija@", "not an address"])
def test_new_draft_without_a_valid_contact_email_is_refused_and_says_where_the_link_goes(
    client, campaign, address
):
    data = entry_form_data(action="draft", contact_email=address, title=None)
    data["summary"] = "Kesäksi töitä kymmenelle nuorelle."

    response = client.post(form_url("pledge", "en"), data)
    content = response.content.decode()

    assert response.status_code == 200
    assert Draft.objects.count() == 0
    assert mail.outbox == []
    message = DRAFT_NEEDS_EMAIL.replace("'", "&#x27;")
    # The field's own error and the summary's line, and nothing about the other fields.
    assert content.count(message) == 2
    assert 'href="#id_contact_email">E-mail: ' in content
    assert content.count('class="invalid-feedback') == 1
    assert "<title>Error:" in content
    # What was typed is still there.
    assert "Kesäksi töitä kymmenelle nuorelle.</textarea>" in content
    assert 'value="Esimerkki Oy"' in content


@pytest.mark.django_db
def test_continued_draft_is_saved_again_even_without_a_contact_email(client, campaign):
    _response, token = save_draft(client, title=None)
    mail.outbox.clear()

    again = client.post(
        draft_url(token), entry_form_data(action="draft", title=None, contact_email="")
    )

    assert again.status_code == 302
    assert again["Location"] == draft_url(token)
    assert mail.outbox == []
    assert Draft.objects.get().data["contact_email"] == [""]
    page = client.get(draft_url(token)).content.decode()
    assert DRAFT_SAVED_AGAIN.replace("'", "&#x27;") in page


@pytest.mark.django_db
def test_saving_the_draft_again_updates_the_same_draft(client, campaign):
    _response, token = save_draft(client, title=None)
    sent = len(mail.outbox)

    again = client.post(draft_url(token), entry_form_data(action="draft", title="Nyt on otsikko"))

    assert again.status_code == 302
    assert again["Location"] == draft_url(token)
    assert Draft.objects.count() == 1
    assert len(mail.outbox) == sent  # no second link for the same draft
    assert 'value="Nyt on otsikko"' in client.get(draft_url(token)).content.decode()


@pytest.mark.django_db
def test_sending_from_the_draft_creates_the_entry_and_deletes_the_draft(client, campaign):
    _response, token = save_draft(client, title=None)
    mail.outbox.clear()

    response = client.post(draft_url(token), entry_form_data(action="submit"), follow=True)

    assert response.redirect_chain == [("/en/submit/thank-you/", 302)]
    assert "confirm your e-mail address to send your pledge" in response.content.decode()
    entry = Entry.objects.get()
    entry.set_current_language("fi")
    assert entry.title == "Kesätöitä nuorille tulijoille"
    assert entry.status == EntryStatus.UNCONFIRMED
    assert Draft.objects.count() == 0
    assert [m.to for m in mail.outbox] == [["maija@esimerkki.example.fi"]]
    assert "Confirm your e-mail address" in mail.outbox[0].subject
    # The draft link is spent, and following it says so (410 Gone, not a bare 404).
    spent = client.get(draft_url(token))
    assert spent.status_code == 410
    assert "This draft has already been sent" in spent.content.decode()
    assert "e-mail" in spent.content.decode()


@pytest.mark.django_db
def test_draft_sent_with_a_field_still_missing_shows_the_error_and_keeps_the_draft(
    client, campaign
):
    _response, token = save_draft(client, title=None)

    response = client.post(draft_url(token), entry_form_data(action="submit", title=None))
    content = response.content.decode()

    assert response.status_code == 200
    assert 'href="#id_title"' in content
    assert CONTINUING in content
    assert Entry.objects.count() == 0
    assert Draft.objects.count() == 1


@pytest.mark.django_db
def test_logo_saved_in_a_draft_is_stored_when_the_draft_is_sent(client, campaign):
    data = {**entry_form_data(action="draft", title=None), "org_logo": logo_png()}
    token = re.search(r"/draft/([^/]+)/", client.post(form_url("pledge", "en"), data)["Location"])
    page = client.get(draft_url(token.group(1))).content.decode()
    reference = re.search(r'name="org_logo_pending" value="([^"]+)"', page).group(1)
    assert KEPT in page

    response = client.post(
        draft_url(token.group(1)), entry_form_data(action="submit", org_logo_pending=reference)
    )

    assert response.status_code == 302
    logo = Entry.objects.get().lead_organisation.logo
    assert logo.name.startswith("logos/")
    with logo.open("rb") as stored:
        assert Image.open(stored).size == (40, 30)


@pytest.mark.django_db
def test_logo_saved_in_a_draft_is_stored_when_the_draft_is_sent_days_later(client, campaign):
    data = {**entry_form_data(action="draft", title=None), "org_logo": logo_png()}
    token = re.search(r"/draft/([^/]+)/", client.post(form_url("pledge", "en"), data)["Location"])

    with time_machine.travel(timedelta(days=3)):
        page = client.get(draft_url(token.group(1))).content.decode()
        reference = re.search(r'name="org_logo_pending" value="([^"]+)"', page).group(1)
        response = client.post(
            draft_url(token.group(1)),
            entry_form_data(action="submit", org_logo_pending=reference),
        )

    assert KEPT in page
    assert response.status_code == 302
    assert Entry.objects.get().lead_organisation.logo


@pytest.mark.django_db
def test_draft_after_the_deadline_shows_the_closed_notice_and_creates_nothing(client, campaign):
    _response, token = save_draft(client, title=None)

    with time_machine.travel(campaign.closes_at + timedelta(seconds=1), tick=False):
        page = client.get(draft_url(token))
        sent = client.post(draft_url(token), entry_form_data(action="submit"))
        saved = client.post(draft_url(token), entry_form_data(action="draft"))

    assert page.status_code == 200
    assert "<h1>Submissions are closed</h1>" in page.content.decode()
    assert 'name="org_name"' not in page.content.decode()
    assert sent.status_code == saved.status_code == 403
    assert "Submissions are closed" in sent.content.decode()
    assert Entry.objects.count() == 0
    assert Draft.objects.count() == 1


@pytest.mark.django_db
def test_saving_a_draft_after_the_deadline_is_refused(client):
    from .conftest import make_campaign

    now = timezone.now()
    make_campaign(opens_at=now - timedelta(days=30), closes_at=now - timedelta(seconds=1))

    response = client.post(form_url("pledge", "en"), entry_form_data(action="draft"))

    assert response.status_code == 403
    assert Draft.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["no-such-draft-" + "0" * 30, "x"])
def test_wrong_draft_token_is_not_found(client, campaign, token):
    save_draft(client)

    assert client.get(draft_url(token)).status_code == 404
    assert client.post(draft_url(token), entry_form_data(action="submit")).status_code == 404
    assert Entry.objects.count() == 0


@pytest.mark.django_db
def test_draft_is_never_an_entry(client, campaign):
    _response, token = save_draft(client)  # even a complete form saved as a draft

    assert Draft.objects.count() == 1
    assert Entry.objects.count() == 0
    assert Organisation.objects.count() == 0
    assert campaign.entries.count() == 0
    # Its link opens no management page, and "lost your link?" knows nothing of it.
    assert client.get(f"/en/manage/{token}/").status_code == 404
    mail.outbox.clear()
    client.post("/en/manage/lost-link/", {"email": "maija@esimerkki.example.fi"})
    assert mail.outbox == []
    campaign.refresh_from_db()
    assert campaign.last_entry_number == 0  # no reference number was used up


# --- Concurrent submits -----------------------------------------------------------------
#
# Threads see only committed data, so these tests commit for real (transaction=True).
# Afterwards Django empties every table; serialized_rollback=True reloads the migrated
# data (themes, target groups, municipalities, staff roles) when such a test starts, and
# the fixture below reloads it once more when the last one has finished, so later tests
# and later runs of a kept test database (--reuse-db) still find it.


@pytest.fixture(scope="module")
def migrated_data_restored_afterwards(django_db_blocker):
    yield
    with django_db_blocker.unblock():
        ensure_seeded()
        connection.close()


def post_at_once(url, payloads):
    """POST each payload from its own thread and client, all released at the same moment."""
    return post_at_once_to([url] * len(payloads), payloads)


def post_at_once_to(urls, payloads=None):
    """POST to each URL from its own thread and client, all released at the same moment."""
    payloads = payloads or [{} for _ in urls]
    barrier = threading.Barrier(len(payloads))
    statuses = [None] * len(payloads)
    errors = []

    def post(index, data):
        try:
            client = Client()
            barrier.wait(timeout=30)
            statuses[index] = client.post(urls[index], data).status_code
        except Exception as error:  # reported below, in the test's own thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=item) for item in enumerate(payloads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return statuses


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("migrated_data_restored_afterwards")
def test_concurrent_submits_get_distinct_gap_free_references(campaign):
    payloads = [entry_form_data(contact_email=f"user{n}@example.fi") for n in range(6)]

    statuses = post_at_once(form_url("pledge", "en"), payloads)

    assert statuses == [302] * 6
    # Each contact got one confirmation, and all six confirm at the same moment.
    confirmations = Message.objects.filter(kind="confirm_address")
    assert sorted(m.recipient for m in confirmations) == sorted(
        p["contact_email"] for p in payloads
    )
    links = [
        re.search(r"http://testserver(/en/submit/confirm/[\w-]+/)", m.body).group(1)
        for m in confirmations
    ]
    assert post_at_once_to(links) == [302] * 6
    year = timezone.localtime(campaign.opens_at).year
    entries = list(Entry.objects.order_by("number"))
    assert [e.number for e in entries] == [1, 2, 3, 4, 5, 6]
    assert [e.reference for e in entries] == [f"KL-{year}-{n:04d}" for n in range(1, 7)]
    assert {e.contact_email for e in entries} == {f"user{n}@example.fi" for n in range(6)}
    assert {str(e.submission_key) for e in entries} == {p["submission_key"] for p in payloads}
    campaign.refresh_from_db()
    assert campaign.last_entry_number == 6


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("migrated_data_restored_afterwards")
def test_the_same_form_sent_four_times_at_once_creates_one_entry(campaign):
    data = entry_form_data()

    statuses = post_at_once(form_url("pledge", "en"), [dict(data) for _ in range(4)])

    assert statuses == [302] * 4
    entry = Entry.objects.get()
    assert str(entry.submission_key) == data["submission_key"]
    assert entry.status == EntryStatus.UNCONFIRMED
    assert Message.objects.filter(kind="confirm_address").count() == 1


# --- Database constraints ---------------------------------------------------------------


def unsaved_entry(campaign, kind="pledge", **overrides):
    """A valid entry, not yet saved; `overrides` replace its fields (also translated ones)."""
    now = timezone.now()
    fields = {
        "campaign": campaign,
        "kind": kind,
        "number": 1,
        "reference": f"KL-{now.year}-0001",
        "lead_organisation": Organisation.objects.create(name="Esimerkki Oy"),
        "original_language": "fi",
        "pledge_deadline": date(2027, 8, 31) if kind == "pledge" else None,
        "contact_name": "Maija Meikäläinen",
        "contact_email": "maija@esimerkki.example.fi",
        "contact_language": "fi",
        "consent_publish": True,
        "consent_publish_at": now,
        "consent_wording": "Hyväksyn julkaisun.",
        "authorised": True,
        "submission_key": uuid.uuid4(),
    }
    texts = {"title": "Otsikko", "summary": "Tiivistelmä", "description": "Kuvaus"}
    if kind == "pledge":
        texts.update(promise="Lupaus", target="Tavoite")
    else:
        texts.update(goal="Päämäärä", plan="Suunnitelma")
    translated = set(Entry._parler_meta.get_all_fields())
    for name, value in overrides.items():
        (texts if name in translated else fields)[name] = value
    entry = Entry(**fields)
    entry.set_current_language("fi")
    for name, value in texts.items():
        setattr(entry, name, value)
    return entry


@pytest.mark.django_db
def test_valid_entry_is_accepted_by_the_database(campaign):
    unsaved_entry(campaign).save()
    initiative = unsaved_entry(campaign, "initiative", number=2, reference="KL-2026-0002")
    initiative.save()
    # Entries waiting for their address to be confirmed have no number or reference yet.
    for _ in range(2):
        unsaved_entry(
            campaign,
            status=EntryStatus.UNCONFIRMED,
            number=None,
            reference="",
            confirm_token_hash=uuid.uuid4().hex * 2,
        ).save()

    assert Entry.objects.count() == 4


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "fields", "constraint"),
    [
        ("pledge", {"promise": ""}, "entry_text_has_fields_of_one_kind"),
        ("pledge", {"target": ""}, "entry_text_has_fields_of_one_kind"),
        ("pledge", {"goal": "Päämäärä"}, "entry_text_has_fields_of_one_kind"),
        ("initiative", {"plan": ""}, "entry_text_has_fields_of_one_kind"),
        ("initiative", {"promise": "Lupaus"}, "entry_text_has_fields_of_one_kind"),
        ("pledge", {"title": ""}, "entry_text_has_title_summary_description"),
        (
            "pledge",
            {"consent_publish_at": None},
            "entry_consent_time_set_when_consented",
        ),
        (
            "pledge",
            {"consent_wording": ""},
            "entry_consent_wording_stored_when_consented",
        ),
        ("pledge", {"pledge_deadline": None}, "entry_pledge_has_deadline"),
        (
            "pledge",
            {"status": EntryStatus.WITHDRAWN},
            "entry_withdrawal_time_set_when_withdrawn",
        ),
        ("pledge", {"authorised": False}, "entry_authorised"),
        ("pledge", {"reference": "KL-26-1"}, "entry_reference_format"),
        ("pledge", {"reference": ""}, "entry_reference_format"),
        ("pledge", {"status": EntryStatus.UNCONFIRMED}, "entry_reference_format"),
        (
            "pledge",
            {"status": EntryStatus.UNCONFIRMED, "number": None, "reference": "KL-2026-0001"},
            "entry_reference_format",
        ),
        (
            "pledge",
            {"confirm_token_hash": "a" * 64},
            "entry_confirmation_link_only_while_unconfirmed",
        ),
    ],
)
def test_database_refuses_an_entry_breaking_a_rule(campaign, kind, fields, constraint):
    entry = unsaved_entry(campaign, kind, **fields)

    with pytest.raises(IntegrityError, match=rf'constraint "{constraint}"'), transaction.atomic():
        entry.save()

    assert Entry.objects.count() == 0


@pytest.mark.django_db
def test_database_refuses_a_second_entry_with_the_same_number(campaign):
    unsaved_entry(campaign).save()

    second = unsaved_entry(campaign, reference="KL-2026-0009")  # the same number, 1

    with (
        pytest.raises(IntegrityError, match='constraint "entry_unique_number_per_campaign"'),
        transaction.atomic(),
    ):
        second.save()

    assert Entry.objects.count() == 1
