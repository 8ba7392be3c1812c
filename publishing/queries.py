"""The public's view of entries: what is public (published(), the one definition) and
how pages read it — from the public read model (PublicEntry), in few queries."""

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.contrib.postgres.search import TrigramSimilarity
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db.models import F
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from review.models import AwardCategory
from submissions.models import (
    ENTRY_TEXT_FIELDS,
    Campaign,
    Entry,
    EntryKind,
    EntryStatus,
    Municipality,
    TargetGroup,
    Theme,
)

from .models import PublicationStatus, PublicEntry

PUBLIC_FIELDS = ENTRY_TEXT_FIELDS
LANGUAGES = ("fi", "sv", "en")


def published(entries=None):
    """What the public may see — the one definition: sent (not withdrawn), its submitter
    consents to publication, and staff have approved a version of it (an edit waiting
    for moderation leaves the approved version public). The read model (PublicEntry,
    publishing.read_model) holds exactly these entries."""
    entries = Entry.objects.all() if entries is None else entries
    return entries.filter(
        status=EntryStatus.SUBMITTED,
        consent_publish=True,
        publication__approved_version__isnull=False,
    )


def named(ids, names) -> list[str]:
    """The names of these ids in their models' order; `names` is one of taxonomy()'s
    "by_id" maps ({id: (sort key, name)}). An id no longer there (deleted) is left out."""
    return [name for _order, name in sorted(names[i] for i in ids if i in names)]


def region_names(whole_country, municipality_ids, names) -> list[str]:
    """The places' names as cards and pages show them ("All of Finland" first, when so)."""
    return ([_("All of Finland")] if whole_country else []) + named(municipality_ids, names)


@dataclass
class Prize:
    category: str
    citation: str


def prizes_of(entry: PublicEntry, names, language=None) -> list[Prize]:
    """A public entry's prizes in the categories' order: the category's name from
    taxonomy()'s "by_id" "prize" map, the citation as the read model resolved it for the
    page's language."""
    language = language or get_language()
    unknown = (0, "")
    return [
        Prize(names.get(prize["category"], unknown)[1], prize["citation"].get(language, ""))
        for prize in sorted(entry.prizes, key=lambda p: names.get(p["category"], unknown))
    ]


@dataclass
class TextShown:
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


def text_in(rows, original_language, language=None) -> TextShown:
    """The text in `language` (the page's) from {language: {field: value}}, else in the
    entry's own language (else any there is)."""
    language = language or get_language()
    code = (
        language
        if language in rows
        else original_language
        if original_language in rows
        else next(iter(rows))
    )
    return TextShown(
        language=code,
        is_translation_missing=code != language,
        values={name: rows[code].get(name) or "" for name in PUBLIC_FIELDS},
        original_language=original_language,
    )


def public_text(entry: PublicEntry, language=None) -> TextShown:
    """A public entry's text in `language` (the page's), else in its own language."""
    return text_in(entry.texts, entry.original_language, language)


# --- Cards: what a list of entries shows, for a page of ids in one query --------------------


@dataclass
class Card:
    """An entry as a card in a list (catalogue, programme, a pledge's challenge takers):
    plain values in one language, rendered by publishing/includes/cards.html."""

    pk: int
    kind: str
    kind_label: str
    organisation: str
    logo_url: str
    partners: list[str]
    title: str
    summary: str
    language: str  # of the title and summary
    is_translation_missing: bool  # shown in the entry's own language instead
    themes: list[str]
    regions: list[str]
    in_programme: bool
    prizes: list[str]
    url: str
    progress: str = ""  # the latest approved progress report's status ("" when none)
    seeks_partners: bool = False  # looking for partners now (partners wanted)

    @property
    def organisations(self):
        return ", ".join([self.organisation, *self.partners])


SUMMARY_LENGTH = 220
CARD_COLUMNS = (
    "pk",
    "kind",
    "organisation_name",
    "logo",
    "partners",
    "languages",
    "original_language",
    "theme_ids",
    "municipality_ids",
    "whole_country",
    "in_programme",
    "prize_category_ids",
    "progress_status",
    "seeks_partners",
)


def entry_url(pk, base=None):
    """An entry page's address; `base` (entry_url(0)) saves a reverse() per card."""
    if base is None:
        return reverse("publishing:entry_detail", args=[pk])
    return f"{base[:-2]}{pk}/"


def _truncated(text, length=SUMMARY_LENGTH):
    """Like the truncatechars filter: at most `length` characters, the last an ellipsis."""
    return text if len(text) <= length else text[: length - 1] + "…"


def cards(ids, language=None) -> list[Card]:
    """The cards of these public entries, in this order, in one query: the title and
    summary in the visitor's language or else the original (as the read model resolved
    them); the names of themes, places and prizes from taxonomy() (a cache)."""
    if not ids:
        return []
    language = language or get_language()
    rows = {
        row["pk"]: row
        for row in PublicEntry.objects.filter(pk__in=list(ids)).values(
            *CARD_COLUMNS, title=F(f"title_{language}"), summary=F(f"summary_{language}")
        )
    }
    names, base = taxonomy(language)["by_id"], entry_url(0)
    return [_card(rows[pk], language, names, base) for pk in ids if pk in rows]


def card_of(entry: PublicEntry, language=None) -> Card:
    """The card of a public entry already read."""
    language = language or get_language()
    row = {name: getattr(entry, name) for name in CARD_COLUMNS}
    row.update(
        title=getattr(entry, f"title_{language}"), summary=getattr(entry, f"summary_{language}")
    )
    return _card(row, language, taxonomy(language)["by_id"], entry_url(0))


def _card(row, language, names, base) -> Card:
    shown = language if language in row["languages"] else row["original_language"]
    logo = getattr(row["logo"], "name", row["logo"])
    return Card(
        pk=row["pk"],
        kind=row["kind"],
        kind_label=str(EntryKind(row["kind"]).label),
        organisation=row["organisation_name"],
        logo_url=default_storage.url(logo) if logo else "",
        partners=row["partners"],
        title=row["title"],
        summary=_truncated(row["summary"]),
        language=shown,
        is_translation_missing=shown != language,
        themes=named(row["theme_ids"], names["theme"]),
        regions=region_names(row["whole_country"], row["municipality_ids"], names["municipality"]),
        in_programme=row["in_programme"],
        prizes=named(row["prize_category_ids"], names["prize"]),
        url=entry_url(row["pk"], base),
        progress=row["progress_status"],
        seeks_partners=row["seeks_partners"],
    )


# --- What the submission form shows of public entries (through submissions.extensions) ----


def public_summary(pk, kind=None) -> Mapping[str, Any] | None:
    """A public entry as the form names it (a pledge taken up as a challenge): its
    title in the page's language, its organisation, themes and target groups."""
    entries = PublicEntry.objects.filter(pk=pk)
    if kind:
        entries = entries.filter(kind=kind)
    return entries.values(
        "pk",
        "kind",
        "theme_ids",
        "target_group_ids",
        title=F(f"title_{get_language()}"),
        organisation=F("organisation_name"),
    ).first()


def similar_titles(campaign, title, limit=5) -> list[dict]:
    """Public entries of the campaign whose title (in any language) is like `title`
    (PostgreSQL trigram similarity): their title in the page's language and kind."""
    similarity = Greatest(*(TrigramSimilarity(f"title_{code}", title) for code in LANGUAGES))
    rows = (
        PublicEntry.objects.filter(campaign=campaign)
        .annotate(similarity=similarity)
        .filter(similarity__gte=0.3)
        .order_by("-similarity", "pk")
        .values_list(f"title_{get_language()}", "kind")[:limit]
    )
    return [{"title": shown, "kind": EntryKind(kind).label} for shown, kind in rows]


# --- Names of the filters' options, kept until the next public change ----------------------


def taxonomy(language=None) -> dict:
    """The names of themes, target groups, prize categories, campaigns and municipalities
    in one language, for the catalogue's filters and cards: a few queries after each
    public change (which every change of these names is: publishing.changes), kept in
    this process's memory meanwhile, since a page asks several times. Never change what
    it returns."""
    language = language or get_language()
    changed = last_change()
    return _taxonomy(language, changed.timestamp() if changed else 0)


@lru_cache(maxsize=16)
def _taxonomy(language, version):
    """taxonomy() of the public version `version` (a new version: a new key; the
    least recently used go)."""
    from django.utils.translation import override

    with override(language):
        themes = list(Theme.objects.prefetch_related("translations"))
        groups = list(TargetGroup.objects.prefetch_related("translations"))
        prizes = list(AwardCategory.objects.prefetch_related("translations"))
        campaigns = list(Campaign.objects.prefetch_related("translations"))
        places = list(Municipality.objects.select_related("region"))
        regions = {m.region_id: m.region for m in places}
        return {
            "themes": [(t.slug, str(t)) for t in themes],
            "target_groups": [(g.slug, str(g)) for g in groups],
            "prizes": [(str(c.pk), str(c)) for c in prizes],
            "campaigns": {c.slug: str(c) for c in campaigns},
            "municipalities": {m.code: str(m) for m in places},
            "regions": {code: str(regions[code]) for code in sorted(regions)},
            # For the listing's SQL: slugs and codes as ids.
            "ids": {
                "theme": {t.slug: t.pk for t in themes},
                "target_group": {g.slug: g.pk for g in groups},
                "region": {m.code: m.pk for m in places},
                "campaign": {c.slug: c.pk for c in campaigns},
            },
            # For the open data: slugs and codes by id.
            "slugs": {
                "theme": {t.pk: t.slug for t in themes},
                "target_group": {g.pk: g.slug for g in groups},
                "municipality": {m.pk: m.code for m in places},
            },
            # For the cards: (sort key, name) by id, in the models' own order.
            "by_id": {
                "theme": {t.pk: (n, str(t)) for n, t in enumerate(themes)},
                "target_group": {g.pk: (n, str(g)) for n, g in enumerate(groups)},
                "municipality": {m.pk: (m.name_fi, str(m)) for m in places},
                "prize": {c.pk: (n, str(c)) for n, c in enumerate(prizes)},
            },
        }


LAST_CHANGE_SECONDS = 5


def last_change():
    """When anything the public sees last changed: the one row
    publishing.changes.public_change() moves."""
    return public_state()[0]


def public_state():
    """(the last public change, every campaign's opening and closing moments in order),
    from which the public pages take their version (publishing/caching.py): one query.

    Kept in the cache for a few seconds, so that a revalidation (304) or a page from the
    page cache costs no query at all; public_change() forgets the cached copy in its own
    process at once (and other processes share it when the cache is Redis). A campaign's
    dates change only through public_change() too.
    """
    from .changes import CACHE_KEY

    return cache.get_or_set(CACHE_KEY, _public_state_in_database, timeout=LAST_CHANGE_SECONDS)


def last_public_moment():
    """When the public pages last changed: the last public change, or the last campaign
    opening or closing since then (the pages say whether the campaign is open)."""
    change, moments = public_state()
    passed = bisect_right(moments, timezone.now())
    if passed and (change is None or moments[passed - 1] > change):
        change = moments[passed - 1]
    return change


def current_campaign():
    """Campaign.objects.current() with its texts in the page's language, kept in this
    process until the next public change (which every change of a campaign's texts or
    dates is, and so is its opening and closing): the campaign every page names in its
    header and footer, without two queries a page."""
    return _current_campaign(get_language(), last_public_moment())


@lru_cache(maxsize=16)
def _current_campaign(language, moment):
    return Campaign.objects.current()


def forget() -> None:
    """Empty this process's copies (names, the current campaign): for tests, whose
    database rolls back under an unchanged public version."""
    _taxonomy.cache_clear()
    _current_campaign.cache_clear()


def _public_state_in_database():
    from django.contrib.postgres.expressions import ArraySubquery

    from .models import PublicState

    row = (
        PublicState.objects.annotate(
            opens=ArraySubquery(Campaign.objects.order_by().values("opens_at")),
            closes=ArraySubquery(Campaign.objects.order_by().values("closes_at")),
        )
        .values_list("changed_at", "opens", "closes")
        .first()
    )
    if row is None:  # no public change yet (a database emptied since the migrations)
        moments = Campaign.objects.order_by().values_list("opens_at", "closes_at")
        return None, tuple(sorted(moment for pair in moments for moment in pair))
    changed_at, opens, closes = row
    return changed_at, tuple(sorted([*opens, *closes]))


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
