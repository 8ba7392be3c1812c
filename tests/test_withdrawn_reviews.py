"""A reviewer whose review stops counting through someone else's action is told: by
e-mail, in their language, as a job, at most once a day, one message listing the
entries, why and by whom; and in their review queue, whoever withdrew it.

Who can make a review stop counting (review/services.py): the reviewer, declaring a
conflict of interest (with the entry, or with an organisation: every entry it leads or
partners in); a coordinator, recording a reviewer's conflict on the decision page; and
the submitter, by adding a partner organisation (or renaming the lead organisation) that
a reviewer declared a conflict of interest with. Assignments (by hand, automatic or
imported) never assign a conflicted reviewer, so they withdraw nothing."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils.translation import override

from review import services
from review.models import (
    Assignment,
    AuditAction,
    AuditEvent,
    Conflict,
    Criterion,
    Review,
    ReviewerPreference,
)
from submissions import services as submissions

from .conftest import entry_form_data, make_entry, make_staff, manage_token
from .jobs import run_all_jobs, run_jobs

pytestmark = pytest.mark.django_db


@pytest.fixture
def bob(db):
    reviewer = make_staff("reviewer-bob", "reviewer")
    reviewer.first_name, reviewer.last_name, reviewer.email = "Bob", "Berg", "bob@tem.example.fi"
    reviewer.save()
    # Bob wants no e-mails about his assignments (tests/test_review_notifications.py):
    # those of withdrawn reviews still reach him.
    ReviewerPreference.objects.create(reviewer=reviewer, no_mail=True)
    return reviewer


def scored(reviewer, entry, language="fi"):
    """A review saved on a page in `language` (the reviewer's language)."""
    with override(language):
        return services.save_review(
            reviewer,
            entry,
            scores={c.pk: 4 for c in Criterion.objects.filter(campaign=entry.campaign)},
            comment="",
            recommendation="include",
        )


def test_a_reviewer_who_declares_a_conflict_is_not_mailed_and_sees_it_in_the_queue(
    client, campaign, bob
):
    entry = make_entry(campaign, "Kesätöitä nuorille")
    scored(bob, entry)
    client.force_login(bob)

    client.post(
        f"/fi/admin/workspace/score/{entry.pk}/",
        {"action": "conflict", "scope": "entry", "reason": "Olen hallituksessa."},
    )
    run_all_jobs()

    review = Review.objects.get()
    assert (review.withdrawn_by, review.withdrawal_told_at) == (bob, None)
    assert mail.outbox == []
    queue = client.get("/fi/admin/workspace/queue/").content.decode()
    assert "Arviosi, jotka eivät enää ole mukana laskennassa" in queue
    assert re.search(
        rf"<strong>{entry.reference}</strong> <span lang=\"fi\">Kesätöitä nuorille</span> –\s*"
        r"ilmoitit esteellisyydestä \d+\.\d+\.\d{4} klo \d+\.\d\d \(Suomen aikaa\):\s*"
        r"<q>Olen hallituksessa.</q>",
        queue,
    )


SUBJECT = {
    "fi": "Arviosi 1 lupauksesta tai aloitteesta ei enää ole mukana laskennassa: esteellisyys",
    "sv": "Din bedömning av 1 bidrag räknas inte längre: jäv",
    "en": "Your review of 1 entry no longer counts: conflict of interest",
}
BODY = {
    "fi": [
        "Hei Bob Berg,",
        "Antamasi arvio peruutettiin esteellisyyden vuoksi.",
        "Lupaus {reference} ”Kesätöitä nuorille”",
        "coordinator-alice kirjasi esteellisyytesi {when} ja kirjoitti:\n> Bob on yhdistyksen hallituksessa.",
        "Arviointijonosi:\nhttp://testserver/fi/admin/workspace/queue/",
        "Ystävällisin terveisin",
    ],
    "sv": [
        "Hej Bob Berg,",
        "En bedömning som du gjorde har återkallats på grund av jäv.",
        "Löfte {reference} ”Kesätöitä nuorille”",
        "coordinator-alice registrerade ditt jäv {when} och skrev:\n> Bob on yhdistyksen hallituksessa.",
        "Din bedömningskö:\nhttp://testserver/sv/admin/workspace/queue/",
        "Med vänliga hälsningar,",
    ],
    "en": [
        "Hello Bob Berg,",
        "A review you gave was withdrawn because of a conflict of interest.",
        "Pledge {reference} “Kesätöitä nuorille”",
        "coordinator-alice recorded your conflict of interest on {when} and wrote:\n> Bob on yhdistyksen hallituksessa.",
        "Your review queue:\nhttp://testserver/en/admin/workspace/queue/",
        "Best regards,",
    ],
}
WHEN = {
    "fi": "15.10.2026 klo 12.00 (Suomen aikaa)",
    "sv": "15.10.2026 kl. 12.00 (finsk tid)",
    "en": "15 October 2026, 12:00 (Finnish time)",
}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_a_coordinator_records_a_reviewers_conflict_and_the_reviewer_is_mailed_in_their_language(
    client, campaign, coordinator, bob, helsinki, language
):
    entry = make_entry(campaign, "Kesätöitä nuorille")
    services.assign(entry, bob, coordinator)
    scored(bob, entry, language)
    client.force_login(coordinator)
    page = client.get(f"/en/admin/workspace/decide/{entry.pk}/").content.decode()
    assert "Record a conflict of interest of reviewer-bob" in page

    refused = client.post(
        f"/en/admin/workspace/decide/{entry.pk}/",
        {"action": "conflict", "reviewer": bob.pk, f"conflict-{bob.pk}-reason": " "},
    )
    assert "Give a reason for the conflict of interest." in refused.content.decode()
    assert Review.objects.get().withdrawn_at is None
    with time_machine.travel(helsinki(2026, 10, 15, 12, 0), tick=False):
        response = client.post(
            f"/en/admin/workspace/decide/{entry.pk}/",
            {
                "action": "conflict",
                "reviewer": bob.pk,
                f"conflict-{bob.pk}-reason": "Bob on yhdistyksen hallituksessa.",
            },
            follow=True,
        )

    assert (
        "The conflict of interest of reviewer-bob was recorded: their review no longer counts, "
        "and they are told by e-mail." in response.content.decode()
    )
    review = Review.objects.get()
    assert (review.withdrawn_by, review.withdrawn_reason) == (
        coordinator,
        "Bob on yhdistyksen hallituksessa.",
    )
    assert not Assignment.objects.exists()
    assert Conflict.objects.get().reviewer == bob
    declared = AuditEvent.objects.get(action=AuditAction.CONFLICT_DECLARED)
    assert (declared.actor, declared.details["reviewer"]) == (coordinator, "reviewer-bob")
    assert AuditEvent.objects.get(action=AuditAction.SCORE_WITHDRAWN).actor == coordinator
    (message,) = mail.outbox
    assert message.to == ["bob@tem.example.fi"]
    assert message.subject == SUBJECT[language]
    for part in BODY[language]:
        assert part.format(reference=entry.reference, when=WHEN[language]) in message.body
    assert Review.objects.get().withdrawal_told_at is not None


def test_a_reviewer_is_mailed_at_most_once_a_day_one_message_listing_the_entries(
    campaign, coordinator, bob
):
    first, second, third = (make_entry(campaign, title) for title in ("Yksi", "Kaksi", "Kolme"))
    for entry in (first, second, third):
        scored(bob, entry)

    services.declare_conflict(bob, "Ensimmäinen syy.", entry=first, by=coordinator)
    run_jobs()
    assert [m.subject for m in mail.outbox] == [
        "Arviosi 1 lupauksesta tai aloitteesta ei enää ole mukana laskennassa: esteellisyys"
    ]
    services.declare_conflict(bob, "Toinen syy.", entry=second, by=coordinator)
    services.declare_conflict(bob, "Kolmas syy.", entry=third, by=coordinator)
    run_all_jobs()  # the job waiting for tomorrow, run today: it waits again
    assert len(mail.outbox) == 1

    with time_machine.travel(timedelta(hours=24, minutes=1)):
        run_all_jobs()
        run_all_jobs()

    assert len(mail.outbox) == 2
    later = mail.outbox[1]
    assert later.subject == (
        "Arviosi 2 lupauksesta tai aloitteesta eivät enää ole mukana laskennassa: esteellisyys"
    )
    assert f"Lupaus {second.reference} ”Kaksi”" in later.body
    assert f"Lupaus {third.reference} ”Kolme”" in later.body
    assert "> Toinen syy." in later.body and "> Kolmas syy." in later.body
    assert first.reference not in later.body


def test_a_partner_the_reviewer_is_conflicted_with_withdraws_the_review_and_tells_them(
    client, campaign, coordinator, bob
):
    theirs = make_entry(campaign, "Yhdistyksen oma", organisation="Naapuriyhdistys ry")
    other = make_entry(campaign, "Kielikahvila", kind="initiative", organisation="Kahvila Oy")
    services.assign(other, bob, coordinator)
    scored(bob, other, "sv")
    services.declare_conflict(bob, "Jag sitter i styrelsen.", organisation=theirs.lead_organisation)
    run_all_jobs()
    assert mail.outbox == []  # bob declared it himself
    assert Review.objects.get().withdrawn_at is None  # not a partner of "Kielikahvila" yet

    submissions.add_partner(other, name="Naapuriyhdistys ry", email="info@naapuri.example.fi")
    run_jobs()

    review = Review.objects.get()
    assert review.withdrawn_at is not None and review.withdrawn_by is None
    assert not Assignment.objects.filter(reviewer=bob).exists()
    events = AuditEvent.objects.filter(entry=other, actor=None).order_by("pk")
    assert [(e.action, e.details["organisation"]) for e in events] == [
        (AuditAction.UNASSIGNED, "Naapuriyhdistys ry"),
        (AuditAction.SCORE_WITHDRAWN, "Naapuriyhdistys ry"),
    ]
    (message,) = [m for m in mail.outbox if m.to == ["bob@tem.example.fi"]]
    assert message.subject == "Din bedömning av 1 bidrag räknas inte längre: jäv"
    assert f"Initiativ {other.reference} ”Kielikahvila”" in message.body
    assert (
        "blev en organisation som du har anmält jäv för delaktig i det. Ditt skäl då:\n"
        "> Jag sitter i styrelsen." in message.body
    )
    client.force_login(bob)
    queue = client.get("/en/admin/workspace/queue/").content.decode()
    assert (
        "an organisation you declared a conflict of interest with became part of it. Your "
        "reason:" in queue
    )


def test_only_a_coordinator_records_another_reviewers_conflict(campaign, bob, reviewer2):
    entry = make_entry(campaign)
    scored(bob, entry)

    with pytest.raises(services.ReviewError, match="Only a coordinator"):
        services.declare_conflict(bob, "Kostoa.", entry=entry, by=reviewer2)

    assert Review.objects.get().withdrawn_at is None


def test_a_reviewer_without_an_address_is_told_in_the_queue_only(campaign, coordinator, reviewer):
    entry = make_entry(campaign)
    scored(reviewer, entry)

    services.declare_conflict(reviewer, "Syy.", entry=entry, by=coordinator)
    run_all_jobs()

    assert mail.outbox == []
    assert Review.objects.get().withdrawal_told_at is not None


def test_a_lead_organisation_renamed_to_one_the_reviewer_is_conflicted_with(
    client, campaign, coordinator, bob
):
    theirs = make_entry(campaign, "Yhdistyksen oma", organisation="Naapuriyhdistys ry")
    entry = make_entry(campaign, "Kesätöitä nuorille", organisation="Esimerkki Oy")
    scored(bob, entry, "en")
    services.declare_conflict(bob, "Board member.", organisation=theirs.lead_organisation)
    assert Review.objects.get().withdrawn_at is None

    response = client.post(
        f"/fi/manage/{manage_token(entry)}/edit/",
        entry_form_data("pledge", org_name="Naapuriyhdistys ry", org_business_id=""),
    )
    run_jobs()

    assert response.status_code == 302
    assert Review.objects.get().withdrawn_at is not None
    (message,) = mail.outbox
    assert message.subject == "Your review of 1 entry no longer counts: conflict of interest"
    assert "became part of it. Your reason then:\n> Board member." in message.body
