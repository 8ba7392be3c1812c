"""Rebuilding the public read model from the source tables (`manage.py rebuild_public`)
and reporting what differed."""

from collections import Counter
from itertools import islice
from typing import Any

from django.db import connection
from django.db.models import (
    Max,
    OuterRef,
    Subquery,
)
from django.utils import timezone

from .models import PublicEntry
from .queries import published
from .read_model import (
    CHUNK,
    COUNT_SELECT,
    FIELDS,
    _save,
    _terms_sql,
    build,
    copy_rows,
    differences,
)


def chunks(iterable, size=CHUNK):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def rebuild(*, check=False) -> dict:
    """Recreate the read model from the source tables (`manage.py rebuild_public`) and
    report what differed: approved publications without their version (entries
    published before there were versions), rows missing, left over or with fields that
    differ (their search documents follow them) and the vocabulary. With `check`, only
    report."""
    from submissions.models import EntryVersion, VersionSource
    from submissions.versions import content_of

    from .models import Publication, PublicationStatus

    report: dict[str, Any] = {
        "versions": 0,
        "missing": [],
        "extra": [],
        "different": Counter(),
        "vocabulary": {"missing": 0, "extra": 0, "miscounted": 0},
    }
    # Entries approved before there were versions: their version as it is now.
    unversioned = Publication.objects.filter(
        status=PublicationStatus.APPROVED, approved_version__isnull=True
    ).order_by("entry_id")
    for chunk in chunks(unversioned.values_list("entry_id", "decided_by_id")):
        report["versions"] += len(chunk)
        if check:
            continue
        entries = [entry for entry, _by in chunk]
        contents = content_of(entries)
        numbers = dict(
            EntryVersion.objects.filter(entry_id__in=entries)
            .values("entry_id")
            .annotate(n=Max("number"))
            .values_list("entry_id", "n")
        )
        made = [
            EntryVersion(
                entry_id=entry,
                number=1 + numbers.get(entry, 0),
                source=VersionSource.APPROVAL,
                made_by_id=by,
                made_at=timezone.now(),
                changed=[],
                content=contents[entry],
            )
            for entry, by in chunk
        ]
        fields = [f for f in EntryVersion._meta.concrete_fields if not f.primary_key]
        with connection.cursor() as cursor:
            copy_rows(cursor, EntryVersion._meta.db_table, fields, made)
        Publication.objects.filter(
            entry_id__in=[version.entry_id for version in made], approved_version__isnull=True
        ).update(
            approved_version=Subquery(
                EntryVersion.objects.filter(entry_id=OuterRef("entry_id"))
                .order_by("-number")
                .values("pk")[:1]
            )
        )
    # The rows: what build() makes of every public entry.
    now = timezone.now()
    public = published().order_by("pk").values_list("pk", flat=True)
    for chunk in chunks(public.iterator(chunk_size=CHUNK)):
        rows = build(chunk)
        stored = {
            row["entry_id"]: row
            for row in PublicEntry.objects.filter(pk__in=chunk).values("entry_id", *FIELDS)
        }
        changed = []
        for pk, row in rows.items():
            if pk not in stored:
                report["missing"].append(row.reference)
                changed.append(row)
            elif differ := differences(stored[pk], row):
                report["different"].update(differ)
                changed.append(row)
        if changed and not check:
            _save(changed, now)
    extra = PublicEntry.objects.exclude(pk__in=published().values("pk"))
    report["extra"] = list(extra.values_list("reference", flat=True))
    if not check:
        extra.delete()
    # The vocabulary, counted anew from the rows (in the database) and compared.
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS expected_terms")
        cursor.execute(
            "CREATE TEMPORARY TABLE expected_terms AS " + _terms_sql("true", COUNT_SELECT)
        )
        cursor.execute(COMPARE_VOCABULARY_SQL)
        missing, extra, miscounted = cursor.fetchone()
        report["vocabulary"] = {"missing": missing, "extra": extra, "miscounted": miscounted}
        if (missing or extra or miscounted) and not check:
            cursor.execute("DELETE FROM publishing_searchterm")
            cursor.execute(
                "INSERT INTO publishing_searchterm (config, lexeme, word, plain, entries) "
                "SELECT config, lexeme, word, left(unaccent(word), 100), n FROM expected_terms"
            )
        cursor.execute("DROP TABLE expected_terms")
    report["different"] = dict(report["different"])
    return report


# (missing, left over, counted wrong) between the vocabulary and expected_terms.
COMPARE_VOCABULARY_SQL = """
    SELECT count(*) FILTER (WHERE t.id IS NULL),
        count(*) FILTER (WHERE e.word IS NULL),
        count(*) FILTER (WHERE t.id IS NOT NULL AND e.word IS NOT NULL AND t.entries <> e.n)
    FROM publishing_searchterm t
    FULL JOIN expected_terms e
    ON t.lexeme = e.lexeme AND t.config = e.config AND t.word = e.word
"""


def found_differences(report: dict) -> bool:
    return bool(
        report["versions"]
        or report["missing"]
        or report["extra"]
        or report["different"]
        or any(report["vocabulary"].values())
    )
