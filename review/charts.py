"""Server-rendered SVG charts: no JavaScript, readable with the data table beside them."""

from datetime import timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from submissions.models import Entry


def submissions_per_day(campaign):
    """Bars for each day from opening to closing (or today), with the numbers as a table."""
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
    highest = max((n for _, n in days), default=0) or 1
    width, height, gap = 8, 120, 2
    bars = [
        {
            "x": i * (width + gap),
            "height": round(n / highest * height),
            "y": height - round(n / highest * height),
            "day": day,
            "count": n,
        }
        for i, (day, n) in enumerate(days)
    ]
    return {
        "bars": bars,
        "width": max(len(days), 1) * (width + gap),
        "height": height,
        "bar_width": width,
        "days": days,
        "total": sum(n for _, n in days),
        "highest": highest,
    }
