"""Every staff action leaves one row in the audit trail, readable in the admin; a
conflict of interest declared after scoring withdraws the score everywhere; the
database's guard against changing the trail answers in words, never with a 500."""

import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client
from openpyxl import load_workbook

from publishing import services as publishing
from publishing.models import Programme
from publishing.personal_data import erase, export
from review import services as review
from review.models import (
    AuditAction,
    AuditEvent,
    Award,
    AwardCategory,
    Criterion,
    ReviewSettings,
)
from review.ranking import ranking
from submissions.models import Entry

from .conftest import make_entry, make_staff

pytestmark = pytest.mark.django_db


def scores(campaign, values):
    criteria = Criterion.objects.filter(campaign=campaign).order_by("position")
    return dict(zip([c.pk for c in criteria], values, strict=True))


def post_admin_form(client, url, data):
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return response


def test_every_staff_action_leaves_one_audit_row(client, campaign, coordinator, reviewer):
    entries = [
        make_entry(campaign, f"Aloite {n}", contact_email=f"c{n}@example.fi") for n in range(4)
    ]
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    client.force_login(coordinator)
    criterion = Criterion.objects.filter(campaign=campaign).order_by("position").first()
    actions = []

    def did(action):
        actions.append(action)

    publishing.approve(entries[0], coordinator)
    did(AuditAction.MODERATED)
    publishing.reject(entries[1], coordinator)
    did(AuditAction.MODERATED)
    publishing.return_for_fixes(entries[2], coordinator, "Korjaa.")
    did(AuditAction.MODERATED)
    publishing.moderate(entries[1], "pending", by=coordinator)
    did(AuditAction.MODERATED)

    post_admin_form(
        client,
        f"/en/admin/publishing/publictext/{entries[0].pk}/change/?language=en",
        {
            "title": "Summer jobs",
            "summary": "Summary.",
            "description": "Description.",
            "promise": "We promise.",
            "target": "Target.",
        },
    )
    did(AuditAction.TRANSLATED)

    programme = Programme(campaign=campaign)
    programme.set_current_language("fi")
    programme.title, programme.introduction = "Ohjelma", "Johdanto."
    programme.save()
    post_admin_form(
        client,
        f"/en/admin/publishing/programme/{programme.pk}/change/?language=fi",
        {"campaign": campaign.pk, "title": "Ohjelma", "introduction": "Uusi johdanto."},
    )
    did(AuditAction.PROGRAMME)

    post_admin_form(
        client,
        f"/en/admin/review/criterion/{criterion.pk}/change/?language=fi",
        {
            "campaign": campaign.pk,
            "name": criterion.safe_translation_getter("name", language_code="fi"),
            "guidance": "",
            "weight": "2.00",
            "scale_min": criterion.scale_min,
            "scale_max": criterion.scale_max,
            "counts_toward_total": "on",
            "position": criterion.position,
        },
    )
    did(AuditAction.CRITERIA)

    review_settings = ReviewSettings.for_campaign(campaign)
    post_admin_form(
        client,
        f"/en/admin/review/reviewsettings/{review_settings.pk}/change/",
        {
            "campaign": campaign.pk,
            "reviews_per_entry": review_settings.reviews_per_entry,
            "max_per_reviewer": review_settings.max_per_reviewer,
            "min_reviews_for_normalisation": review_settings.min_reviews_for_normalisation,
            "disputed_spread": "0.75",
            "agreement_flag": "1.00",
            "remind_days_before": "3",
        },
    )
    did(AuditAction.SETTINGS)

    review.assign(entries[3], reviewer, coordinator)
    did(AuditAction.ASSIGNED)
    review.save_review(
        reviewer, entries[3], scores=scores(campaign, [4] * 5), comment="", recommendation="include"
    )
    did(AuditAction.SCORED)
    review.declare_conflict(reviewer, "Entinen työnantaja.", entry=entries[3])
    did(AuditAction.CONFLICT_DECLARED)
    did(AuditAction.SCORE_WITHDRAWN)

    review.record_decision(entries[0], "included", "Hyvä.", coordinator, language="fi")
    did(AuditAction.DECIDED)
    review.publish_decisions(campaign, coordinator)
    did(AuditAction.DECISIONS_PUBLISHED)

    category = AwardCategory.objects.create(campaign=campaign)
    review.nominate(category, entries[0], coordinator)
    did(AuditAction.NOMINATED)
    review.cast_ballot(category, coordinator, {entries[0].pk: 1})
    did(AuditAction.VOTED)
    post_admin_form(
        client,
        "/en/admin/review/award/add/?language=fi",
        {"category": category.pk, "entry": entries[0].pk, "citation": "Rohkea."},
    )
    did(AuditAction.AWARDED)
    award = Award.objects.get()
    post_admin_form(
        client,
        f"/en/admin/review/award/{award.pk}/change/?language=fi",
        {"category": category.pk, "entry": entries[0].pk, "citation": "Rohkea ja selkeä."},
    )
    did(AuditAction.AWARD_CHANGED)
    post_admin_form(client, f"/en/admin/review/award/{award.pk}/delete/", {"post": "yes"})
    did(AuditAction.AWARD_DELETED)

    reviewer.groups.add(Group.objects.get(name="coordinator"))
    did(AuditAction.ROLE_CHANGED)
    export("c3@example.fi", coordinator)
    did(AuditAction.PERSONAL_DATA_EXPORTED)
    erase("c3@example.fi", coordinator)
    did(AuditAction.PERSONAL_DATA_ERASED)

    recorded = list(
        AuditEvent.objects.filter(pk__gt=before)
        .exclude(action__in=[AuditAction.LOGIN, AuditAction.LOGIN_FAILED])
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert sorted(recorded) == sorted(actions)
    # Who did it, and the values before and after where something changed.
    criteria_change = AuditEvent.objects.get(action=AuditAction.CRITERIA)
    assert criteria_change.actor == coordinator
    assert criteria_change.details["changes"]["weight"] == ["1.00", "2.00"]
    citation = AuditEvent.objects.get(action=AuditAction.AWARD_CHANGED)
    assert citation.details["changes"]["citation"] == ["Rohkea.", "Rohkea ja selkeä."]


def test_the_audit_trail_reads_in_words_and_filters_by_entry_and_person(
    client, campaign, coordinator
):
    staff_user = make_staff("moderator-eve", "coordinator")
    first, second = make_entry(campaign, "Ensimmäinen"), make_entry(campaign, "Toinen")
    publishing.approve(first, coordinator)
    publishing.return_for_fixes(second, staff_user, "Lisää aikataulu.")
    client.force_login(coordinator)

    listing = client.get("/en/admin/review/auditevent/").content.decode()
    assert "Waiting for moderation → " not in listing
    assert "<strong>before:</strong> Waiting for moderation" in listing
    assert "<strong>after:</strong> Approved for publication" in listing
    assert "<strong>comment to the submitter:</strong> Lisää aikataulu." in listing
    assert '"before"' not in listing  # no raw JSON

    only_first = client.get(f"/en/admin/review/auditevent/?entry={first.pk}").content.decode()
    assert first.reference in only_first and second.reference not in only_first
    by_person = client.get(
        f"/en/admin/review/auditevent/?actor__id__exact={staff_user.pk}"
    ).content.decode()
    assert second.reference in by_person and first.reference not in by_person


def test_the_database_refuses_to_change_the_trail_and_people_see_why(rf, campaign, coordinator):
    from kotolupaus.middleware import AppendOnlyGuardMiddleware

    event = review.audit(coordinator, AuditAction.REVIEW_LOCKED, campaign)
    with pytest.raises(Exception) as refusal, transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    request = rf.get("/en/admin/")
    request.user = coordinator
    request.LANGUAGE_CODE = "en"

    response = AppendOnlyGuardMiddleware(lambda r: None).process_exception(request, refusal.value)

    assert response.status_code == 409
    assert "Events in the audit trail are never changed or deleted" in response.content.decode()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


# --- Conflicts win ---------------------------------------------------------------------------


def test_a_conflict_declared_after_scoring_withdraws_the_score_everywhere(
    client, campaign, coordinator, reviewer, reviewer2
):
    entry = make_entry(campaign, "Kesätöitä", organisation="Esimerkki Oy")
    review.save_review(
        reviewer, entry, scores=scores(campaign, [2] * 5), comment="", recommendation="exclude"
    )
    review.save_review(
        reviewer2, entry, scores=scores(campaign, [5] * 5), comment="", recommendation="include"
    )
    assert ranking(campaign, [entry])[0].count == 2

    review.declare_conflict(reviewer, "Olen hallituksessa.", entry=entry)

    row = ranking(campaign, [entry])[0]
    assert (row.count, row.mean, row.withdrawn) == (1, 5.0, 1)
    client.force_login(coordinator)
    page = client.get("/en/admin/workspace/ranking/").content.decode()
    assert "1 withdrawn (conflict of interest)" in page
    reviews_csv = client.get("/en/admin/workspace/reviews/export/?format=csv").content.decode()
    assert reviewer.username not in reviews_csv and reviewer2.username in reviews_csv
    workbook = load_workbook(
        io.BytesIO(client.get("/en/admin/workspace/reviews/export/?format=xlsx").content)
    )
    names = [cell.value for row in workbook.active.iter_rows() for cell in row]
    assert reviewer.username not in names
    withdrawn = AuditEvent.objects.get(action=AuditAction.SCORE_WITHDRAWN)
    assert withdrawn.details["reason"] == "Olen hallituksessa."
    assert set(withdrawn.details["scores"].values()) == {2}


def test_csv_assignments_respect_the_maximum_per_reviewer(client, campaign, coordinator, reviewer):
    settings = ReviewSettings.for_campaign(campaign)
    settings.max_per_reviewer = 2
    settings.save()
    entries = [make_entry(campaign, f"Aloite {n}") for n in range(3)]
    client.force_login(coordinator)
    rows = "reference,reviewer\n" + "".join(f"{e.reference},{reviewer.username}\n" for e in entries)

    response = client.post(
        "/en/admin/workspace/assign/csv/",
        {"file": io.BytesIO(rows.encode())},
    )

    content = response.content.decode()
    assert "2 assignments imported." in content
    assert "Line 4: reviewer-bob already has 2 entries" in content
    assert reviewer.assignments.count() == 2


# --- Exports stay inert --------------------------------------------------------------------


FORMULA = '=HYPERLINK("http://evil.example","x")'


def test_no_export_runs_a_formula(client, campaign, coordinator):
    entry = make_entry(campaign, FORMULA, organisation="+Cmd|calc", contact_phone="-1+1")
    publishing.approve(entry, coordinator)
    client.force_login(coordinator)

    ranking_csv = client.get("/en/admin/workspace/ranking/?export=csv").content.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(ranking_csv)) for cell in row]
    assert f"'{FORMULA}" in cells and FORMULA not in cells
    workbook = load_workbook(
        io.BytesIO(client.get("/en/admin/workspace/ranking/?export=xlsx").content)
    )
    assert not [c for row in workbook.active.iter_rows() for c in row if c.data_type == "f"]
    assert FORMULA in [c.value for row in workbook.active.iter_rows() for c in row]

    client.logout()
    open_data = b"".join(client.get("/en/open-data/entries.csv").streaming_content).decode()
    cells = [cell for row in csv.reader(io.StringIO(open_data)) for cell in row]
    assert f"'{FORMULA}" in cells and FORMULA not in cells
    assert "'+Cmd|calc" in cells
    assert "apostrophe" in client.get("/en/open-data/").content.decode()
    assert Entry.objects.get(pk=entry.pk).text_in("title", "fi") == FORMULA  # stored as typed


# --- Texts in the entry's own language for staff ----------------------------------------------


@pytest.mark.parametrize("language", ["fi", "en"])
def test_staff_pages_show_a_swedish_only_entrys_title(client, campaign, coordinator, language):
    entry = make_entry(campaign, "Språkcafé i Vasa", language="sv")
    client.force_login(coordinator)

    for url in [
        f"/{language}/admin/workspace/ranking/",
        f"/{language}/admin/workspace/queue/",
        f"/{language}/admin/workspace/dashboard/",
        f"/{language}/admin/publishing/publication/",
        f"/{language}/admin/submissions/entry/",
    ]:
        content = client.get(url).content.decode()
        assert "Språkcafé i Vasa" in content, url
    assert str(Entry.objects.get(pk=entry.pk)) == f"{entry.reference} Språkcafé i Vasa"


def test_a_staff_translation_is_marked_with_the_originals_language(client, campaign, coordinator):
    entry = make_entry(campaign, "Språkcafé i Vasa", language="sv")
    entry.set_current_language("fi")
    entry.title, entry.summary, entry.description = (
        "Kielikahvila Vaasassa",
        "Tiivistelmä.",
        "Kuvaus.",
    )
    entry.promise, entry.target = "Lupaus.", "Tavoite."
    entry.save()
    publishing.approve(entry, coordinator)

    finnish = Client().get(f"/fi/entries/{entry.pk}/").content.decode()
    swedish = Client().get(f"/sv/entries/{entry.pk}/").content.decode()

    assert "Kielikahvila Vaasassa" in finnish
    assert "Kampanjan henkilöstön käännös. Alkuperäinen kieli: ruotsi." in finnish
    assert "Språkcafé i Vasa" in swedish
    assert "Översatt av kampanjens personal" not in swedish
