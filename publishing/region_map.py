"""The statistics page's tile map of Finland's 19 regions: one labelled square per region
in its place on the map (a tile grid, not borders), coloured by a chosen figure, drawn
by the server as SVG (no map tiles, no scripts), with a legend and the same figures in a
table beside it.

Every tile is a link to the catalogue filtered by its region, named by its region and
its figures, so the map is used with the keyboard and read by a screen reader tile by
tile; the table is there to read or copy the figures in one go. An entry for all of
Finland counts in every region (publishing.regions), so the regions add up to more
than the whole."""

from django.contrib.postgres.fields import ArrayField
from django.db.models import Case, CharField, Count, F, Func, Q, Sum, Value, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from submissions.models import REGION_CODES, ProgressStatus, Region, ReportFigure

from . import regions
from .models import PublicationStatus, PublicEntry

# (column, row) of each region's tile, north at the top: a 6 × 6 grid.
TILES = {
    "19": (3, 0),  # Lappi
    "17": (3, 1),  # Pohjois-Pohjanmaa
    "18": (4, 1),  # Kainuu
    "15": (1, 2),  # Pohjanmaa
    "16": (2, 2),  # Keski-Pohjanmaa
    "11": (4, 2),  # Pohjois-Savo
    "12": (5, 2),  # Pohjois-Karjala
    "14": (2, 3),  # Etelä-Pohjanmaa
    "13": (3, 3),  # Keski-Suomi
    "10": (4, 3),  # Etelä-Savo
    "04": (1, 4),  # Satakunta
    "06": (2, 4),  # Pirkanmaa
    "07": (3, 4),  # Päijät-Häme
    "08": (4, 4),  # Kymenlaakso
    "09": (5, 4),  # Etelä-Karjala
    "21": (0, 5),  # Ahvenanmaa
    "02": (1, 5),  # Varsinais-Suomi
    "05": (2, 5),  # Kanta-Häme
    "01": (3, 5),  # Uusimaa
}
COLUMNS, ROWS = 6, 6
TILE_WIDTH, TILE_HEIGHT, GAP = 118, 86, 6
SHADES = 5  # 0 and four steps up to the highest figure

# The figures a map can show: (key, its name, which public entries count).
FIGURES = [
    ("entries", _("Published entries"), Q()),
    ("programme", _("Selected into the cooperation programme"), Q(in_programme=True)),
    (
        "achieved",
        _("Achieved (latest progress report)"),
        Q(progress_status=ProgressStatus.ACHIEVED),
    ),
]


def chosen(value) -> str:
    """The figure asked for, else the first one."""
    keys = [key for key, _name, _which in FIGURES]
    return value if value in keys else keys[0]


def figures() -> dict:
    """{figure key: {region code: value}} for every figure and region, in one query."""
    found = {
        row["region"]: row
        for row in regions.grouped(
            PublicEntry.objects.all(),
            **{key: Count("pk", filter=which) for key, _name, which in FIGURES},
        )
    }
    return {
        key: {code: found.get(code, {}).get(key, 0) for code in REGION_CODES}
        for key, _name, _which in FIGURES
    }


def steps(highest: int) -> list[tuple[int, int]]:
    """The legend's ranges: 0 alone, then up to four equal steps up to `highest`."""
    if highest <= 0:
        return [(0, 0)]
    size = -(-highest // (SHADES - 1))  # rounded up
    ranges, low = [(0, 0)], 1
    while low <= highest:
        ranges.append((low, min(low + size - 1, highest)))
        low += size
    return ranges


def shade(value: int, ranges) -> int:
    """The shade of the range the value is in: 0 for none, the darkest for the highest
    range, those between spread evenly."""
    index = next(index for index, (low, high) in enumerate(ranges) if low <= value <= high)
    return _shade_of(index, len(ranges) - 1)


def _shade_of(index: int, steps_above_zero: int) -> int:
    if index == 0:
        return 0
    return -(-index * (SHADES - 1) // steps_above_zero)  # rounded up


def label_lines(name: str) -> list[str]:
    """A region's name on at most two lines: after its hyphen or at its first space
    ("Pohjois-" / "Pohjanmaa", "Southwest" / "Finland")."""
    if "-" in name and len(name) > 11:
        head, tail = name.split("-", 1)
        return [f"{head}-", tail]
    if " " in name:
        return name.split(" ", 1)
    return [name]


def _tile(code, name, value, ranges, base, described):
    column, row = TILES[code]
    x, y = column * (TILE_WIDTH + GAP), row * (TILE_HEIGHT + GAP)
    lines = label_lines(name)
    first = y + (22 if len(lines) == 2 else 30)
    return {
        "code": code,
        "name": name,
        "value": value,
        "x": x,
        "y": y,
        "shade": shade(value, ranges),
        "lines": [(first + index * 17, line) for index, line in enumerate(lines)],
        "value_y": y + TILE_HEIGHT - 14,
        "text_x": x + TILE_WIDTH // 2,
        "url": f"{base}?maakunta={code}",
        "label": described,
    }


def tile_map(figure: str) -> dict:
    """The map of `figure` (one of FIGURES' keys) and the table of every figure: what
    publishing/includes/region_map.html draws."""
    values = figures()
    # Not queries.taxonomy(): the statistics page needs no other names from it.
    names = {region.code: str(region) for region in Region.objects.all()}
    shown = values[figure]
    ranges = steps(max(shown.values(), default=0))
    base = reverse("publishing:catalogue")
    title = next(str(name) for key, name, _which in FIGURES if key == figure)
    tiles = [
        _tile(code, names[code], shown[code], ranges, base, _described(names[code], code, values))
        for code in REGION_CODES
    ]
    return {
        "figure": figure,
        "names": names,
        "title": title,
        "figures": [(key, str(name)) for key, name, _which in FIGURES],
        "tiles": tiles,
        "width": COLUMNS * (TILE_WIDTH + GAP) - GAP,
        "height": ROWS * (TILE_HEIGHT + GAP) - GAP,
        "tile_width": TILE_WIDTH,
        "tile_height": TILE_HEIGHT,
        "legend": [
            {"shade": _shade_of(index, len(ranges) - 1), "low": low, "high": high}
            for index, (low, high) in enumerate(ranges)
        ],
        "rows": [
            (names[code], [values[key][code] for key, _name, _which in FIGURES])
            for code in REGION_CODES
        ],
    }


def _described(name, code, values) -> str:
    """What a tile says to a screen reader: its region and all three figures."""
    entries, programme, achieved = (values[key][code] for key, _n, _w in FIGURES)
    return ", ".join(
        [
            name,
            ngettext("%(n)d published entry", "%(n)d published entries", entries) % {"n": entries},
            ngettext("%(n)d in the programme", "%(n)d in the programme", programme)
            % {"n": programme},
            ngettext("%(n)d achieved", "%(n)d achieved", achieved) % {"n": achieved},
        ]
    )


# --- The follow-up's indicator totals by region ---------------------------------------------

WHOLE_COUNTRY = "00"  # the row of the entries for all of Finland


def indicators_by_region(sums, names, campaign=None) -> dict | None:
    """The figures of approved progress reports of public entries summed by indicator
    and region, in one query: `sums` is progress.indicator_sums() (the indicators, in
    order). An entry's figures count in each region of its municipalities; those of an
    entry for all of Finland in a row of their own, never in every region (that would
    count them 19 times). `names`: {region code: name} (tile_map()'s). None when
    nothing was reported. `campaign`: only its entries' figures."""
    if not sums:
        return None
    entry = "report__entry__public__"
    place = Func(
        Case(
            When(
                **{f"{entry}whole_country": True},
                then=Value([WHOLE_COUNTRY], output_field=ArrayField(CharField())),
            ),
            default=F(f"{entry}region_codes"),
        ),
        function="unnest",
        output_field=CharField(),
    )
    figures = ReportFigure.objects.filter(
        report__publication__status=PublicationStatus.APPROVED, **{f"{entry}isnull": False}
    )
    if campaign is not None:
        figures = figures.filter(report__entry__campaign=campaign)
    found = {
        (row["indicator__slug"], row["place"]): row["total"]
        for row in figures.annotate(place=place)
        .order_by()
        .values("indicator__slug", "place")
        .annotate(total=Sum("value"))
    }
    names = {**names, WHOLE_COUNTRY: str(_("All of Finland"))}
    return {
        "indicators": [f"{s.name} ({s.unit})" if s.unit else s.name for s in sums],
        "rows": [
            (names[code], [found.get((s.slug, code), 0) for s in sums])
            for code in [*REGION_CODES, WHOLE_COUNTRY]
        ],
    }
