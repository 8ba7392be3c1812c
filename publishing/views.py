"""Public pages: the catalogue, entry pages, the cooperation programme (HTML and PDF),
open data and statistics (the form for joining an entry: cooperation/request_views.py)."""

import json
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db.models import Count, F, Func, IntegerField
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from kotolupaus.downloads import file_response, public
from kotolupaus.params import as_slug
from kotolupaus.views import gone
from submissions.models import (
    Campaign,
    Entry,
    EntryKind,
    EntryStatus,
    Municipality,
    OrganisationType,
    ProgressStatus,
    Region,
    TargetGroup,
    Theme,
)

from . import charts, progress, public_files, region_map, regions
from . import open_data as open_data_files
from .addresses import entry_urls
from .caching import public_cache, version
from .cooperation import wanted_public
from .cooperation.figures import cooperation_figures
from .forms import CatalogueFilter
from .models import PublicEntry, PublicFile
from .programme import programme_context
from .queries import cards, named, prizes_of, public_text, region_names, taxonomy
from .search import MAX_RESULTS, Listing, ListingPaginator

PAGE_SIZE = 20


@public_cache(query=[*CatalogueFilter.base_fields, "page"])
def catalogue(request):
    form = CatalogueFilter(request.GET or None)
    valid = form.is_valid()
    filters = form.cleaned_data if valid else {}
    query = (filters.get("q") or "").strip()
    listing = Listing(filters, query, cap=MAX_RESULTS)
    page = ListingPaginator(listing, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = cards(page.object_list)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "publishing/catalogue.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "similar": listing.similar if page.object_list else [],
            "params": params.urlencode(),
            "active_filters": [
                (label, value, _link(request, key, None))
                for key, label, value in (form.active_filters() if valid else [])
            ],
            "facets": _facets(request),
        },
    )


def _link(request, key, value):
    """The catalogue address with one filter set (or removed), everything else kept."""
    params = request.GET.copy()
    params.pop("page", None)
    if value is None or params.get(key) == str(value):
        params.pop(key, None)
    else:
        params[key] = value
    encoded = params.urlencode()
    return reverse("publishing:catalogue") + (f"?{encoded}" if encoded else "")


def _unnest(name):
    return Func(F(name), function="unnest", output_field=IntegerField())


def by_place(limit):
    """[(municipality id, number of public entries)], most first (the 'limit' first)."""
    rows = (
        PublicEntry.objects.annotate(place=_unnest("municipality_ids"))
        .values("place")
        .annotate(n=Count("pk"))
        .order_by("-n", "place")
        .values_list("place", "n")
    )
    return list(rows[:limit])


def _regions(request):
    """The 20 municipalities with most published entries (cached until a public change)."""

    def most_common():
        codes = taxonomy()["slugs"]["municipality"]
        return [codes[place] for place, _n in by_place(20) if place in codes]

    return cache.get_or_set(f"catalogue-regions:{version(request)}", most_common, timeout=600)


def _facets(request):
    """Every filter as plain links: works without JavaScript, bookmarkable, shareable.
    The options' names come from a cache (queries.taxonomy), not from the database."""
    names = taxonomy()
    options = [
        ("kind", _("Kind"), EntryKind.choices),
        ("theme", _("Theme"), names["themes"]),
        ("target_group", _("Who it helps"), names["target_groups"]),
        ("org_type", _("Type of organisation"), OrganisationType.choices),
        ("maakunta", pgettext("maakunta", "Region"), regions.facet_choices(request)),
        (
            "region",
            pgettext("filter", "Municipality"),
            [("all", _("All of Finland"))]
            + [(code, names["municipalities"].get(code, code)) for code in _regions(request)],
        ),
        ("programme", _("Cooperation programme"), [("on", _("In the cooperation programme"))]),
        ("progress", _("Progress"), ProgressStatus.choices),
        ("award", _("Prizes"), [("any", _("Any prize")), *names["prizes"]]),
        *wanted_public.facet_options(names),
    ]
    base = reverse("publishing:catalogue")
    params = [(k, v) for k, v in request.GET.lists() if k != "page"]
    active = mark_safe(' aria-current="true" class="is-active"')
    facets = []
    for key, heading, choices in options:
        current = request.GET.get(key)
        rest = urlencode([(k, v) for k, v in params if k != key], doseq=True)
        links = []
        for value, label in choices:
            value = str(value)
            if current == value:  # the link removes the filter
                links.append((base + (f"?{rest}" if rest else ""), active, label))
            else:
                query = urlencode({key: value})
                links.append((f"{base}?{rest}&{query}" if rest else f"{base}?{query}", "", label))
        facets.append(
            {
                "key": key,
                "heading": heading,
                # Some 60 links a page: format_html_join, not a template loop.
                "links": format_html_join("", '<li><a href="{}"{}>{}</a></li>', links),
            }
        )
    return facets


def _share_links(text, url, hashtag):
    tag = hashtag.lstrip("#")
    message = f"{text.title} {hashtag}"
    return [
        (
            "X",
            "https://twitter.com/intent/tweet?"
            + urlencode({"text": text.title, "url": url, "hashtags": tag}),
        ),
        ("Facebook", "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url})),
        ("LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url})),
        ("WhatsApp", "https://wa.me/?" + urlencode({"text": f"{message} {url}"})),
        (_("E-mail"), f"mailto:?subject={quote(message)}&body={quote(url)}"),
    ]


def _no_longer_public(request, pk):
    """An entry that was public once and is not any more: HTTP 410 saying so. One that
    was never published stays a plain 404 (its existence is nobody's business)."""
    entry = (
        Entry.objects.filter(pk=pk, publication__last_public_at__isnull=False)
        .values("kind", "status")
        .first()
    )
    if entry is None:
        raise Http404
    pledge = entry["kind"] == EntryKind.PLEDGE
    if entry["status"] == EntryStatus.WITHDRAWN:
        heading = _("This pledge was withdrawn") if pledge else _("This initiative was withdrawn")
        message = (
            _("The organisation that made it has withdrawn it, so it is no longer shown.")
            if pledge
            else _("The organisation that proposed it has withdrawn it, so it is no longer shown.")
        )
    else:
        heading = (
            _("This pledge is no longer published")
            if pledge
            else _("This initiative is no longer published")
        )
        message = _("It was public earlier, but it is not shown on the website any more.")
    return gone(
        request,
        heading=heading,
        message=message,
        links=[(reverse("publishing:catalogue"), _("All published pledges and initiatives"))],
    )


@public_cache(query=[])
def entry_detail(request, pk):
    entry = PublicEntry.objects.select_related("campaign").filter(pk=pk).first()
    if entry is None:
        return _no_longer_public(request, pk)
    text = public_text(entry)
    names = taxonomy()["by_id"]
    url = settings.SITE_URL + request.path
    takers = cards(entry.challenge_taker_ids)
    image = entry.image or entry.logo
    return render(
        request,
        "publishing/entry_detail.html",
        {
            "entry": entry,
            "text": text,
            "awards": prizes_of(entry, names["prize"]),
            "themes": named(entry.theme_ids, names["theme"]),
            "target_groups": named(entry.target_group_ids, names["target_group"]),
            "regions": region_names(
                entry.whole_country, entry.municipality_ids, names["municipality"]
            ),
            "region_names": regions.entry_regions(entry),
            "canonical": url,
            "alternates": list(entry_urls(entry.pk).items()),
            "share_links": _share_links(text, url, entry.campaign.hashtag),
            "image_url": (settings.SITE_URL + image.url) if image else "",
            "challenge_takers": takers,
            "challenge_progress": progress.challenge_progress(taker.progress for taker in takers),
            "progress": progress.timeline(entry),
            "seeks_partners": entry.seeks_partners,
            "sought": wanted_public.entry_sought(entry) if entry.seeks_partners else [],
        },
    )


# --- The cooperation programme -----------------------------------------------------------------


def _programme_campaign(request, *, names=True):
    slug = request.GET.get("campaign")
    if slug is not None and as_slug(slug) is None:
        raise Http404
    if slug:
        campaign = Campaign.objects.filter(slug=slug).first()
    else:
        campaign = Campaign.objects.current(names=names)
    if campaign is None:
        raise Http404
    return campaign


@public_cache(query=["campaign"])
def programme(request):
    return render(
        request, "publishing/programme.html", programme_context(_programme_campaign(request))
    )


def programme_pdf(request):
    """The programme as a tagged PDF, built in the background per campaign and language
    (publishing/public_files.py) and served as a file."""
    campaign = _programme_campaign(request, names=False)
    language = get_language()
    stored = public_files.programme_pdf(campaign, language)
    return _serve(
        request, stored, content_type="application/pdf", filename=f"{campaign.slug}-{language}.pdf"
    )


def _serve(request, stored, **headers):
    """A prebuilt file (a PublicFile) as a download that anyone may keep for a while.
    A build that replaced it since its row was read has deleted it: the new one is
    served then."""
    try:
        handle = default_storage.open(stored.name, "rb")
    except FileNotFoundError:
        stored = PublicFile.objects.get(pk=stored.pk)
        handle = default_storage.open(stored.name, "rb")
    response = file_response(
        request,
        lambda: handle,
        size=stored.size,
        etag=stored.etag,
        last_modified=stored.generated_at,
        **headers,
    )
    if not response.streaming:  # 304, 412, 416: nothing of the file is sent
        handle.close()
    return public(response)


# --- Open data ------------------------------------------------------------------------------------

OPEN_DATA_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "gz": "application/gzip",
}


def open_data(request, fmt, reports=False, stem=""):
    """An open-data file in the page's language (entries.json, entries.csv, reports.csv,
    cooperation.json and each as .gz), built in the background and served as a file
    with ranges."""
    name = f"{stem or ('reports' if reports else 'entries')}.{fmt}"
    stored = public_files.open_data_file(get_language(), name)
    if stored is None:
        raise Http404
    response = _serve(
        request,
        stored,
        content_type=OPEN_DATA_TYPES[name.rpartition(".")[2]],
        filename=f"kotolupaus-{name}",
        as_attachment=not name.endswith(".json"),
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


OPEN_DATA_URLS = {
    "reports": "publishing:open_data_reports",
    "cooperation": "publishing:open_data_cooperation",
}


def open_data_docs(request):
    files = public_files.open_data_files(get_language())
    downloads = []
    for label, name in (
        (_("All published entries as JSON"), "entries.json"),
        (_("All published entries as CSV (UTF-8)"), "entries.csv"),
        (_("All published progress reports as CSV (UTF-8)"), "reports.csv"),
        (_("Cooperation in figures as JSON"), "cooperation.json"),
    ):
        stem, fmt = name.split(".")
        url_name = OPEN_DATA_URLS.get(stem, "publishing:open_data")
        downloads.append(
            {
                "label": label,
                "url": reverse(url_name, args=[fmt]),
                "file": files.get(name),
                "gzip_url": reverse(url_name, args=[f"{fmt}.gz"]),
                "gzip": files.get(f"{name}.gz"),
            }
        )
    return render(
        request,
        "publishing/open_data.html",
        {
            "downloads": downloads,
            "rebuild_minutes": max(1, round(settings.PUBLIC_FILES_REBUILD_SECONDS / 60)),
            "licence": open_data_files.LICENCE,
            "licence_url": open_data_files.LICENCE_URL,
            "columns": open_data_files.CSV_COLUMNS,
            "report_columns": open_data_files.REPORT_CSV_COLUMNS,
            "progress_statuses": ProgressStatus.choices,
            "indicators": progress.current_indicators(),
            "themes": Theme.objects.prefetch_related("translations"),
            "target_groups": TargetGroup.objects.prefetch_related("translations"),
            "organisation_types": OrganisationType.choices,
            "regions": Region.objects.all(),
            "example": json.dumps({"reference": "KL-2015-0042", "kind": "pledge"}),
        },
    )


# --- Statistics -----------------------------------------------------------------------------------


@public_cache(query=["figure"])
def statistics(request):
    entries = PublicEntry.objects.all()
    # Counted with the latest reported status: the same query feeds both sections.
    by_kind_status = progress.status_counts("kind")
    by_theme_status = progress.status_counts(_unnest("theme_ids"))
    by_kind, by_theme = progress.totals(by_kind_status), progress.totals(by_theme_status)
    by_type = dict(entries.values_list("organisation_type").annotate(n=Count("pk")).order_by())
    whole = entries.filter(whole_country=True).count()
    counted = by_place(15)
    places = Municipality.objects.in_bulk([place for place, _n in counted])
    by_municipality = [(str(places[place]), n) for place, n in counted if place in places]
    themes = list(Theme.objects.prefetch_related("translations"))
    by_region = region_map.tile_map(region_map.chosen(request.GET.get("figure")))
    context = {
        "total": entries.count(),
        "charts": [
            charts.bars(
                _("Published entries by kind"),
                [(label, by_kind.get(value, 0)) for value, label in EntryKind.choices],
            ),
            charts.bars(
                _("Published entries by theme"), [(str(t), by_theme.get(t.pk, 0)) for t in themes]
            ),
            charts.bars(
                _("Published entries by type of organisation"),
                [(label, by_type.get(value, 0)) for value, label in OrganisationType.choices],
            ),
            charts.bars(
                _("Published entries by municipality (the 15 most common)"),
                [(_("All of Finland"), whole), *by_municipality],
            ),
        ],
        "region_map": by_region,
        "cooperation": cooperation_figures(),
        **_progress_statistics(themes, by_kind_status, by_theme_status, by_region["names"]),
    }
    return render(request, "publishing/statistics.html", context)


def _progress_statistics(themes, by_kind, by_theme, region_names):
    """What became of the published entries: the latest reported status by kind (charts)
    and by theme (a table), and the campaign's indicators summed."""
    statuses = progress.status_choices()
    sums = progress.indicator_sums()
    return {
        "reports_count": progress.reports_count(),
        "progress_charts": [
            charts.bars(
                title,
                [(label, by_kind.get((kind, status), 0)) for status, label in statuses],
            )
            for kind, title in (
                (EntryKind.PLEDGE, _("How published pledges stand")),
                (EntryKind.INITIATIVE, _("How published initiatives stand")),
            )
        ],
        "progress_statuses": statuses,
        "progress_by_theme": [
            (theme, [by_theme.get((theme.pk, status), 0) for status, _label in statuses])
            for theme in themes
        ],
        "indicator_chart": charts.bars(
            _("Figures reported in approved progress reports"),
            [(f"{row.name} ({row.unit})" if row.unit else row.name, row.total) for row in sums],
            value_label=_("Together"),
        )
        if sums
        else None,
        "indicator_sums": sums,
        "indicators_by_region": region_map.indicators_by_region(sums, region_names),
    }


def take_up_challenge(request, pk):
    if not PublicEntry.objects.filter(pk=pk, kind=EntryKind.PLEDGE).exists():
        return _no_longer_public(request, pk)
    return redirect(reverse("submissions:pledge_create") + f"?challenge={pk}")
