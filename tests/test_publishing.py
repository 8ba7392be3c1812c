"""What the public sees: only consented, approved, not withdrawn entries; never contact
data; search in three languages; sharing; challenges; the programme; open data."""

import csv
import io
import itertools
import json
import re

import pytest
from django.core import mail
from django.utils import timezone

from publishing import services as publishing
from publishing.models import Programme, Publication, PublicationStatus
from publishing.queries import published
from review import services as review
from review.models import AwardCategory, Outcome
from submissions import services as submissions
from submissions.models import Entry, Partnership

from .conftest import make_entry, seek_partners
from .jobs import run_jobs

pytestmark = pytest.mark.django_db

CONTACT = "maija@example.fi"


def publish(entry, by):
    publishing.approve(entry, by)
    return entry


def public_responses(client, entry):
    """Every public place an entry could show up, as text."""
    responses = {
        "catalogue": client.get("/fi/entries/"),
        "search": client.get("/fi/entries/", {"q": "Kesätöitä"}),
        "entry page": client.get(f"/fi/entries/{entry.pk}/"),
        "feed": client.get("/fi/feed.atom"),
        "open data json": client.get("/fi/open-data/entries.json"),
        "open data csv": client.get("/fi/open-data/entries.csv"),
        "sitemap": client.get("/sitemap.xml"),
        "statistics": client.get("/fi/statistics/"),
        "programme": client.get("/fi/programme/"),
    }
    return {name: (r.status_code, body(r)) for name, r in responses.items()}


def body(response):
    """A response's text, streamed (open data) or not."""
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.mark.parametrize(
    ("consent", "approved", "withdrawn", "partner_confirmed"),
    list(itertools.product([True, False], repeat=4)),
)
def test_an_entry_is_public_only_when_consented_approved_and_not_withdrawn(
    client, campaign, staff_user, consent, approved, withdrawn, partner_confirmed
):
    entry = make_entry(
        campaign,
        "Kesätöitä nuorille tulijoille",
        consent_publish=consent,
        partners=[("Kumppani ry", "kumppani@example.fi")],
    )
    if approved:
        publishing.approve(entry, staff_user)
    if withdrawn:
        submissions.withdraw_entry(entry)
    partnership = Partnership.objects.get(entry=entry)
    if partner_confirmed:
        submissions.answer_partnership(partnership, confirm=True)

    visible = consent and approved and not withdrawn
    seen = public_responses(client, entry)

    assert (seen["entry page"][0] == 200) is visible
    if not visible:
        # Public once and not any more: 410 with an explanation; never public: 404.
        was_public = approved and consent
        assert seen["entry page"][0] == (410 if was_public else 404)
    for name in ("catalogue", "search", "feed", "open data json", "open data csv"):
        assert ("Kesätöitä nuorille tulijoille" in seen[name][1]) is visible, name
    assert (f"/entries/{entry.pk}/" in seen["sitemap"][1]) is visible
    # A partner appears only once it has confirmed, and only with a public entry.
    for name in ("entry page", "catalogue", "open data json"):
        assert ("Kumppani ry" in seen[name][1]) is (visible and partner_confirmed), name


def test_contact_data_never_appears_in_any_public_response(client, campaign, staff_user):
    entry = make_entry(
        campaign,
        "Kesätöitä nuorille",
        kind="initiative",
        partners_sought="Yrityksiä.",
        partners=[("Kumppani ry", "partner@x.fi")],
        contact_phone="+358 40 765 4321",
    )
    submissions.answer_partnership(Partnership.objects.get(), confirm=True)
    publish(entry, staff_user)
    seek_partners(entry)

    pages = public_responses(client, entry)
    pages["join"] = (200, client.get(f"/fi/entries/{entry.pk}/join/").content.decode())
    for language in ("sv", "en"):
        pages[language] = (200, client.get(f"/{language}/entries/{entry.pk}/").content.decode())

    for name, (_status, content) in pages.items():
        for secret in (CONTACT, "Maija Meikäläinen", "765 4321", "partner@x.fi"):
            assert secret not in content, (name, secret)


def test_withdrawing_consent_takes_the_entry_down_at_once(client, campaign, staff_user):
    entry = publish(make_entry(campaign, "Kesätöitä nuorille"), staff_user)
    assert client.get(f"/fi/entries/{entry.pk}/").status_code == 200

    submissions.set_consent(entry, False)

    gone = client.get(f"/fi/entries/{entry.pk}/")
    assert gone.status_code == 410
    assert "Lupaus ei ole enää julkisesti nähtävillä" in gone.content.decode()
    assert "Kesätöitä nuorille" not in gone.content.decode()
    assert "Kesätöitä nuorille" not in client.get("/fi/entries/").content.decode()


def test_an_edit_by_the_submitter_goes_back_to_moderation_and_the_approved_stays_public(
    campaign, staff_user
):
    entry = publish(make_entry(campaign, "Kesätöitä"), staff_user)
    approved = Publication.objects.get(entry=entry).approved_version

    from submissions import extensions

    extensions.entry_changed(entry, "edited")

    publication = Publication.objects.get(entry=entry)
    assert publication.status == PublicationStatus.PENDING
    assert publication.approved_version == approved
    assert list(published()) == [entry]


def test_automatic_flags_point_moderators_to_spam(campaign):
    entry = make_entry(
        campaign,
        "CHEAP CASINO BONUS NOW",
        description="www.a.example www.b.example https://c.example",
    )
    make_entry(campaign, "Kesätöitä nuorille")

    publication = Publication.objects.get(entry=entry)

    assert set(publication.flags) >= {"links", "words", "shouting"}
    assert publication.status == PublicationStatus.PENDING
    assert Publication.objects.exclude(entry=entry).get().flags == []


def test_returning_for_fixes_mails_a_new_link_that_can_edit_after_the_deadline(
    client, campaign, staff_user
):
    entry = make_entry(campaign, "Kesätöitä", language="sv")
    campaign.closes_at = timezone.now() - timezone.timedelta(days=1)
    campaign.opens_at = campaign.closes_at - timezone.timedelta(days=30)
    campaign.save()

    publishing.return_for_fixes(entry, staff_user, "Lägg till en tidtabell, tack.")
    run_jobs()

    (message,) = mail.outbox
    assert "Lägg till en tidtabell, tack." in message.body
    assert message.to == [CONTACT]
    from .conftest import token_from

    token = token_from(message.body)
    edit = client.get(f"/sv/manage/{token}/edit/")
    assert edit.status_code == 200
    assert 'name="title"' in edit.content.decode()


# --- Search and languages ----------------------------------------------------------------------


@pytest.fixture
def searchable(campaign, staff_user):
    entries = {
        "fi": make_entry(
            campaign,
            "Kotoutuminen työelämään",
            language="fi",
            description="Tuemme maahanmuuttajien kotoutuminen-polkua.",
        ),
        "sv": make_entry(
            campaign,
            "Integrationen i arbetslivet",
            language="sv",
            description="Språkcaféer för nyanlända i Vasa.",
        ),
        "en": make_entry(
            campaign,
            "Football for newcomers",
            language="en",
            description="Weekly football sessions for refugee children.",
        ),
    }
    for entry in entries.values():
        publish(entry, staff_user)
    return entries


def found(client, query, language="fi"):
    content = client.get(f"/{language}/entries/", {"q": query}).content.decode()
    return content


@pytest.mark.parametrize(
    ("query", "expected", "language"),
    [
        ("kotoutumista", "fi", "fi"),
        ("kotoutumisen", "fi", "sv"),
        ("integration", "sv", "en"),
        ("språkcafé", "sv", "fi"),
        ("children", "en", "sv"),
        ("kotoutumsta", "fi", "fi"),
        ("fotball", "en", "en"),
    ],
)
def test_search_finds_inflected_and_misspelt_words_in_any_language(
    client, searchable, query, expected, language
):
    content = found(client, query, language)

    assert (
        searchable[expected].reference in content
        or f"/entries/{searchable[expected].pk}/" in content
    )
    others = [e for key, e in searchable.items() if key != expected]
    for other in others:
        assert f"/entries/{other.pk}/" not in content


def test_search_with_nothing_found_says_so(client, searchable):
    content = found(client, "zzzyyyxxx", "en")

    assert "Nothing found." in content


def test_visitor_sees_their_language_or_the_original_marked_with_its_language(
    client, campaign, staff_user
):
    entry = publish(make_entry(campaign, "Kesätöitä nuorille", language="fi"), staff_user)
    entry.set_current_language("sv")
    entry.title, entry.summary, entry.description = "Sommarjobb för unga", "Sammandrag.", "Text."
    entry.promise, entry.target = "Vi lovar.", "Mål."
    entry.save()
    publishing.translation_saved(entry, "sv", by=staff_user)

    swedish = client.get(f"/sv/entries/{entry.pk}/").content.decode()
    english = client.get(f"/en/entries/{entry.pk}/").content.decode()

    assert '<h1 lang="sv">Sommarjobb för unga</h1>' in swedish
    assert '<h1 lang="fi">Kesätöitä nuorille</h1>' in english
    assert "This text is shown as it was written (in Finnish)." in english


def test_entry_page_has_share_links_with_the_hashtag_and_social_tags(client, campaign, staff_user):
    entry = publish(make_entry(campaign, "Kesätöitä nuorille"), staff_user)

    content = client.get(f"/en/entries/{entry.pk}/").content.decode()

    assert "hashtags=kotolupaus" in content
    assert "wa.me/?text=Kes%C3%A4t%C3%B6it%C3%A4+nuorille+%23kotolupaus" in content
    assert "mailto:?subject=Kes%C3%A4t%C3%B6it%C3%A4%20nuorille%20%23kotolupaus" in content
    assert "facebook.com/sharer" in content and "linkedin.com/sharing" in content
    assert '<meta property="og:title" content="Kesätöitä nuorille">' in content
    assert f'<link rel="canonical" href="http://testserver/en/entries/{entry.pk}/">' in content
    for language in ("fi", "sv", "en"):
        assert (
            f'<link rel="alternate" hreflang="{language}" '
            f'href="http://testserver/{language}/entries/{entry.pk}/">'
        ) in content
    # No share widgets or third-party scripts: only our own files, no inline code.
    scripts = re.findall(r"<script([^>]*)>", content)
    assert scripts and all(re.search(r'src="/static/[^"]+"', attrs) for attrs in scripts)


# --- Challenges and joining ------------------------------------------------------------------


def test_taking_up_a_challenge_links_the_two_pledges(client, campaign, staff_user):
    from .conftest import confirm_address, entry_form_data

    original = publish(make_entry(campaign, "Kymmenen harjoittelupaikkaa"), staff_user)

    start = client.get(f"/fi/entries/{original.pk}/challenge/")
    form = client.get(start["Location"]).content.decode()
    client.post(
        "/fi/submit/pledge/",
        entry_form_data("pledge", challenge_of=str(original.pk), title="Mekin otamme haasteen"),
    )
    confirm_address(client, mail.outbox[-1])
    answer = Entry.objects.get(challenge_of=original)
    before = client.get(f"/fi/entries/{original.pk}/").content.decode()
    publish(answer, staff_user)
    after = client.get(f"/en/entries/{original.pk}/").content.decode()

    assert start["Location"] == f"/fi/submit/pledge/?challenge={original.pk}"
    assert "Kymmenen harjoittelupaikkaa" in form
    assert "Mekin otamme haasteen" not in before  # not shown before it is published
    assert "1 organisation has taken up this challenge." in after
    assert "Mekin otamme haasteen" in after


def test_a_challenge_must_be_a_published_pledge(client, campaign):
    from .conftest import entry_form_data

    hidden = make_entry(campaign, "Ei julkaistu")

    client.post("/fi/submit/pledge/", entry_form_data("pledge", challenge_of=str(hidden.pk)))

    assert not Entry.objects.filter(challenge_of=hidden).exists()


def test_join_form_relays_the_message_without_revealing_the_address(client, campaign, staff_user):
    mail.outbox.clear()
    entry = publish(
        make_entry(
            campaign,
            "Kielikahvila",
            kind="initiative",
            partners_sought="Kirjastoja ja yhdistyksiä.",
        ),
        staff_user,
    )
    seek_partners(entry)

    page = client.get(f"/en/entries/{entry.pk}/").content.decode()
    form = client.get(f"/en/entries/{entry.pk}/join/").content.decode()
    sent = client.post(
        f"/en/entries/{entry.pk}/join/",
        {
            "organisation": "Kirjasto",
            "name": "Kalle",
            "email": "kalle@kirjasto.example",
            "message": "Haluamme mukaan.",
        },
    )

    assert "We want to join" in page
    assert CONTACT not in form and CONTACT not in sent.content.decode()
    (message,) = mail.outbox
    assert message.to == [CONTACT]
    # The contact answers on the management page: the sender's address is not given.
    assert message.reply_to == []
    assert "kalle@kirjasto.example" not in message.body
    assert "Haluamme mukaan." in message.body
    assert "/en/manage/" in message.body or "/fi/manage/" in message.body
    assert entry.join_requests.count() == 1


def test_join_form_refuses_bad_input_and_keeps_it(client, campaign, staff_user):
    entry = publish(
        make_entry(campaign, "Kielikahvila", kind="initiative", partners_sought="Kirjastoja."),
        staff_user,
    )
    seek_partners(entry)

    response = client.post(
        f"/en/entries/{entry.pk}/join/",
        {"organisation": "Kirjasto", "name": "", "email": "not-an-address", "message": "Hei"},
    )

    content = response.content.decode()
    assert 'id="error-summary"' in content
    assert 'value="Kirjasto"' in content
    assert mail.outbox == []


def test_initiative_not_seeking_partners_has_no_join_form(client, campaign, staff_user):
    entry = publish(make_entry(campaign, "Kielikahvila", kind="initiative"), staff_user)

    assert client.get(f"/en/entries/{entry.pk}/join/").status_code == 404


# --- Programme, awards and open data ----------------------------------------------------------


@pytest.fixture
def programme(campaign, staff_user):
    included = publish(make_entry(campaign, "Mukana ohjelmassa"), staff_user)
    excluded = publish(make_entry(campaign, "Ei ohjelmassa"), staff_user)
    review.record_decision(included, Outcome.INCLUDED, "Hyvä.", staff_user)
    review.record_decision(excluded, Outcome.NOT_INCLUDED, "Ei.", staff_user)
    review.publish_decisions(campaign, staff_user)
    category = AwardCategory(campaign=campaign)
    category.set_current_language("fi")
    category.name = "Paras yhteistyö"
    category.save()
    review.award(category, included, {"fi": "Erinomainen.", "sv": "", "en": ""}, staff_user)
    text = Programme(campaign=campaign)
    text.set_current_language("fi")
    text.title, text.introduction = "Yhteistyöohjelma", "Johdanto ohjelmaan."
    text.save()
    return included, excluded


def test_programme_lists_included_entries_by_theme_with_winners(client, programme):
    content = client.get("/fi/programme/").content.decode()

    assert "Johdanto ohjelmaan." in content
    assert "Mukana ohjelmassa" in content and "Ei ohjelmassa" not in content
    assert "Paras yhteistyö" in content


def test_programme_pdf_renders_with_the_included_entries(client, programme):
    from pypdf import PdfReader

    response = client.get("/fi/programme/pdf/")

    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(response.getvalue())).pages
    )
    assert "Mukana ohjelmassa" in text
    assert "Ei ohjelmassa" not in text
    assert "Sisällys" in text or "Contents" in text


def test_catalogue_filters_by_programme_and_award_as_plain_links(client, programme):
    included, excluded = programme

    catalogue = client.get("/en/entries/").content.decode()
    in_programme = client.get("/en/entries/", {"programme": "on"}).content.decode()
    awarded = client.get("/en/entries/", {"award": "any"}).content.decode()

    assert 'href="/en/entries/?programme=on"' in catalogue
    assert f"/entries/{included.pk}/" in in_programme
    assert f"/entries/{excluded.pk}/" not in in_programme
    assert f"/entries/{included.pk}/" in awarded and f"/entries/{excluded.pk}/" not in awarded
    assert "In the cooperation programme" in catalogue


def test_open_data_has_licence_schema_and_no_personal_data(client, programme):
    included, _excluded = programme

    data = json.loads(body(client.get("/en/open-data/entries.json")))
    rows = list(csv.reader(io.StringIO(body(client.get("/en/open-data/entries.csv")))))
    docs = client.get("/en/open-data/").content.decode()

    assert data["licence"] == "CC BY 4.0"
    record = next(r for r in data["entries"] if r["reference"] == included.reference)
    assert record["in_programme"] is True
    assert record["text"]["fi"]["title"] == "Mukana ohjelmassa"
    assert "contact" not in json.dumps(data)
    assert rows[0][:3] == ["reference", "url", "campaign"]
    assert len(rows) == 3
    assert "CC BY 4.0" in docs and "municipality_codes" in docs


@pytest.mark.parametrize("count", [1, 30])
def test_catalogue_query_count_is_constant(
    client, campaign, staff_user, count, django_assert_max_num_queries
):
    for n in range(count):
        entry = make_entry(campaign, f"Aloite {n}", partners=[(f"Kumppani {n}", f"k{n}@x.fi")])
        submissions.answer_partnership(entry.partnerships.get(), confirm=True)
        publish(entry, staff_user)

    with django_assert_max_num_queries(24):
        response = client.get("/fi/entries/")

    assert response.status_code == 200


def test_anonymous_pages_can_be_cached_and_revalidated(client, campaign, staff_user):
    entry = publish(make_entry(campaign, "Kesätöitä"), staff_user)

    first = client.get(f"/fi/entries/{entry.pk}/")
    again = client.get(f"/fi/entries/{entry.pk}/", headers={"if-none-match": first["ETag"]})
    submissions.set_consent(entry, False)
    submissions.set_consent(entry, True)
    changed = client.get("/fi/entries/", headers={"if-none-match": first["ETag"]})

    assert "public" in first["Cache-Control"] and "max-age=60" in first["Cache-Control"]
    assert first["Last-Modified"]
    assert again.status_code == 304
    assert changed.status_code == 200


def test_statistics_show_charts_with_data_tables_in_each_language(client, programme):
    for language, heading in [("fi", "Tilastot"), ("sv", "Statistik"), ("en", "Statistics")]:
        content = client.get(f"/{language}/statistics/").content.decode()
        assert f"<h1>{heading}</h1>" in content
        assert '<svg role="img"' in content
        assert "<table" in content


def test_a_very_long_list_says_more_than_and_asks_to_narrow_it(
    client, campaign, staff_user, monkeypatch
):
    from publishing import views

    monkeypatch.setattr(views, "MAX_RESULTS", 2)
    for n in range(3):
        publish(make_entry(campaign, f"Aloite {n}"), staff_user)

    content = client.get("/en/entries/").content.decode()

    assert "More than 2 pledges and initiatives" in content
