"""A campaign with something in every state, for the exports' tests: entries of both
kinds written in fi, sv and en (sent, withdrawn, unconfirmed; moderated pending,
approved, returned, fixed, rejected), progress reports with every status and in every
moderation state, reviews (one withdrawn after a conflict of interest, one with typed
text that looks like a formula), decisions (published and provisional), a prize, a
reminder, assignments, and typed text that a spreadsheet would take for a formula.

Made at a fixed moment (15 October 2026, 12:00 in Helsinki, summer time) and with fixed
moments written into the rows afterwards, so that every expected value in the tests is a
literal: some fall on a different day in Helsinki than in UTC, some in winter time.
"""

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.utils import timezone

from publishing import reminders
from publishing import services as publishing
from publishing.models import Publication, PublicationStatus
from review import services as review
from review.models import Award, AwardCategory, Criterion, Decision, Review
from submissions import services as submissions
from submissions.models import Entry, Indicator, ProgressReport, ReminderSent

from .conftest import make_campaign, make_entry, make_staff
from .jobs import run_jobs

HELSINKI = ZoneInfo("Europe/Helsinki")
NOW = datetime(2026, 10, 15, 12, 0, tzinfo=HELSINKI)
FORMULA = '=HYPERLINK("http://evil.example","x")'


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def _report(entry, status, reported_on, created_at, *, text, figures=None, reason=""):
    indicators = {i.slug: i for i in Indicator.objects.filter(campaign=entry.campaign)}
    report = submissions.add_report(
        entry,
        {
            "status": status,
            "reason": reason,
            "reported_on": reported_on,
            "text": text,
            "figures": {indicators[slug]: value for slug, value in (figures or {}).items()},
            "contributors": [],
        },
        language=entry.original_language,
    )
    ProgressReport.objects.filter(pk=report.pk).update(created_at=created_at)
    return report


def build():
    """Returns {"campaign", "coordinator", "bob", "dora", "entries": {name: Entry}}."""
    with time_machine.travel(NOW, tick=False):
        return _build()


def _build():
    campaign = make_campaign(
        "exports",
        name_fi="Vientikampanja",
        name_sv="Exportkampanj",
        name_en="Export campaign",
    )
    Criterion.objects.filter(campaign=campaign).delete()
    criteria = []
    for position, weight, names in (
        (1, Decimal(1), {"fi": "Selkeys", "sv": "Tydlighet", "en": "Clarity"}),
        (2, Decimal(2), {"fi": "Vaikutus", "sv": "Effekt", "en": "Effect"}),
    ):
        criterion = Criterion(campaign=campaign, position=position, weight=weight)
        for language, name in names.items():
            criterion.set_current_language(language)
            criterion.name = name
        criterion.save()
        criteria.append(criterion)
    alice = make_staff("coordinator-alice", "coordinator", "reviewer")
    bob = make_staff("reviewer-bob", "reviewer")
    dora = make_staff("reviewer-dora", "reviewer")

    entries = {
        # KL-2026-0001: a pledge in Finnish, published, reported achieved, decided and prized.
        "fi_pledge": make_entry(
            campaign,
            "Kesätöitä nuorille",
            organisation="Esimerkki Oy",
            contact_phone="+358 40 123 4567",
        ),
        # KL-2026-0002: an initiative in Swedish, published, two reports (one waiting).
        "sv_initiative": make_entry(
            campaign,
            "Språkcafé för alla",
            kind="initiative",
            language="sv",
            organisation="Förening rf",
            contact_name="Anna Andersson",
            contact_email="anna@forening.example.fi",
            contact_phone="040 123 4567",
        ),
        # KL-2026-0003: a pledge in English whose title and organisation look like formulas.
        "en_pledge": make_entry(
            campaign,
            FORMULA,
            language="en",
            organisation="@SUM(1+1)",
            contact_name="John Smith",
            contact_email="john@example.com",
        ),
        # KL-2026-0004: an initiative in Finnish, returned for fixes and fixed; a phone
        # number that is not one (typed by staff, say): it stays inert.
        "fi_initiative": make_entry(
            campaign,
            "Kielikahvila",
            kind="initiative",
            organisation="+Cmd|calc",
            contact_phone="-1+1",
        ),
        # KL-2026-0005: a pledge in Swedish, withdrawn by its submitter.
        "sv_pledge": make_entry(
            campaign, "Praktikplatser", language="sv", organisation="Ab Exempel Oy"
        ),
        # KL-2026-0006: an initiative in English, waiting for moderation.
        "en_initiative": make_entry(
            campaign, "Football together", kind="initiative", language="en", organisation="FC"
        ),
        # Never confirmed by its contact: no reference, in no export.
        "unconfirmed": make_entry(campaign, "Vahvistamaton", confirm=False),
    }
    e = entries

    # Moderation in every state.
    for name in ("fi_pledge", "sv_initiative", "en_pledge"):
        publishing.approve(e[name], alice)
    publishing.return_for_fixes(e["fi_initiative"], alice, "Lisää aikataulu.")
    publishing.transition(e["fi_initiative"], PublicationStatus.FIXED)
    publishing.reject(e["sv_pledge"], alice, note="Ei julkaista.")
    submissions.withdraw_entry(e["sv_pledge"])
    for name, moment in (
        ("fi_pledge", utc(2026, 3, 31, 22, 30)),  # 1 April in Helsinki
        ("sv_initiative", utc(2026, 4, 10, 9, 0)),
        ("en_pledge", utc(2026, 9, 1, 9, 0)),
    ):
        Publication.objects.filter(entry=e[name]).update(first_published_at=moment)

    # Progress reports with every status, in every moderation state.
    achieved = _report(
        e["fi_pledge"],
        "achieved",
        date(2026, 9, 15),
        utc(2026, 9, 20, 8, 0),
        text="Kymmenen nuorta sai kesätyön.",
        figures={"people-reached": 50, "jobs-offered": 10},
    )
    publishing.moderate_report(achieved, PublicationStatus.APPROVED, by=alice)
    not_started = _report(
        e["sv_initiative"],
        "not_started",
        date(2026, 5, 1),
        utc(2026, 5, 2, 8, 0),
        text="Vi har inte börjat än.",
    )
    publishing.moderate_report(not_started, PublicationStatus.APPROVED, by=alice)
    _report(  # waiting for moderation
        e["sv_initiative"],
        "under_way",
        date(2026, 8, 1),
        utc(2026, 8, 2, 8, 0),
        text="Tre träffar hittills.",
        figures={"people-reached": 12, "events-held": 3},
    )
    discontinued = _report(
        e["en_pledge"],
        "discontinued",
        date(2026, 9, 30),
        utc(2026, 10, 1, 8, 0),
        text="=1+1 We stopped.",
        reason="No funding.",
    )
    publishing.moderate_report(
        discontinued, PublicationStatus.RETURNED, by=alice, comment="Add the figures."
    )
    rejected = _report(
        e["en_pledge"],
        "under_way",
        date(2026, 10, 2),
        utc(2026, 10, 2, 8, 0),
        text="Spam.",
        figures={"people-reached": 999},
    )
    publishing.moderate_report(rejected, PublicationStatus.REJECTED, by=alice)
    assert reminders.send_reminder(e["sv_initiative"], date(2026, 10, 10), by=alice)
    ReminderSent.objects.filter(entry=e["sv_initiative"]).update(
        sent_at=utc(2026, 10, 14, 21, 30)  # 15 October in Helsinki
    )

    # Assignments and reviews; one withdrawn after a conflict of interest.
    for name in ("fi_pledge", "sv_initiative", "fi_initiative"):
        review.assign(e[name], bob, alice)
    review.assign(e["fi_pledge"], dora, alice)

    def scored(reviewer, name, values, recommendation, comment="", updated_at=None):
        saved = review.save_review(
            reviewer,
            e[name],
            scores={c.pk: v for c, v in zip(criteria, values, strict=True)},
            comment=comment,
            recommendation=recommendation,
        )
        Review.objects.filter(pk=saved.pk).update(updated_at=updated_at or timezone.now())

    scored(bob, "fi_pledge", (4, 5), "include", "Selkeä.", utc(2026, 1, 15, 10, 0))
    scored(dora, "fi_pledge", (2, 3), "exclude", "", utc(2026, 6, 30, 21, 30))
    scored(bob, "sv_initiative", (3, 3), "include", "", utc(2026, 2, 1, 8, 0))
    scored(dora, "sv_initiative", (5, 5), "prize", "", utc(2026, 2, 2, 8, 0))
    scored(bob, "fi_initiative", (4, 4), "prize", "=1+2\x0bpasted", utc(2026, 2, 3, 8, 0))
    review.declare_conflict(bob, "Olen yhdistyksen hallituksessa.", entry=e["sv_initiative"])

    # Decisions: one published, one provisional; a prize.
    review.record_decision(e["fi_pledge"], "included", "Konkreettinen.", alice, language="fi")
    review.publish_decisions(campaign, alice)
    Decision.objects.filter(entry=e["fi_pledge"]).update(published_at=utc(2026, 6, 30, 21, 30))
    review.record_decision(
        e["sv_initiative"], "not_included", "Inte tillräckligt konkret.", alice, language="sv"
    )
    category = AwardCategory(campaign=campaign)
    for language, name in (
        ("fi", "Vuoden teko"),
        ("sv", "Årets gärning"),
        ("en", "Deed of the year"),
    ):
        category.set_current_language(language)
        category.name = name
    category.save()
    review.nominate(category, e["fi_pledge"], alice)
    review.award(category, e["fi_pledge"], {"fi": "Esimerkillinen."}, alice)
    assert Award.objects.count() == 1
    run_jobs()
    return {
        "campaign": campaign,
        "coordinator": alice,
        "bob": bob,
        "dora": dora,
        "category": category,
        "entries": {name: Entry.objects.get(pk=entry.pk) for name, entry in entries.items()},
    }
