"""The staff review: who may do what, scoring, assignment, conflicts, ranking, decisions,
prizes and the audit trail."""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, transaction
from openpyxl import load_workbook

from review import services
from review.models import (
    Assignment,
    AuditAction,
    AuditEvent,
    Award,
    AwardCategory,
    Conflict,
    Criterion,
    Decision,
    Nomination,
    Review,
    ReviewSettings,
)
from review.ranking import ranking
from review.voting import places, schulze, winners
from submissions.models import Entry

from .conftest import make_entry, make_staff

pytestmark = pytest.mark.django_db

WS = "/en/admin/workspace"


@pytest.fixture
def entry(campaign):
    return make_entry(campaign, "Kesätöitä nuorille", business_id="0112038-9")


def score_post(campaign, values, recommendation="include", comment="", action="save"):
    criteria = Criterion.objects.filter(campaign=campaign).order_by("position")
    data = {f"criterion_{c.pk}": str(v) for c, v in zip(criteria, values, strict=False)}
    data.update(recommendation=recommendation, comment=comment, action=action)
    return data


def review_with(reviewer, entry, values, recommendation="include"):
    criteria = Criterion.objects.filter(campaign=entry.campaign).order_by("position")
    return services.save_review(
        reviewer,
        entry,
        scores=dict(zip([c.pk for c in criteria], values, strict=True)),
        comment="",
        recommendation=recommendation,
    )


# --- Roles and permissions -------------------------------------------------------------------


def test_roles_are_groups_created_by_migration():
    from django.contrib.auth.models import Group

    coordinator = Group.objects.get(name="coordinator")
    reviewer = Group.objects.get(name="reviewer")

    assert coordinator.permissions.filter(codename="coordinate_review").exists()
    assert reviewer.permissions.filter(codename="score_entries").exists()
    assert not reviewer.permissions.filter(codename="coordinate_review").exists()
    assert not reviewer.permissions.filter(codename="view_review").exists()


COORDINATOR_PAGES = [
    "ranking/",
    "reviews/export/",
    "decide/{entry}/",
    "assign/auto/",
    "assign/csv/",
    "dashboard/",
    "prizes/{category}/vote/",
]
COORDINATOR_POSTS = ["decisions/publish/", "lock/"]


@pytest.fixture
def matrix(campaign, entry, coordinator, reviewer, reviewer2, outsider):
    category = AwardCategory.objects.create(campaign=campaign)
    services.declare_conflict(reviewer2, "My own organisation", entry=entry)
    return {"entry": entry.pk, "category": category.pk}


def expect(client, user, method, url, status):
    client.logout()
    if user is not None:
        client.force_login(user)
    response = client.post(url) if method == "post" else client.get(url)
    if status == "login":
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]
    else:
        assert response.status_code == status, (user, url, response.status_code)


@pytest.mark.parametrize("page", COORDINATOR_PAGES)
def test_coordinator_pages_are_for_coordinators_only(
    client, matrix, coordinator, reviewer, reviewer2, outsider, page
):
    url = f"{WS}/{page.format(**matrix)}"

    expect(client, coordinator, "get", url, 200)
    expect(client, reviewer, "get", url, 403)
    expect(client, reviewer2, "get", url, 403)  # a reviewer with a conflict
    expect(client, outsider, "get", url, "login")
    expect(client, None, "get", url, "login")


@pytest.mark.parametrize("page", COORDINATOR_POSTS)
def test_coordinator_actions_are_for_coordinators_only(
    client, matrix, coordinator, reviewer, reviewer2, outsider, page
):
    url = f"{WS}/{page}"

    expect(client, reviewer, "post", url, 403)
    expect(client, reviewer2, "post", url, 403)
    expect(client, outsider, "post", url, "login")
    expect(client, None, "post", url, "login")
    expect(client, coordinator, "post", url, 302)


def test_queue_and_scoring_are_for_reviewers_without_a_conflict(
    client, matrix, coordinator, reviewer, reviewer2, outsider
):
    queue, score = f"{WS}/queue/", f"{WS}/score/{matrix['entry']}/"
    staff_without_role = make_staff("staff-erin")

    for user in (coordinator, reviewer, reviewer2):
        expect(client, user, "get", queue, 200)
    expect(client, coordinator, "get", score, 200)
    expect(client, reviewer, "get", score, 200)
    expect(client, reviewer2, "get", score, 403)  # conflicted: cannot open the form
    expect(client, staff_without_role, "get", score, 403)
    expect(client, staff_without_role, "get", queue, 403)
    expect(client, outsider, "get", score, "login")
    expect(client, None, "get", score, "login")


def test_only_coordinators_read_reviews_and_the_audit_trail_in_the_admin(
    client, matrix, coordinator, reviewer
):
    for path in ["review/review/", "review/auditevent/", "review/decision/"]:
        expect(client, reviewer, "get", f"/en/admin/{path}", 403)
        expect(client, coordinator, "get", f"/en/admin/{path}", 200)


def test_reviewer_never_sees_another_reviewers_scores(
    client, campaign, entry, reviewer, coordinator
):
    review_with(coordinator, entry, [5, 5, 5, 5, 5])
    Review.objects.filter(reviewer=coordinator).update(comment="Coordinator's secret note")
    client.force_login(reviewer)

    before = client.get(f"{WS}/score/{entry.pk}/").content.decode()
    client.post(f"{WS}/score/{entry.pk}/", score_post(campaign, [1, 2, 3, 4, 5]))
    after = client.get(f"{WS}/score/{entry.pk}/").content.decode()

    for page in (before, after):
        assert "secret note" not in page
        assert "coordinator-alice" not in page
    assert client.get("/en/admin/review/review/").status_code == 403


# --- Criteria and scoring --------------------------------------------------------------------


def test_a_new_campaign_gets_default_criteria_in_three_languages(campaign):
    criteria = list(Criterion.objects.filter(campaign=campaign).order_by("position"))

    assert len(criteria) == 5
    names = {}
    for language in ("fi", "sv", "en"):
        criteria[1].set_current_language(language)
        names[language] = criteria[1].name
    assert names == {
        "fi": "Toimijoiden välinen yhteistyö",
        "sv": "Samarbete mellan aktörer",
        "en": "Cooperation between actors",
    }
    assert criteria[2].weight == Decimal("1.50")


def test_save_and_next_saves_the_review_and_opens_the_next_assigned_entry(
    client, campaign, reviewer, coordinator
):
    first = make_entry(campaign, "Ensimmäinen")
    second = make_entry(campaign, "Toinen")
    unassigned = make_entry(campaign, "Kolmas")
    services.assign(second, reviewer, coordinator)
    services.assign(first, reviewer, coordinator)
    client.force_login(reviewer)

    queue = client.get(f"{WS}/queue/").content.decode()
    response = client.post(
        f"{WS}/score/{first.pk}/",
        score_post(campaign, [4, 3, 5, 2, 4], "prize", "Hyvä", action="save_next"),
    )

    assert queue.index(first.reference) < queue.index(unassigned.reference)
    assert queue.index(second.reference) < queue.index(unassigned.reference)
    assert response["Location"] == f"{WS}/score/{second.pk}/"
    review = Review.objects.get(entry=first, reviewer=reviewer)
    assert sorted(review.scores.values_list("value", flat=True)) == [2, 3, 4, 4, 5]
    assert review.recommendation == "prize"
    assert (
        AuditEvent.objects.filter(action=AuditAction.SCORED, entry=first, actor=reviewer).count()
        == 1
    )


def test_skip_moves_on_without_saving(client, campaign, reviewer, coordinator):
    first, second = make_entry(campaign, "Yksi"), make_entry(campaign, "Kaksi")
    services.assign(first, reviewer, coordinator)
    services.assign(second, reviewer, coordinator)
    client.force_login(reviewer)

    response = client.post(f"{WS}/score/{first.pk}/", {"action": "skip"})

    assert response["Location"] == f"{WS}/score/{second.pk}/"
    assert Review.objects.count() == 0


@pytest.mark.parametrize("bad", ["6", "0", "x", ""])
def test_scores_outside_the_scale_are_refused(client, campaign, entry, reviewer, bad):
    client.force_login(reviewer)
    data = score_post(campaign, [3, 3, 3, 3, 3])
    first = Criterion.objects.filter(campaign=campaign).order_by("position").first()
    data[f"criterion_{first.pk}"] = bad

    response = client.post(f"{WS}/score/{entry.pk}/", data)

    assert response.status_code == 200
    assert Review.objects.count() == 0
    content = response.content.decode()
    assert "Choose a score from 1 to 5." in content or "Give a score for this criterion." in content


def test_the_service_refuses_a_score_outside_the_scale(campaign, entry, reviewer):
    with pytest.raises(services.ReviewError, match="from 1 to 5"):
        review_with(reviewer, entry, [3, 3, 3, 3, 9])
    assert Review.objects.count() == 0


def test_one_review_per_reviewer_and_entry_and_changes_are_audited(campaign, entry, reviewer):
    review_with(reviewer, entry, [3, 3, 3, 3, 3])
    review_with(reviewer, entry, [4, 3, 3, 3, 3], recommendation="exclude")

    assert Review.objects.filter(entry=entry, reviewer=reviewer).count() == 1
    change = AuditEvent.objects.get(action=AuditAction.SCORE_CHANGED)
    assert change.details["before"]["recommendation"] == "include"
    assert change.details["after"]["recommendation"] == "exclude"
    with (
        pytest.raises(IntegrityError, match="review_one_per_reviewer_and_entry"),
        transaction.atomic(),
    ):
        Review.objects.create(entry=entry, reviewer=reviewer, recommendation="include")


def test_locked_review_cannot_be_changed(client, campaign, entry, reviewer, coordinator):
    review_with(reviewer, entry, [3, 3, 3, 3, 3])
    client.force_login(coordinator)
    client.post(f"{WS}/lock/", {"locked": "1"})
    client.force_login(reviewer)

    page = client.get(f"{WS}/score/{entry.pk}/").content.decode()
    client.post(f"{WS}/score/{entry.pk}/", score_post(campaign, [5, 5, 5, 5, 5]))

    assert "The review is locked" in page
    assert sorted(Review.objects.get().scores.values_list("value", flat=True)) == [3] * 5
    assert AuditEvent.objects.filter(action=AuditAction.REVIEW_LOCKED, actor=coordinator).exists()


# --- Conflicts and assignments ---------------------------------------------------------------


def test_declaring_a_conflict_removes_the_entry_from_the_reviewers_work(
    client, campaign, entry, reviewer, coordinator
):
    services.assign(entry, reviewer, coordinator)
    client.force_login(reviewer)

    client.post(
        f"{WS}/score/{entry.pk}/",
        {"action": "conflict", "scope": "entry", "reason": "Board member of the organisation"},
    )

    assert Conflict.objects.get(reviewer=reviewer).reason == "Board member of the organisation"
    assert not Assignment.objects.filter(reviewer=reviewer).exists()
    assert entry.reference not in client.get(f"{WS}/queue/").content.decode()
    assert client.get(f"{WS}/score/{entry.pk}/").status_code == 403
    event = AuditEvent.objects.get(action=AuditAction.CONFLICT_DECLARED)
    assert event.details["assignments_removed"] == [entry.reference]
    with pytest.raises(services.ReviewError, match="conflict of interest"):
        services.assign(entry, reviewer, coordinator)


def test_conflict_needs_a_reason(client, campaign, entry, reviewer):
    client.force_login(reviewer)

    response = client.post(
        f"{WS}/score/{entry.pk}/", {"action": "conflict", "scope": "entry", "reason": ""}
    )

    assert response.status_code == 200
    assert not Conflict.objects.exists()


def test_conflict_with_an_organisation_covers_its_other_entries(campaign, reviewer):
    first = make_entry(campaign, "Yksi", organisation="Esimerkki Oy", business_id="0112038-9")
    same_id = make_entry(campaign, "Kaksi", organisation="Esimerkki Oyj", business_id="0112038-9")
    as_partner = make_entry(
        campaign, "Kolme", organisation="Muu Oy", partners=[("esimerkki oy", "x@example.fi")]
    )
    other = make_entry(campaign, "Neljä", organisation="Muu Oy")

    services.declare_conflict(reviewer, "I work there", organisation=first.lead_organisation)

    assert services.conflicted_entry_ids(reviewer, campaign) == {
        first.pk,
        same_id.pk,
        as_partner.pk,
    }
    assert not services.is_conflicted(reviewer, other)


def test_automatic_assignment_meets_n_and_m_balances_and_skips_conflicts(campaign, coordinator):
    reviewers = [make_staff(f"reviewer-{n}", "reviewer") for n in range(3)]
    entries = [make_entry(campaign, f"Aloite {n}") for n in range(5)]
    services.declare_conflict(reviewers[0], "Family member", entry=entries[0])

    result = services.auto_assign(campaign, coordinator, reviewers, per_entry=2, max_per_reviewer=4)

    assert result.created == 10
    assert result.short == {}
    for each in entries:
        assert Assignment.objects.filter(entry=each).count() == 2
    loads = [Assignment.objects.filter(reviewer=r).count() for r in reviewers]
    assert max(loads) <= 4
    assert max(loads) - min(loads) <= 1
    assert not Assignment.objects.filter(entry=entries[0], reviewer=reviewers[0]).exists()
    again = services.auto_assign(campaign, coordinator, reviewers, per_entry=2, max_per_reviewer=4)
    assert again.created == 0
    assert AuditEvent.objects.filter(action=AuditAction.ASSIGNED).count() == 2


def test_automatic_assignment_reports_entries_it_could_not_cover(campaign, coordinator):
    reviewers = [make_staff("reviewer-a", "reviewer"), make_staff("reviewer-b", "reviewer")]
    entries = [make_entry(campaign, f"Aloite {n}") for n in range(3)]

    result = services.auto_assign(campaign, coordinator, reviewers, per_entry=2, max_per_reviewer=2)

    assert result.created == 4
    assert sum(result.short.values()) == 2
    assert set(result.short) <= {e.reference for e in entries}


def test_automatic_assignment_page_assigns_and_reports(
    client, campaign, coordinator, reviewer, reviewer2
):
    for n in range(3):
        make_entry(campaign, f"Aloite {n}")
    client.force_login(coordinator)

    response = client.post(
        f"{WS}/assign/auto/",
        {"reviewers": [reviewer.pk, reviewer2.pk], "per_entry": "2", "max_per_reviewer": "10"},
    )

    assert response.status_code == 200
    assert Assignment.objects.count() == 6
    assert "6 assignments made." in response.content.decode()


def test_bulk_assignment_from_the_entry_list(client, campaign, coordinator, reviewer):
    entries = [make_entry(campaign, f"Aloite {n}") for n in range(3)]
    services.declare_conflict(reviewer, "Conflict", entry=entries[2])
    client.force_login(coordinator)
    picked = {"action": "assign_to_reviewer", "_selected_action": [e.pk for e in entries]}

    form = client.post("/en/admin/submissions/entry/", picked)
    client.post("/en/admin/submissions/entry/", {**picked, "apply": "1", "reviewer": reviewer.pk})

    assert "Assign entries to a reviewer" in form.content.decode()
    assert set(Assignment.objects.values_list("entry_id", flat=True)) == {
        entries[0].pk,
        entries[1].pk,
    }


def test_assignments_round_trip_as_csv(client, campaign, coordinator, reviewer, reviewer2):
    first, second = make_entry(campaign, "Yksi"), make_entry(campaign, "Kaksi")
    services.assign(first, reviewer, coordinator)
    client.force_login(coordinator)

    exported = client.get(f"{WS}/assign/csv/", {"download": "1"}).content.decode("utf-8-sig")
    upload = io.BytesIO(
        f"reference,reviewer\n{second.reference},{reviewer2.username}\n"
        f"KL-1999-0001,{reviewer.username}\n{second.reference},nobody\n".encode()
    )
    upload.name = "assignments.csv"
    response = client.post(f"{WS}/assign/csv/", {"file": upload})

    assert list(csv.reader(io.StringIO(exported))) == [
        ["reference", "reviewer"],
        [first.reference, reviewer.username],
    ]
    assert Assignment.objects.filter(entry=second, reviewer=reviewer2).exists()
    content = response.content.decode()
    assert "1 assignment imported." in content
    assert "Line 3: no entry KL-1999-0001." in content
    assert "Line 4: no reviewer nobody." in content


# --- Ranking -----------------------------------------------------------------------------------


@pytest.fixture
def scored(campaign):
    """Two criteria count (weights 2 and 1), one is informational; hand-computed totals:
    E1: A (2·5+2)/3 = 4, B (2·3+3)/3 = 3, C (2·1+4)/3 = 2 → mean 3, median 3, spread 2
    E2: A (2·4+1)/3 = 3, B (2·2+5)/3 = 3 → mean 3, median 3, spread 0
    z with at least two reviews: A has 4 and 3 (mean 3.5, sd 0.5) → +1 and −1;
    B has 3 and 3 (no spread) and C one review: no z."""
    Criterion.objects.filter(campaign=campaign).delete()
    for position, weight, counts in [(1, 2, True), (2, 1, True), (3, 1, False)]:
        criterion = Criterion(
            campaign=campaign, position=position, weight=weight, counts_toward_total=counts
        )
        criterion.set_current_language("en")
        criterion.name = f"C{position}"
        criterion.save()
    settings = ReviewSettings.for_campaign(campaign)
    settings.min_reviews_for_normalisation = 2
    settings.disputed_spread = Decimal("1.5")
    settings.save()
    a, b, c = (make_staff(n, "reviewer") for n in ("a-reviewer", "b-reviewer", "c-reviewer"))
    e1, e2 = make_entry(campaign, "Ensimmäinen"), make_entry(campaign, "Toinen")
    review_with(a, e1, [5, 2, 1], "prize")
    review_with(b, e1, [3, 3, 5])
    review_with(c, e1, [1, 4, 5], "exclude")
    review_with(a, e2, [4, 1, 5])
    review_with(b, e2, [2, 5, 1])
    return e1, e2


def test_ranking_figures_match_hand_computed_values(campaign, scored):
    e1, e2 = scored

    rows = {row.entry.pk: row for row in ranking(campaign, Entry.objects.all())}

    first, second = rows[e1.pk], rows[e2.pk]
    assert sorted(first.totals) == [2.0, 3.0, 4.0]
    assert (first.mean, first.median, first.spread, first.count) == (3.0, 3.0, 2.0, 3)
    assert (second.mean, second.median, second.spread, second.count) == (3.0, 3.0, 0.0, 2)
    z = {r.reviewer: r.z for r in first.reviews}
    assert z == {"a-reviewer": pytest.approx(1.0), "b-reviewer": None, "c-reviewer": None}
    assert first.mean_z == pytest.approx(1.0)
    assert second.mean_z == pytest.approx(-1.0)
    assert first.disputed is True
    assert second.disputed is False


def test_median_of_an_even_number_of_reviews_is_the_middle_mean(campaign, scored):
    e1, _ = scored
    Review.objects.filter(reviewer__username="b-reviewer", entry=e1).delete()

    row = next(r for r in ranking(campaign, Entry.objects.filter(pk=e1.pk)))

    assert row.median == 3.0  # of 4 and 2


def test_ranking_page_shows_flags_and_sorts_and_filters(client, campaign, scored, coordinator):
    e1, e2 = scored
    pledge_only = make_entry(campaign, "Aloite", kind="initiative")
    client.force_login(coordinator)

    by_z = client.get(f"{WS}/ranking/", {"sort": "z"}).content.decode()
    initiatives = client.get(f"{WS}/ranking/", {"kind": "initiative"}).content.decode()
    prize = client.get(f"{WS}/ranking/", {"recommendation": "prize"}).content.decode()

    assert by_z.index(e1.reference) < by_z.index(e2.reference)
    assert "disputed" in by_z
    assert "+1.00" in by_z
    assert pledge_only.reference in initiatives and e1.reference not in initiatives
    assert e1.reference in prize and e2.reference not in prize


@pytest.mark.parametrize("count", [1, 30])
def test_ranking_query_count_does_not_grow_with_entries(
    client, campaign, coordinator, reviewer, count, django_assert_max_num_queries
):
    for n in range(count):
        entry = make_entry(campaign, f"Aloite {n}")
        review_with(reviewer, entry, [3, 4, 5, 2, 1])
    client.force_login(coordinator)

    with django_assert_max_num_queries(18):
        response = client.get(f"{WS}/ranking/")

    assert response.status_code == 200


def test_ranking_and_reviews_export_as_csv_and_xlsx(client, campaign, scored, coordinator):
    e1, _ = scored
    client.force_login(coordinator)

    ranking_csv = client.get(f"{WS}/ranking/", {"export": "csv", "sort": "z"})
    ranking_xlsx = client.get(f"{WS}/ranking/", {"export": "xlsx"})
    reviews_csv = client.get(f"{WS}/reviews/export/", {"format": "csv"})

    rows = list(csv.reader(io.StringIO(ranking_csv.content.decode("utf-8-sig"))))
    assert rows[0][:10] == [
        "reference",
        "kind",
        "title",
        "language written in",
        "organisation",
        "reviews",
        "withdrawn reviews (conflict of interest)",
        "scores of an older version",
        "scores of an older version left out",
        "weighted mean",
    ]
    assert rows[1][0] == e1.reference and rows[1][9] == "3.0"
    sheet = load_workbook(io.BytesIO(ranking_xlsx.content)).active
    assert sheet["A1"].value == "reference"
    assert sheet.max_row == 3
    review_rows = list(csv.reader(io.StringIO(reviews_csv.content.decode("utf-8-sig"))))
    assert review_rows[0][:5] == ["reference", "reviewer", "C1", "C2", "C3"]
    assert len(review_rows) == 6


# --- Decisions ----------------------------------------------------------------------------------


def hidden_fields(html):
    """What a page's form sends besides what the user types (its hidden inputs)."""
    data = {}
    for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html):
        data.setdefault(name, []).append(value)
    return data


def test_decisions_are_provisional_until_published_then_mailed_in_each_language(
    client, campaign, coordinator
):
    finnish = make_entry(campaign, "Suomeksi", language="fi")
    swedish = make_entry(campaign, "På svenska", language="sv")
    client.force_login(coordinator)

    client.post(
        f"{WS}/ranking/",
        {
            "entries": [finnish.pk, swedish.pk],
            "outcome": "included",
            "rationale": "Konkreettinen ja laaja yhteistyö.",
            "rationale_language": "fi",
        },
    )
    assert Decision.objects.filter(published_at__isnull=True).count() == 2
    assert mail.outbox == []

    # "Publish decisions" asks first, saying who is e-mailed in which language.
    question = client.get(f"{WS}/decisions/publish/").content.decode()
    assert "2 provisional decisions become final." in question
    assert "2 submitters are told by e-mail" in question
    assert re.search(r"<th scope=\"row\">Finnish</th><td>1</td><td>1</td>", question)
    assert re.search(r"<th scope=\"row\">Swedish</th><td>1</td><td>1</td>", question)
    assert mail.outbox == [] and Decision.objects.filter(published_at__isnull=True).count() == 2

    # Each entry is listed with its decision and the language its submitter is told in.
    assert re.search(
        rf'<th scope="row"><a href="/en/admin/workspace/decide/{finnish.pk}/">{finnish.reference}'
        r'</a></th>\s*<td><span lang="fi">Suomeksi</span><br><span class="help">Pledge</span>'
        r"</td>\s*<td>Included in the programme</td>\s*<td>in Finnish</td>",
        question,
    )
    assert re.search(
        rf"{swedish.reference}</a></th>\s*<td><span lang=\"sv\">På svenska</span>.*?"
        r"<td>Included in the programme</td>\s*<td>in Swedish</td>",
        question,
        re.DOTALL,
    )

    client.post(f"{WS}/decisions/publish/", hidden_fields(question))

    assert Decision.objects.filter(published_at__isnull=True).count() == 0
    by_subject = {m.subject: m.body for m in mail.outbox}
    assert len(mail.outbox) == 2
    assert set(by_subject) == {
        f"Päätös lupauksestasi {finnish.reference}",
        f"Beslut om ditt löfte {swedish.reference}",
    }
    finnish_mail = by_subject[f"Päätös lupauksestasi {finnish.reference}"]
    swedish_mail = by_subject[f"Beslut om ditt löfte {swedish.reference}"]
    assert "Hei Maija Meikäläinen" in finnish_mail
    assert "Perustelu:\n> Konkreettinen ja laaja yhteistyö." in finnish_mail
    assert "Hej Maija Meikäläinen" in swedish_mail
    # Written in Finnish, sent as written, with its language named in Swedish.
    assert "Motivering (skriven på finska):\n> Konkreettinen ja laaja yhteistyö." in swedish_mail
    assert "”På svenska”" in swedish_mail
    assert swedish_mail.rstrip().endswith(
        "Med vänliga hälsningar,\nKotolupaus testkampanj\n"
        "Arbets- och näringsministeriet\nhttp://testserver"
    )
    assert AuditEvent.objects.filter(action=AuditAction.DECIDED).count() == 2
    assert AuditEvent.objects.filter(action=AuditAction.DECISIONS_PUBLISHED).count() == 1


def test_publishing_makes_final_only_the_decisions_listed_as_they_were_shown(
    client, campaign, coordinator
):
    listed, changed = make_entry(campaign, "Listattu"), make_entry(campaign, "Muutettu")
    later = make_entry(campaign, "Myöhemmin")
    services.record_decision(listed, "included", "Hyvä.", coordinator, language="fi")
    services.record_decision(changed, "included", "Hyvä.", coordinator, language="fi")
    client.force_login(coordinator)
    question = client.get(f"{WS}/decisions/publish/").content.decode()
    assert later.reference not in question
    # Meanwhile another coordinator changes one decision and records another.
    with time_machine.travel(timedelta(minutes=1)):
        services.record_decision(changed, "not_included", "Ei sittenkään.", coordinator)
        services.record_decision(later, "included", "Hyvä.", coordinator, language="fi")

    response = client.post(f"{WS}/decisions/publish/", hidden_fields(question), follow=True)

    assert set(
        Decision.objects.filter(published_at__isnull=False).values_list("entry", flat=True)
    ) == {listed.pk}
    page = response.content.decode()
    assert "1 decision published; the submitter is being told by e-mail." in page
    assert (
        "1 decision was changed after the list was shown and was not published. Check it "
        "and publish again." in page
    )
    assert [m.to for m in mail.outbox] == [["maija@example.fi"]]


def test_publishing_without_the_list_publishes_nothing(client, campaign, entry, coordinator):
    services.record_decision(entry, "included", "Hyvä.", coordinator, language="fi")
    client.force_login(coordinator)

    response = client.post(f"{WS}/decisions/publish/", follow=True)

    assert Decision.objects.get().published_at is None
    assert "Nothing was published: the list of decisions was missing." in response.content.decode()


def selected_language(html):
    return re.findall(r'<option value="(\w\w)" selected>', html)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_a_new_rationale_is_in_the_pages_language_unless_the_coordinator_chooses(
    client, campaign, entry, coordinator, language
):
    client.force_login(coordinator)
    decide = f"/{language}/admin/workspace/decide/{entry.pk}/"

    assert selected_language(client.get(decide).content.decode()) == [language]
    assert selected_language(
        client.get(f"/{language}/admin/workspace/ranking/").content.decode()
    ) == [language]
    client.post(decide, {"outcome": "included", "rationale": "Good.", "rationale_language": "en"})

    assert Decision.objects.get().rationale_language == "en"


def test_a_rationale_rewritten_on_a_page_in_another_language_asks_for_its_language(
    client, campaign, entry, coordinator
):
    services.record_decision(entry, "included", "Konkreettinen.", coordinator, language="fi")
    client.force_login(coordinator)
    decide = f"/sv/admin/workspace/decide/{entry.pk}/"
    # The recorded rationale's language is what the coordinator chose for it.
    assert selected_language(client.get(decide).content.decode()) == ["fi"]

    # Only the outcome changes: the text, and so its language, stay.
    client.post(
        decide,
        {"outcome": "not_included", "rationale": "Konkreettinen.", "rationale_language": "fi"},
    )
    assert (Decision.objects.get().outcome, Decision.objects.get().rationale_language) == (
        "not_included",
        "fi",
    )

    # Rewritten in Swedish, its language left at Finnish: asked, nothing changed.
    asked = client.post(
        decide,
        {
            "outcome": "included",
            "rationale": "Konkret och genomförbart.",
            "rationale_language": "fi",
        },
    )
    html = asked.content.decode()
    assert asked.status_code == 200
    assert (
        "Den tidigare motiveringen är skriven på finska. Välj språket som du skrev den nya på "
        "och spara igen." in html
    )
    assert "Konkret och genomförbart." in html  # what was typed is kept
    assert Decision.objects.get().rationale == "Konkreettinen."

    client.post(
        decide,
        {
            **hidden_fields(html),
            "outcome": "included",
            "rationale": "Konkret och genomförbart.",
            "rationale_language": "sv",
        },
    )
    decision = Decision.objects.get()
    assert (decision.rationale, decision.rationale_language) == ("Konkret och genomförbart.", "sv")


def test_a_rationale_rewritten_in_the_earlier_language_is_saved_when_confirmed(
    client, campaign, entry, coordinator
):
    services.record_decision(entry, "included", "Konkreettinen.", coordinator, language="fi")
    client.force_login(coordinator)
    decide = f"/en/admin/workspace/decide/{entry.pk}/"
    typed = {"outcome": "included", "rationale": "Hyvin konkreettinen.", "rationale_language": "fi"}

    asked = client.post(decide, typed).content.decode()
    assert "The earlier rationale was written in Finnish." in asked
    client.post(decide, {**hidden_fields(asked), **typed})

    decision = Decision.objects.get()
    assert (decision.rationale, decision.rationale_language) == ("Hyvin konkreettinen.", "fi")


def test_decision_needs_a_rationale_and_a_changed_decision_is_provisional_again(
    client, campaign, entry, coordinator
):
    client.force_login(coordinator)  # on Finnish pages: the rationales are in Finnish

    refused = client.post(
        f"/fi/admin/workspace/decide/{entry.pk}/",
        {"outcome": "included", "rationale": "", "rationale_language": "fi"},
    )
    client.post(
        f"/fi/admin/workspace/decide/{entry.pk}/",
        {"outcome": "included", "rationale": "Hyvä.", "rationale_language": "fi"},
    )
    services.publish_decisions(campaign, coordinator)
    client.post(
        f"/fi/admin/workspace/decide/{entry.pk}/",
        {"outcome": "not_included", "rationale": "Ei.", "rationale_language": "fi"},
    )

    assert refused.status_code == 200
    decision = Decision.objects.get()
    assert decision.outcome == "not_included"
    assert decision.is_provisional
    assert AuditEvent.objects.filter(action=AuditAction.DECIDED).first().details["previous"] == [
        "included",
        "Hyvä.",
        "fi",
    ]


# --- Prizes ---------------------------------------------------------------------------------------


def test_schulze_orders_the_classic_example():
    ballots = []
    for count, order in [
        (5, "ACBED"),
        (5, "ADECB"),
        (8, "BEDAC"),
        (3, "CABED"),
        (7, "CAEBD"),
        (2, "CBADE"),
        (7, "DCEBA"),
        (8, "EBADC"),
    ]:
        ballots += [{c: i + 1 for i, c in enumerate(order)}] * count

    order, pairwise = schulze("ABCDE", ballots)

    assert [c for c, _wins in order] == ["E", "A", "C", "B", "D"]
    assert pairwise["A"]["B"] == 20 and pairwise["B"]["A"] == 25


def test_coordinators_rank_the_shortlist_and_award_a_prize(client, campaign, coordinator):
    other = make_staff("coordinator-frank", "coordinator")
    first, second = make_entry(campaign, "Yksi"), make_entry(campaign, "Kaksi")
    category = AwardCategory(campaign=campaign)
    category.set_current_language("en")
    category.name = "Best cooperation"
    category.save()
    for entry in (first, second):
        services.nominate(category, entry, coordinator)
    client.force_login(coordinator)

    client.post(
        f"{WS}/prizes/{category.pk}/vote/", {f"entry_{first.pk}": "2", f"entry_{second.pk}": "1"}
    )
    services.cast_ballot(category, other, {first.pk: 2, second.pk: 1})
    page = client.get(f"{WS}/prizes/{category.pk}/vote/").content.decode()
    prize = services.award(
        category,
        second,
        {"fi": "Paras yhteistyö.", "sv": "Bästa samarbetet.", "en": ""},
        coordinator,
    )

    results = page[page.index("Result from 2 ballots") :]
    assert results.index(second.reference) < results.index(first.reference)
    prize.set_current_language("sv")
    assert prize.citation == "Bästa samarbetet."
    assert Nomination.objects.count() == 2
    assert {e.action for e in AuditEvent.objects.all()} >= {"nominated", "voted", "awarded"}


def test_entries_that_beat_the_same_number_share_a_place():
    # Two coordinators who disagree: a tie for the first place, the third entry last.
    ballots = [{"A": 1, "B": 2, "C": 3}, {"B": 1, "A": 2, "C": 3}]

    order, _pairwise = schulze("ABC", ballots)

    assert places(order) == [("A", 1, 1, True), ("B", 1, 1, True), ("C", 0, 3, False)]
    assert winners(order) == ["A", "B"]
    assert places(schulze("ABC", [{"A": 1, "B": 2, "C": 3}])[0]) == [
        ("A", 2, 1, False),
        ("B", 1, 2, False),
        ("C", 0, 3, False),
    ]


@pytest.fixture
def shortlist(campaign, coordinator):
    """Three shortlisted entries; two coordinators' ballots tie the first two."""
    other = make_staff("coordinator-frank", "coordinator")
    entries = [make_entry(campaign, title) for title in ("Yksi", "Kaksi", "Kolme")]
    category = AwardCategory(campaign=campaign)
    for language, name in (
        ("fi", "Vuoden teko"),
        ("sv", "Årets gärning"),
        ("en", "Deed of the year"),
    ):
        category.set_current_language(language)
        category.name = name
    category.save()
    for entry in entries:
        services.nominate(category, entry, coordinator)
    return {"category": category, "entries": entries, "other": other}


@pytest.mark.parametrize(
    ("language", "tied"),
    [("fi", "1. (jaettu sija)"), ("sv", "1. (delad plats)"), ("en", "1. (tied)")],
)
def test_a_tie_in_the_vote_is_shown_as_a_tie(client, shortlist, coordinator, language, tied):
    first, second, third = shortlist["entries"]
    category = shortlist["category"]
    services.cast_ballot(category, coordinator, {first.pk: 1, second.pk: 2, third.pk: 3})
    services.cast_ballot(category, shortlist["other"], {first.pk: 2, second.pk: 1, third.pk: 3})
    client.force_login(coordinator)

    page = client.get(f"/{language}/admin/workspace/prizes/{category.pk}/vote/").content.decode()

    places_shown = re.findall(r"<tr>\s*<td>([^<]+)</td>\s*<th scope=\"row\">(KL-\d+-\d+) ", page)
    assert places_shown == [
        (tied, first.reference),
        (tied, second.reference),
        ("3.", third.reference),
    ]


def test_the_prize_is_awarded_to_the_tied_entries_the_coordinator_picks(
    client, shortlist, coordinator
):
    first, second, third = shortlist["entries"]
    category = shortlist["category"]
    services.cast_ballot(category, coordinator, {first.pk: 1, second.pk: 2, third.pk: 3})
    services.cast_ballot(category, shortlist["other"], {first.pk: 2, second.pk: 1, third.pk: 3})
    client.force_login(coordinator)
    url = f"{WS}/prizes/{category.pk}/vote/"
    page = client.get(url).content.decode()
    # Only the entries tied for the first place can be chosen; none is chosen for you.
    assert re.findall(r'name="award-entries" value="(\d+)"([^>]*)>', page) == [
        (str(first.pk), ' id="id_award-entries_0"'),
        (str(second.pk), ' id="id_award-entries_1"'),
    ]

    no_citation = client.post(url, {"action": "award", "award-entries": [first.pk]})
    assert "Write the citation in at least one language." in no_citation.content.decode()
    assert not Award.objects.exists()

    response = client.post(
        url,
        {
            "action": "award",
            "award-entries": [first.pk, second.pk],
            "award-citation_fi": "Yhdessä paras.",
            "award-citation_sv": "",
            "award-citation_en": "Best together.",
        },
        follow=True,
    )

    assert f"The prize was awarded to {first.reference}, {second.reference}." in (
        response.content.decode()
    )
    prizes = {prize.entry_id: prize for prize in Award.objects.all()}
    assert set(prizes) == {first.pk, second.pk}
    prizes[first.pk].set_current_language("en")
    assert prizes[first.pk].citation == "Best together."
    events = AuditEvent.objects.filter(action=AuditAction.AWARDED).order_by("pk")
    assert [(e.entry_id, e.actor, e.details) for e in events] == [
        (
            first.pk,
            coordinator,
            {
                "category": "Deed of the year",
                "from_vote": True,
                "ballots": 2,
                "tied_with": [second.reference],
            },
        ),
        (
            second.pk,
            coordinator,
            {
                "category": "Deed of the year",
                "from_vote": True,
                "ballots": 2,
                "tied_with": [first.reference],
            },
        ),
    ]
    # Awarded: the form is gone, the page says who awarded it.
    assert 'name="award-entries"' not in response.content.decode()
    assert f"{first.reference}: awarded" in response.content.decode()


def test_the_prize_goes_only_to_an_entry_ranked_first(client, shortlist, coordinator):
    first, second, third = shortlist["entries"]
    category = shortlist["category"]
    with pytest.raises(services.ReviewError, match="Nobody has voted yet"):
        services.award_vote_winners(category, [first], {"fi": "Hyvä."}, coordinator)
    services.cast_ballot(category, coordinator, {first.pk: 1, second.pk: 2, third.pk: 3})

    with pytest.raises(services.ReviewError, match=f"Not in the first place: {second.reference}"):
        services.award_vote_winners(category, [first, second], {"fi": "Hyvä."}, coordinator)
    assert not Award.objects.exists()

    client.force_login(coordinator)
    page = client.get(f"{WS}/prizes/{category.pk}/vote/").content.decode()
    # One winner: chosen already, the coordinator writes the citation.
    assert re.findall(r'name="award-entries" value="(\d+)"([^>]*)>', page) == [
        (str(first.pk), ' id="id_award-entries_0" checked'),
    ]
    client.post(
        f"{WS}/prizes/{category.pk}/vote/",
        {"action": "award", "award-entries": [first.pk], "award-citation_fi": "Paras."},
    )
    assert list(Award.objects.values_list("entry", flat=True)) == [first.pk]
    assert AuditEvent.objects.get(action=AuditAction.AWARDED).details["tied_with"] == []


def test_a_ballot_must_rank_every_shortlisted_entry(client, campaign, coordinator):
    first, second = make_entry(campaign, "Yksi"), make_entry(campaign, "Kaksi")
    category = AwardCategory.objects.create(campaign=campaign)
    for entry in (first, second):
        services.nominate(category, entry, coordinator)
    client.force_login(coordinator)

    response = client.post(f"{WS}/prizes/{category.pk}/vote/", {f"entry_{first.pk}": "1"})

    assert "Give this entry a rank." in response.content.decode()
    assert not category.ballots.exists()


# --- Audit trail, dashboard, staff accounts ---------------------------------------------------


def test_the_audit_trail_cannot_be_changed_or_deleted(campaign, entry, reviewer, coordinator):
    services.assign(entry, reviewer, coordinator)
    event = AuditEvent.objects.get(action=AuditAction.ASSIGNED)

    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(details={})
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).details == {"reviewer": reviewer.username}


def test_the_audit_trail_is_read_only_in_the_admin(client, campaign, entry, reviewer, coordinator):
    services.assign(entry, reviewer, coordinator)
    client.force_login(coordinator)
    event = AuditEvent.objects.get(action=AuditAction.ASSIGNED)

    listing = client.get("/en/admin/review/auditevent/").content.decode()

    assert entry.reference in listing
    assert client.get("/en/admin/review/auditevent/add/").status_code == 403
    assert client.get(f"/en/admin/review/auditevent/{event.pk}/delete/").status_code == 403


def test_dashboard_counts_reviews_and_draws_submissions_per_day(
    client, campaign, coordinator, reviewer
):
    entries = [make_entry(campaign, f"Aloite {n}") for n in range(3)]
    review_with(reviewer, entries[0], [3, 3, 3, 3, 3])
    client.force_login(coordinator)

    content = client.get(f"{WS}/dashboard/").content.decode()

    assert '<svg role="img"' in content
    assert "Submissions per day: 3 in all" in content
    assert "reviewer-bob" in content
    assert entries[1].reference in content  # still without enough reviews


def test_create_staff_user_gives_the_role(db):
    out = StringIO()
    call_command(
        "create_staff_user", "new-reviewer", "--role", "reviewer", "--no-input", stdout=out
    )
    call_command(
        "create_staff_user", "new-coordinator", "--role", "coordinator", "--no-input", stdout=out
    )

    from django.contrib.auth import get_user_model

    reviewer = get_user_model().objects.get(username="new-reviewer")
    coordinator = get_user_model().objects.get(username="new-coordinator")
    assert reviewer.is_staff and services.can_score(reviewer)
    assert not services.can_coordinate(reviewer)
    assert services.can_coordinate(coordinator)
    assert "Password for new-reviewer:" in out.getvalue()


def test_seeded_demo_staff_can_review(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--entries", "6", stdout=StringIO())

    from django.contrib.auth import get_user_model

    users = {u.username: u for u in get_user_model().objects.all()}
    assert services.can_coordinate(users["coordinator"])
    assert services.can_score(users["reviewer1"]) and services.can_score(users["reviewer2"])
    assert not services.can_coordinate(users["reviewer1"])


@pytest.mark.parametrize(
    ("value", "shown"),
    [(-0.001, "0.00"), (0.004, "0.00"), (0.5, "+0.50"), (-1.234, "-1.23"), (2.0, "+2.00")],
)
def test_a_z_score_that_rounds_to_zero_has_no_sign(value, shown):
    from django.utils.translation import override

    from review.templatetags.review import signed

    with override("en"):
        assert signed(value) == shown
