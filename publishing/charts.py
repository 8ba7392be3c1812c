"""Accessible server-rendered bar charts: an SVG with a text alternative, plus the same
numbers as a table in the page."""


def bars(title, rows, width=480, bar_height=22, label_width=0):
    """A horizontal bar chart of (label, value) rows."""
    highest = max((value for _label, value in rows), default=0) or 1
    drawn = []
    for index, (label, value) in enumerate(rows):
        length = round(value / highest * (width - 60))
        drawn.append(
            {
                "label": label,
                "value": value,
                "y": index * (bar_height + 8),
                "length": length,
                "text_x": length + 6,
            }
        )
    return {
        "title": title,
        "rows": drawn,
        "width": width,
        "height": max(len(rows), 1) * (bar_height + 8),
        "bar_height": bar_height,
        "total": sum(value for _label, value in rows),
    }
