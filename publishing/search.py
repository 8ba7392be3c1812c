"""Search and filters of the catalogue on the public read model, in few and bounded
queries: `understand` turns the words into one tsquery (stems in fi, sv and en, parts of
compounds, typos through the vocabulary); `Listing` answers a page by the planner's
estimate, reading about a thousand matches at most. The README's "Public pages" tells how
and why; BROAD, RANKED_MATCHES and the cap below are the knobs.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils.functional import cached_property

from kotolupaus.params import as_id

from .cooperation import wanted_public
from .models import PublicEntry
from .queries import taxonomy
from .read_model import CONFIGS
from .regions import in_region

MAX_QUERY_LENGTH = 200
MAX_WORDS = 8
MAX_WORD_LENGTH = 60
# Stems at least this long are looked for inside Finnish and Swedish compounds.
MIN_PART = 4
# Compounds taken per stem (any forty: more would only make the query longer).
PARTS_PER_STEM = 40
# A stem that starts more lexemes than this is matched as a prefix, not by name.
EXPANSIONS = 32
# Words at least this long are forgiven one typo (and only stems and words this long
# are taken for one: shorter ones are too many others' typos).
MIN_TYPO = 5
TYPOS_PER_WORD = 40
# Up to this many matches are ordered by relevance, more by publication date.
RANKED_MATCHES = 500
# An estimate of this many times the cap or more is taken for "more than the cap".
BROAD = 5
WORD = re.compile(r"\w+")


# --- Understanding a query -----------------------------------------------------------------


@dataclass
class Word:
    typed: str
    stems: dict[str, list[str]]  # configuration → lexemes of the word
    # stem (or the word as typed) → the lexemes of the texts that start with it, in the
    # vocabulary; None when there are more than EXPANSIONS (matched as a prefix then)
    expansions: dict[str, list[str] | None] = field(default_factory=dict)
    parts: set[str] = field(default_factory=set)  # lexemes of compounds it is part of
    similar: set[str] = field(default_factory=set)  # lexemes one typo away

    @property
    def is_content(self) -> bool:
        """Not a stop word in any of the languages ("och", "the", "ja" are)."""
        return all(self.stems.values())

    @property
    def known(self) -> bool:
        """Some text has a word that starts with one of its stems, or contains it."""
        return bool(self.parts) or any(e is None or e for e in self.expansions.values())

    def exact(self) -> set[str]:
        found = {x for e in self.expansions.values() if e for x in e}
        return found | self.parts | self.similar

    def prefixes(self) -> set[str]:
        """Stems matched as prefixes: those with too many words to name; and when nothing
        else is left, all of them (matching nothing, so that every word still counts)."""
        many = {stem for stem, e in self.expansions.items() if e is None}
        if many or self.exact():
            return many
        return {s for stems in self.stems.values() for s in stems}

    def alternatives(self) -> set[str]:
        return self.exact() | self.prefixes()


@dataclass
class Query:
    text: str
    tsquery: str  # '' when there is nothing to search for
    similar: list[str]  # words typed that no text has, replaced by similar words

    def __bool__(self):
        return bool(self.tsquery)


def words_of(text: str) -> list[str]:
    text = " ".join(text.split())[:MAX_QUERY_LENGTH].lower()
    unique = dict.fromkeys(w for w in WORD.findall(text) if len(w) <= MAX_WORD_LENGTH)
    return list(unique)[:MAX_WORDS]


def _quote(lexeme: str) -> str:
    """A lexeme as a tsquery operand: quoted, so nothing in it is an operator."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def understand(text: str) -> Query:
    """The tsquery for a search text (see the module's docstring)."""
    typed = words_of(text)
    if not typed:
        return Query(text, "", [])
    words = _look_up(typed)
    content = [w for w in words if w.is_content]
    # Stop words of one language are left out when the query has other words; a query
    # of stop words only ("men", "vi") searches with the languages that keep them.
    words = content or [w for w in words if w.alternatives()]
    unknown = [w for w in words if not w.known and len(w.typed) >= MIN_TYPO]
    if unknown:
        _find_similar(unknown)
    clauses = []
    for word in words:
        # Named lexemes rather than prefixes where the vocabulary can name them: the GIN
        # index then skips through the rarest word's list instead of collecting every
        # document of a common prefix ("kotoutumista Joensuu").
        alternatives = [_quote(a) + ":*" for a in sorted(word.prefixes())]
        alternatives += [_quote(a) for a in sorted(word.exact())]
        if alternatives:
            clauses.append("(" + " | ".join(alternatives) + ")")
    similar = [w.typed for w in unknown if w.similar]
    return Query(text, " & ".join(clauses), similar)


LOOK_UP_SQL = """
    WITH typed AS (SELECT * FROM unnest(%s::text[]) WITH ORDINALITY AS t(word, position)),
    stems AS (
        SELECT typed.position, c.config, s.stem
        FROM typed
        CROSS JOIN (VALUES ('finnish'), ('swedish'), ('english')) AS c(config)
        LEFT JOIN LATERAL unnest(tsvector_to_array(to_tsvector(c.config::regconfig, typed.word)))
            AS s(stem) ON true
        UNION ALL
        SELECT typed.position, 'typed', typed.word FROM typed
    )
    SELECT stems.position, stems.config, stems.stem,
        ARRAY(
            SELECT DISTINCT v.lexeme FROM publishing_searchterm v
            WHERE v.lexeme >= stems.stem AND v.lexeme < stems.stem || chr(1114111)
            ORDER BY v.lexeme LIMIT %s
        ) AS expansions,
        CASE WHEN length(stems.stem) >= %s AND stems.config <> 'english' THEN
            ARRAY(
                SELECT DISTINCT v.lexeme FROM publishing_searchterm v
                WHERE v.config IN ('finnish', 'swedish', 'simple')
                AND v.lexeme LIKE '%%' || replace(replace(replace(
                    stems.stem, '\\', '\\\\'), '%%', '\\%%'), '_', '\\_') || '%%'
                -- where a compound's part can begin: after two letters or more, and in
                -- Finnish (and names) after a vowel or the n or s that ends its first part
                -- ("työ|harjoittelu", "kaupungin|kirjasto", "perus|koulu"), so that
                -- "oulu" is not found in "koulu" nor in "uimakoulu"
                AND (
                    starts_with(v.lexeme, stems.stem)
                    OR strpos(v.lexeme, stems.stem) > 2 AND (
                        v.config = 'swedish'
                        OR substr(v.lexeme, strpos(v.lexeme, stems.stem) - 1, 1)
                            = ANY ('{a,e,i,o,u,y,ä,ö,n,s}')
                    )
                )
                LIMIT %s
            )
        END AS parts
    FROM stems
"""


def _look_up(typed: list[str]) -> list[Word]:
    """Each word's stems, whether some text has a word starting with one of them, and the
    lexemes of the Finnish and Swedish words (and names) that contain the typed word or
    its Finnish or Swedish stem: the compounds it is part of."""
    words = [Word(word, {config: [] for config in CONFIGS.values()}) for word in typed]
    with connection.cursor() as cursor:
        cursor.execute(LOOK_UP_SQL, [typed, EXPANSIONS + 1, MIN_PART, PARTS_PER_STEM])
        for position, config, stem, expansions, parts in cursor.fetchall():
            word = words[position - 1]
            if stem is None:
                continue
            if config != "typed":
                word.stems[config].append(stem)
            word.expansions[stem] = expansions if len(expansions) <= EXPANSIONS else None
            word.parts.update(parts or ())
    return words


def plain(text: str) -> str:
    """Without accents, like PostgreSQL's unaccent for the letters of fi, sv and en."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def one_typo_apart(a: str, b: str) -> bool:
    """At most one edit apart: a letter missing, extra or wrong, or two neighbours
    swapped (the optimal string alignment distance ≤ 1, in linear time)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    return (
        a[i + 1 :] == b[i + 1 :]  # replaced
        or a[i + 1 :] == b[i:]  # extra in a
        or a[i:] == b[i + 1 :]  # missing from a
        or (a[i : i + 2] == b[i : i + 2][::-1] and a[i + 2 :] == b[i + 2 :])  # swapped
    )


def starts_one_typo_apart(typed: str, word: str) -> bool:
    """The word (a compound, or inflected) starts with what was typed, but for one typo."""
    n = len(typed)
    return any(one_typo_apart(typed, word[:k]) for k in (n - 1, n, n + 1) if k <= len(word))


# Candidates by trigram similarity (the GIN indexes on the words without accents and on
# the lexemes), checked for one typo in Python. A low threshold: one typo in a short word
# leaves few trigrams in common ("sauna", "suana").
SIMILAR_SQL = """
    SELECT q.position, true, v.plain, v.lexeme
    FROM unnest(%s::int[], %s::text[]) AS q(position, word)
    CROSS JOIN LATERAL (
        SELECT v.plain, v.lexeme FROM publishing_searchterm v
        WHERE v.plain %% q.word OR q.word <%% v.plain
        ORDER BY word_similarity(q.word, v.plain) DESC
        LIMIT 200
    ) v
    UNION ALL
    SELECT q.position, false, v.lexeme, v.lexeme
    FROM unnest(%s::int[], %s::text[]) AS q(position, stem)
    CROSS JOIN LATERAL (
        SELECT v.lexeme FROM publishing_searchterm v
        WHERE v.lexeme %% q.stem
        ORDER BY similarity(q.stem, v.lexeme) DESC
        LIMIT 100
    ) v
"""


def _find_similar(words: list[Word]) -> None:
    """The lexemes of the words one typo away from each word (or starting so: a typo in
    the first part of a compound; accents do not count), or one typo away from one of
    its stems."""
    typed = {position: plain(word.typed) for position, word in enumerate(words)}
    stems = [
        (position, stem)
        for position, word in enumerate(words)
        for stem in {s for stems in word.stems.values() for s in stems}
        if len(stem) >= MIN_TYPO
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SET LOCAL pg_trgm.similarity_threshold = 0.2; "
            "SET LOCAL pg_trgm.word_similarity_threshold = 0.5"
        )
        cursor.execute(
            SIMILAR_SQL,
            [
                list(typed),
                list(typed.values()),
                [position for position, _s in stems],
                [stem for _p, stem in stems],
            ],
        )
        rows = cursor.fetchall()
    found: dict[int, tuple[list, list]] = {
        position: ([], []) for position in typed
    }  # whole words, then beginnings
    for position, is_word, candidate, lexeme in rows:
        if is_word:
            if one_typo_apart(typed[position], candidate):
                found[position][0].append(lexeme)
            elif starts_one_typo_apart(typed[position], candidate):
                found[position][1].append(lexeme)
        elif len(candidate) >= MIN_TYPO and any(
            one_typo_apart(stem, candidate) for p, stem in stems if p == position
        ):
            found[position][0].append(lexeme)
    for position, (whole, beginning) in found.items():
        words[position].similar = set(list(dict.fromkeys(whole + beginning))[:TYPOS_PER_WORD])


# --- Listing -------------------------------------------------------------------------------


class LexemeQuery(SearchQuery):
    """A tsquery that understand() wrote (quoted lexemes, normalised already): cast to
    tsquery as it is, never parsed again by a text search configuration."""

    def as_sql(self, compiler, connection, function=None, template=None):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"{sql}::tsquery", params


def _filters(data: dict) -> Q:
    """The catalogue's filters (CatalogueFilter's cleaned data) on the read model. Slugs
    and codes become ids first (from queries.taxonomy(), a cache); an unknown one
    matches nothing."""
    ids = taxonomy()["ids"]
    where = Q()
    if data.get("kind"):
        where &= Q(kind=data["kind"])
    if data.get("theme"):
        where &= Q(theme_ids__contains=[ids["theme"].get(data["theme"], 0)])
    if data.get("target_group"):
        where &= Q(target_group_ids__contains=[ids["target_group"].get(data["target_group"], 0)])
    if data.get("org_type"):
        where &= Q(organisation_type=data["org_type"])
    if data.get("region") == "all":
        where &= Q(whole_country=True)
    elif data.get("region"):
        where &= Q(municipality_ids__contains=[ids["region"].get(data["region"], 0)])
    if data.get("maakunta"):
        where &= in_region(data["maakunta"])
    if data.get("programme"):
        where &= Q(in_programme=True)
    if data.get("award") == "any":
        where &= ~Q(prize_category_ids=[])
    elif data.get("award"):
        where &= Q(prize_category_ids__contains=[as_id(data["award"]) or 0])
    if data.get("campaign"):
        where &= Q(campaign_id=ids["campaign"].get(data["campaign"], 0))
    if data.get("progress"):
        where &= Q(progress_status=data["progress"])
    return where & wanted_public.catalogue_where(data, ids["theme"])


# The matches, up to the cap + 1, in order. Planned without the LIMIT (a materialised
# CTE is read lazily and stops at it): at most a few thousand (the estimate said so), the
# planner reads them through the GIN indexes, never by testing every document (or walking
# the date index), which it would pick for a LIMIT, unaware of what a text match costs.
# The one plain SQL of the catalogue, around the ORM's query of the matches: relevance
# (ts_rank) is computed only when there are at most
# RANKED_MATCHES (CASE skips it), the newest first among equally relevant ones.
MATCHES_SQL = """
    WITH matches AS MATERIALIZED ({matches}),
    found AS MATERIALIZED (SELECT * FROM matches LIMIT %s),
    total AS (SELECT count(*) AS n FROM found)
    SELECT found.id FROM found, total
    ORDER BY {rank} found.published_at DESC, found.id DESC
"""
RANK_SQL = "CASE WHEN total.n <= %s THEN ts_rank(found.document, %s::tsquery) END DESC NULLS LAST,"


class Listing:
    """The ids of the public entries that match the filters and the search text, in
    order, with their number counted up to `cap` + 1 (see the module's docstring).

    Sliced by a Paginator: `count()` first, then `[start:stop]` for a page's ids.
    """

    def __init__(self, filters: dict | None = None, text: str = "", *, cap: int):
        self.cap = cap
        self.query = understand(text) if text and text.strip() else None
        entries = PublicEntry.objects.filter(_filters(filters or {}))
        if self.query:
            entries = entries.filter(document=self.tsquery)
        self.entries = entries
        self.ids: list[int] | None = None  # every match, in order, when counted

    @property
    def tsquery(self) -> LexemeQuery:
        assert self.query is not None
        return LexemeQuery(self.query.tsquery)

    @property
    def nothing_to_search(self) -> bool:
        return self.query is not None and not self.query

    @property
    def similar(self) -> list[str]:
        return self.query.similar if self.query else []

    @cached_property
    def estimate(self) -> float:
        plan = self.entries.values("pk").explain(format="json")
        return json.loads(plan)[0]["Plan"]["Plan Rows"]

    @cached_property
    def broad(self) -> bool:
        return self.estimate >= BROAD * self.cap

    @cached_property
    def total(self) -> int:
        """The number of matches up to cap + 1 (more is "more than the cap")."""
        if self.nothing_to_search:
            return 0
        if self.broad:
            return self.cap + 1
        self.ids = self._count_and_order()
        return len(self.ids)

    def count(self) -> int:
        return self.total

    def __len__(self):
        return self.total

    def __getitem__(self, window: slice) -> list[int]:
        start, stop = window.start or 0, window.stop
        if self.total <= self.cap and self.ids is not None:
            return self.ids[start:stop]
        ids = self._newest(start, stop - start)
        if self.broad and start == 0 and len(ids) < stop:
            # The estimate was wrong (it never is by this much in practice): a short
            # first page is every match, so the count is exact after all.
            self.total = len(ids)
        return ids

    def _count_and_order(self) -> list[int]:
        """Every match up to cap + 1 in one query (MATCHES_SQL): by relevance when there
        are at most RANKED_MATCHES, else newest first; past the cap only their number
        counts."""
        columns = ("published_at", "document") if self.query else ("published_at",)
        matches = self.entries.order_by().values(*columns, id=F("pk"))
        sql, params = matches.query.sql_with_params()
        params = [*params, self.cap + 1]
        rank = ""
        if self.query:
            rank = RANK_SQL
            params += [RANKED_MATCHES, self.query.tsquery]
        with connection.cursor() as cursor:
            cursor.execute(MATCHES_SQL.format(matches=sql, rank=rank), params)
            return [row[0] for row in cursor.fetchall()]

    def _newest(self, offset: int, limit: int) -> list[int]:
        return list(
            self.entries.order_by("-published_at", "-pk").values_list("pk", flat=True)[
                offset : offset + limit
            ]
        )


MAX_RESULTS = 1000


class ListingPaginator(Paginator):
    """Pages of a Listing: its count stops at the listing's cap + 1 (later pages are not
    offered; narrow the search instead) and may become exact when a page is read."""

    @property
    def count(self):
        return self.object_list.total

    @property
    def capped(self):
        return self.count > self.max_results

    @property
    def max_results(self):
        return self.object_list.cap

    @property
    def num_pages(self):
        return -(-min(self.count, self.max_results) // self.per_page) or 1
