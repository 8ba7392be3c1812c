"""The main flows, in a real Chromium, the way people use them (and without JavaScript
where the page promises to work without it)."""

import re

import pytest
from django.core import mail
from django.utils.translation import gettext, override
from PIL import Image
from playwright.sync_api import expect

from publishing import services as publishing
from review import services as review
from review.models import AwardCategory, Decision, Review
from submissions.models import (
    CONSENT_TO_PUBLISH_WORDING,
    Entry,
    Partnership,
    TargetGroup,
    Theme,
)

from ..conftest import make_campaign, make_entry, make_staff
from ..jobs import run_jobs
from .conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


with override("en"):
    CONSENT = str(CONSENT_TO_PUBLISH_WORDING["pledge"])


def t(language, text):
    """The page's text for an English source string, in the given language."""
    with override(language):
        return gettext(text)


@pytest.fixture
def campaign(db):
    return make_campaign(name_fi="Kotolupaus", name_sv="Kotolupaus", name_en="Kotolupaus")


def literal(text):
    """Text as a regular expression that also works in JavaScript (re.escape escapes
    spaces, which a JavaScript unicode pattern refuses)."""
    return re.sub(r"([.*+?^${}()|\[\]\\/])", r"\\\1", text)


def field(page, label):
    """A form control by its label (in a page or a part of it); required fields' labels
    end with an asterisk."""
    return page.get_by_label(re.compile(rf"^\s*{literal(label)}\s*\*?\s*$"))


def fill_entry_form(page, language, kind, *, title="Språkcafé för nyanlända", logo=None):
    def label(text):
        return field(page, t(language, text))

    label("Name of the organisation").fill("Föreningen Kulturbron rf")
    label("Business ID").fill("0112038-9")
    label("Type of organisation").select_option("ngo")
    label("Title").fill(title)
    label("Summary").fill("Frivilliga håller språkcaféer för nyanlända.")
    label("Description").fill("Caféerna ordnas varje vecka på biblioteket.")
    if kind == "pledge":
        label("What do you promise?").fill("Vi lovar att ordna ett språkcafé varje vecka.")
        label("Measurable target").fill("40 träffar per år.")
        label("To be fulfilled by").fill("2027-12-31")
    else:
        label("Goal").fill("Nyanlända vågar använda språket.")
        label("How is it carried out?").fill("Biblioteket ger lokalen, föreningen frivilliga.")
        label("Timetable").fill("Från januari 2027.")
    with override(language):
        theme = str(Theme.objects.get(slug="training-language"))
        group = str(TargetGroup.objects.get(slug="newly-arrived"))
    # (The entry's own themes, not those of the partners it seeks.)
    themes = re.compile("^" + re.escape(t(language, "Themes")) + r"\W*$")
    page.get_by_role("group", name=themes).get_by_label(theme).check()
    page.get_by_role("group", name=t(language, "Who does it help?")).get_by_label(group).check()
    label("All of Finland").check()
    if logo:
        label("Logo").set_input_files(logo)
    label("Name").fill("Anna Andersson")
    label("E-mail").fill("anna@kulturbron.example")
    label("I am authorised to submit this on behalf of the organisation.").check()
    page.get_by_label(re.compile(r"^\s*" + literal(t(language, CONSENT)[:25]))).check()


def test_joint_initiative_with_two_partners_in_swedish_then_manage_it(page, campaign):
    page.goto("/sv/")
    page.get_by_role("link", name=t("sv", "Propose an initiative")).first.click()
    fill_entry_form(page, "sv", "initiative")
    partners = page.get_by_role("group", name=t("sv", "Partner organisations"))
    for number, name, email in [
        (1, "Esbo stadsbibliotek", "bibliotek@esbo.example"),
        (2, "Pensionärsföreningen", "pension@example.org"),
    ]:
        row = partners.get_by_role("group", name=re.compile(f" {number}$"))
        field(row, t("sv", "Partner organisation")).fill(name)
        field(row, t("sv", "Contact e-mail of the partner")).fill(email)

    page.get_by_role("button", name=t("sv", "Preview"), exact=True).last.click()
    page.get_by_role("heading", name=t("sv", "Check your initiative before sending")).wait_for()
    page.get_by_role("button", name=t("sv", "Send"), exact=True).click()
    almost = "Almost done: confirm your e-mail address to send your initiative"
    page.get_by_role("heading", name=t("sv", almost)).wait_for()
    screenshot(page, "check-your-inbox")
    assert "anna@kulturbron.example" in page.content()

    run_jobs()
    entry = Entry.objects.get()
    assert entry.partnerships.count() == 2
    assert [m.to for m in mail.outbox] == [["anna@kulturbron.example"]]  # no partner yet
    confirmation = mail.outbox[0]
    confirm = re.search(r"https?://\S+/submit/confirm/\S+/", confirmation.body).group(0)
    page.goto(confirm.replace("http://testserver", ""))
    page.get_by_role("button", name=t("sv", "Confirm and send")).click()
    page.get_by_role("heading", name=t("sv", "Thank you – your initiative was sent")).wait_for()
    screenshot(page, "confirmation")
    entry.refresh_from_db()
    assert entry.reference in page.content()
    run_jobs()
    assert sorted(m.to[0] for m in mail.outbox[1:]) == [
        "bibliotek@esbo.example",
        "pension@example.org",
    ]

    link = re.search(r"https?://\S+/manage/\S+/", confirmation.body).group(0)
    page.goto(link.replace("http://testserver", ""))
    page.get_by_role("link", name=t("sv", "Edit the initiative")).click()
    field(page, t("sv", "Title")).fill("Språkcaféer i Esbo")
    page.get_by_role("button", name=t("sv", "Save changes")).click()
    page.get_by_text(t("sv", "Your changes were saved.")).wait_for()
    page.get_by_role("button", name=t("sv", "Withdraw consent to publish")).click()
    page.get_by_text(t("sv", "You have not allowed the initiative to be published.")).wait_for()

    entry.refresh_from_db()
    entry.set_current_language("sv")
    assert entry.title == "Språkcaféer i Esbo"
    assert entry.consent_publish is False


def test_pledge_with_a_logo_in_english(page, campaign, tmp_path):
    logo = tmp_path / "logo.png"
    Image.new("RGB", (120, 80), "teal").save(logo)
    page.goto("/en/submit/pledge/")

    fill_entry_form(page, "en", "pledge", title="Language café every week", logo=str(logo))
    page.get_by_role("button", name="Preview", exact=True).last.click()
    page.get_by_text("The images you chose are kept and sent with the rest of the form.").wait_for()
    page.get_by_role("button", name="Send", exact=True).click()
    page.get_by_role(
        "heading", name="Almost done: confirm your e-mail address to send your pledge"
    ).wait_for()

    organisation = Entry.objects.get().lead_organisation
    assert organisation.logo.name.startswith("logos/")
    assert not organisation.logo.name.endswith("logo.png")


def test_failed_validation_shows_a_focused_error_summary_and_keeps_values(page, campaign):
    page.goto("/sv/submit/pledge/")
    field(page, t("sv", "Name of the organisation")).fill("Föreningen Test")
    field(page, t("sv", "Business ID")).fill("1234567-8")

    page.get_by_role("button", name=t("sv", "Preview"), exact=True).last.click()

    summary = page.get_by_role("alert")
    summary.wait_for()
    # The page's deferred script moves the focus once it has run: wait for it.
    expect(page.locator("#error-summary")).to_be_focused()
    assert page.title().startswith(t("sv", "Error:"))
    assert field(page, t("sv", "Name of the organisation")).input_value() == ("Föreningen Test")
    summary.get_by_role("link", name=re.compile(literal(t("sv", "Business ID")))).click()
    assert page.evaluate("document.activeElement.name") == "org_business_id"
    screenshot(page, "form-errors")
    assert Entry.objects.count() == 0


def test_partner_confirms_from_its_email(page, campaign):
    from submissions.services import confirm_address

    entry = make_entry(
        campaign,
        "Kielikahvila",
        kind="initiative",
        language="en",
        partners=[("Library", "library@example.org")],
        confirm=False,
    )
    confirm_address(entry)
    run_jobs()
    invitation = next(m for m in mail.outbox if m.to == ["library@example.org"])
    link = re.search(r"https?://\S+/partner/\S+/", invitation.body).group(0)

    page.goto(link.replace("http://testserver", ""))
    page.get_by_role("button", name="Yes, we take part").click()

    page.get_by_text("You have confirmed taking part.").wait_for()
    assert Partnership.objects.get().confirmed_at is not None


def test_reviewer_scores_with_save_and_next_and_coordinator_decides_and_awards(page, campaign):
    reviewer = make_staff("reviewer-bob", "reviewer")
    coordinator = make_staff("coordinator-alice", "coordinator", "reviewer")
    entries = [make_entry(campaign, f"Aloite {n}") for n in range(2)]
    for entry in entries:
        review.assign(entry, reviewer, coordinator)
        publishing.approve(entry, coordinator)

    login(page, "reviewer-bob", language="sv")
    page.goto("/sv/admin/workspace/queue/")
    page.get_by_role("link", name=entries[0].reference).click()
    for following in (f"/score/{entries[1].pk}/", "/queue/"):
        # The scoring form is on the page before its radio groups are counted.
        page.get_by_role("button", name=t("sv", "Save and next")).wait_for()
        for group in page.get_by_role("group").all():
            radio = group.get_by_role("radio", name="4", exact=True)
            if radio.count():
                radio.check()
        page.get_by_role("radio", name=t("sv", "Include in the programme")).check()
        with page.expect_navigation():
            page.get_by_role("button", name=t("sv", "Save and next")).click()
        assert following in page.url
    assert Review.objects.filter(reviewer=reviewer).count() == 2
    screenshot(page, "review-queue")

    page.context.clear_cookies()
    login(page, "coordinator-alice")
    page.goto("/en/admin/workspace/ranking/")
    page.get_by_role("checkbox", name=f"Choose {entries[0].reference}").check()
    page.get_by_role("radio", name="Included in the programme").check()
    page.get_by_label("Rationale", exact=True).fill("Concrete and well planned.")
    page.get_by_role("button", name="Record provisional decisions").click()
    page.get_by_role("link", name="Publish decisions…").click()
    page.get_by_text("1 submitter is told by e-mail").wait_for()
    assert Decision.objects.get().published_at is None  # it asks first
    page.get_by_role("button", name="Publish the decisions and send the e-mails").click()
    page.get_by_text("1 decision published").wait_for()
    assert Decision.objects.get().published_at is not None

    category = AwardCategory.objects.create(campaign=campaign)
    review.nominate(category, entries[0], coordinator)
    page.goto(f"/en/admin/workspace/prizes/{category.pk}/vote/")
    page.get_by_label(str(entries[0])).select_option("1")
    page.get_by_role("button", name="Save my ballot").click()
    page.get_by_text("Your ballot was saved.").wait_for()
    page.goto("/en/admin/review/award/add/")
    page.get_by_label("Prize category").select_option(str(category.pk))
    page.locator("#id_entry").evaluate(
        "(select, value) => { const o = new Option(value, value, true, true); select.append(o); }",
        str(entries[0].pk),
    )
    page.get_by_label("Citation").fill("An exemplary cooperation.")
    page.get_by_role("button", name="Save", exact=True).click()
    assert entries[0].awards.count() == 1


def test_visitor_filters_searches_switches_language_and_downloads_the_programme(page, campaign):
    staff = make_staff("coordinator-alice", "coordinator")
    included = make_entry(campaign, "Kielikahvila kirjastossa", kind="initiative")
    other = make_entry(campaign, "Jalkapalloa lapsille", kind="pledge")
    for entry in (included, other):
        publishing.approve(entry, staff)
    review.record_decision(included, "included", "Hyvä.", staff)
    review.publish_decisions(campaign, staff)

    page.goto("/sv/entries/")
    page.get_by_role("navigation", name=t("sv", "Filters")).get_by_role(
        "link", name=t("sv", "Initiative"), exact=True
    ).click()
    assert "kind=initiative" in page.url
    assert page.get_by_role("link", name="Jalkapalloa lapsille").count() == 0
    page.get_by_role("searchbox", name=t("sv", "Search")).fill("kielikahvilassa")
    page.get_by_role("button", name=t("sv", "Search"), exact=True).click()
    page.get_by_role("link", name="Kielikahvila kirjastossa").click()
    assert page.locator("h1").get_attribute("lang") == "fi"
    page.get_by_role("navigation", name=t("sv", "Language")).get_by_role(
        "link", name="English"
    ).click()
    assert page.url.endswith(f"/en/entries/{included.pk}/")
    screenshot(page, "entry")

    page.goto("/en/programme/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the programme as PDF").click(modifiers=["Alt"])
    assert download.value.path().read_bytes()[:4] == b"%PDF"


def test_the_form_works_without_javascript_including_adding_partners(no_js_page, campaign):
    page = no_js_page
    page.goto("/en/submit/initiative/")
    rows = page.get_by_role("group", name=re.compile(r"^Partner \d+$"))
    before = rows.count()

    page.get_by_role("button", name="Add another partner").click()

    assert page.get_by_role("group", name=re.compile(r"^Partner \d+$")).count() == before + 1
    fill_entry_form(page, "en", "initiative")
    page.get_by_role("button", name="Preview", exact=True).last.click()
    page.get_by_role("button", name="Send", exact=True).click()
    page.get_by_role(
        "heading", name="Almost done: confirm your e-mail address to send your initiative"
    ).wait_for()
    assert Entry.objects.count() == 1
    run_jobs()
    confirm = re.search(r"https?://\S+/submit/confirm/\S+/", mail.outbox[0].body).group(0)
    page.goto(confirm.replace("http://testserver", ""))
    page.get_by_role("button", name="Confirm and send").click()
    page.get_by_role("heading", name="Thank you – your initiative was sent").wait_for()
    assert Entry.objects.submitted().count() == 1


def test_the_catalogue_works_without_javascript(no_js_page, campaign):
    staff = make_staff("coordinator-alice", "coordinator")
    entry = make_entry(campaign, "Kielikahvila kirjastossa")
    publishing.approve(entry, staff)
    page = no_js_page

    page.goto("/fi/entries/")
    page.get_by_role("searchbox").fill("kielikahvila")
    page.get_by_role("searchbox").press("Enter")
    page.get_by_role("link", name="Kielikahvila kirjastossa").click()

    assert page.locator("h1").inner_text() == "Kielikahvila kirjastossa"


def test_javascript_adds_partner_rows_and_counts_characters(page, campaign):
    page.goto("/en/submit/initiative/")
    before = page.get_by_role("group", name=re.compile(r"^Partner \d+$")).count()

    page.get_by_role("button", name="Add another partner").click()
    field(page, "Title").fill("Hello")

    assert page.get_by_role("group", name=re.compile(r"^Partner \d+$")).count() == before + 1
    assert page.url.endswith("/en/submit/initiative/")  # no round trip
    assert page.get_by_text("145 characters left").count() == 1
    assert page.console_errors == []


def test_progress_report_in_swedish_through_the_private_link_then_public_in_three_languages(
    page, campaign
):
    """A submitter reports progress in Swedish from the management page; once staff
    approve it, the report is on the initiative's page in Finnish, Swedish and English."""
    from publishing.models import PublicationStatus
    from submissions.models import ProgressReport

    from ..conftest import manage_token

    staff = make_staff("coordinator-alice", "coordinator")
    entry = make_entry(campaign, "Språkcafé i Vasa", kind="initiative", language="sv")
    publishing.approve(entry, staff)

    page.goto(f"/sv/manage/{manage_token(entry)}/")
    page.get_by_role("link", name=t("sv", "Report progress")).click()
    page.get_by_role("heading", name=t("sv", "Report progress"), exact=True).wait_for()
    page.get_by_label(t("sv", "Under way"), exact=True).check()
    field(page, t("sv", "What has been done?")).fill("Vi har träffats varje torsdag i våras.")
    field(page, t("sv", "People reached")).fill("-5")
    page.get_by_role("button", name=t("sv", "Send the report")).click()
    page.locator("#error-summary").wait_for()  # a negative figure is refused, text kept
    assert field(page, t("sv", "What has been done?")).input_value().startswith("Vi har")
    field(page, t("sv", "People reached")).fill("48")
    page.get_by_role("button", name=t("sv", "Send the report")).click()
    page.get_by_text(
        t("sv", "Thank you for the report. It is published once the campaign's staff have read it.")
    ).wait_for()
    screenshot(page, "progress-report-sent")

    report = ProgressReport.objects.get()
    assert report.original_language == "sv"
    page.goto(f"/sv/entries/{entry.pk}/")
    assert "Vi har träffats" not in page.content()  # not before moderation
    publishing.moderate_report(report, PublicationStatus.APPROVED, by=staff)

    for language in ("fi", "sv", "en"):
        page.goto(f"/{language}/entries/{entry.pk}/")
        timeline = page.locator("section.progress-timeline")
        timeline.get_by_text("Vi har träffats varje torsdag i våras.").wait_for()
        assert timeline.locator("p[lang=sv]").count() == 1
        assert t(language, "Under way") in page.locator("ul.badges").inner_text()
        assert "48" in timeline.locator("table").inner_text()
    screenshot(page, "progress-timeline")
