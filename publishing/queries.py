"""The public's view of entries: what is shown, in which language, in how few queries."""

import uuid
from bisect import bisect_right
from dataclasses import dataclass

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from parler.appsettings import PARLER_LANGUAGES

from kotolupaus.templatetags.kotolupaus import in_language
from review.models import Award, AwardCategory, Outcome
from submissions.models import (
    ENTRY_TEXT_FIELDS,
    Campaign,
    Entry,
    EntryKind,
    EntryStatus,
    Municipality,
    Organisation,
    Partnership,
    ProgressStatus,
    TargetGroup,
    Theme,
)

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


def published_sql(entry="e", publication="p") -> str:
    """published() in SQL, for the hand-written queries (the catalogue's in
    publishing.search, the cards', the entry page's) on an entry and its publication;
    tests/test_search_relevance.py checks that the two agree."""
    return (
        f"{entry}.status = '{EntryStatus.SUBMITTED.value}' AND {entry}.consent_publish "
        f"AND {publication}.entry_id = {entry}.id "
        f"AND {publication}.status = '{PublicationStatus.APPROVED.value}'"
    )


PUBLISHED = published_sql()


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


# Fragments of the hand-written queries on an entry `e` (and its decision `d`): the
# entry page's and the cards'.
_PARTNER_NAMES_SQL = """ARRAY(
            SELECT po.name FROM submissions_partnership pa
            JOIN submissions_organisation po ON po.id = pa.organisation_id
            WHERE pa.entry_id = e.id AND pa.confirmed_at IS NOT NULL AND pa.declined_at IS NULL
            ORDER BY pa.id
        )"""
_IN_PROGRAMME_SQL = "coalesce(d.outcome = %(included)s AND d.published_at IS NOT NULL, false)"


def _linked_ids_sql(table, column) -> str:
    """The ids a many-to-many table links to the entry `e`, as an array."""
    return f"ARRAY(SELECT x.{column} FROM {table} x WHERE x.entry_id = e.id)"  # noqa: S608 - constants


_TEXT_COLUMNS = ", ".join(f"'{name}', tr.{name}" for name in PUBLIC_FIELDS)
ENTRY_PAGE_SQL = f"""
    SELECT e.*,
        o.name AS organisation_name, o.website AS organisation_website,
        o.logo AS organisation_logo,
        c.slug AS campaign_slug, c.hashtag AS campaign_hashtag,
        c.opens_at AS campaign_opens_at, c.closes_at AS campaign_closes_at,
        {_IN_PROGRAMME_SQL} AS in_programme,
        {_linked_ids_sql("submissions_entry_themes", "theme_id")} AS theme_ids,
        {_linked_ids_sql("submissions_entry_target_groups", "targetgroup_id")}
            AS target_group_ids,
        {_linked_ids_sql("submissions_entry_municipalities", "municipality_id")}
            AS municipality_ids,
        {_PARTNER_NAMES_SQL} AS partner_names,
        ARRAY(
            SELECT e2.id FROM submissions_entry e2
            JOIN publishing_publication p2 ON p2.entry_id = e2.id
            WHERE e2.challenge_of_id = e.id AND {published_sql("e2", "p2")}
            ORDER BY e2.id
        ) AS taker_ids,
        (SELECT count(*) FROM submissions_entry e3 WHERE e3.challenge_of_id = e.id)
            AS challenge_count,
        (
            SELECT json_object_agg(tr.language_code, json_build_object({_TEXT_COLUMNS}))
            FROM submissions_entry_translation tr WHERE tr.master_id = e.id
        ) AS texts,
        (
            SELECT json_agg(json_build_object(
                'category', a.category_id,
                'citations', (
                    SELECT json_object_agg(at.language_code, at.citation)
                    FROM review_award_translation at WHERE at.master_id = a.id
                )
            ) ORDER BY a.id)
            FROM review_award a WHERE a.entry_id = e.id
        ) AS prizes
    FROM submissions_entry e
    JOIN publishing_publication p ON p.entry_id = e.id
    JOIN submissions_organisation o ON o.id = e.lead_organisation_id
    JOIN submissions_campaign c ON c.id = e.campaign_id
    LEFT JOIN review_decision d ON d.entry_id = e.id
    WHERE e.id = %(pk)s AND {PUBLISHED}
"""  # noqa: S608 - constants


def entry_page(pk):
    """A published entry (None when it is not) with what its page shows, in one query
    written once (ENTRY_PAGE_SQL, as the cards' is): the entry with its organisation,
    campaign and whether it is in the programme; the ids of its themes, target groups
    and places and of the published pledges that took up its challenge; its confirmed
    partners' names and how many took up its challenge; its texts in every language
    (`texts`, for text_in()) and its prizes with their citations (for prizes_of()). The
    names behind the ids (themes, places, prize categories) come from taxonomy(), a
    cache."""
    params = {"pk": pk, "included": Outcome.INCLUDED.value}
    entry = next(iter(Entry.objects.raw(ENTRY_PAGE_SQL, params)), None)
    if entry is not None:
        entry.lead_organisation = Organisation(
            pk=entry.lead_organisation_id,
            name=entry.organisation_name,
            website=entry.organisation_website,
            logo=entry.organisation_logo,
        )
        entry.campaign = Campaign(
            pk=entry.campaign_id,
            slug=entry.campaign_slug,
            hashtag=entry.campaign_hashtag,
            opens_at=entry.campaign_opens_at,
            closes_at=entry.campaign_closes_at,
        )
    return entry


def named(ids, names) -> list[str]:
    """The names of these ids in their models' order; `names` is one of taxonomy()'s
    "by_id" maps ({id: (sort key, name)})."""
    unknown = (0, "")
    return [name for _order, name in sorted(names.get(i, unknown) for i in ids)]


def region_names(whole_country, municipality_ids, names) -> list[str]:
    """The places' names as cards and pages show them ("All of Finland" first, when so)."""
    return ([_("All of Finland")] if whole_country else []) + named(municipality_ids, names)


@dataclass
class Prize:
    category: str
    citation: str


def prizes_of(entry, names, language=None) -> list[Prize]:
    """An entry_page()'s prizes in the categories' order: the category's name from
    taxonomy()'s "by_id" "prize" map, the citation in the page's language or else in
    parler's fallback languages (PARLER_LANGUAGES), else in any it has."""
    language = language or get_language()
    languages = [language, *PARLER_LANGUAGES.get_fallback_languages(language)]
    unknown = (0, "")
    prizes = []
    for prize in sorted(entry.prizes or (), key=lambda p: names.get(p["category"], unknown)):
        citations = prize["citations"] or {}
        citation = next(
            (citations[code] for code in languages if citations.get(code)),
            next(iter(citations.values()), ""),
        )
        prizes.append(Prize(names.get(prize["category"], unknown)[1], citation))
    return prizes


def in_programme(entry) -> bool:
    decision = getattr(entry, "decision", None)
    return bool(decision and decision.published_at and decision.outcome == Outcome.INCLUDED)


def decorate(entries, language=None):
    """Attach what a card shows: the text in the visitor's language, badges, the card."""
    for entry in entries:
        entry.text = public_text(entry, language)
        entry.in_programme = in_programme(entry)
        entry.card = card_of(entry, language)
    return entries


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
    """The entry's text in `language` (the page's), else in its own language."""
    rows = {
        t.language_code: {name: getattr(t, name) for name in PUBLIC_FIELDS}
        for t in entry.translations.all()
    }
    return text_in(rows, entry.original_language, language)


def text_in(rows, original_language, language=None) -> PublicText:
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
    return PublicText(
        language=code,
        is_translation_missing=code != language,
        values={name: rows[code].get(name) or "" for name in PUBLIC_FIELDS},
        original_language=original_language,
    )


# --- Cards: what a list of entries shows, for a page of ids in one query --------------------


@dataclass
class Card:
    """An entry as a card in a list (catalogue, programme): plain values in one language,
    rendered by `{{ card }}` (format_html here rather than an included template: twenty
    cards a page, and a template include costs ten times more per card)."""

    pk: int
    kind: str
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
    url: str = ""
    progress: str = ""  # the latest approved progress report's status ("" when none)

    def __html__(self):
        e = escape
        logo = (
            f'<img class="entry-card__logo" src="{e(self.logo_url)}" '
            f'alt="{e(_("Logo of %(name)s") % {"name": self.organisation})}" width="64" '
            'height="64" loading="lazy">'
            if self.logo_url
            else ""
        )
        original = (
            '<p class="entry-card__language">'
            + e(_("Original text (%(language)s)") % {"language": in_language(self.language)})
            + "</p>"
            if self.is_translation_missing
            else ""
        )
        items = []
        if self.progress in ProgressStatus.values:
            items.append(
                (
                    f"progress badge-progress--{self.progress}",
                    f'<span class="visually-hidden">{e(_("Progress:"))} </span>'
                    f"{e(ProgressStatus(self.progress).label)}",
                )
            )
        if self.in_programme:
            items.append(("programme", e(_("In the cooperation programme"))))
        items += [
            ("award", e(_("Prize: %(category)s") % {"category": category}))
            for category in self.prizes
        ]
        badges = (
            '<ul class="badges">'
            + "".join(f'<li class="badge-{kind}">{label}</li>' for kind, label in items)
            + "</ul>"
            if items
            else ""
        )
        language = e(self.language)
        themes = "".join(f"<li>{e(theme)}</li>" for theme in self.themes)
        return mark_safe(  # noqa: S308 - every value above is escaped
            f'<article class="entry-card" aria-labelledby="entry-{self.pk}-title">'
            f'<div class="entry-card__head">{logo}<p class="entry-card__kind">{e(self.kind)}</p>'
            f'</div><h2 class="entry-card__title" id="entry-{self.pk}-title" lang="{language}">'
            f'<a href="{e(self.url or entry_url(self.pk))}">'
            f"{e(self.title)}</a></h2>"
            f'<p class="entry-card__orgs">{e(", ".join([self.organisation, *self.partners]))}</p>'
            f'<p class="entry-card__summary" lang="{language}">{e(self.summary)}</p>{original}'
            f'<ul class="entry-card__tags">{themes}<li>{e(", ".join(self.regions))}</li></ul>'
            f"{badges}</article>"
        )

    __str__ = __html__


CARDS_SQL = f"""
    SELECT e.id, e.kind, e.whole_country, o.name, o.logo, t.language_code, t.title, t.summary,
        {_PARTNER_NAMES_SQL},
        {_linked_ids_sql("submissions_entry_themes", "theme_id")},
        {_linked_ids_sql("submissions_entry_municipalities", "municipality_id")},
        {_IN_PROGRAMME_SQL},
        {_linked_ids_sql("review_award", "category_id")},
        p.progress_status
    FROM unnest(%(ids)s::bigint[]) WITH ORDINALITY AS page(id, position)
    JOIN submissions_entry e ON e.id = page.id
    JOIN publishing_publication p ON p.entry_id = e.id
    JOIN submissions_organisation o ON o.id = e.lead_organisation_id
    LEFT JOIN review_decision d ON d.entry_id = e.id
    CROSS JOIN LATERAL (
        SELECT language_code, title, summary FROM submissions_entry_translation tr
        WHERE tr.master_id = e.id
        ORDER BY tr.language_code = %(language)s DESC,
            tr.language_code = e.original_language DESC, tr.id
        LIMIT 1
    ) t
    WHERE {PUBLISHED}
    ORDER BY page.position
"""  # noqa: S608 - constants
SUMMARY_LENGTH = 220


def entry_url(pk, base=None):
    """An entry page's address; `base` (entry_url(0)) saves a reverse() per card."""
    if base is None:
        return reverse("publishing:entry_detail", args=[pk])
    return f"{base[:-2]}{pk}/"


def _truncated(text, length=SUMMARY_LENGTH):
    """Like the truncatechars filter: at most `length` characters, the last an ellipsis."""
    return text if len(text) <= length else text[: length - 1] + "…"


def cards(ids, language=None) -> list[Card]:
    """The cards of these entries, in this order, in one query: the text in the visitor's
    language or else the original; the names of themes, places and prizes from
    taxonomy() (a cache). An entry that is not published has no card, whatever asked."""
    if not ids:
        return []
    language = language or get_language()
    names = taxonomy(language)["by_id"]
    themes, places, prizes = names["theme"], names["municipality"], names["prize"]
    kinds = dict(EntryKind.choices)
    with connection.cursor() as cursor:
        cursor.execute(
            CARDS_SQL,
            {"ids": list(ids), "language": language, "included": Outcome.INCLUDED.value},
        )
        rows = cursor.fetchall()
    base = entry_url(0)
    return [
        Card(
            pk=pk,
            kind=str(kinds.get(kind, kind)),
            organisation=organisation,
            logo_url=default_storage.url(logo) if logo else "",
            partners=partners,
            title=title,
            summary=_truncated(summary),
            language=text_language,
            is_translation_missing=text_language != language,
            themes=named(theme_ids, themes),
            regions=region_names(whole, place_ids, places),
            in_programme=programme,
            prizes=named(prize_ids, prizes),
            url=entry_url(pk, base),
            progress=progress,
        )
        for (
            pk,
            kind,
            whole,
            organisation,
            logo,
            text_language,
            title,
            summary,
            partners,
            theme_ids,
            place_ids,
            programme,
            prize_ids,
            progress,
        ) in rows
    ]


def card_of(entry, language=None) -> Card:
    """The card of an entry already fetched with public_entries()."""
    text = public_text(entry, language)
    logo = entry.lead_organisation.logo
    return Card(
        pk=entry.pk,
        kind=entry.get_kind_display(),
        organisation=entry.lead_organisation.name,
        logo_url=logo.url if logo else "",
        partners=[p.organisation.name for p in entry.confirmed_partners],
        title=text.title,
        summary=_truncated(text.summary),
        language=text.language,
        is_translation_missing=text.is_translation_missing,
        themes=[str(theme) for theme in entry.themes.all()],
        regions=entry.region_names(),
        in_programme=in_programme(entry),
        prizes=[str(award.category) for award in entry.awards.all()],
        progress=entry.publication.progress_status,
    )


# --- Names of the filters' options, kept for a minute ----------------------------------------

TAXONOMY_SECONDS = 60
TAXONOMY_KEY = "publishing:taxonomy"
_taxonomies: dict = {}  # (language, public version, token) → names


def taxonomy(language=None) -> dict:
    """The names of themes, target groups, prize categories, campaigns and municipalities
    in one language, for the catalogue's filters and cards: a few queries a minute, not
    per page. Built anew after every public change (which every change of these names
    is, publishing.changes) and every TAXONOMY_SECONDS, when a token in the cache runs
    out (or the cache is cleared); kept in this process's memory meanwhile, since a page
    asks several times."""
    language = language or get_language()
    changed = last_change()
    token = cache.get(TAXONOMY_KEY)
    if token is None:
        token = uuid.uuid4().hex
        cache.set(TAXONOMY_KEY, token, TAXONOMY_SECONDS)
    key = (language, changed.timestamp() if changed else 0, token)
    return _kept(_taxonomies, key, lambda: _taxonomy(language))


def _taxonomy(language):
    from django.utils.translation import override

    with override(language):
        themes = list(Theme.objects.prefetch_related("translations"))
        groups = list(TargetGroup.objects.prefetch_related("translations"))
        prizes = list(AwardCategory.objects.prefetch_related("translations"))
        campaigns = list(Campaign.objects.prefetch_related("translations"))
        places = list(Municipality.objects.all())
        return {
            "themes": [(t.slug, str(t)) for t in themes],
            "target_groups": [(g.slug, str(g)) for g in groups],
            "prizes": [(str(c.pk), str(c)) for c in prizes],
            "campaigns": {c.slug: str(c) for c in campaigns},
            "municipalities": {m.code: str(m) for m in places},
            # For the listing's SQL: slugs and codes as ids.
            "ids": {
                "theme": {t.slug: t.pk for t in themes},
                "target_group": {g.slug: g.pk for g in groups},
                "region": {m.code: m.pk for m in places},
                "campaign": {c.slug: c.pk for c in campaigns},
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


_campaigns: dict = {}  # (language, last public moment) → the current campaign


def current_campaign():
    """Campaign.objects.current() with its texts in the page's language, kept in this
    process until the next public change (which every change of a campaign's texts or
    dates is, and so is its opening and closing): the campaign every page names in its
    header and footer, without two queries a page."""
    return _kept(_campaigns, (get_language(), last_public_moment()), Campaign.objects.current)


def _kept(store: dict, key, build):
    """What `build()` returns, kept in this process's `store` under `key` (a language
    and a public version); older versions are dropped once there are a dozen."""
    if key not in store:
        if len(store) > 12:
            store.clear()
        store[key] = build()
    return store[key]


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
    if row is None:  # no public change yet (there is a row from the first migration on)
        return None, ()
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
