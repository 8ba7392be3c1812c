"""The public's view of entries: what is shown, in which language, in how few queries."""

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Prefetch
from django.utils.translation import get_language

from review.models import Award, Outcome
from submissions.models import ENTRY_TEXT_FIELDS, Entry, EntryStatus, Partnership

from .models import PublicationStatus

PUBLIC_FIELDS = ENTRY_TEXT_FIELDS


def published(entries=None):
    """What the public may see — the one definition, used everywhere: sent (not
    withdrawn), its submitter consents to publication, and staff have approved it."""
    entries = Entry.objects.all() if entries is None else entries
    return entries.filter(
        status=EntryStatus.SUBMITTED,
        consent_publish=True,
        publication__status=PublicationStatus.APPROVED,
    )


def public_entries():
    """Published entries with everything a card or page shows, in a fixed number of queries."""
    return (
        published()
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
    original_language: str = ""

    @property
    def is_staff_translation(self):
        """The text shown is the staff's translation, not what the submitter wrote."""
        return bool(self.original_language) and self.language != self.original_language

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
        original_language=entry.original_language,
    )


LAST_CHANGE_SECONDS = 5


def last_change():
    """When anything the public sees last changed (for ETag and Last-Modified): the one
    row publishing.changes.public_change() moves.

    Kept in the cache for a few seconds, so that a revalidation (304) costs no query at
    all; public_change() forgets the cached copy in its own process at once (and other
    processes share it when the cache is Redis).
    """
    from .changes import CACHE_KEY

    return cache.get_or_set(CACHE_KEY, _last_change_in_database, timeout=LAST_CHANGE_SECONDS)


def _last_change_in_database():
    from .models import PublicState

    return PublicState.objects.values_list("changed_at", flat=True).first()


def report_states(reports) -> dict:
    """{report id: the moderation state's label} (for the submitter's management page)."""
    from .models import ReportPublication

    labels = dict(PublicationStatus.choices)
    return {
        report_id: labels[status]
        for report_id, status in ReportPublication.objects.filter(
            report__in=[r.pk for r in reports]
        ).values_list("report_id", "status")
    }
