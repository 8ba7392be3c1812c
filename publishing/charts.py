"""Server-rendered bar charts that can be read on their own: every bar carries its
category above it and its value at its end, in the SVG itself (no JavaScript), and the
same figures stand beside it as a table for screen readers and for copying.

The SVG has no viewBox: it is as wide as its column and the bars are drawn in
percentages, so the text stays at its real size (14 px) on a phone and on a wide screen.
"""

LABEL_LINE = 20  # the category's line above its bar, px
BAR = 22
GAP = 14
LONGEST = 82  # the longest bar, in % of the width; the rest is room for its value


def bars(title, rows, *, value_label=None):
    """A horizontal bar chart of (label, value) rows; `value_label` heads the table's
    value column (default: "Entries")."""
    highest = max((value for _label, value in rows), default=0) or 1
    step = LABEL_LINE + BAR + GAP
    drawn = []
    for index, (label, value) in enumerate(rows):
        top = index * step
        length = round(value / highest * LONGEST, 2)
        drawn.append(
            {
                "label": label,
                "value": value,
                "label_y": top + 15,
                "y": top + LABEL_LINE,
                "length": length,
                "value_x": round(length + 1.5, 2),
                "value_y": top + LABEL_LINE + 16,
            }
        )
    return {
        "title": title,
        "value_label": value_label,
        "rows": drawn,
        "height": max(len(rows), 1) * step - GAP,
        "bar_height": BAR,
        "total": sum(value for _label, value in rows),
    }
