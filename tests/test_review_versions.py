"""Reviews that stay true (issue 27): a review records the version of the entry it
scored; an entry changed since is "changed since your review" in the reviewer's queue
and scoring page (with a word diff per field), in the ranking (which can leave those
scores out) and on the decision page, until the reviewer saves their review again."""

import pytest
from django.utils.translation import override

from publishing import personal_data
from review import services
from review.diffs import as_text, version_diff, word_diff
from review.models import Criterion, Review
from review.ranking import ranking
from submissions import services as submissions
from submissions.models import EntryVersion

from .conftest import entry_form_data, make_entry

pytestmark = pytest.mark.django_db

WS = "/en/admin/workspace"


def score(reviewer, entry, values, **kwargs):
    criteria = Criterion.objects.filter(campaign=entry.campaign).order_by("position")
    return services.save_review(
        reviewer,
        entry,
        scores=dict(zip([c.pk for c in criteria], values, strict=True)),
        comment="",
        recommendation="include",
        **kwargs,
    )


def edit(client, entry, **changes):
    """The submitter edits the entry through the private link (entry_form_data's texts
    with `changes`)."""
    token = submissions.add_management_link(entry)
    response = client.post(f"/fi/manage/{token}/edit/", entry_form_data("pledge", **changes))
    assert response.status_code == 302, response.content.decode()[:2000]


@pytest.fixture
def entry(campaign, client):
    entry = make_entry(campaign, "Kesätöitä nuorille tulijoille")
    # As the form would have it (make_entry's texts are shorter), so that the edits
    # below change only what they say.
    edit(client, entry)
    return entry


# --- The word diff -------------------------------------------------------------------------


def test_the_word_diff_of_a_finnish_pair_is_exactly_the_expected_one():
    parts = word_diff(
        "Tarjoamme kesätöitä nuorille maahanmuuttajille.",
        "Tarjoamme kesätyöpaikkoja ja harjoittelua nuorille maahanmuuttajille.",
    )

    assert parts == [
        ("same", "Tarjoamme "),
        ("del", "kesätöitä"),
        ("ins", "kesätyöpaikkoja ja harjoittelua"),
        ("same", " nuorille maahanmuuttajille."),
    ]
    assert as_text(parts) == (
        "Tarjoamme [-kesätöitä-]{+kesätyöpaikkoja ja harjoittelua+} nuorille maahanmuuttajille."
    )


def test_the_word_diff_of_a_swedish_pair_is_exactly_the_expected_one():
    parts = word_diff(
        "Vi erbjuder sommarjobb åt unga invandrare.",
        "Vi erbjuder sommarjobb och praktik åt unga nyanlända.",
    )

    assert (
        as_text(parts)
        == "Vi erbjuder sommarjobb {+och praktik +}åt unga [-invandrare-]{+nyanlända+}."
    )


def test_words_next_to_each_other_change_together_and_nothing_is_lost():
    assert as_text(word_diff("a b c", "x y c")) == "[-a b-]{+x y+} c"
    assert as_text(word_diff("", "Uusi teksti.")) == "{+Uusi teksti.+}"
    assert as_text(word_diff("Pois.", "")) == "[-Pois.-]"
    assert word_diff("Sama.", "Sama.") == [("same", "Sama.")]


def test_a_version_diff_lists_each_changed_field_in_its_language(campaign, entry, client):
    edit(client, entry, summary="Tarjoamme kesätöitä ja harjoittelua nuorille maahanmuuttajille.")
    first, second = EntryVersion.objects.filter(entry=entry).order_by("-number")[:2][::-1]

    with override("en"):
        diffs = version_diff(first.content, second.content)

    assert [(d.label, d.language, d.text) for d in diffs] == [
        (
            "summary (Finnish)",
            "fi",
            "Tarjoamme kesätöitä{+ ja harjoittelua+} nuorille maahanmuuttajille.",
        )
    ]


# --- Queue, scoring page, re-scoring ------------------------------------------------------


def test_a_review_after_an_edit_is_marked_changed_in_the_queue_and_the_scoring_page(
    client, campaign, entry, reviewer
):
    review = score(reviewer, entry, [3, 3, 3, 3, 3])
    assert review.version == EntryVersion.objects.filter(entry=entry).latest("number")
    client.force_login(reviewer)
    queue = client.get(f"{WS}/queue/").content.decode()
    assert "changed since your review</strong>" not in queue
    assert "0 entries changed since your review" in queue

    edit(client, entry, title="Kesätöitä vuonna 2027")

    queue = client.get(f"{WS}/queue/").content.decode()
    assert '<strong class="ws-flag">changed since your review</strong>' in queue
    assert "1 entry changed since your review" in queue
    assert "1 review saved" in queue
    page = client.get(f"{WS}/score/{entry.pk}/").content.decode()
    assert "Changed since your review" in page
    assert "Changed by: the submitter." in page
    assert (
        '<p class="ws-diff" lang="fi">Kesätöitä <del>[-nuorille tulijoille-]</del>'
        "<ins>{+vuonna 2027+}</ins></p>"
    ) in page

    # Saving the review again gives it to the entry as it is now: the mark goes.
    score(reviewer, entry, [3, 3, 3, 3, 3])

    assert "changed since your review</strong>" not in client.get(f"{WS}/queue/").content.decode()
    assert "Changed since your review" not in client.get(f"{WS}/score/{entry.pk}/").content.decode()


def test_an_entry_changed_while_the_page_was_open_shows_the_diff_before_the_score_is_taken(
    client, campaign, entry, reviewer
):
    client.force_login(reviewer)
    page = client.get(f"{WS}/score/{entry.pk}/").content.decode()
    seen = EntryVersion.objects.filter(entry=entry).latest("number")
    assert f'name="seen_version" value="{seen.pk}"' in page
    edit(client, entry, summary="Tarjoamme kesätöitä ja harjoittelua nuorille maahanmuuttajille.")
    criteria = Criterion.objects.filter(campaign=campaign)
    data = {
        **{f"criterion_{c.pk}": "4" for c in criteria},
        "recommendation": "include",
        "comment": "Hyvä.",
        "action": "save",
        "seen_version": str(seen.pk),
    }

    response = client.post(f"{WS}/score/{entry.pk}/", data)

    page = response.content.decode()
    assert response.status_code == 200
    assert not Review.objects.filter(entry=entry).exists()
    assert "The entry changed while you had this page open." in page
    assert "Changed while you were scoring" in page
    assert "Tarjoamme kesätöitä<ins>{+ ja harjoittelua+}</ins> nuorille" in page
    assert 'value="4" class="score-choice"' in page or "checked" in page  # scores kept
    now = EntryVersion.objects.filter(entry=entry).latest("number")
    assert f'name="seen_version" value="{now.pk}"' in page

    response = client.post(f"{WS}/score/{entry.pk}/", {**data, "seen_version": str(now.pk)})

    assert response.status_code == 302
    assert Review.objects.get(entry=entry).version == now


# --- Ranking and decisions ----------------------------------------------------------------


def test_the_ranking_marks_scores_of_an_older_version_and_can_leave_them_out(
    client, campaign, entry, coordinator, reviewer, reviewer2
):
    other = make_entry(campaign, "Toinen lupaus")
    score(reviewer, entry, [2, 2, 2, 2, 2])
    score(reviewer2, entry, [4, 4, 4, 4, 4])
    score(reviewer, other, [5, 5, 5, 5, 5])
    edit(client, entry, title="Kesätöitä vuonna 2027")
    score(reviewer2, entry, [5, 5, 5, 5, 5])  # bob's 2 scored the older text, dora's 5 the new

    rows = {row.entry.pk: row for row in ranking(campaign, [entry, other])}
    assert (rows[entry.pk].count, rows[entry.pk].stale, rows[entry.pk].mean) == (2, 1, 3.5)
    current = {row.entry.pk: row for row in ranking(campaign, [entry, other], current_only=True)}
    # Hand computation: only dora's 5 is left for the edited entry; bob's 5 for the other.
    assert (current[entry.pk].count, current[entry.pk].left_out, current[entry.pk].mean) == (
        1,
        1,
        5.0,
    )
    assert (current[other.pk].count, current[other.pk].mean) == (1, 5.0)

    client.force_login(coordinator)
    page = client.get(f"{WS}/ranking/").content.decode()
    assert "1 score was given to an older version of its entry." in page
    assert "1 of an older version" in page
    page = client.get(f"{WS}/ranking/?current_only=on").content.decode()
    assert "1 score of an older version is left out." in page

    decide = client.get(f"{WS}/decide/{entry.pk}/").content.decode()
    assert "1 review scored an older version of this entry" in decide
    assert "scored version 2; the entry is at version 3 now" in decide
    assert "What changed since the oldest of those reviews" in decide
    assert "Kesätöitä <del>[-nuorille tulijoille-]</del><ins>{+vuonna 2027+}</ins>" in decide


def test_versions_of_an_erased_contact_keep_no_contact_data(client, campaign, entry, coordinator):
    edit(client, entry, title="Kesätöitä vuonna 2027")
    personal_data.erase("maija@esimerkki.example.fi", coordinator)

    stored = str(list(EntryVersion.objects.filter(entry=entry).values_list("content", flat=True)))
    assert EntryVersion.objects.filter(entry=entry).count() >= 2
    for contact in ("maija@esimerkki.example.fi", "Maija Meikäläinen", "+358 40 123 4567"):
        assert contact not in stored


# --- Reviewing without names ----------------------------------------------------------------


def test_without_names_a_reviewer_sees_no_organisation_until_they_save_and_coordinators_always(
    client, campaign, coordinator, reviewer
):
    from review.models import AuditAction, AuditEvent, ReviewSettings

    from .admin_forms import save_in_admin

    entry = make_entry(
        campaign,
        "Nimetön lupaus",
        organisation="Tunnettu Yritys Oy",
        partners=[("Kuuluisa Kumppani ry", "k@example.fi")],
    )
    settings = ReviewSettings.for_campaign(campaign)
    client.force_login(coordinator)
    save_in_admin(client, f"/en/admin/review/reviewsettings/{settings.pk}/change/", hide_names="on")
    changed = AuditEvent.objects.filter(action=AuditAction.SETTINGS).latest("pk")
    assert changed.actor == coordinator
    assert "hide_names" in str(changed.details)
    page = client.get(f"{WS}/score/{entry.pk}/").content.decode()
    assert "Tunnettu Yritys Oy" in page and "Kuuluisa Kumppani ry" in page  # a coordinator
    client.logout()
    client.force_login(reviewer)

    for url in (f"{WS}/queue/", f"{WS}/score/{entry.pk}/"):
        page = client.get(url).content.decode()
        assert "Tunnettu Yritys Oy" not in page and "Kuuluisa Kumppani ry" not in page, url
    page = client.get(f"{WS}/score/{entry.pk}/").content.decode()
    assert "the organisations' names are shown once you have saved your review" in page
    # The downloads, which name the organisations, are the coordinators' only.
    for export in ("ranking/?export=csv", "ranking/?export=agreement-csv", "reviews/export/"):
        assert client.get(f"{WS}/{export}").status_code in (302, 403), export
    assert "1 partner organisation, its name hidden" in page

    score(reviewer, entry, [3, 3, 3, 3, 3])

    for url in (f"{WS}/queue/", f"{WS}/score/{entry.pk}/"):
        assert "Tunnettu Yritys Oy" in client.get(url).content.decode(), url
