"""Do the reviewers agree (issue 27)? Krippendorff's alpha per criterion against the
published textbook value, reviewers' mean differences against a hand computation, and
"not enough reviews yet" below two reviews of an entry."""

import csv
import io
import math

import pytest

from review import services
from review.agreement import agreement, alpha
from review.models import Criterion

from .conftest import make_entry, make_staff

pytestmark = pytest.mark.django_db

WS = "/en/admin/workspace"
nan = None

# Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), section C: four
# observers, twelve units, values 1–5 with missing ones. Published: interval α = 0.849.
TEXTBOOK = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
]


def test_alpha_of_the_textbook_example_is_the_published_value():
    assert round(alpha(TEXTBOOK), 3) == 0.849


def test_alpha_is_not_a_number_without_two_reviews_of_an_entry_or_without_variation():
    assert alpha([[1, None], [None, 2]]) is None
    assert alpha([[3, 3], [3, 3]]) is None
    assert alpha([]) is None


def score_all(reviewer, entry, value):
    criteria = Criterion.objects.filter(campaign=entry.campaign)
    services.save_review(
        reviewer,
        entry,
        scores={c.pk: value for c in criteria},
        comment="",
        recommendation="include",
    )


def test_the_textbook_example_scored_through_the_review_gives_the_published_alpha(campaign):
    reviewers = [make_staff(f"reviewer-{name}", "reviewer") for name in "abcd"]
    entries = [make_entry(campaign, f"Lupaus {n}") for n in range(12)]
    for reviewer, values in zip(reviewers, TEXTBOOK, strict=True):
        for entry, value in zip(entries, values, strict=True):
            if value is not None:
                score_all(reviewer, entry, value)

    result = agreement(campaign)

    assert [(round(c.alpha, 3), c.entries) for c in result.criteria] == [(0.849, 11)] * 5
    assert {c.level for c in result.criteria} == {"reliable"}


@pytest.fixture
def three(campaign):
    """Hand computation. Entry 1: A 2, B 4. Entry 2: A 3, B 5, C 4. Entry 3: A 1 alone.
    A: (2 − 4) and (3 − 4.5) → mean −1.75 over 2 entries, flagged (≥ 1.00).
    B: (4 − 2) and (5 − 3.5) → mean +1.75 over 2, flagged. C: (4 − 4) → 0.00 over 1."""
    a, b, c = (make_staff(f"reviewer-{name}", "reviewer") for name in "abc")
    first, second, third = (make_entry(campaign, f"Lupaus {n}") for n in range(3))
    for reviewer, entry, value in (
        (a, first, 2),
        (b, first, 4),
        (a, second, 3),
        (b, second, 5),
        (c, second, 4),
        (a, third, 1),
    ):
        score_all(reviewer, entry, value)
    return campaign


def test_each_reviewers_mean_difference_from_the_others_equals_the_hand_computation(three):
    result = agreement(three)

    assert [
        (r.reviewer, round(r.mean_difference, 2), r.entries, r.flagged) for r in result.reviewers
    ] == [
        ("reviewer-a", -1.75, 2, True),
        ("reviewer-b", 1.75, 2, True),
        ("reviewer-c", 0.0, 1, False),
    ]


def test_with_fewer_than_two_reviews_per_entry_there_is_no_number(client, campaign, coordinator):
    reviewer = make_staff("reviewer-a", "reviewer")
    score_all(reviewer, make_entry(campaign, "Yksin"), 4)

    result = agreement(campaign)

    assert {(c.alpha, c.entries) for c in result.criteria} == {(None, 0)}
    assert [(r.mean_difference, r.entries, r.flagged) for r in result.reviewers] == [
        (None, 0, False)
    ]
    client.force_login(coordinator)
    page = client.get(f"{WS}/ranking/").content.decode()
    assert page.count("not enough reviews yet") == 6  # five criteria and the reviewer


def test_coordinators_see_the_agreement_with_its_explanation_and_download_it(
    client, three, coordinator
):
    client.force_login(coordinator)

    page = client.get(f"{WS}/ranking/").content.decode()

    assert "Agreement between reviewers" in page
    assert "1 means the reviewers agree completely, 0 no better than chance" in page
    assert "reviewer-a" in page and "-1.75" in page and "+1.75" in page
    assert page.count('<strong class="ws-flag">far from the others</strong>') == 2
    response = client.get(f"{WS}/ranking/?export=agreement-csv")
    assert response["Content-Disposition"] == 'attachment; filename="agreement-test-campaign.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["what", "figure", "entries", "flagged"]
    assert rows[-3:] == [
        ["reviewer-a", "-1.75", "2", "yes"],
        ["reviewer-b", "1.75", "2", "yes"],
        ["reviewer-c", "0.0", "1", ""],
    ]
    assert not any(math.isnan(float(row[1])) for row in rows[1:] if row[1])
