"""Server-rendered bar charts that can be read on their own: every bar carries its
category above it and its value at its end, in the SVG itself (no JavaScript), and the
same figures stand beside it as a table for screen readers and for copying.

The SVG has no viewBox: it is as wide as its column and the bars are drawn in
percentages, so the text stays at its real size (14 px) on a phone and on a wide screen.
A long category is wrapped onto several lines above its bar (at most LINE_CHARS
characters a line: about 230 px at 14 px, so it fits a 320 px screen and is never cut).
"""

import textwrap

LABEL_LINE = 20  # the category's line above its bar, px
BAR = 22
GAP = 14
LONGEST = 82  # the longest bar, in % of the width; the rest is room for its value
LINE_CHARS = 30


def label_lines(label):
    """The category's lines above its bar; a word longer than a line keeps its own line
    (the page breaks it rather than the chart cutting it)."""
    return textwrap.wrap(str(label), LINE_CHARS, break_long_words=False) or [""]


def bars(title, rows, *, value_label=None):
    """A horizontal bar chart of (label, value) rows; `value_label` heads the table's
    value column (default: "Entries")."""
    highest = max((value for _label, value in rows), default=0) or 1
    drawn = []
    top = 0
    for label, value in rows:
        lines = label_lines(label)
        label_height = LABEL_LINE * len(lines)
        length = round(value / highest * LONGEST, 2)
        drawn.append(
            {
                "label": label,
                "label_lines": [
                    {"text": line, "y": top + 15 + n * LABEL_LINE} for n, line in enumerate(lines)
                ],
                "value": value,
                "label_y": top + 15,
                "y": top + label_height,
                "length": length,
                "value_x": round(length + 1.5, 2),
                "value_y": top + label_height + 16,
            }
        )
        top += label_height + BAR + GAP
    return {
        "title": title,
        "value_label": value_label,
        "rows": drawn,
        "height": max(top - GAP, LABEL_LINE + BAR),
        "bar_height": BAR,
        "total": sum(value for _label, value in rows),
    }
