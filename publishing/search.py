"""Search and filters of the catalogue: what the public finds, in few and bounded queries.

Indexing. Each translation of an entry is indexed with its own language's dictionary
(finnish, swedish, english), the organisations' names with the language-neutral `simple`
one, into one tsvector per entry (SearchDocument, GIN index). Every word of those texts
is also kept with the lexeme it became (SearchTerm): the vocabulary.

A query, word by word (`understand`, one query for all the words):

- each word is stemmed with all three dictionaries and each stem matched as a prefix,
  so inflected forms find each other ("kotoutumista" finds "kotoutuminen"); the
  vocabulary names the lexemes a stem starts (matched by name, which the GIN index
  answers faster), unless there are too many;
- a stem of four letters or more also matches the Finnish and Swedish words (and
  organisation names) that contain it where a part of a compound can begin, so a part
  of a compound finds the compound ("harjoittelupaikkoja" finds "työharjoittelupaikkoja",
  "café" finds "språkcafé", but "Oulu" does not find "koulu");
- a word that no text contains is replaced by the words of the texts one typo away
  (a letter missing, extra, wrong or two letters swapped; accents do not count), in any
  of the three languages ("invandarre" finds "invandrarna"): the page then says that it
  shows results for similar words.

Every word must match (AND); the alternatives of one word are OR-ed. The documents are
then searched once with that tsquery through their GIN index.

Listing (`Listing`): published entries, the filters, the search. The planner's estimate
of the number of matches decides how to answer, so that no query reads more than about
a thousand matches:

- clearly more than the cap (the estimate is BROAD times the cap or more): newest first,
  read along the publication-date index until a page is full; the count is "more than
  the cap" and is never computed (a short first page gives the exact count instead);
- otherwise the matches are counted up to the cap + 1 in one query through the GIN index,
  which also orders them: by relevance (ts_rank) when there are at most RANKED_MATCHES,
  else newest first; past the cap, the pages are read along the date index as above.

No per-row Python: a page is a list of ids, turned into cards by queries.cards().
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db import connection, transaction
from django.utils.functional import cached_property

from kotolupaus.params import as_id
from review.models import Outcome
from submissions.models import ENTRY_TEXT_FIELDS, Entry

from .queries import PUBLISHED, taxonomy

CONFIGS = {"fi": "finnish", "sv": "swedish", "en": "english"}
TEXT_FIELDS = tuple(name for name in ENTRY_TEXT_FIELDS if name != "title")
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


# --- Indexing ------------------------------------------------------------------------------
# Both in SQL, for any set of entries (`condition` on the entry `e`): index_entry() uses
# them for one entry, bench/dataset.py for a hundred thousand.

_TEXT_COLUMNS = ", ".join(f"{{t}}.{name}" for name in TEXT_FIELDS)


def _names_sql(entry: str) -> str:
    """The lead organisation's and the confirmed partners' names of the entry."""
    return (
        f"concat_ws(' ', (SELECT o.name FROM submissions_organisation o "  # noqa: S608 - constants
        f"WHERE o.id = {entry}.lead_organisation_id), "
        "(SELECT string_agg(po.name, ' ' ORDER BY pa.id) FROM submissions_partnership pa "
        "JOIN submissions_organisation po ON po.id = pa.organisation_id "
        f"WHERE pa.entry_id = {entry}.id AND pa.confirmed_at IS NOT NULL))"
    )


def documents_sql(condition: str) -> str:
    """Insert or replace the search documents of the entries `e` meeting the condition:
    the names with `simple` (weight A), each translation's title (A) and other text (B)
    with its language's configuration; a language without a translation adds nothing."""
    joins = "\n".join(
        f"LEFT JOIN submissions_entry_translation t_{code} "
        f"ON t_{code}.master_id = e.id AND t_{code}.language_code = '{code}'"
        for code in CONFIGS
    )
    vector = " || ".join(
        f"CASE WHEN t_{code}.id IS NULL THEN ''::tsvector ELSE "
        f"setweight(to_tsvector('{config}'::regconfig, t_{code}.title), 'A') || "
        f"setweight(to_tsvector('{config}'::regconfig, "
        f"concat_ws(' ', {_TEXT_COLUMNS.format(t=f't_{code}')})), 'B') END"
        for code, config in CONFIGS.items()
    )
    return f"""
        INSERT INTO publishing_searchdocument (entry_id, document)
        SELECT e.id, setweight(to_tsvector('simple'::regconfig, {_names_sql("e")}), 'A')
            || {vector}
        FROM submissions_entry e
        {joins}
        WHERE {condition}
        ON CONFLICT (entry_id) DO UPDATE SET document = EXCLUDED.document
    """  # noqa: S608 - built from constants and the caller's condition


def vocabulary_sql(condition: str) -> str:
    """Add the words of the entries `e` meeting the condition to the vocabulary: each
    distinct word (lower case, by the `simple` configuration) with the lexemes its text's
    configuration makes of it."""
    configs = " ".join(f"WHEN '{code}' THEN '{config}'" for code, config in CONFIGS.items())
    return f"""
        WITH texts(config, body) AS (
            SELECT CASE t.language_code {configs} ELSE 'simple' END,
                concat_ws(' ', t.title, {_TEXT_COLUMNS.format(t="t")})
            FROM submissions_entry e JOIN submissions_entry_translation t ON t.master_id = e.id
            WHERE {condition}
            UNION ALL
            SELECT 'simple', {_names_sql("e")} FROM submissions_entry e WHERE {condition}
        ),
        words AS (
            SELECT DISTINCT texts.config, w.word
            FROM texts, unnest(tsvector_to_array(to_tsvector('simple', texts.body))) AS w(word)
            WHERE length(w.word) <= 100
        )
        INSERT INTO publishing_searchterm (config, lexeme, word, plain)
        SELECT words.config, l.lexeme, words.word, left(unaccent(words.word), 100)
        FROM words,
            unnest(tsvector_to_array(to_tsvector(words.config::regconfig, words.word))) AS l(lexeme)
        WHERE length(l.lexeme) <= 100
        ON CONFLICT DO NOTHING
    """  # noqa: S608 - built from constants and the caller's condition


def index_entry(entry: Entry) -> None:
    """(Re)build an entry's search document from all its translations, and add its words
    to the vocabulary."""
    with connection.cursor() as cursor:
        cursor.execute(documents_sql("e.id = %s"), [entry.pk])
        cursor.execute(vocabulary_sql("e.id = %s"), [entry.pk, entry.pk])


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
    found = {position: ([], []) for position in typed}  # whole words, then beginnings
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


def _filters(data: dict) -> tuple[list[str], list]:
    """SQL conditions on the entry `e` for the catalogue's filters (CatalogueFilter's
    cleaned data). Slugs and codes become ids first (from queries.taxonomy(), a cache), so
    that the planner estimates with the columns' statistics; an unknown one matches
    nothing. Each matches at most one related row per entry: no duplicates."""
    ids = taxonomy()["ids"]
    where, params = [], []

    def add(condition, *values):
        where.append(condition)
        params.extend(values)

    def related(table, column, key, value):
        add(
            f"EXISTS (SELECT 1 FROM {table} x WHERE x.entry_id = e.id AND x.{column} = %s)",  # noqa: S608
            ids[key].get(value, 0),
        )

    if data.get("kind"):
        add("e.kind = %s", data["kind"])
    if data.get("theme"):
        related("submissions_entry_themes", "theme_id", "theme", data["theme"])
    if data.get("target_group"):
        related(
            "submissions_entry_target_groups",
            "targetgroup_id",
            "target_group",
            data["target_group"],
        )
    if data.get("org_type"):
        add(
            "EXISTS (SELECT 1 FROM submissions_organisation o "
            "WHERE o.id = e.lead_organisation_id AND o.type = %s)",
            data["org_type"],
        )
    if data.get("region") == "all":
        add("e.whole_country")
    elif data.get("region"):
        related("submissions_entry_municipalities", "municipality_id", "region", data["region"])
    if data.get("programme"):
        add(
            "EXISTS (SELECT 1 FROM review_decision x WHERE x.entry_id = e.id "
            "AND x.outcome = %s AND x.published_at IS NOT NULL)",
            Outcome.INCLUDED.value,
        )
    if data.get("award") == "any":
        add("EXISTS (SELECT 1 FROM review_award x WHERE x.entry_id = e.id)")
    elif data.get("award"):
        add(
            "EXISTS (SELECT 1 FROM review_award x WHERE x.entry_id = e.id AND x.category_id = %s)",
            as_id(data["award"]) or 0,
        )
    if data.get("campaign"):
        add("e.campaign_id = %s", ids["campaign"].get(data["campaign"], 0))
    if data.get("progress"):
        add("p.progress_status = %s", data["progress"])
    return where, params


class Listing:
    """The ids of the published entries that match the filters and the search text, in
    order, with their number counted up to `cap` + 1 (see the module's docstring).

    Sliced by a Paginator: `count()` first, then `[start:stop]` for a page's ids.
    """

    def __init__(self, filters: dict | None = None, text: str = "", *, cap: int):
        self.cap = cap
        self.query = understand(text) if text and text.strip() else None
        where, params = _filters(filters or {})
        if self.query is not None and not where:
            # A search without filters: only a published entry has a search document
            # (publishing.changes.refresh_search keeps it so, in the transaction of every
            # public change), so the documents alone answer, through their GIN index,
            # without reading the entries; queries.cards() checks the page's entries.
            self.id = "d.entry_id"
            self.match_sql = "FROM publishing_searchdocument d WHERE d.document @@ %s::tsquery"
            self.newest_sql = (
                "FROM publishing_publication p, publishing_searchdocument d "
                "WHERE p.status = 'approved' AND d.entry_id = p.entry_id "
                "AND d.document @@ %s::tsquery"
            )
            params = [self.query.tsquery]
        else:
            tables = "submissions_entry e, publishing_publication p"
            where.insert(0, PUBLISHED)
            if self.query is not None:
                tables += ", publishing_searchdocument d"
                where += ["d.entry_id = e.id", "d.document @@ %s::tsquery"]
                params.append(self.query.tsquery)
            self.id = "e.id"
            self.match_sql = self.newest_sql = f"FROM {tables} WHERE {' AND '.join(where)}"
        self.params = params
        self.ids: list[int] | None = None  # every match, in order, when counted

    @property
    def nothing_to_search(self) -> bool:
        return self.query is not None and not self.query

    @property
    def similar(self) -> list[str]:
        return self.query.similar if self.query else []

    @cached_property
    def estimate(self) -> float:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT 1 {self.match_sql}", self.params)
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        return plan[0]["Plan"]["Plan Rows"]

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
        """Every match up to cap + 1 in one query: by relevance when there are at most
        RANKED_MATCHES, else newest first; past the cap only their number counts, and
        nothing more is read (CASE skips the subqueries)."""
        params = [*self.params, self.cap + 1]
        rank = ""
        if self.query is not None:
            rank = (
                f"CASE WHEN total.n <= {RANKED_MATCHES} THEN "  # noqa: S608 - a constant
                "(SELECT ts_rank(d.document, %s::tsquery) FROM publishing_searchdocument d "
                "WHERE d.entry_id = found.id) END DESC NULLS LAST, "
            )
            params.append(self.query.tsquery)
        if self.id == "d.entry_id":
            # The matches are planned without the LIMIT (read lazily, they stop at it):
            # at most a few thousand (the estimate said so), the planner reads them
            # through the GIN index, never by testing every document, which it would
            # pick for a LIMIT, unaware of what a text match costs.
            found = (
                f"matches AS MATERIALIZED (SELECT {self.id} AS id {self.match_sql}), "  # noqa: S608 - our own fragments
                "found AS MATERIALIZED (SELECT id FROM matches LIMIT %s)"
            )
        else:
            found = f"found AS MATERIALIZED (SELECT {self.id} AS id {self.match_sql} LIMIT %s)"
        sql = (
            f"WITH {found}, total AS (SELECT count(*) AS n FROM found) "  # noqa: S608 - our own fragments, values as parameters
            f"SELECT found.id FROM found, total ORDER BY {rank}"
            f"CASE WHEN total.n <= {self.cap} THEN (SELECT p.first_published_at "
            "FROM publishing_publication p WHERE p.entry_id = found.id "
            "AND p.status = 'approved') END DESC NULLS LAST, found.id DESC"
        )
        if self.query is None or self.id == "d.entry_id":
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return [row[0] for row in cursor.fetchall()]
        with transaction.atomic(), connection.cursor() as cursor:
            # A search with filters: the same concern, where the filters need the LIMIT.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()]

    def _newest(self, offset: int, limit: int) -> list[int]:
        newest = "p.entry_id" if self.id == "d.entry_id" else self.id
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {newest} {self.newest_sql} "
                f"ORDER BY p.first_published_at DESC, {newest} DESC LIMIT %s OFFSET %s",
                [*self.params, limit, offset],
            )
            return [row[0] for row in cursor.fetchall()]


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
