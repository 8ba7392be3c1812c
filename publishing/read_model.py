"""The public read model (PublicEntry) and the search vocabulary (SearchTerm), built from
the source tables and written only through publishing.changes.public_change() and by
publishing.rebuild. `build(ids)` is the one definition of a public entry's row, in a fixed
number of queries for any number of entries; the README tells the whole story."""

from collections import Counter
from datetime import date
from typing import cast

from django.contrib.postgres.aggregates import ArrayAgg, JSONBAgg
from django.contrib.postgres.fields import ArrayField
from django.db import connection, models
from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
)
from django.utils import timezone
from parler.appsettings import PARLER_LANGUAGES

from review.models import Award, Outcome
from submissions.models import (
    ENTRY_TEXT_FIELDS,
    REGION_CODES,
    Entry,
    EntryKind,
    PartnerSearch,
    Partnership,
)

from .models import PublicEntry
from .progress import approved_reports
from .queries import published

LANGUAGES = ("fi", "sv", "en")
CONFIGS = {"fi": "finnish", "sv": "swedish", "en": "english"}
# The texts indexed with weight B (the title has weight A).
TEXT_FIELDS = tuple(name for name in ENTRY_TEXT_FIELDS if name != "title")
CHUNK = 2000

# The fields of a row, written and compared (the database computes the search document).
FIELDS = [
    f.attname
    for f in PublicEntry._meta.concrete_fields
    if f.attname not in ("entry_id", "document", "updated_at")
]
# Fields the search document and the vocabulary are made of.
SEARCHED = ("texts", "organisation_name", "partners")


# --- Building rows ----------------------------------------------------------------------


def _citations(citations: dict) -> dict:
    """{language: the citation shown on its pages}: in the language, else in parler's
    fallback languages for it, else in any it has."""
    shown = {}
    for language in LANGUAGES:
        order = [language, *PARLER_LANGUAGES.get_fallback_languages(language)]
        shown[language] = next(
            (citations[code] for code in order if citations.get(code)),
            next((text for text in citations.values() if text), ""),
        )
    return shown


def _grouped(rows) -> dict:
    groups: dict = {}
    for key, value in rows:
        groups.setdefault(key, []).append(value)
    return groups


class RegionsOf(Func):
    """The codes of the regions of a version's municipalities, each once, in code order."""

    template = (
        "ARRAY(SELECT DISTINCT place.region_id FROM submissions_municipality place WHERE "
        "place.id IN (SELECT jsonb_array_elements_text(%(expressions)s -> 'municipalities')"
        "::integer) ORDER BY 1)"
    )
    output_field = ArrayField(models.CharField(max_length=2))


NOT_SEEKING = {
    "seeks_partners": False,
    "open_to_cooperation": False,
    "sought_types": [],
    "sought_whole_country": False,
    "sought_region_codes": [],
    "sought_theme_ids": [],
}


def _partner_searches(ids) -> dict:
    """{entry id: its partners-wanted fields} for the entries that have a search."""
    searches = {}
    for pk, looking, open_, types, whole_country, regions, themes in (
        PartnerSearch.objects.filter(entry_id__in=ids)
        .order_by()
        .annotate(
            region_list=ArrayAgg("regions__code", distinct=True, default=[]),
            theme_list=ArrayAgg("themes__id", distinct=True, default=[]),
        )
        .values_list(
            "entry_id",
            "looking",
            "open_to_cooperation",
            "organisation_types",
            "whole_country",
            "region_list",
            "theme_list",
        )
    ):
        searches[pk] = {
            "seeks_partners": looking,
            "open_to_cooperation": open_,
            "sought_types": sorted(types),
            "sought_whole_country": whole_country,
            "sought_region_codes": (
                list(REGION_CODES) if whole_country else sorted(r for r in regions if r)
            ),
            "sought_theme_ids": sorted(t for t in themes if t),
        }
    return searches


def build(entry_ids) -> dict:
    """{entry id: its PublicEntry (not saved)} for those of the entries that are public,
    in six queries whatever their number. `updated_at` and the document are left to
    write()."""
    ids = list(entry_ids)
    entries = (
        published(Entry.objects.filter(pk__in=ids))
        .order_by()
        .annotate(
            in_programme=ExpressionWrapper(
                Q(decision__published_at__isnull=False, decision__outcome=Outcome.INCLUDED),
                output_field=BooleanField(),
            ),
            region_codes=RegionsOf(F("publication__approved_version__content")),
        )
        .values_list(
            "pk",
            "campaign_id",
            "reference",
            "number",
            "kind",
            "publication__first_published_at",
            "publication__approved_version__content",
            "challenge_of__reference",
            "in_programme",
            "region_codes",
        )
    )
    rows = list(entries)
    if not rows:
        return {}
    public = [row[0] for row in rows]
    partners = _grouped(
        Partnership.objects.confirmed()
        .filter(entry_id__in=public)
        .order_by("pk")
        .values_list("entry_id", "organisation__name")
    )
    translations = Award._parler_meta.root_model.objects.filter(master=OuterRef("pk")).order_by()
    prizes = _grouped(
        (entry, {"category": category, "citation": _citations(dict(citations or ()))})
        for entry, category, citations in Award.objects.filter(entry_id__in=public)
        .order_by("category__position", "category_id")
        .annotate(
            citations=Subquery(
                translations.values("master")
                .annotate(
                    texts=JSONBAgg(
                        Func(F("language_code"), F("citation"), function="jsonb_build_array"),
                        order_by="language_code",
                    )
                )
                .values("texts")
            )
        )
        .values_list("entry_id", "category_id", "citations")
    )
    reports = _grouped(
        approved_reports()
        .filter(entry_id__in=public)
        .order_by("entry_id", "-reported_on", "-created_at")
        .values_list("entry_id", "status")
    )
    takers = _grouped(
        published()
        .filter(challenge_of_id__in=public, kind=EntryKind.PLEDGE)
        .order_by("pk")
        .values_list("challenge_of_id", "pk")
    )
    searches = _partner_searches(public)
    built = {}
    for (
        pk,
        campaign,
        reference,
        number,
        kind,
        published_at,
        content,
        challenge_of,
        in_programme,
        region_codes,
    ) in rows:
        texts = {code: content["texts"][code] for code in LANGUAGES if code in content["texts"]}
        original = content["original_language"]

        def shown(field, language, texts=texts, original=original):
            text = texts.get(language) or texts.get(original) or next(iter(texts.values()), {})
            return text.get(field, "")

        organisation = content["organisation"]
        statuses = reports.get(pk, [])
        entry_prizes = prizes.get(pk, [])
        built[pk] = PublicEntry(
            entry_id=pk,
            campaign_id=campaign,
            reference=reference,
            number=number,
            kind=kind,
            original_language=original,
            languages=list(texts),
            texts=texts,
            **{f"title_{code}": shown("title", code) for code in LANGUAGES},
            **{f"summary_{code}": shown("summary", code) for code in LANGUAGES},
            organisation_name=organisation["name"],
            organisation_type=organisation["type"] or "",
            organisation_business_id=organisation["business_id"] or "",
            organisation_municipality=organisation["municipality"] or "",
            organisation_website=organisation["website"] or "",
            logo=organisation["logo"] or "",
            partners=partners.get(pk, []),
            theme_ids=content["themes"],
            target_group_ids=content["target_groups"],
            municipality_ids=content["municipalities"],
            region_codes=list(region_codes),
            whole_country=content["whole_country"],
            pledge_deadline=(
                date.fromisoformat(content["pledge_deadline"])
                if content["pledge_deadline"]
                else None
            ),
            image=content["image"] or "",
            in_programme=bool(in_programme),
            prizes=entry_prizes,
            prize_category_ids=[prize["category"] for prize in entry_prizes],
            progress_status=statuses[0] if statuses else "",
            reports=len(statuses),
            challenge_taker_ids=takers.get(pk, []),
            challenge_of=challenge_of or "",
            published_at=published_at,
            **searches.get(pk, NOT_SEEKING),
        )
    return built


def _values(row: PublicEntry) -> dict:
    """A built row's values as the database gives them back (for comparing)."""
    values = {}
    for name in FIELDS:
        value = getattr(row, name)
        if name in ("logo", "image"):
            value = value.name or ""
        values[name] = value
    return values


def differences(old: dict, row: PublicEntry) -> list[str]:
    """The fields whose values differ between a stored row (values()) and a built one."""
    new = _values(row)
    return [name for name in FIELDS if old.get(name) != new[name]]


# --- Writing rows -----------------------------------------------------------------------


def write(entry_ids, *, now=None) -> tuple[set, set]:
    """Make the rows of these entries what build() says: written where they differ,
    deleted where the entry is no longer public, the documents and the vocabulary
    following. Returns (the ids public now, the ids taken down by this)."""
    ids = sorted(set(entry_ids))
    rows = build(ids)
    stored = {
        row["entry_id"]: row
        for row in PublicEntry.objects.filter(pk__in=ids).values("entry_id", *FIELDS)
    }
    gone = set(stored) - set(rows)
    changed, searched = {}, set(gone)
    for pk, row in rows.items():
        differ = differences(stored[pk], row) if pk in stored else FIELDS
        if differ:
            changed[pk] = row
        if set(differ) & set(SEARCHED):
            searched.add(pk)
    before = _terms(searched & set(stored))
    if gone:
        PublicEntry.objects.filter(pk__in=gone).delete()
    if changed:
        _save(changed.values(), now or timezone.now())
    if searched:
        _count(_terms(searched - gone), before)
    return set(rows), gone


# Rows written at once beyond this go through COPY (a rebuild): an INSERT of thousands of
# rows with their texts costs more to write out as SQL than to store.
COPY_FROM = 200


def _save(rows, now) -> None:
    """Insert or replace the rows (the database computes their search documents)."""
    rows = list(rows)
    for row in rows:
        row.updated_at = now
    if len(rows) < COPY_FROM:
        PublicEntry.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["entry"],
            update_fields=[*FIELDS, "updated_at"],
        )
    else:
        _copy(rows)


def _copy(rows) -> None:
    """The same rows as bulk_create() would write, through COPY into a temporary table
    and one INSERT … ON CONFLICT from it."""
    fields = [
        cast(models.Field, PublicEntry._meta.get_field(name))
        for name in ("entry", *FIELDS, "updated_at")
    ]
    names = ", ".join(f'"{field.column}"' for field in fields)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS public_rows")
        cursor.execute(
            "CREATE TEMPORARY TABLE public_rows (LIKE publishing_publicentry INCLUDING DEFAULTS)"
        )
        copy_rows(cursor, "public_rows", fields, rows)
        updates = ", ".join(f'"{f.column}" = EXCLUDED."{f.column}"' for f in fields[1:])
        cursor.execute(
            f"INSERT INTO publishing_publicentry ({names}) "  # noqa: S608 - the model's columns
            f"SELECT {names} FROM public_rows "
            f'ON CONFLICT ("entry_id") DO UPDATE SET {updates}'
        )
        cursor.execute("DROP TABLE public_rows")


def copy_rows(cursor, table, fields, objects) -> None:
    """Model instances into `table` (their model's or one like it) with COPY: thousands of
    rows with long texts, which an INSERT would spend longer writing out as SQL."""
    from psycopg.types.json import Jsonb

    names = ", ".join(f'"{field.column}"' for field in fields)
    with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for obj in objects:
            values = []
            for field in fields:
                value = getattr(obj, field.attname)
                if isinstance(field, models.JSONField):
                    value = Jsonb(value)
                elif isinstance(field, models.FileField):
                    value = value.name or ""
                values.append(value)
            copy.write_row(values)


# --- The vocabulary ---------------------------------------------------------------------

_CONFIG_OF = " ".join(f"WHEN '{code}' THEN '{config}'" for code, config in CONFIGS.items())
_TEXT_OF = ", ".join(f"t.value ->> '{name}'" for name in ENTRY_TEXT_FIELDS)
# Each distinct word (lower case, by the `simple` configuration) of the rows' texts, with
# the lexemes its text's configuration makes of it; the names with `simple`. `where`
# selects the rows; `words` is what is done with them.
TERMS_SQL = """
    WITH texts(entry, config, body) AS (
        SELECT p.entry_id, CASE t.key {config_of} ELSE 'simple' END, concat_ws(' ', {text_of})
        FROM publishing_publicentry p, jsonb_each(p.texts) t
        WHERE {where}
        UNION ALL
        SELECT p.entry_id, 'simple', concat_ws(' ', p.organisation_name,
            (SELECT string_agg(name, ' ') FROM jsonb_array_elements_text(p.partners) AS n(name)))
        FROM publishing_publicentry p
        WHERE {where}
    ),
    words AS (
        SELECT DISTINCT texts.entry, texts.config, w.word
        FROM texts, unnest(tsvector_to_array(to_tsvector('simple', texts.body))) AS w(word)
        WHERE length(w.word) <= 100
    ),
    terms AS (
        SELECT DISTINCT words.entry, words.config, l.lexeme, words.word
        FROM words,
            unnest(tsvector_to_array(to_tsvector(words.config::regconfig, words.word)))
            AS l(lexeme)
        WHERE length(l.lexeme) <= 100
    )
    {select}
"""


def _terms_sql(where: str, select: str) -> str:
    return TERMS_SQL.format(config_of=_CONFIG_OF, text_of=_TEXT_OF, where=where, select=select)


COUNT_SELECT = (
    "SELECT terms.config, terms.lexeme, terms.word, count(*) AS n FROM terms "
    "GROUP BY terms.config, terms.lexeme, terms.word"
)


def _terms(ids) -> Counter:
    """{(config, lexeme, word): number of these public entries that have it}."""
    if not ids:
        return Counter()
    with connection.cursor() as cursor:
        cursor.execute(_terms_sql("p.entry_id = ANY(%(ids)s)", COUNT_SELECT), {"ids": sorted(ids)})
        return Counter({(config, lexeme, word): n for config, lexeme, word, n in cursor})


# The words no public entry has any more go; the others are counted down.
COUNT_OUT_SQL = (
    """WITH v AS (SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::int[])
        AS v(config, lexeme, word, n))
    DELETE FROM publishing_searchterm t USING v
    WHERE t.lexeme = v.lexeme AND t.config = v.config AND t.word = v.word
    AND t.entries <= v.n""",
    """WITH v AS (SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::int[])
        AS v(config, lexeme, word, n))
    UPDATE publishing_searchterm t SET entries = t.entries - v.n FROM v
    WHERE t.lexeme = v.lexeme AND t.config = v.config AND t.word = v.word""",
)


def _count(after: Counter, before: Counter) -> None:
    """Count the words of rows as they are now in and those they had before out."""
    delta = Counter(after)
    delta.subtract(before)
    changes = sorted((key, n) for key, n in delta.items() if n)
    if not changes:
        return
    added = [(config, lexeme, word, n) for (config, lexeme, word), n in changes if n > 0]
    removed = [(config, lexeme, word, -n) for (config, lexeme, word), n in changes if n < 0]
    with connection.cursor() as cursor:
        if added:
            cursor.execute(
                "INSERT INTO publishing_searchterm (config, lexeme, word, plain, entries) "
                "SELECT v.config, v.lexeme, v.word, left(unaccent(v.word), 100), v.n "
                "FROM unnest(%s::text[], %s::text[], %s::text[], %s::int[]) "
                "AS v(config, lexeme, word, n) "
                "ON CONFLICT (lexeme, config, word) "
                "DO UPDATE SET entries = publishing_searchterm.entries + EXCLUDED.entries",
                [list(column) for column in zip(*added, strict=True)],
            )
        if removed:
            for statement in COUNT_OUT_SQL:
                cursor.execute(statement, [list(column) for column in zip(*removed, strict=True)])
