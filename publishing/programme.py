"""The cooperation programme of a campaign, as its page and its PDF show it."""

from django.utils.translation import get_language

from . import progress
from .models import PublicEntry
from .queries import card_of, prizes_of, public_text, region_names, taxonomy


def programme_context(campaign) -> dict:
    """What the programme page and PDF show: the included entries (those with a published
    decision to include them, as the read model has it) grouped by their first theme,
    and how they stand."""
    names = taxonomy(get_language())["by_id"]
    entries = list(
        PublicEntry.objects.filter(campaign=campaign, in_programme=True).order_by("number")
    )
    groups: dict = {}
    for entry in entries:
        entry.text = public_text(entry)  # type: ignore[attr-defined]
        entry.cards = [card_of(entry)]  # type: ignore[attr-defined]
        entry.regions = region_names(  # type: ignore[attr-defined]
            entry.whole_country, entry.municipality_ids, names["municipality"]
        )
        entry.prize_list = prizes_of(entry, names["prize"])  # type: ignore[attr-defined]
        themes = sorted(names["theme"][t] for t in entry.theme_ids if t in names["theme"])
        groups.setdefault(themes[0] if themes else None, []).append(entry)
    ordered = sorted(groups.items(), key=lambda item: (item[0] is None, item[0] or (0, "")))
    programme = getattr(campaign, "programme", None)
    return {
        "campaign": campaign,
        "programme": programme,
        # (the theme's name, or None for entries without one; its entries)
        "groups": [(theme[1] if theme else None, group) for theme, group in ordered],
        "count": len(entries),
        "follow_up": progress.follow_up_rows(entries),
        "by_region": by_region(entries),
    }


def by_region(entries) -> list[tuple[str, str, list]]:
    """(code, name, entries) of each region that has any of these entries, in code
    order; an entry for all of Finland is in every region."""
    names = taxonomy(get_language())["regions"]
    return [
        (code, name, found)
        for code, name in names.items()
        if (found := [e for e in entries if e.whole_country or code in e.region_codes])
    ]
