"""Full-text search over every language of an entry's public text.

Each translation is indexed with its own language's dictionary (finnish, swedish,
english); organisation names with the language-neutral `simple` one. A query is
stemmed with all three dictionaries and each stem matched as a prefix, so inflected
forms find each other ("kotoutumista" finds "kotoutuminen", whose stems differ only
in their ending). When nothing matches, a trigram word-similarity match over the titles
and organisation names forgives typos (short texts: over whole descriptions it is slow).
"""

import re

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import F, TextField, Value

from submissions.models import ENTRY_TEXT_FIELDS, Entry

from .models import SearchDocument

CONFIGS = {"fi": "finnish", "sv": "swedish", "en": "english"}
TEXT_FIELDS = tuple(name for name in ENTRY_TEXT_FIELDS if name != "title")
LEXEME = re.compile(r"'((?:[^']|'')+)'")
MAX_QUERY_LENGTH = 200
# Up to this many full-text matches are ordered by relevance, more by publication date.
RANKED_MATCHES = 500


def _vector(text, config, weight):
    return SearchVector(Value(text, output_field=TextField()), config=config, weight=weight)


def index_entry(entry: Entry) -> None:
    """(Re)build an entry's search document from all its translations."""
    entry = (
        Entry.objects.prefetch_related("translations", "partnerships__organisation")
        .select_related("lead_organisation")
        .get(pk=entry.pk)
    )
    names = " ".join(
        [
            entry.lead_organisation.name,
            *[p.organisation.name for p in entry.partnerships.all() if p.confirmed_at],
        ]
    )
    vector = _vector(names, "simple", "A")
    plain = [names]
    for translation in entry.translations.all():
        config = CONFIGS.get(translation.language_code, "simple")
        body = " ".join(getattr(translation, name) or "" for name in TEXT_FIELDS)
        vector = vector + _vector(translation.title, config, "A") + _vector(body, config, "B")
        plain.append(translation.title)
    document, _created = SearchDocument.objects.get_or_create(
        entry=entry, defaults={"document": "", "text": ""}
    )
    SearchDocument.objects.filter(pk=document.pk).update(document=vector, text=" ".join(plain))


def prefix_queries(text: str):
    """One raw tsquery per dictionary: each stem of the text as a prefix, all required."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_tsvector('finnish', %s)::text, to_tsvector('swedish', %s)::text, "
            "to_tsvector('english', %s)::text",
            [text, text, text],
        )
        vectors = cursor.fetchone()
    queries = []
    for config, vector in zip(("finnish", "swedish", "english"), vectors, strict=True):
        lexemes = LEXEME.findall(vector)
        if lexemes:
            raw = " & ".join(f"'{lexeme}':*" for lexeme in lexemes)
            queries.append(SearchQuery(raw, config=config, search_type="raw"))
    return queries


def search(entries, text: str):
    """Entries matching the text, best first.

    Full-text matches first (the GIN index on the document answers them); only when
    there are none does the typo-tolerant trigram match run (the trigram GIN index
    answers it). Or-ing the two would make PostgreSQL compare every document.
    """
    text = " ".join(text.split())[:MAX_QUERY_LENGTH]
    if not text:
        return entries
    queries = prefix_queries(text)
    if queries:
        combined = queries[0]
        for query in queries[1:]:
            combined |= query
        found = entries.filter(search_document__document=combined)
        matches = found[: RANKED_MATCHES + 1].count()
        if matches > RANKED_MATCHES:
            # A broad query: ranking every match would read every matching document;
            # the newest first answers it from the index instead.
            return found.order_by("-publication__first_published_at", "-pk")
        if matches:
            return found.annotate(
                rank=SearchRank(F("search_document__document"), combined)
            ).order_by("-rank", "-submitted_at")
    return (
        entries.filter(search_document__text__trigram_word_similar=text)
        .annotate(rank=TrigramWordSimilarity(text, "search_document__text"))
        .order_by("-rank", "-submitted_at")
    )
