"""What the public sees of partners wanted (publishing.cooperation.wanted): what an
entry seeks in words, the catalogue's filters "Looking for partners" and by what is
sought (on PublicEntry's seeks_partners and sought_* columns), and their chips."""

from typing import Any

from django.db.models import Q
from django.utils.translation import get_language, gettext_lazy, ngettext, override
from django.utils.translation import gettext as _

from submissions.models import REGION_CODES, OrganisationType

from ..queries import taxonomy

# How the entry page and the management page name the kinds of organisation sought.
SOUGHT_TYPES: dict[str, Any] = {
    OrganisationType.COMPANY: gettext_lazy("companies"),
    OrganisationType.MUNICIPALITY: gettext_lazy("municipalities or joint municipal authorities"),
    OrganisationType.STATE_AUTHORITY: gettext_lazy("state authorities"),
    OrganisationType.NGO: gettext_lazy("associations, foundations or other NGOs"),
    OrganisationType.RELIGIOUS: gettext_lazy("religious communities"),
    OrganisationType.EDUCATION: gettext_lazy("educational institutions"),
    OrganisationType.OTHER: gettext_lazy("other organisations or informal groups"),
}


def _or(items: list[str]) -> str:
    """ "A, B or C" in the page's language."""
    if len(items) < 2:
        return "".join(items)
    return _("%(items)s or %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def sought_in_words(types, whole_country, region_codes, theme_ids, language=None) -> list[str]:
    """What a search seeks, in parts to be joined with "; ": ["companies, municipalities",
    "in Pirkanmaa or Uusimaa", "themes: work and traineeships"]; names from taxonomy()."""
    language = language or get_language()
    names = taxonomy(language)
    with override(language):
        parts = []
        kinds = [str(SOUGHT_TYPES[t]) for t in OrganisationType.values if t in set(types)]
        if kinds:
            parts.append(", ".join(kinds))
        if whole_country:
            parts.append(_("anywhere in Finland"))
        elif region_codes:
            shown = [names["regions"][c] for c in sorted(region_codes) if c in names["regions"]]
            parts.append(
                ngettext("in %(regions)s", "in %(regions)s", len(shown)) % {"regions": _or(shown)}
            )
        themes = names["by_id"]["theme"]
        known = sorted((pk for pk in theme_ids if pk in themes), key=lambda pk: themes[pk][0])
        shown = [themes[pk][1] for pk in known]
        if shown:
            parts.append(
                ngettext("on the theme %(themes)s", "on the themes %(themes)s", len(shown))
                % {"themes": _or(shown)}
            )
    return parts


def entry_sought(entry) -> list[str]:
    """sought_in_words() of a public entry (PublicEntry)."""
    return sought_in_words(
        entry.sought_types,
        entry.sought_whole_country,
        entry.sought_region_codes,
        entry.sought_theme_ids,
    )


# --- The catalogue ---------------------------------------------------------------------------

# The catalogue's parameters of partners wanted (CatalogueFilter's fields of these names).
PARAMETERS = ("partners", "seeks_type", "seeks_region", "seeks_theme")


def catalogue_where(data: dict, theme_ids: dict) -> Q:
    """The entries the filters of partners wanted leave (CatalogueFilter's cleaned
    data; `theme_ids`: {slug: id}): any of them means looking for partners now. An
    entry that seeks partners anywhere in Finland is sought in every region."""
    if not any(data.get(name) for name in PARAMETERS):
        return Q()
    where = Q(seeks_partners=True)
    if data.get("seeks_type"):
        where &= Q(sought_types__contains=[data["seeks_type"]])
    if data.get("seeks_region") in REGION_CODES:
        where &= Q(sought_region_codes__contains=[data["seeks_region"]])
    if data.get("seeks_theme"):
        where &= Q(sought_theme_ids__contains=[theme_ids.get(data["seeks_theme"], 0)])
    return where


def active_lookups(names: dict) -> dict:
    """{parameter: {value: its name}} for the chips of the filters in use."""
    return {
        "seeks_type": dict(OrganisationType.choices),
        "seeks_region": names["regions"],
        "seeks_theme": dict(names["themes"]),
    }


def facet_options(names: dict) -> list:
    """The catalogue's facets of partners wanted: (parameter, heading, choices)."""
    return [
        ("partners", _("Partners wanted"), [("on", _("Looking for partners"))]),
        ("seeks_type", _("Kind of organisation sought"), OrganisationType.choices),
        ("seeks_region", _("Region sought"), list(names["regions"].items())),
        ("seeks_theme", _("Theme sought"), names["themes"]),
    ]
