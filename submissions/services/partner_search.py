"""Partners wanted (issue 25): an entry's search for partners (PartnerSearch) saved from
the entry form or from its page behind the private link, and switched off when the
partners were found. The caller makes the change public (the entry form through
extensions.entry_changed, the private page through publishing.changes.public_change)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from ..models import Entry, PartnerSearch

log = logging.getLogger(__name__)


def _values(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "looking": bool(data.get("wanted_looking")),
        "organisation_types": sorted(set(data.get("wanted_types") or ())),
        "whole_country": bool(data.get("wanted_anywhere")),
        "open_to_cooperation": bool(data.get("wanted_open")),
    }


def save_partner_search(entry: Entry, data: dict[str, Any], *, new: bool = False) -> bool:
    """Store the search as the form's cleaned data gives it (the `wanted_*` fields);
    data without them changes nothing, and nothing sought makes no row for a `new`
    entry. Switched on again, the search forgets when partners were last found.
    Returns whether a row was written. Call inside the transaction of the change."""
    if "wanted_looking" not in data:
        return False
    values = _values(data)
    # Anywhere in Finland: regions ticked before (hidden on the page) are not kept.
    regions = [] if values["whole_country"] else list(data.get("wanted_regions") or ())
    themes = list(data.get("wanted_themes") or ())
    if new:
        if not (any(values.values()) or regions or themes):
            return False
        search = PartnerSearch.objects.create(entry=entry, **values)
        search.regions.add(*regions)
        search.themes.add(*themes)
        return True
    found = PartnerSearch.objects.select_for_update().filter(entry_id=entry.pk).first()
    if found is None and not (any(values.values()) or regions or themes):
        return False
    search = found or PartnerSearch(entry=entry)
    if values["looking"] and not search.looking:
        search.found_at = None
    for name, value in values.items():
        setattr(search, name, value)
    search.save()
    search.regions.set(regions)
    search.themes.set(themes)
    log.info("partners wanted saved: entry %s (looking: %s)", entry.pk, values["looking"])
    return True


def set_looking(entry: Entry, looking: bool) -> PartnerSearch | None:
    """The contact found the partners (False: the search is no longer shown, and when
    they were found is kept) or looks for partners again (True). Returns the search,
    None when the entry has none."""
    with transaction.atomic():
        search = PartnerSearch.objects.select_for_update().filter(entry_id=entry.pk).first()
        if search is None or search.looking == looking:
            return search
        search.looking = looking
        search.found_at = None if looking else timezone.now()
        search.save(update_fields=["looking", "found_at", "updated_at"])
        log.info("partners wanted %s: entry %s", "again" if looking else "found", entry.pk)
    return search


def set_open_to_cooperation(entry: Entry, open_: bool) -> PartnerSearch:
    """The entry welcomes requests to join (or no longer does), also without a search."""
    with transaction.atomic():
        search, _created = PartnerSearch.objects.select_for_update().get_or_create(entry=entry)
        if search.open_to_cooperation != open_:
            search.open_to_cooperation = open_
            search.save(update_fields=["open_to_cooperation", "updated_at"])
            log.info("open to cooperation %s: entry %s", open_, entry.pk)
    return search
