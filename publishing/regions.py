"""Where in Finland the public entries are, by region (maakunta / landskap): the
catalogue's region filter and its counts, and the regions' names in a page's language.

An entry's regions are those of the municipalities it names (PublicEntry.region_codes);
an entry for all of Finland belongs to every region, and is counted and found in each
(marked "All of Finland" on its card). The names come from queries.taxonomy() (a cache),
the counts from one query per public version (the Django cache)."""

from django.contrib.postgres.fields import ArrayField
from django.core.cache import cache
from django.db.models import Case, CharField, Count, F, Func, Q, Value, When
from django.utils.translation import get_language

from submissions.models import REGION_CODES

from .caching import version
from .models import PublicEntry
from .queries import taxonomy


def in_region(code: str) -> Q:
    """The public entries of a region: those that name one of its municipalities, and
    those for all of Finland. An unknown code filters nothing out (the catalogue ignores
    it rather than fail)."""
    if code not in REGION_CODES:
        return Q()
    return Q(region_codes__contains=[code]) | Q(whole_country=True)


def known(code) -> str:
    """The code if it is one of the 19 regions', else ""."""
    return code if code in REGION_CODES else ""


def names(language=None) -> dict:
    """{code: the region's name in the language}, in code order."""
    return taxonomy(language or get_language())["regions"]


def names_of(codes, language=None) -> list[str]:
    """The names of these regions, in code order; unknown codes left out."""
    shown = names(language)
    return [shown[code] for code in sorted(codes) if code in shown]


def entry_regions(entry) -> list[str]:
    """What an entry page says of its regions: the regions of its municipalities, or for
    an entry for all of Finland, that it belongs to every one."""
    return names_of(entry.region_codes)


def each_region():
    """An expression for grouping public entries by region: one row per region an entry
    belongs to (all 19 for an entry for all of Finland), in one pass over the rows."""
    every = Value(list(REGION_CODES), output_field=ArrayField(CharField(max_length=2)))
    return Func(
        Case(When(whole_country=True, then=every), default=F("region_codes")),
        function="unnest",
        output_field=CharField(),
    )


def grouped(public, /, *others, **aggregates) -> list[dict]:
    """Rows of `aggregates` of these public entries by region code (as "region") and by
    `others`, in one query."""
    return list(
        public.annotate(region=each_region())
        .order_by()
        .values("region", *others)
        .annotate(**aggregates)
    )


def counts(entries=None) -> dict:
    """{region code: how many of these public entries (all, by default) belong to it},
    for all 19 regions, in one query (an entry for the whole country counting in each)."""
    entries = PublicEntry.objects.all() if entries is None else entries
    found = {row["region"]: row["n"] for row in grouped(entries, n=Count("pk"))}
    return {code: found.get(code, 0) for code in REGION_CODES}


def catalogue_counts(request) -> dict:
    """counts() of every public entry, kept until the next public change."""
    found = cache.get_or_set(f"catalogue-region-counts:{version(request)}", counts, timeout=600)
    return found if found is not None else counts()


def facet_choices(request) -> list[tuple[str, str]]:
    """The catalogue's region filter: (code, "name (number of entries)") for each region."""
    found, shown = catalogue_counts(request), names()
    return [(code, f"{shown[code]} ({found[code]})") for code in REGION_CODES if code in shown]
