"""The audit trail reads in the reader's language: every key the code writes into an
event has a translated label (found by reading the code, not sampled), criteria by
name, choices, reasons, roles and device kinds in words; an event about many entries is
found by filtering the trail by any of them; the list's queries do not grow with its
rows."""

import ast
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from review import security
from review import services as review
from review.audit_display import ACTION_LABELS, HIDDEN, LABELS, readable
from review.models import AuditAction, AuditEvent, Criterion

from .admin_walk import admin_url, post_data
from .conftest import make_entry, make_staff

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
# Functions that write an audit event, and their arguments that are not details.
WRITERS = {"audit", "record", "_audit", "_audit_move", "_admin_event"}
NOT_DETAILS = {"about", "user", "ip_address", "actor", "request", "gone", "by", "to"}
# Keys written from variables rather than as keywords (each named where it is made).
WRITTEN_OTHERWISE = {
    # review/security.py: a user's role flags, groups and permissions
    "is_active",
    "is_staff",
    "is_superuser",
    "groups_added",
    "groups_removed",
    "user_permissions_added",
    "user_permissions_removed",
    "permissions_added",
    "permissions_removed",
    "username",
    "reason",
    "failures",
    # review/services.py: a review's before and after
    "scores",
    "comment",
    "recommendation",
    # review/audit.py: an admin change
    "added",
    "changes",
    "object",
    "language",
    # publishing/personal_data.py: what was found and erased
    "entries",
    "partner_invitations",
    "messages_to_initiatives",
    "drafts",
    "staff_accounts",
    "staff_events",
    "emails_sent",
}


def keys_written_by_the_code():
    keys = set()
    for app in ("kotolupaus", "submissions", "review", "publishing"):
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in WRITERS:
                    keys |= {k.arg for k in node.keywords if k.arg} - NOT_DETAILS
    return keys | WRITTEN_OTHERWISE


def test_the_walk_of_the_code_finds_the_keys():
    # What the walk must find, so that it is known to read the calls at all.
    assert {"reviewer", "assignments_removed", "failures", "device", "due_on"} <= (
        keys_written_by_the_code()
    )


def test_every_key_the_code_writes_has_a_label_in_the_readers_language():
    """Each has a label (a msgid: tests/test_translations.py sees that it is translated
    in fi and sv), and in Finnish no label is the English key."""
    untranslated = []
    with translation.override("fi"):
        for key in sorted(keys_written_by_the_code() - HIDDEN):
            label = ACTION_LABELS.get((None, key)) or LABELS.get(key)
            if key in ("is_active", "is_staff", "is_superuser"):
                continue  # the user model's own field names (Django translates them)
            if label is None or str(label) == key.replace("_", " "):
                untranslated.append(key)
    assert untranslated == []


# --- As people read it ---------------------------------------------------------------------


@pytest.fixture
def trail(client, campaign, coordinator, reviewer):
    """Events of every kind the issue found unreadable, made the way the site makes
    them."""
    first, second = make_entry(campaign, "Ensimmäinen"), make_entry(campaign, "Toinen")
    criteria = list(Criterion.objects.filter(campaign=campaign).order_by("position"))
    review.save_review(
        reviewer,
        first,
        scores={c.pk: 4 for c in criteria},
        comment="Vahva suunnitelma.",
        recommendation="include",
    )
    for entry in (first, second):
        review.record_decision(entry, "included", "Hyvä.", coordinator, language="fi")
    review.publish_decisions(campaign, coordinator)
    security.login_failed(None, {"username": "coordinator-alice"}, request=None, reason="code")
    lockout = RequestFactory().post("/fi/admin/login/", REMOTE_ADDR="192.0.2.7")
    lockout.axes_failures_since_start = 5
    security.locked_out(None, request=lockout, username="coordinator-alice")
    TOTPDevice.objects.create(user=coordinator, name="Puhelin", confirmed=True)
    reviewer.groups.add(Group.objects.get(name="coordinator"))
    reviewer.is_staff = False
    reviewer.save()
    # Changes in the admin panel: the campaign's follow-up, an organisation's type.
    root = make_staff("root-admin")
    root.is_superuser = True
    root.save()
    client.force_login(root)
    url = admin_url("submissions.campaign", "change", campaign.pk) + "?language=fi"
    client.post(
        url,
        {
            **post_data(client.get(url)),
            "reminder_months": "3,9",
            "programme_ends_on": "2028-06-01",
        },
    )
    organisation = first.lead_organisation
    url = admin_url("submissions.organisation", "change", organisation.pk)
    client.post(url, {**post_data(client.get(url)), "type": "ngo"})
    client.force_login(coordinator)
    return {"first": first, "second": second, "criteria": criteria}


def test_the_trail_in_finnish_says_everything_in_finnish(client, trail):
    page = client.get("/fi/admin/review/auditevent/").content.decode()

    concreteness = trail["criteria"][0]
    assert "Konkreettisuus: 4" in page
    assert f"{concreteness.pk}: 4" not in page  # no criterion ids
    assert "<strong>arvioijan sisäinen kommentti (ei lähetetä):</strong> Vahva suunnitelma." in (
        page
    )
    assert "<strong>syy:</strong> väärä kertakäyttökoodi" in page
    assert "<strong>epäonnistuneita yrityksiä:</strong> 5" in page
    assert "<strong>laitteen tyyppi:</strong> todennussovellus" in page
    assert "<strong>lisätyt roolit:</strong> koordinaattori" in page
    assert "<strong>ylläpitäjä:</strong> kyllä → ei" in page
    assert "<strong>muistutukset, kuukautta julkaisun jälkeen:</strong> 6,12 → 3,9" in page
    assert "<strong>yhteistyöohjelman päättymispäivä:</strong> – → 1.6.2028" in page
    assert (
        "<strong>organisaation tyyppi:</strong> Yritys → Yhdistys, säätiö tai muu kansalaisjärjestö"
    ) in page
    for english in (
        "groups added",
        "is staff",
        "cooloff hours",
        "totpdevice",
        ">code<",
        "comment to the submitter",
        "reminder months",
        "programme ends on",
    ):
        assert english not in page, english


def test_the_trail_in_swedish_and_english(client, trail):
    swedish = client.get("/sv/admin/review/auditevent/").content.decode()
    english = client.get("/en/admin/review/auditevent/").content.decode()

    assert "Konkrethet: 4" in swedish
    assert "<strong>tillagda roller:</strong> koordinator" in swedish
    assert "<strong>orsak:</strong> fel engångskod" in swedish
    assert "<strong>typ av enhet:</strong> autentiseringsapp" in swedish
    assert "Concreteness: 4" in english
    assert "<strong>reviewer&#x27;s internal comment (not sent):</strong>" in english
    assert "<strong>roles added:</strong> coordinator" in english
    assert "<strong>reason:</strong> wrong one-time code" in english


def test_decisions_published_are_found_by_each_of_their_entries(client, trail):
    published = AuditEvent.objects.get(action=AuditAction.DECISIONS_PUBLISHED)
    assert published.entry is None
    assert sorted(published.entries.values_list("reference", flat=True)) == sorted(
        [trail["first"].reference, trail["second"].reference]
    )

    for entry in (trail["first"], trail["second"]):
        page = client.get(f"/fi/admin/review/auditevent/?entry={entry.pk}").content.decode()
        assert "päätökset julkaistu" in page
        assert f'href="?entry={entry.pk}"' in page


def test_a_reason_in_the_event_is_shown_in_the_readers_language():
    event = AuditEvent(
        action=AuditAction.MODERATED,
        details={"before": "approved", "after": "pending", "reason": "edited by the submitter"},
    )
    with translation.override("fi"):
        assert ("syy", "lähettäjä muokkasi") in readable(event, {})
    with translation.override("sv"):
        assert ("orsak", "ändrat av den som har lämnat in bidraget") in readable(event, {})


def test_a_changed_review_shows_its_scores_by_name_before_and_after(campaign, reviewer):
    entry = make_entry(campaign)
    criteria = list(Criterion.objects.filter(campaign=campaign).order_by("position"))
    for value, comment in ((3, "Ensin."), (5, "Sitten.")):
        review.save_review(
            reviewer,
            entry,
            scores={c.pk: value for c in criteria},
            comment=comment,
            recommendation="include",
        )
    changed = AuditEvent.objects.get(action=AuditAction.SCORE_CHANGED)

    with translation.override("en"):
        rows = dict(readable(changed))

    assert rows["before"].startswith("scores: Concreteness: 3; ")
    assert "reviewer's internal comment (not sent): Ensin." in rows["before"]
    assert "recommendation: Include in the programme" in rows["after"]


def test_the_trail_costs_the_same_queries_for_one_or_many_events(
    client, campaign, coordinator, reviewer, django_assert_num_queries
):
    entries = [make_entry(campaign, f"Lupaus {n}") for n in range(3)]
    criteria = list(Criterion.objects.filter(campaign=campaign))
    review.save_review(
        reviewer,
        entries[0],
        scores={c.pk: 3 for c in criteria},
        comment="",
        recommendation="include",
    )
    client.force_login(coordinator)
    client.get("/fi/admin/review/auditevent/")  # the session and caches warm

    with django_assert_num_queries(QUERIES):
        client.get("/fi/admin/review/auditevent/")
    for entry in entries[1:]:
        review.save_review(
            reviewer,
            entry,
            scores={c.pk: 4 for c in criteria},
            comment="",
            recommendation="include",
        )
    for each in entries:
        review.record_decision(each, "included", "Hyvä.", coordinator, language="fi")
    review.publish_decisions(campaign, coordinator)
    with django_assert_num_queries(QUERIES):
        client.get("/fi/admin/review/auditevent/")


# The audit list's queries, read from a run and checked by hand: the session, the user,
# their permissions (2), the campaign and people filters (2) and the campaigns' names,
# the two counts of the list (filtered and all), the page of events with who, entry and
# campaign, the entries of events about several, the criteria named and their names,
# and the date hierarchy's first and last day.
QUERIES = 14
