"""The cooperation programme of a campaign, as its page and its PDF show it."""

from review.models import Outcome

from . import progress
from .queries import decorate, public_entries


def programme_context(campaign) -> dict:
    """What the programme page and PDF show: the included entries (those with a published
    decision to include them) grouped by their first theme, and how they stand."""
    entries = decorate(
        list(
            public_entries()
            .filter(
                campaign=campaign,
                decision__outcome=Outcome.INCLUDED,
                decision__published_at__isnull=False,
            )
            .order_by("number")
        )
    )
    groups = {}
    for entry in entries:
        themes = list(entry.themes.all())
        theme = themes[0] if themes else None
        groups.setdefault(theme, []).append(entry)
    ordered = sorted(
        groups.items(), key=lambda item: (item[0] is None, item[0].position if item[0] else 0)
    )
    programme = getattr(campaign, "programme", None)
    return {
        "campaign": campaign,
        "programme": programme,
        "groups": ordered,
        "count": len(entries),
        "follow_up": progress.follow_up_rows(entries),
    }
