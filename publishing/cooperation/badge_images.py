"""The badge drawn (see publishing/cooperation/badges.py): as SVG from a template, and
as PNG with Pillow, both from one layout so that they look the same; and the share
page's Open Graph image (1200 × 630 PNG) in the same design.

The site's colours (static/css/kotolupaus.css), every text at least 4.5:1 against what
is behind it (tests/test_badges.py computes the ratios): the band on the left in the
achievement's colour with the site's mark (a house with a heart) in white, the words on
sand.

Fonts: the SVG names a font stack that every system has something of; its lines are
measured, and cut with "…" when too long, with DejaVu Sans, which is as wide as the
widest of the stack (Verdana), so that they fit whichever the reader's browser uses.
The PNG is drawn with the first font file found of FONT_FILES (DejaVu, Noto, Liberation
as Debian and Ubuntu install them); without any, with Pillow's own font, so that a
machine without fonts still answers with an image."""

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.template.loader import render_to_string
from PIL import Image, ImageDraw, ImageFont

from .badges import HEIGHT, PNG_SCALE, SHARE_HEIGHT, SHARE_WIDTH, WIDTH, Badge

INK = "#1d2327"
TEAL = "#0b5560"
TEAL_DARK = "#073d45"
SAND = "#f6efe4"
CLAY = "#a3401f"
WHITE = "#ffffff"
BANDS = {"prize": CLAY, "programme": TEAL_DARK, "pledge": TEAL, "initiative": TEAL}
# (text colour, background) of every text drawn: the tests check each pair's contrast.
TEXT_COLOURS = {"achievement": TEAL_DARK, "organisation": INK, "campaign": CLAY, "title": INK}
BACKGROUND = SAND

FONT_STACK = "'DejaVu Sans', Verdana, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
FONT_FILES = {
    False: (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    ),
    True: (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    ),
}

# The mark, in a 100 × 100 box: a house (white) with a heart (the band's colour).
HOUSE = [(50, 14), (84, 46), (76, 46), (76, 86), (24, 86), (24, 46), (16, 46)]
HEART_CIRCLES = [(42, 56, 8), (58, 56, 8)]  # centre x, y and radius
HEART_POINT = [(34.6, 59), (65.4, 59), (50, 76)]
HEART_PATH = "M50 76 L35 60 A8 8 0 0 1 50 50.5 A8 8 0 0 1 65 60 Z"


def font_file(bold: bool) -> str | None:
    return next((name for name in FONT_FILES[bold] if Path(name).is_file()), None)


@lru_cache(maxsize=32)
def font(size: float, bold: bool = False):
    """A font to measure and draw with, whatever the machine has."""
    name = font_file(bold)
    if name is not None:
        try:
            return ImageFont.truetype(name, size=round(size))
        except OSError:
            pass
    return ImageFont.load_default(size=round(size))


def width_of(text, size, bold=False) -> float:
    return font(size, bold).getlength(text)


def fit(text, size, width, bold=False) -> str:
    """`text`, cut with "…" until it is at most `width` wide at `size`."""
    if width_of(text, size, bold) <= width:
        return text
    words = text
    while words and width_of(words.rstrip() + "…", size, bold) > width:
        words = words[:-1]
    return words.rstrip() + "…"


def fit_size(text, size, width, bold=False, smallest=12) -> tuple[str, float]:
    """(`text`, the largest size down to `smallest` at which it fits `width`); cut with
    "…" at the smallest when it never does."""
    while size > smallest and width_of(text, size, bold) > width:
        size -= 0.5
    return fit(text, size, width, bold), size


def wrap(text, size, width, lines, bold=False) -> list[str]:
    """`text` in at most `lines` lines of at most `width`, the last cut with "…"."""
    result: list[str] = []
    words = text.split()
    while words and len(result) < lines:
        line = words.pop(0)
        while words and width_of(f"{line} {words[0]}", size, bold) <= width:
            line = f"{line} {words.pop(0)}"
        result.append(line)
    if words:
        result[-1] = fit(f"{result[-1]} {' '.join(words)}", size, width, bold)
        if not result[-1].endswith("…"):
            result[-1] += "…"
    return [fit(line, size, width, bold) for line in result]


@dataclass
class Line:
    text: str
    x: float
    y: float  # the baseline
    size: float
    bold: bool
    colour: str


@dataclass
class Layout:
    width: int
    height: int
    band: float  # the band's width
    mark: tuple[float, float, float]  # the mark's left, top and scale (of its 100 box)
    colour: str  # the band's
    lines: list[Line]


def badge_layout(badge: Badge) -> Layout:
    """The badge, 460 × 100: the band and mark, three lines of words (the achievement
    and the name smaller when long, down to 12 px, then cut to the width)."""
    x, room = 102, WIDTH - 102 - 14
    words, size = fit_size(badge.achievement, 16, room, bold=True)
    name, name_size = fit_size(badge.organisation, 14, room)
    rows = [
        ("achievement", words, 36, size, True),
        ("organisation", name, 60, name_size, False),
        ("campaign", badge.campaign, 82, 12, False),
    ]
    return Layout(
        WIDTH,
        HEIGHT,
        band=88,
        mark=(4, 10, 0.8),
        colour=BANDS[badge.level],
        lines=[
            Line(fit(text, size, room, bold), x, y, size, bold, TEXT_COLOURS[role])
            for role, text, y, size, bold in rows
            if text
        ],
    )


def share_layout(badge: Badge) -> Layout:
    """The Open Graph image, 1200 × 630: the badge's words and the entry's title."""
    x, room = 348, SHARE_WIDTH - 348 - 60
    words, size = fit_size(badge.achievement, 44, room, bold=True, smallest=32)
    lines = [
        Line(words, x, 130, size, True, TEXT_COLOURS["achievement"]),
        Line(fit(badge.organisation, 36, room), x, 190, 36, False, TEXT_COLOURS["organisation"]),
    ]
    for number, text in enumerate(wrap(badge.title, 54, room, 3, bold=True)):
        lines.append(Line(text, x, 300 + 70 * number, 54, True, TEXT_COLOURS["title"]))
    if badge.campaign:
        lines.append(Line(fit(badge.campaign, 32, room), x, 560, 32, False, CLAY))
    return Layout(
        SHARE_WIDTH,
        SHARE_HEIGHT,
        band=300,
        mark=(30, 195, 2.4),
        colour=BANDS[badge.level],
        lines=lines,
    )


# --- SVG ----------------------------------------------------------------------------------------


def svg(badge: Badge) -> str:
    """The badge as an SVG document: role="img", labelled by its <title> and <desc>, in
    the badge's language; no script, no style element, no outside resource."""
    layout = badge_layout(badge)
    left, top, scale = layout.mark
    return render_to_string(
        "publishing/cooperation/badge.svg",
        {
            "badge": badge,
            "layout": layout,
            "font_stack": FONT_STACK,
            "sand": SAND,
            "mark_transform": f"translate({left} {top}) scale({scale})",
            "house": " ".join(f"{x},{y}" for x, y in HOUSE),
            "heart": HEART_PATH,
            "white": WHITE,
        },
    )


# --- PNG ----------------------------------------------------------------------------------------


def _draw(layout: Layout, scale: float) -> bytes:
    width, height = round(layout.width * scale), round(layout.height * scale)
    badge = layout.width == WIDTH  # rounded, with a border; the share image is plain
    radius, border = (round(10 * scale), round(2 * scale)) if badge else (0, 0)
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    band = round(layout.band * scale)
    draw.rounded_rectangle((0, 0, width - 1, height - 1), radius, fill=SAND)
    draw.rounded_rectangle((0, 0, band + 2 * radius, height - 1), radius, fill=layout.colour)
    draw.rectangle((band, border, band + 2 * radius, height - 1 - border), fill=SAND)
    if border:
        draw.rounded_rectangle(
            (0, 0, width - 1, height - 1), radius, outline=layout.colour, width=border
        )
    left, top, size = layout.mark

    def at(x, y):
        return ((left + x * size) * scale, (top + y * size) * scale)

    draw.polygon([at(x, y) for x, y in HOUSE], fill=WHITE)
    for cx, cy, r in HEART_CIRCLES:
        (x0, y0), (x1, y1) = at(cx - r, cy - r), at(cx + r, cy + r)
        draw.ellipse((x0, y0, x1, y1), fill=layout.colour)
    draw.polygon([at(x, y) for x, y in HEART_POINT], fill=layout.colour)
    for line in layout.lines:
        face = font(line.size * scale, line.bold)
        position = (line.x * scale, line.y * scale)
        if isinstance(face, ImageFont.FreeTypeFont):
            draw.text(position, line.text, font=face, fill=line.colour, anchor="ls")
        else:  # Pillow's bitmap font (no FreeType): placed by its top
            draw.text(
                (position[0], position[1] - line.size * scale),
                line.text,
                font=face,
                fill=line.colour,
            )
    out = io.BytesIO()
    (image if badge else image.convert("RGB")).save(out, format="PNG", optimize=True)
    return out.getvalue()


def png(badge: Badge) -> bytes:
    """The badge as a PNG, twice the SVG's size."""
    return _draw(badge_layout(badge), PNG_SCALE)


def share_png(badge: Badge) -> bytes:
    """The share page's Open Graph image."""
    return _draw(share_layout(badge), 1)
