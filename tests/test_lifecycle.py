"""One lifecycle for an entry and one for its publication: every pair of states is
either allowed (and done by the one transition function) or refused with a clear
message; the returned-for-fixes round trip; staff pages that say what a user may do."""

import io
import re
from itertools import product

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from publishing import services as publishing
from publishing.models import PUBLICATION_TRANSITIONS, Publication, PublicationStatus
from review.models import AuditAction, AuditEvent
from submissions import services as submissions
from submissions.models import ENTRY_TRANSITIONS, Entry, EntryStatus

from .conftest import entry_form_data, make_entry, make_staff, token_from
from .jobs import run_jobs

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _messages_in_english():
    """The refusals below are read in English (earlier tests may leave another language
    active in this thread)."""
    from django.utils.translation import override

    with override("en"):
        yield


# The allowed moves, as the README's diagrams draw them: written here by hand, never read
# back from the code under test (the tables in the code must equal these).
ENTRY_EDGES = {
    ("unconfirmed", "submitted"),
    ("submitted", "withdrawn"),
}
PUBLICATION_EDGES = {
    ("pending", "approved"),
    ("pending", "returned"),
    ("pending", "rejected"),
    ("returned", "fixed"),
    ("returned", "approved"),
    ("returned", "rejected"),
    ("fixed", "approved"),
    ("fixed", "returned"),
    ("fixed", "rejected"),
    ("approved", "pending"),
    ("approved", "returned"),
    ("approved", "rejected"),
    ("rejected", "pending"),
}


def edges(table):
    return {(before, after) for before, afters in table.items() for after in afters}


# --- The entry's states -------------------------------------------------------------------


def entry_in(campaign, status):
    entry = make_entry(campaign, confirm=False)
    if status != EntryStatus.UNCONFIRMED:
        submissions.change_status(entry, EntryStatus.SUBMITTED)
    if status == EntryStatus.WITHDRAWN:
        submissions.change_status(entry, EntryStatus.WITHDRAWN)
    return Entry.objects.get(pk=entry.pk)


@pytest.mark.parametrize(("before", "after"), list(product(EntryStatus.values, repeat=2)))
def test_every_pair_of_entry_states_is_allowed_or_refused(campaign, before, after):
    entry = entry_in(campaign, before)
    allowed = after == before or (before, after) in ENTRY_EDGES

    if allowed:
        submissions.change_status(entry, after)
        assert Entry.objects.get(pk=entry.pk).status == after
    else:
        with pytest.raises(submissions.TransitionNotAllowed, match="cannot become"):
            submissions.change_status(entry, after)
        assert Entry.objects.get(pk=entry.pk).status == before


def test_the_entry_table_is_the_one_in_the_readme():
    assert edges(ENTRY_TRANSITIONS) == ENTRY_EDGES
    assert set(ENTRY_TRANSITIONS) == set(EntryStatus)


def test_the_publication_table_is_the_one_in_the_readme():
    assert edges(PUBLICATION_TRANSITIONS) == PUBLICATION_EDGES
    assert set(PUBLICATION_TRANSITIONS) == set(PublicationStatus)


def test_a_staff_members_change_of_an_entrys_status_is_audited(campaign, coordinator):
    from publishing.personal_data import erase

    entry = make_entry(campaign, consent_publish=False)

    erase("maija@example.fi", coordinator)

    entry.refresh_from_db()
    assert entry.status == EntryStatus.WITHDRAWN
    event = AuditEvent.objects.get(action=AuditAction.ENTRY_STATUS, entry=entry)
    assert event.actor == coordinator
    assert event.details == {
        "before": "submitted",
        "after": "withdrawn",
        "reason": "personal data erased",
    }


# --- The publication's states ----------------------------------------------------------------


def publication_in(campaign, status, by):
    entry = make_entry(campaign)
    fields = {"status": status}
    if status in (PublicationStatus.RETURNED, PublicationStatus.FIXED):
        fields["returned_comment"] = "Lisää aikataulu."
    if status == PublicationStatus.APPROVED:
        fields["first_published_at"] = timezone.now()
    Publication.objects.filter(entry=entry).update(**fields)
    return entry


@pytest.mark.parametrize(("before", "after"), list(product(PublicationStatus.values, repeat=2)))
def test_every_pair_of_publication_states_is_allowed_or_refused(
    campaign, coordinator, before, after
):
    entry = publication_in(campaign, before, coordinator)
    allowed = after == before or (before, after) in PUBLICATION_EDGES
    audited = AuditEvent.objects.filter(action=AuditAction.MODERATED).count()

    if allowed:
        publishing.transition(entry, after, by=coordinator, comment="Korjaa, kiitos.")
        assert Publication.objects.get(entry=entry).status == after
        moved = 0 if after == before else 1
        assert AuditEvent.objects.filter(action=AuditAction.MODERATED).count() == audited + moved
    else:
        with pytest.raises(publishing.TransitionNotAllowed, match="cannot become"):
            publishing.transition(entry, after, by=coordinator, comment="Korjaa, kiitos.")
        assert Publication.objects.get(entry=entry).status == before
        assert AuditEvent.objects.filter(action=AuditAction.MODERATED).count() == audited


@pytest.mark.parametrize("status", [EntryStatus.UNCONFIRMED, EntryStatus.WITHDRAWN])
def test_an_entry_not_in_the_review_cannot_be_moderated(campaign, coordinator, status):
    entry = entry_in(campaign, status)
    Publication.objects.get_or_create(entry=entry)

    with pytest.raises(publishing.TransitionNotAllowed, match="cannot be moderated"):
        publishing.approve(entry, coordinator)

    assert Publication.objects.get(entry=entry).status == PublicationStatus.PENDING


def test_returning_needs_a_comment(campaign, coordinator):
    entry = make_entry(campaign)

    with pytest.raises(publishing.TransitionNotAllowed, match="Write what the submitter"):
        publishing.return_for_fixes(entry, coordinator, "  ")


def test_a_refused_admin_action_says_why_and_does_the_rest(client, campaign, coordinator):
    withdrawn, waiting = make_entry(campaign, "Peruttu"), make_entry(campaign, "Odottaa")
    submissions.withdraw_entry(withdrawn)
    client.force_login(coordinator)

    response = client.post(
        "/en/admin/publishing/publication/?state=all",
        {
            "action": "approve",
            "_selected_action": [withdrawn.publication.pk, waiting.publication.pk],
        },
        follow=True,
    )

    content = response.content.decode()
    assert f"{withdrawn.reference} cannot be moderated: it is “Withdrawn”." in content
    assert "1 entry approved." in content
    assert Publication.objects.get(entry=waiting).status == PublicationStatus.APPROVED
    assert Publication.objects.get(entry=withdrawn).status == PublicationStatus.PENDING


# --- Returned for fixes, round trip ------------------------------------------------------------


def test_returned_for_fixes_comes_back_to_moderation_first(client, campaign, coordinator):
    returned = make_entry(campaign, "Palautettava")
    waiting = make_entry(campaign, "Jonossa")
    approved = make_entry(campaign, "Julkaistu")
    publishing.approve(approved, coordinator)
    publishing.return_for_fixes(returned, coordinator, "Lisää mitattava tavoite, kiitos.")
    run_jobs()
    token = token_from(mail.outbox[-1].body)

    # The submitter sees the staff comment at the top, with what to do.
    page = client.get(f"/fi/manage/{token}/").content.decode()
    assert "Lisää mitattava tavoite, kiitos." in page
    assert 'class="alert alert-warning"' in page
    edit = client.post(
        f"/fi/manage/{token}/edit/",
        entry_form_data("pledge", title="Palautettava, korjattu", target="20 nuorta vuodessa."),
    )
    assert edit.status_code == 302
    assert Publication.objects.get(entry=returned).status == PublicationStatus.FIXED
    assert (
        "Thank you: your changes are waiting for the staff"
        in client.get(f"/en/manage/{token}/").content.decode()
    )

    # The moderation list opens on what awaits action, fixed entries first.
    client.force_login(coordinator)
    listing = client.get("/en/admin/publishing/publication/").content.decode()
    rows = re.findall(r"KL-\d{4}-\d{4}", listing)
    assert rows.index(returned.reference) < rows.index(waiting.reference)
    assert approved.reference not in rows
    assert (
        approved.reference
        in client.get("/en/admin/publishing/publication/?state=all").content.decode()
    )

    publishing.approve(returned, coordinator)
    assert Publication.objects.get(entry=returned).status == PublicationStatus.APPROVED
    moves = list(
        AuditEvent.objects.filter(action=AuditAction.MODERATED, entry=returned)
        .order_by("pk")
        .values_list("actor__username", "details__before", "details__after")
    )
    assert moves == [
        (coordinator.username, "pending", "returned"),
        (None, "returned", "fixed"),
        (coordinator.username, "fixed", "approved"),
    ]


def test_an_edit_after_approval_goes_back_to_moderation_while_the_approved_stays_public(
    client, campaign, coordinator
):
    entry = make_entry(campaign, "Julkaistu")
    publishing.approve(entry, coordinator)
    token = submissions.add_management_link(entry)

    client.post(f"/fi/manage/{token}/edit/", entry_form_data("pledge", title="Muutettu"))

    assert Publication.objects.get(entry=entry).status == PublicationStatus.PENDING
    page = client.get(f"/fi/entries/{entry.pk}/")
    assert page.status_code == 200
    assert "Julkaistu" in page.content.decode() and "Muutettu" not in page.content.decode()


# --- Roles and refusals ------------------------------------------------------------------------


def test_create_staff_user_replaces_the_role(coordinator):
    out = io.StringIO()
    make_staff("koord3", "coordinator", "reviewer")

    call_command("create_staff_user", "koord3", "--role", "reviewer", "--no-input", stdout=out)

    groups = set(Group.objects.filter(user__username="koord3").values_list("name", flat=True))
    assert groups == {"reviewer"}
    call_command("create_staff_user", "koord3", "--role", "coordinator", "--no-input", stdout=out)
    groups = set(Group.objects.filter(user__username="koord3").values_list("name", flat=True))
    assert groups == {"coordinator", "reviewer"}


def test_a_reviewer_on_a_coordinators_page_is_told_what_they_can_do(client, reviewer):
    client.force_login(reviewer)

    response = client.get("/en/admin/workspace/ranking/")

    content = response.content.decode()
    assert response.status_code == 403
    assert "You are logged in as reviewer-bob, but this page needs a role you do not have." in (
        content
    )
    assert "This page is for coordinators." in content
    assert 'href="/en/admin/workspace/queue/"' in content
    assert "log in first" not in content


def test_someone_not_logged_in_is_sent_to_the_login(client):
    response = client.get("/en/admin/workspace/ranking/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
