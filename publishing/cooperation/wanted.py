"""Partners wanted (issue 25; see publishing/cooperation/__init__.py): what an entry
seeks in partners (submissions.PartnerSearch) said in words, its part of the management
page, and its switches — partners found, looking again, open to cooperation — each
public at once (publishing.changes.public_change in the same transaction)."""

from django.db import transaction

from submissions import services
from submissions.extensions import Section
from submissions.models import PartnerSearch

from ..changes import public_change
from .wanted_public import sought_in_words


def search_of(entry) -> PartnerSearch | None:
    return (
        PartnerSearch.objects.filter(entry_id=entry.pk)
        .prefetch_related("regions", "themes")
        .first()
    )


def management_sections(entry, token) -> list:
    """This concern's part of the management page (submissions.extensions.Section): what
    the entry seeks, in words, with its switches. None for a withdrawn entry."""
    if entry.is_withdrawn:
        return []
    search = search_of(entry)
    words = []
    if search is not None:
        words = sought_in_words(
            search.organisation_types,
            search.whole_country,
            [region.pk for region in search.regions.all()],
            [theme.pk for theme in search.themes.all()],
        )
    return [
        Section(
            "publishing/cooperation/manage_wanted.html",
            {
                "search": search,
                "words": words,
                "text": entry.original_text("partners_sought") or "",
            },
        )
    ]


# --- Changes, public at once ---------------------------------------------------------------


def save_search(entry, data) -> None:
    """The search as the page of its own gives it (PartnerSearchForm's cleaned data)."""
    with transaction.atomic():
        services.save_partner_search(entry, data)
        public_change(entry=entry)


def set_looking(entry, looking: bool) -> None:
    """Partners found (False: the search is no longer shown) or looked for again."""
    with transaction.atomic():
        services.set_looking(entry, looking)
        public_change(entry=entry)


def set_open(entry, open_: bool) -> None:
    """Open to cooperation, or no longer."""
    with transaction.atomic():
        services.set_open_to_cooperation(entry, open_)
        public_change(entry=entry)
