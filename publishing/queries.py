"""The public's view of entries: what is shown, in which language, in how few queries."""

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Prefetch
from django.utils.translation import get_language

from review.models import Award, Outcome
from submissions.models import ENTRY_TEXT_FIELDS, Entry, Partnership

PUBLIC_FIELDS = ENTRY_TEXT_FIELDS


def public_entries():
    """Published entries with everything a card or page shows, in a fixed number of queries."""
    return (
        Entry.objects.published()
        .select_related(
            "lead_organisation",
            "lead_organisation__municipality",
            "campaign",
            "decision",
            "publication",
        )
        .prefetch_related(
            "translations",
            "themes__translations",
            "target_groups__translations",
            "municipalities",
            Prefetch(
                "partnerships",
                to_attr="confirmed_partners",
                queryset=Partnership.objects.confirmed().select_related("organisation"),
            ),
            Prefetch(
                "awards",
                queryset=Award.objects.select_related("category").prefetch_related(
                    "translations", "category__translations"
                ),
            ),
        )
    )


def in_programme(entry) -> bool:
    decision = getattr(entry, "decision", None)
    return bool(decision and decision.published_at and decision.outcome == Outcome.INCLUDED)


@dataclass
class PublicText:
    """An entry's public text in one language: the visitor's, else the original."""

    language: str
    is_translation_missing: bool
    values: dict

    def __getattr__(self, name):
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None


def public_text(entry, language=None) -> PublicText:
    language = language or get_language()
    rows = {t.language_code: t for t in entry.translations.all()}
    row = rows.get(language) or rows.get(entry.original_language) or next(iter(rows.values()))
    return PublicText(
        language=row.language_code,
        is_translation_missing=row.language_code != language,
        values={name: getattr(row, name) or "" for name in PUBLIC_FIELDS},
    )


LAST_CHANGE_SECONDS = 5


def last_change():
    """When anything the public sees last changed (for ETag and Last-Modified).

    Kept in the shared cache for a few seconds, so that a revalidation (304) costs no
    query at all; public pages may be cached for a minute anyway (max-age=60).
    """
    return cache.get_or_set(
        "publishing:last-change", _last_change_in_database, timeout=LAST_CHANGE_SECONDS
    )


def _last_change_in_database():
    """One query over indexed columns. Any change to an entry, its moderation, a decision,
    a prize or the programme text moves it, including an entry leaving the published set
    (its row changes too)."""
    from django.db import connection

    from review.models import Decision
    from submissions.models import Campaign

    from .models import Programme, Publication

    tables = [
        (Entry._meta.db_table, "updated_at"),
        (Publication._meta.db_table, "updated_at"),
        (Decision._meta.db_table, "decided_at"),
        (Decision._meta.db_table, "published_at"),
        (Award._meta.db_table, "awarded_at"),
        (Programme._meta.db_table, "updated_at"),
        (Campaign._meta.db_table, "created_at"),
    ]
    # Table and column names come from our own models, never from input.
    parts = ", ".join(
        f'(SELECT MAX("{column}") FROM "{table}")'  # noqa: S608
        for table, column in tables
    )
    sql = f"SELECT GREATEST({parts})"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]
