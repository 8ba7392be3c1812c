"""Versions of an entry (EntryVersion): what a reviewer or the public sees of it, kept
each time that changes once the entry has reached staff.

`content_of(ids)` is the one definition of a version's content: the entry's texts in
every language it has, its organisation as described, its partners' names and roles,
themes, target groups, places and image — contact data never (no contact person, no
invitation address; tests/test_read_model.py checks). `record()` stores a new version
when the content differs from the entry's latest one.
"""

from django.contrib.postgres.aggregates import JSONBAgg
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import JSONObject
from django.utils import timezone

from .models import ENTRY_TEXT_FIELDS, Entry, EntryVersion, Partnership

# The keys of a version's content, in the order a diff lists them.
CONTENT_KEYS = (
    "original_language",
    "texts",
    "organisation",
    "partners",
    "themes",
    "target_groups",
    "municipalities",
    "whole_country",
    "pledge_deadline",
    "image",
)


def _related(model, column, order, **values):
    """A JSON array per entry of the rows of `model` (an `entry` column), in `order`."""
    rows = model.objects.filter(**{column: OuterRef("pk")}).order_by().values(column)
    return Subquery(
        rows.annotate(rows=JSONBAgg(JSONObject(**values), order_by=order)).values("rows")
    )


def _ids(through, column, *order):
    return ArraySubquery(
        through.objects.filter(entry_id=OuterRef("pk")).order_by(*order).values(column)
    )


def content_of(entry_ids) -> dict:
    """{entry id: the content of a version of it as it is now}, in one query."""
    translations = Entry._parler_meta.root_model
    rows = (
        Entry.objects.filter(pk__in=list(entry_ids))
        .order_by()
        .annotate(
            version_texts=_related(
                translations,
                "master_id",
                "language_code",
                language=F("language_code"),
                **{name: F(name) for name in ENTRY_TEXT_FIELDS},
            ),
            version_partners=_related(
                Partnership, "entry_id", "pk", name=F("organisation__name"), role=F("role")
            ),
            version_themes=_ids(Entry.themes.through, "theme_id", "theme__position", "theme__slug"),
            version_groups=_ids(
                Entry.target_groups.through,
                "targetgroup_id",
                "targetgroup__position",
                "targetgroup__slug",
            ),
            version_places=_ids(Entry.municipalities.through, "municipality_id", "municipality_id"),
            organisation_place=F("lead_organisation__municipality__code"),
        )
        .values_list(
            "pk",
            "original_language",
            "version_texts",
            "lead_organisation__name",
            "lead_organisation__business_id",
            "lead_organisation__type",
            "organisation_place",
            "lead_organisation__website",
            "lead_organisation__logo",
            "version_partners",
            "version_themes",
            "version_groups",
            "version_places",
            "whole_country",
            "pledge_deadline",
            "image",
        )
    )
    contents = {}
    for (
        pk,
        language,
        texts,
        name,
        business_id,
        organisation_type,
        place,
        website,
        logo,
        partners,
        themes,
        groups,
        places,
        whole_country,
        deadline,
        image,
    ) in rows:
        contents[pk] = {
            "original_language": language,
            "texts": {
                text.pop("language"): {name: text[name] or "" for name in ENTRY_TEXT_FIELDS}
                for text in texts or ()
            },
            "organisation": {
                "name": name,
                "business_id": business_id,
                "type": organisation_type,
                "municipality": place,
                "website": website,
                "logo": logo or "",
            },
            "partners": partners or [],
            "themes": themes,
            "target_groups": groups,
            "municipalities": places,
            "whole_country": whole_country,
            "pledge_deadline": deadline.isoformat() if deadline else None,
            "image": image or "",
        }
    return contents


def changed_fields(before: dict | None, after: dict) -> list[str]:
    """What differs between two contents: its keys, and "texts.<language>.<field>" for
    the texts (a language added or removed: each of its fields)."""
    before = before or {}
    changed = []
    for key in CONTENT_KEYS:
        if key == "texts":
            old, new = before.get("texts") or {}, after.get("texts") or {}
            for language in sorted(set(old) | set(new)):
                for name in ENTRY_TEXT_FIELDS:
                    if (old.get(language) or {}).get(name, "") != (new.get(language) or {}).get(
                        name, ""
                    ):
                        changed.append(f"texts.{language}.{name}")
        elif before.get(key) != after.get(key):
            changed.append(key)
    return changed


def latest(entry_id) -> EntryVersion | None:
    return EntryVersion.objects.filter(entry_id=entry_id).order_by("-number").first()


def record(entry, source, *, by=None, content=None) -> EntryVersion:
    """The entry's latest version, made now from its current content (or `content`)
    when that differs from the latest one's (or there is none). Call it inside the
    transaction of the change, with the entry's row locked."""
    content = content if content is not None else content_of([entry.pk])[entry.pk]
    previous = latest(entry.pk)
    if previous is not None and previous.content == content:
        return previous
    return EntryVersion.objects.create(
        entry_id=entry.pk,
        number=previous.number + 1 if previous else 1,
        source=source,
        made_by=by,
        made_at=timezone.now(),
        changed=changed_fields(previous.content if previous else None, content),
        content=content,
    )
