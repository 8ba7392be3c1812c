"""A badge to show (issue 25, point 5): for each published entry an SVG and a PNG badge
in Finnish, Swedish or English (the address's language) that an organisation can put
on its own website, linking to the entry's public page, and the share page's Open
Graph image in the same design (publishing/cooperation/badge_images.py draws them,
badge_views.py serves them).

What a badge says, the highest achievement first:

| the entry | the badge |
|---|---|
| has a prize | "Prize winner 2026" (the year the campaign opened) |
| is in the cooperation programme | "Selected into the cooperation programme" |
| a pledge | "We pledged · #kotolupaus" (the campaign's hashtag) |
| an initiative | "Our initiative · #kotolupaus" |

and under it the organisation's name and the campaign's short name (else its name).
Everything comes from the public read model (PublicEntry) and the campaign.

The management page offers the badge when the entry is public (management_sections):
a preview, the HTML to paste in each language with a copy button
(static/js/badge.js), and the SVG and PNG to download."""

import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from submissions.extensions import Section
from submissions.models import EntryKind

from ..models import PublicEntry

LANGUAGES = ("fi", "sv", "en")
# Longer names are cut (with "…") before drawing; the drawing cuts again to the width.
MAX_NAME_CHARS = 80
MAX_TITLE_CHARS = 150
# Direction overrides and isolates, which could make a name read as something else.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

# The badge's size in CSS pixels (the SVG's, and the snippet's width and height); the
# PNG is drawn at twice the size, for sharp screens.
WIDTH, HEIGHT = 460, 100
PNG_SCALE = 2
SHARE_WIDTH, SHARE_HEIGHT = 1200, 630


@dataclass(frozen=True)
class Badge:
    """What one entry's badge says, in one language."""

    pk: int
    reference: str
    language: str
    level: str  # "prize", "programme", "pledge" or "initiative": the colours
    achievement: str
    organisation: str
    campaign: str
    title: str  # the entry's title in the language (else in its own)

    @property
    def label(self) -> str:
        """The badge as one sentence: its <title>, the image's alt text."""
        return f"{self.achievement} – {self.organisation}"

    @property
    def description(self) -> str:
        """Its <desc>: the campaign and the entry it links to."""
        with translation.override(self.language):
            return _("%(campaign)s: %(title)s") % {"campaign": self.campaign, "title": self.title}

    @property
    def filename(self) -> str:
        return f"kotolupaus-{self.reference}-{self.language}"


def clean(text, limit) -> str:
    """One line of plain text that XML and a drawing can take: no control characters
    (XML 1.0 refuses most of them even escaped), no line breaks, whitespace collapsed,
    at most `limit` characters (cut with "…")."""
    kept = "".join(
        " " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c
        for c in str(text or "")
        if unicodedata.category(c) not in ("Cs", "Co", "Cn") and c not in BIDI_CONTROLS
    )
    line = " ".join(kept.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def campaign_year(campaign) -> int:
    """The campaign's year: the year it opened (Helsinki time), as in its name."""
    return timezone.localtime(campaign.opens_at).year


def achievement(entry: PublicEntry, language: str) -> tuple[str, str]:
    """(level, words) of what the entry achieved, the highest first. Needs only the
    entry's row and its campaign's (no translated field): no query of its own."""
    campaign = entry.campaign
    with translation.override(language):
        if entry.prizes:
            return "prize", _("Prize winner %(year)s") % {"year": campaign_year(campaign)}
        if entry.in_programme:
            return "programme", pgettext("badge", "Selected into the cooperation programme")
        if entry.kind == EntryKind.PLEDGE:
            return "pledge", _("We pledged · %(hashtag)s") % {"hashtag": campaign.hashtag}
        return "initiative", _("Our initiative · %(hashtag)s") % {"hashtag": campaign.hashtag}


def campaign_name(campaign, language) -> str:
    for field in ("short_name", "name"):
        name = campaign.safe_translation_getter(field, language_code=language, any_language=True)
        if name:
            return name
    return "Kotolupaus"


def title_of(entry: PublicEntry, language: str) -> str:
    return getattr(entry, f"title_{language}", "") or entry.title_fi


def badge_for(entry: PublicEntry, language: str, *, with_campaign=True) -> Badge:
    """The badge of a public entry (its campaign selected with it) in `language`.
    Without the campaign's name (with_campaign=False) it costs no query."""
    level, words = achievement(entry, language)
    return Badge(
        pk=entry.pk,
        reference=entry.reference,
        language=language,
        level=level,
        achievement=clean(words, MAX_NAME_CHARS),
        organisation=clean(entry.organisation_name, MAX_NAME_CHARS),
        campaign=clean(campaign_name(entry.campaign, language), MAX_NAME_CHARS)
        if with_campaign
        else "",
        title=clean(title_of(entry, language), MAX_TITLE_CHARS),
    )


def public_entry(pk) -> PublicEntry | None:
    """The public entry with its campaign (one query), or None when it is not public."""
    return PublicEntry.objects.select_related("campaign").filter(pk=pk).first()


def absolute(url_name, pk, language) -> str:
    """An address of the public site in `language`, with settings.SITE_URL."""
    with translation.override(language):
        return settings.SITE_URL + reverse(url_name, args=[pk])


def share_image(entry: PublicEntry) -> dict:
    """The share page's Open Graph image in the page's language: its absolute address,
    size and alt text (no query: the entry's campaign is selected with it)."""
    language = translation.get_language()
    badge = badge_for(entry, language, with_campaign=False)
    return {
        "url": absolute("publishing:share_image", entry.pk, language),
        "width": SHARE_WIDTH,
        "height": SHARE_HEIGHT,
        "alt": f"{badge.label}: {badge.title}",
    }


# --- The management page ---------------------------------------------------------------------


def snippet(badge: Badge) -> str:
    """The HTML an organisation pastes on its website: the badge linking to the entry."""
    return format_html(
        '<a href="{}"><img src="{}" alt="{}" width="{}" height="{}"></a>',
        absolute("publishing:entry_detail", badge.pk, badge.language),
        absolute("publishing:badge_svg", badge.pk, badge.language),
        badge.label,
        WIDTH,
        HEIGHT,
    )


def _variant(entry: PublicEntry, language) -> dict:
    badge = badge_for(entry, language)
    with translation.override(language):
        svg = reverse("publishing:badge_svg", args=[entry.pk])
        png = reverse("publishing:badge_png", args=[entry.pk])
    return {
        "language": language,
        "label": badge.label,
        "snippet": snippet(badge),
        "svg_url": svg,
        "png_url": png,
        "open": language == translation.get_language(),
    }


def management_sections(entry, token) -> list:
    """The badge on the management page, only while the entry is public: a preview, the
    HTML to paste in each language with a copy button, the files to download."""
    if entry.is_withdrawn or not entry.consent_publish:
        return []  # never public now: no query
    public = public_entry(entry.pk)
    if public is None:
        return []
    variants = [_variant(public, language) for language in LANGUAGES]
    return [
        Section(
            "publishing/cooperation/manage_badge.html",
            {
                "variants": variants,
                "width": WIDTH,
                "height": HEIGHT,
                "png_width": WIDTH * PNG_SCALE,
                "png_height": HEIGHT * PNG_SCALE,
            },
        )
    ]
