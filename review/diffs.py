"""What changed in an entry between two of its versions (submissions.EntryVersion), word
by word, per field — for a reviewer whose review scored the earlier one.

A diff is a list of parts (operation, text): "same", "del" (only in the earlier
version) or "ins" (only in the later one). `as_text()` writes it in the wdiff style,
[-deleted-] and {+inserted+}, which the scoring page shows as well as the strike-through
and underline: readable without colour, and in a plain-text test.
"""

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.conf import settings
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from submissions.models import (
    ENTRY_TEXT_FIELDS,
    Entry,
    Municipality,
    OrganisationType,
    TargetGroup,
    Theme,
)

# Words (letters and digits of any script), runs of white space, and single other marks.
TOKENS = re.compile(r"\w+|\s+|[^\w\s]")


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """The parts that turn `before` into `after`, word by word. White space between two
    changed words belongs to the change, so "a b" → "c d" is one deletion and one
    insertion, not two of each."""
    old, new = TOKENS.findall(before or ""), TOKENS.findall(after or "")
    chunks: list[list[str]] = []  # [op, old text, new text]
    for tag, i1, i2, j1, j2 in SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        chunks.append(
            ["same" if tag == "equal" else "change", "".join(old[i1:i2]), "".join(new[j1:j2])]
        )
    for index in range(1, len(chunks) - 1):
        chunk = chunks[index]
        if (
            chunk[0] == "same"
            and not chunk[1].strip()
            and chunks[index - 1][0] == "change"
            and chunks[index + 1][0] == "change"
        ):
            chunk[0] = "change"
    merged: list[list[str]] = []
    for chunk in chunks:
        if merged and chunk[0] == "change" and merged[-1][0] == "change":
            merged[-1][1] += chunk[1]
            merged[-1][2] += chunk[2]
        else:
            merged.append(chunk)
    parts: list[tuple[str, str]] = []
    for op, old_text, new_text in merged:
        if op == "same":
            parts.append(("same", old_text))
            continue
        if old_text:
            parts.append(("del", old_text))
        if new_text:
            parts.append(("ins", new_text))
    return parts


def as_text(parts) -> str:
    """The diff in the wdiff style: "kesä[-töitä-]{+työpaikkoja+} nuorille"."""
    marks = {"same": "{}", "del": "[-{}-]", "ins": "{{+{}+}}"}
    return "".join(marks[op].format(text) for op, text in parts)


@dataclass
class FieldDiff:
    label: str
    parts: list
    language: str | None = None  # the language the text is written in (lang attribute)

    @property
    def text(self):
        return as_text(self.parts)


def _text_label(name):
    translations = Entry._parler_meta.root_model
    return str(translations._meta.get_field(name).verbose_name)


def _names(model, ids):
    if not ids:
        return ""
    found = {
        item.pk: str(item)
        for item in (
            model.objects.filter(pk__in=ids).prefetch_related("translations")
            if hasattr(model, "translations")
            else model.objects.filter(pk__in=ids)
        )
    }
    return ", ".join(found.get(pk, "?") for pk in ids)


def _date(value):
    day = parse_date(value) if value else None
    return date_format(day, "DATE_FORMAT") if day else ""


def _organisation(content, *, names=True):
    organisation = content.get("organisation") or {}
    lines = []
    if names:
        lines.append(organisation.get("name") or "")
    if organisation.get("business_id"):
        lines.append(organisation["business_id"])
    if organisation.get("type"):
        lines.append(str(OrganisationType(organisation["type"]).label))
    if organisation.get("municipality"):
        place = Municipality.objects.filter(code=organisation["municipality"]).first()
        lines.append(str(place) if place else organisation["municipality"])
    if organisation.get("website"):
        lines.append(organisation["website"])
    if names and organisation.get("logo"):
        lines.append(_("logo: %(file)s") % {"file": organisation["logo"].rsplit("/", 1)[-1]})
    return "\n".join(lines)


def _partners(content):
    return "\n".join(
        f"{p['name']} ({p['role']})" if p.get("role") else p["name"]
        for p in content.get("partners") or ()
    )


def _places(content):
    names = [_("All of Finland")] if content.get("whole_country") else []
    places = _names(Municipality, content.get("municipalities") or [])
    return ", ".join([*names, *([places] if places else [])])


def _image(content):
    image = content.get("image") or ""
    return image.rsplit("/", 1)[-1]


def version_diff(before: dict, after: dict, *, names=True) -> list[FieldDiff]:
    """The fields that differ between two versions' contents, each as a word diff: the
    texts in each language (the entry's own language first), then the organisation,
    partners, themes, target groups, places, the pledge's deadline and the image.
    Without `names` (reviewing without names) the organisations' and partners' names
    and the logo are left out."""
    diffs = []
    languages = dict(settings.LANGUAGES)
    own = after.get("original_language") or before.get("original_language")
    old_texts, new_texts = before.get("texts") or {}, after.get("texts") or {}
    for language in sorted(set(old_texts) | set(new_texts), key=lambda code: (code != own, code)):
        for name in ENTRY_TEXT_FIELDS:
            old = (old_texts.get(language) or {}).get(name, "")
            new = (new_texts.get(language) or {}).get(name, "")
            if old != new:
                diffs.append(
                    FieldDiff(
                        _("%(field)s (%(language)s)")
                        % {
                            "field": _text_label(name),
                            "language": _(languages.get(language, language)),
                        },
                        word_diff(old, new),
                        language,
                    )
                )
    # (label, the content's keys it shows, how it reads): read (names looked up) only
    # when those keys differ.
    others = [
        (_("Organisation"), ("organisation",), lambda c: _organisation(c, names=names)),
        *([(_("Partner organisations"), ("partners",), _partners)] if names else []),
        (_("Themes"), ("themes",), lambda c: _names(Theme, c.get("themes") or [])),
        (
            _("Who does it help?"),
            ("target_groups",),
            lambda c: _names(TargetGroup, c.get("target_groups") or []),
        ),
        (_("Where?"), ("whole_country", "municipalities"), _places),
        (_("To be fulfilled by"), ("pledge_deadline",), lambda c: _date(c.get("pledge_deadline"))),
        (_("Image"), ("image",), _image),
    ]
    for label, keys, show in others:
        if all(before.get(key) == after.get(key) for key in keys):
            continue
        old, new = show(before), show(after)
        if old != new:
            diffs.append(FieldDiff(label, word_diff(old, new)))
    return diffs
