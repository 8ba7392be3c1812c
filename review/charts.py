"""Server-rendered SVG charts: no JavaScript, readable with the data table beside them."""

from datetime import timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from submissions.models import Entry

# The plot area, in % of the chart's width (the y axis labels sit left of it) and in px
# from the top (the dates sit under it). Percentages keep the text at its real size on
# any screen; the chart has no viewBox to scale it.
LEFT, RIGHT = 9.0, 98.0
TOP, PLOT_HEIGHT = 30, 200
HEIGHT = TOP + PLOT_HEIGHT + 44


def _ticks(highest):
    """Round steps (1, 2 or 5 × 10ⁿ) from 0 up to at least `highest`, at most six ticks."""
    magnitude = 1
    while True:
        for step in (magnitude, 2 * magnitude, 5 * magnitude):
            if highest <= 5 * step:
                top = -(-highest // step) * step
                return list(range(0, top + 1, step)), top
        magnitude *= 10


def submissions_per_day(campaign):
    """Bars for each day from opening to closing (or today), with axes and dates, and
    the numbers as a table."""
    counts = dict(
        Entry.objects.filter(campaign=campaign)
        .annotate(day=TruncDate("submitted_at"))
        .values_list("day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    first = timezone.localtime(campaign.opens_at).date()
    last = min(campaign.last_day, timezone.localdate())
    days = []
    day = first
    while day <= last and len(days) < 400:
        days.append((day, counts.get(day, 0)))
        day += timedelta(days=1)
    highest = max((n for _, n in days), default=0)
    ticks, top = _ticks(max(highest, 1))
    slot = (RIGHT - LEFT) / max(len(days), 1)
    bar_width = slot * 0.7
    bars = []
    for index, (day, n) in enumerate(days):
        height = round(n / top * PLOT_HEIGHT, 1)
        bars.append(
            {
                "x": round(LEFT + index * slot + (slot - bar_width) / 2, 3),
                "y": round(TOP + PLOT_HEIGHT - height, 1),
                "height": height,
                "day": day,
                "count": n,
            }
        )
    # A date under every k-th bar: at most eight of them, the first and last included.
    every = max(1, -(-len(days) // 8))
    labelled = [
        {"x": round(LEFT + index * slot + slot / 2, 3), "day": day}
        for index, (day, _n) in enumerate(days)
        if index % every == 0
    ]
    # Thinned on narrow screens (CSS hides by rank): on a phone only the first and the
    # last date (rank 0); on a tablet every other one too (rank 1). There the first is
    # anchored at its start and the last at its end (CSS), so neither is cut at the edges.
    for position, label in enumerate(labelled):
        last = len(labelled) - 1
        if position in (0, last):
            label["rank"] = 0
        elif position % 2 == 0 and position != last - 1:
            label["rank"] = 1
        else:
            label["rank"] = 2
        label["edge"] = "first" if position == 0 else "last" if position == last else ""
    return {
        "bars": bars,
        "bar_width": round(bar_width, 3),
        "y_ticks": [
            {"value": value, "y": round(TOP + PLOT_HEIGHT - value / top * PLOT_HEIGHT, 1)}
            for value in ticks
        ],
        "x_labels": labelled,
        "left": LEFT,
        "right": RIGHT,
        "top": TOP,
        "bottom": TOP + PLOT_HEIGHT,
        "label_y": TOP + PLOT_HEIGHT + 20,
        "axis_title_y": TOP + PLOT_HEIGHT + 40,
        "height": HEIGHT,
        "days": days,
        "total": sum(n for _, n in days),
        "highest": highest,
    }
