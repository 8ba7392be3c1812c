"""Demo data of partners wanted (publishing.cooperation.wanted), for `make run`'s
seed_demo (called from publishing.demo.seed_entries): searches of several kinds, so
that the catalogue's filters, the cards, the entry pages and the management pages have
something to show."""

from django.db import transaction
from django.utils import timezone

from submissions.models import Entry, EntryKind, PartnerSearch, Region, Theme
from submissions.services import save_partner_search

from ..changes import public_change

# (kinds of organisation, anywhere in Finland, region codes, theme slugs, open to
# cooperation), in turn. The initiatives' demo words ask for companies and schools.
SEARCHES = [
    (["company", "education"], False, ["06", "01"], ["working-life"], False),
    (["municipality", "ngo"], False, ["02"], ["settling-in", "leisure"], True),
    (["education"], True, [], ["training-language"], False),
    (["religious", "ngo"], False, ["17", "19", "18"], [], True),
    ([], False, [], ["health-wellbeing"], False),
    (["company"], True, [], [], True),
]


def _data(spec, themes, regions) -> dict:
    types, anywhere, codes, slugs, open_ = spec
    return {
        "wanted_looking": True,
        "wanted_types": types,
        "wanted_anywhere": anywhere,
        "wanted_regions": [regions[code] for code in codes],
        "wanted_themes": [themes[slug] for slug in slugs if slug in themes],
        "wanted_open": open_,
    }


def seed_partner_searches(campaign) -> int:
    """Every initiative that says in words which partners it seeks looks for partners,
    and so does every fourth pledge, with what they seek from SEARCHES in turn; every
    seventh of the others is only open to cooperation; the first search is over
    (partners found). Made public at once. Idempotent: skipped once the campaign has
    searches. Returns how many entries got one."""
    entries = Entry.objects.filter(campaign=campaign)
    if PartnerSearch.objects.filter(entry__in=entries).exists():
        return 0
    themes = {theme.slug: theme for theme in Theme.objects.all()}
    regions = {region.code: region for region in Region.objects.all()}
    seeking = set(
        entries.filter(kind=EntryKind.INITIATIVE)
        .exclude(translations__partners_sought="")
        .values_list("pk", flat=True)
    )
    done: list[int] = []
    with transaction.atomic():
        for index, entry in enumerate(entries.order_by("pk")):
            if entry.pk in seeking or (entry.kind == EntryKind.PLEDGE and index % 8 == 0):
                data = _data(SEARCHES[len(done) % len(SEARCHES)], themes, regions)
            elif index % 7 == 3:
                data = {"wanted_looking": False, "wanted_open": True}
            else:
                continue
            save_partner_search(entry, data, new=True)
            done.append(entry.pk)
        if done:
            PartnerSearch.objects.filter(entry_id=done[0]).update(
                looking=False, found_at=timezone.now()
            )
            public_change(entries=done)
    return len(done)
