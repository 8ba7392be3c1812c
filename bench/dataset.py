"""Large catalogues, fast: published entries written with COPY, the public read model
built by the app's own rebuild. Runs inside Django (bench/run.py sets it up on the
benchmark database).

What one entry is made of mirrors what the app writes itself: an Organisation, the Entry,
its parler translations (the original language, and for a quarter of the entries all
three), its themes, target groups and municipalities, an approved Publication with
first_published_at. A few percent have a published programme Decision, a few are
awarded, some have a confirmed partner, some pledges take up an earlier pledge's
challenge. Then publishing.rebuild.rebuild() — what `manage.py rebuild_public` runs —
makes each entry's approved version, its row of the read model (PublicEntry) with its
search document, and the search vocabulary, from the very definitions the app uses for
one entry.
"""

from __future__ import annotations

import hashlib
import random
import time
import uuid
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from publishing.demo import (
    INITIATIVE_EXTRA,
    MUNICIPALITY_CODES,
    ORGANISATIONS,
    PLEDGE_EXTRA,
    TOPICS,
)
from publishing.models import Programme
from publishing.rebuild import rebuild as rebuild_read_model
from review.models import AwardCategory
from submissions.models import (
    Campaign,
    Municipality,
    TargetGroup,
    Theme,
    consent_wording,
)

from .server import log
from .texts import AUDIENCES, EXTRA_SENTENCES, LANGUAGE_INDEX

SEED = 2015
CAMPAIGN_SLUG = "bench-campaign"
COORDINATOR = "bench-coordinator"
LANGUAGES = ("fi", "sv", "en")
PRIZES = [
    ("Paras yhteistyö", "Bästa samarbete", "Best cooperation"),
    ("Rohkein uusi idea", "Den djärvaste nya idén", "Boldest new idea"),
    ("Työelämän ovien avaaja", "Dörröppnare till arbetslivet", "Opening doors to working life"),
]
CITATION = {
    "fi": "Esimerkillinen tapa tuoda ihmiset yhteen.",
    "sv": "Ett föredömligt sätt att föra människor samman.",
    "en": "An exemplary way of bringing people together.",
}
# Tables whose rows are only the benchmark's own: emptied by reset().
RESET_TABLES = ["submissions_campaign", "submissions_organisation", "django_session"]
CHUNK = 10_000


def reset() -> Campaign:
    """Empty every entry-related table and create the open campaign the entries belong to."""
    with connection.cursor() as cursor:
        tables = ", ".join(f'"{name}"' for name in RESET_TABLES)
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    now = timezone.now()
    campaign = Campaign(
        slug=CAMPAIGN_SLUG, opens_at=now - timedelta(days=60), closes_at=now + timedelta(days=60)
    )
    for language, name in zip(
        LANGUAGES,
        ("Kotolupaus-kampanja", "Kotolupaus-kampanjen", "The Kotolupaus campaign"),
        strict=True,
    ):
        campaign.set_current_language(language)
        campaign.name = name
        campaign.intro = ""
        campaign.contact = "kotolupaus@example.fi"
    campaign.save()
    for position, names in enumerate(PRIZES, start=1):
        category = AwardCategory(campaign=campaign, position=position)
        for language, name in zip(LANGUAGES, names, strict=True):
            category.set_current_language(language)
            category.name = name
        category.save()
    programme = Programme(campaign=campaign)
    for language in LANGUAGES:
        programme.set_current_language(language)
        programme.title = "Yhteistyöohjelma"
        programme.introduction = "Kampanjassa valitut lupaukset ja aloitteet."
    programme.save()
    return campaign


def coordinator():
    user, _created = get_user_model().objects.get_or_create(
        username=COORDINATOR, defaults={"is_staff": True, "email": "bench@example.fi"}
    )
    return user


def published_count(campaign) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM submissions_entry WHERE campaign_id = %s", [campaign.pk]
        )
        return cursor.fetchone()[0]


def _next_id(cursor, table: str) -> int:
    cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"')  # noqa: S608 - constants
    return cursor.fetchone()[0]


def _sync_sequence(cursor, table: str) -> None:
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608 - constants
        f'GREATEST((SELECT MAX(id) FROM "{table}"), 1))'
    )


class Rows:
    """Rows for each table, COPYed in one go at the end."""

    COLUMNS = {
        "submissions_organisation": (
            "id",
            "name",
            "business_id",
            "type",
            "website",
            "logo",
            "municipality_id",
        ),
        "submissions_entry": (
            "id",
            "kind",
            "status",
            "number",
            "reference",
            "original_language",
            "whole_country",
            "pledge_deadline",
            "image",
            "contact_name",
            "contact_email",
            "contact_phone",
            "contact_language",
            "consent_publish",
            "consent_publish_at",
            "consent_wording",
            "consent_contact",
            "authorised",
            "confirmed_at",
            "submission_key",
            "submitted_at",
            "updated_at",
            "campaign_id",
            "lead_organisation_id",
            "challenge_of_id",
        ),
        "submissions_entry_translation": (
            "language_code",
            "title",
            "summary",
            "description",
            "promise",
            "target",
            "goal",
            "plan",
            "timetable",
            "partners_sought",
            "master_id",
        ),
        "submissions_entry_themes": ("entry_id", "theme_id"),
        "submissions_entry_target_groups": ("entry_id", "targetgroup_id"),
        "submissions_entry_municipalities": ("entry_id", "municipality_id"),
        "submissions_partnership": (
            "role",
            "invited_email",
            "token_hash",
            "invited_at",
            "confirmed_at",
            "entry_id",
            "organisation_id",
            "language",
        ),
        "publishing_publication": (
            "status",
            "flags",
            "note",
            "returned_comment",
            "first_published_at",
            "last_public_at",
            "updated_at",
            "decided_by_id",
            "entry_id",
            "status_changed_at",
        ),
        "review_decision": (
            "outcome",
            "rationale",
            "rationale_language",
            "decided_at",
            "published_at",
            "decided_by_id",
            "entry_id",
        ),
    }

    def __init__(self):
        self.tables = {table: [] for table in self.COLUMNS}

    def add(self, table, *values):
        self.tables[table].append(values)

    def copy(self, cursor):
        for table, rows in self.tables.items():
            if not rows:
                continue
            columns = ", ".join(self.COLUMNS[table])
            with cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)


def _texts(topic_texts, language, kind, rng, extras, audience, place):
    """One translation's values, in TRANSLATION column order (without master_id)."""
    index = LANGUAGE_INDEX[language]
    title, summary, description = topic_texts[language]
    title = title.format(place=place[language])
    summary = f"{summary} {AUDIENCES[audience][index]}"
    description = " ".join([description, *(EXTRA_SENTENCES[e][index] for e in extras)])
    if kind == "pledge":
        promise, target = PLEDGE_EXTRA[language]
        goal = plan = timetable = partners = ""
    else:
        promise = target = ""
        goal, plan, timetable, partners = INITIATIVE_EXTRA[language]
        if rng.random() < 0.67:
            partners = ""
    return (
        language,
        title[:150],
        summary[:500],
        description,
        promise,
        target,
        goal,
        plan,
        timetable,
        partners,
    )


def grow(campaign, target: int) -> float:
    """Add published entries to the campaign until it has `target`; returns seconds taken."""
    started = time.monotonic()
    current = published_count(campaign)
    if current >= target:
        return 0.0
    added = target - current
    log(f"adding {added:,} published entries ({current:,} → {target:,})")
    rng = random.Random(f"{SEED}-{current}-{target}")  # noqa: S311 - repeatable data, not security
    user = coordinator()
    themes = dict(Theme.objects.values_list("slug", "pk"))
    groups = dict(TargetGroup.objects.values_list("slug", "pk"))
    theme_ids = list(themes.values())
    municipalities = list(Municipality.objects.values_list("pk", "code", "name_fi", "name_sv"))
    common = [m for m in municipalities if m[1] in MUNICIPALITY_CODES]
    year = timezone.localtime(campaign.opens_at).year
    now = timezone.now()
    window = (now - timedelta(hours=2) - campaign.opens_at).total_seconds()
    wording = {kind: str(consent_wording(kind)) for kind in ("pledge", "initiative")}
    rows = Rows()

    with transaction.atomic(), connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg cursor, for COPY
        cursor.execute("SET LOCAL synchronous_commit = off")
        entry_id = _next_id(cursor, "submissions_entry")
        organisation_id = _next_id(cursor, "submissions_organisation")
        first_entry_id = entry_id
        pledges = []
        for number in range(current + 1, target + 1):
            if number % CHUNK == 0:  # COPY as we go: memory stays small at any size
                rows.copy(cursor)
                rows = Rows()
            topic_theme, topic_groups, topic_texts = TOPICS[rng.randrange(len(TOPICS))]
            language = rng.choices(LANGUAGES, weights=(6, 2, 2))[0]
            kind = "pledge" if rng.random() < 0.5 else "initiative"
            place_id, _code, name_fi, name_sv = rng.choice(
                common if rng.random() < 0.5 else municipalities
            )
            place = {"fi": name_fi, "sv": name_sv, "en": name_fi}
            org_name, org_type = rng.choice(ORGANISATIONS)
            submitted_at = campaign.opens_at + timedelta(seconds=window * (number - 1) / target)
            published_at = submitted_at + timedelta(seconds=rng.randrange(60, 3600))
            rows.add(
                "submissions_organisation",
                organisation_id,
                f"{org_name} {name_fi}",
                "",
                org_type,
                "",
                "",
                place_id,
            )
            challenge = None
            if kind == "pledge":
                if pledges and rng.random() < 0.02:
                    challenge = rng.choice(pledges)
                pledges.append(entry_id)
            rows.add(
                "submissions_entry",
                entry_id,
                kind,
                "submitted",
                number,
                f"KL-{year}-{number:04d}",
                language,
                rng.random() < 0.06,
                date(2027, 12, 31) if kind == "pledge" else None,
                "",
                f"Bench Person {number}",
                f"bench{number}@example.org",
                "",
                language,
                True,
                submitted_at,
                wording[kind],
                rng.random() < 0.5,
                True,
                submitted_at,  # the contact confirmed the address (bench entries have no links)
                uuid.uuid5(uuid.NAMESPACE_URL, f"kotolupaus-bench-{campaign.pk}-{number}"),
                submitted_at,
                published_at,
                campaign.pk,
                organisation_id,
                challenge,
            )
            extras = rng.sample(range(len(EXTRA_SENTENCES)), rng.randint(1, 3))
            audience = rng.randrange(len(AUDIENCES))
            translated = LANGUAGES if rng.random() < 0.25 else (language,)
            for code in translated:
                rows.add(
                    "submissions_entry_translation",
                    *_texts(topic_texts, code, kind, rng, extras, audience, place),
                    entry_id,
                )
            entry_themes = {themes[topic_theme]}
            if rng.random() < 0.2:
                entry_themes.add(rng.choice(theme_ids))
            for theme_id in entry_themes:
                rows.add("submissions_entry_themes", entry_id, theme_id)
            for slug in topic_groups:
                rows.add("submissions_entry_target_groups", entry_id, groups[slug])
            rows.add("submissions_entry_municipalities", entry_id, place_id)
            organisation_id += 1
            if rng.random() < 0.1:
                partner_name, _type = rng.choice(ORGANISATIONS)
                rows.add(
                    "submissions_organisation",
                    organisation_id,
                    f"{partner_name} {name_fi}",
                    "",
                    "",
                    "",
                    "",
                    None,
                )
                rows.add(
                    "submissions_partnership",
                    "",
                    f"partner{number}@example.org",
                    hashlib.sha256(f"bench-partner-{campaign.pk}-{number}".encode()).hexdigest(),
                    submitted_at,
                    published_at,
                    entry_id,
                    organisation_id,
                    "fi",
                )
                organisation_id += 1
            rows.add(
                "publishing_publication",
                "approved",
                "[]",
                "",
                "",
                published_at,
                published_at,
                published_at,
                user.pk,
                entry_id,
                published_at,
            )
            if rng.random() < 0.03:
                included = rng.random() < 0.67
                rows.add(
                    "review_decision",
                    "included" if included else "not_included",
                    "Konkreettinen ja toteuttamiskelpoinen." if included else "Ei riittävä.",
                    "fi",
                    published_at,
                    published_at,
                    user.pk,
                    entry_id,
                )
            entry_id += 1
        rows.copy(cursor)
        for table in ("submissions_organisation", "submissions_entry"):
            _sync_sequence(cursor, table)
        copied = time.monotonic()
        _award(cursor, campaign, user, first_entry_id, added, rng)
        _index(cursor, big=added > 1000)
        indexed = time.monotonic()
        cursor.execute(
            "UPDATE submissions_campaign SET last_entry_number = %s WHERE id = %s",
            [target, campaign.pk],
        )
    with connection.cursor() as cursor:
        for table in (
            *Rows.COLUMNS,
            "submissions_entryversion",
            "publishing_publicentry",
            "publishing_searchterm",
            "review_award",
        ):
            cursor.execute(f'VACUUM (ANALYZE) "{table}"')
    took = time.monotonic() - started
    log(
        f"built {added:,} entries in {took:.1f} s (rows and COPY {copied - started:.1f} s, "
        f"search documents and indexes {indexed - copied:.1f} s, "
        f"vacuum {took - (indexed - started):.1f} s)"
    )
    return took


def _award(cursor, campaign, user, first_entry_id, added, rng):
    """A few prizes (about one per 5,000 new entries, at least 3) to included entries."""
    cursor.execute(
        "SELECT d.entry_id FROM review_decision d WHERE d.outcome = 'included' "
        "AND d.entry_id >= %s AND NOT EXISTS "
        "(SELECT 1 FROM review_award a WHERE a.entry_id = d.entry_id) ORDER BY d.entry_id",
        [first_entry_id],
    )
    candidates = [row[0] for row in cursor.fetchall()]
    categories = list(
        AwardCategory.objects.filter(campaign=campaign)
        .order_by("position")
        .values_list("pk", flat=True)
    )
    count = min(len(candidates), max(3, added // 5000))
    for index, entry in enumerate(rng.sample(candidates, count)):
        cursor.execute(
            "INSERT INTO review_award (awarded_at, awarded_by_id, entry_id, category_id) "
            "VALUES (now(), %s, %s, %s) RETURNING id",
            [user.pk, entry, categories[index % len(categories)]],
        )
        award = cursor.fetchone()[0]
        for language in LANGUAGES:
            cursor.execute(
                "INSERT INTO review_award_translation (language_code, citation, master_id) "
                "VALUES (%s, %s, %s)",
                [language, CITATION[language], award],
            )


def _index(cursor, *, big):
    """The approved versions, the read model and the search vocabulary of the new
    entries, by publishing.rebuild.rebuild() (`manage.py rebuild_public`).

    For a big batch the GIN indexes are dropped and built again afterwards, which is
    several times faster than updating them row by row.
    """
    started = time.monotonic()
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    # The deferred foreign-key checks run now: an index cannot be built while they wait.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    definitions = []
    if big:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN "
            "('publishing_publicentry', 'publishing_searchterm') "
            "AND indexdef LIKE '%USING gin%'"
        )
        definitions = cursor.fetchall()
        for name, _definition in definitions:
            cursor.execute(f'DROP INDEX "{name}"')
    report = rebuild_read_model()
    log(
        f"read model built in {time.monotonic() - started:.1f} s "
        f"({report['versions']:,} versions, {len(report['missing']):,} rows)"
    )
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for _name, definition in definitions:
        began = time.monotonic()
        cursor.execute(definition)
        log(f"{_name} built in {time.monotonic() - began:.1f} s")
