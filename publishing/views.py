"""Public pages: the catalogue, entry pages, the cooperation programme (HTML and PDF),
open data, statistics and the form for joining an initiative."""

import csv
import hashlib
import itertools
import json
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.functional import cached_property
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from django.views.decorators.http import condition, require_http_methods
from django_ratelimit.decorators import ratelimit

from kotolupaus.access import post_rate
from kotolupaus.params import as_slug
from kotolupaus.spreadsheets import inert_row
from kotolupaus.views import gone
from review.models import AwardCategory, Outcome
from submissions.models import (
    ENTRY_TEXT_FIELDS,
    Campaign,
    Entry,
    EntryKind,
    Municipality,
    OrganisationType,
    TargetGroup,
    Theme,
)

from . import charts, services
from .forms import CatalogueFilter, JoinForm
from .pdf import render_programme_pdf
from .queries import in_programme, last_change, public_entries, public_text, published
from .search import search

PAGE_SIZE = 20


def _changed(request):
    """The last public change, looked up once per request."""
    if not hasattr(request, "_public_change"):
        request._public_change = last_change()
    return request._public_change


def _etag(request, *args, **kwargs):
    changed = _changed(request)
    return f"{get_language()}-{changed.timestamp() if changed else 0}"


def _last_modified(request, *args, **kwargs):
    return _changed(request)


def _version(request):
    changed = _changed(request)
    return changed.timestamp() if changed else 0


MAX_RESULTS = 1000


class CountCachedPaginator(Paginator):
    """Counting every match of a large catalogue is the slowest part of a page: the count
    stops at MAX_RESULTS (later pages are not offered; narrow the search instead) and is
    kept in the cache until anything public changes."""

    def __init__(self, object_list, per_page, *, cache_key):
        super().__init__(object_list, per_page)
        self.cache_key = cache_key

    @cached_property
    def count(self):
        return cache.get_or_set(
            self.cache_key, lambda: self.object_list[: MAX_RESULTS + 1].count(), timeout=600
        )

    @property
    def capped(self):
        return self.count > MAX_RESULTS

    @property
    def max_results(self):
        return MAX_RESULTS

    @cached_property
    def num_pages(self):
        return -(-min(self.count, MAX_RESULTS) // self.per_page) or 1


def public_cache(view):
    """ETag and Last-Modified from the last public change, so browsers and a CDN can
    revalidate cheaply; staff (logged in) get private, uncached pages."""
    conditional = condition(etag_func=_etag, last_modified_func=_last_modified)(view)

    def wrapped(request, *args, **kwargs):
        if request.user.is_authenticated:
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_cache=True)
            return response
        response = conditional(request, *args, **kwargs)
        patch_cache_control(response, public=True, max_age=60, s_maxage=300)
        patch_vary_headers(response, ["Cookie"])
        return response

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def decorate(entries, language=None):
    """Attach what a card shows: the text in the visitor's language, badges."""
    for entry in entries:
        entry.text = public_text(entry, language)
        entry.in_programme = in_programme(entry)
    return entries


@public_cache
def catalogue(request):
    form = CatalogueFilter(request.GET or None)
    entries = public_entries()
    query = ""
    if form.is_valid():
        entries = form.apply(entries)
        query = form.cleaned_data.get("q") or ""
        if query:
            entries = search(entries, query)
    if not query:
        entries = entries.order_by("-publication__first_published_at", "-pk")
    params_key = request.GET.copy()
    params_key.pop("page", None)
    key = f"catalogue-count:{_version(request)}:{hashlib.sha256(params_key.urlencode().encode()).hexdigest()}"
    page = CountCachedPaginator(entries, PAGE_SIZE, cache_key=key).get_page(request.GET.get("page"))
    decorate(page.object_list)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "publishing/catalogue.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "params": params.urlencode(),
            "active_filters": [
                (label, value, _link(request, key, None))
                for key, label, value in (form.active_filters() if form.is_valid() else [])
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


def _regions(request):
    """The 20 municipalities with most published entries (cached until a public change)."""

    def most_common():
        return list(
            Municipality.objects.filter(entries__in=published())
            .annotate(n=Count("entries"))
            .order_by("-n", "name_fi")[:20]
        )

    return cache.get_or_set(f"catalogue-regions:{_version(request)}", most_common, timeout=600)


def _facets(request):
    """Every filter as plain links: works without JavaScript, bookmarkable, shareable."""
    regions = _regions(request)
    options = [
        ("kind", _("Kind"), EntryKind.choices),
        (
            "theme",
            _("Theme"),
            [(t.slug, str(t)) for t in Theme.objects.prefetch_related("translations")],
        ),
        (
            "target_group",
            _("Who it helps"),
            [(g.slug, str(g)) for g in TargetGroup.objects.prefetch_related("translations")],
        ),
        ("org_type", _("Type of organisation"), OrganisationType.choices),
        (
            "region",
            _("Region"),
            [("all", _("All of Finland"))] + [(m.code, str(m)) for m in regions],
        ),
        ("programme", _("Cooperation programme"), [("on", _("In the cooperation programme"))]),
        (
            "award",
            _("Prizes"),
            [("any", _("Any prize"))] + [(str(c.pk), str(c)) for c in prize_categories()],
        ),
    ]
    return [
        {
            "key": key,
            "heading": heading,
            "options": [
                {
                    "label": label,
                    "url": _link(request, key, value),
                    "active": request.GET.get(key) == str(value),
                }
                for value, label in choices
            ],
        }
        for key, heading, choices in options
    ]


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
        .only("pk", "kind", "status")
        .first()
    )
    if entry is None:
        raise Http404
    pledge = entry.kind == EntryKind.PLEDGE
    if entry.is_withdrawn:
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


_PK = 987654321  # a stand-in id: the addresses are reversed once, not once per entry


def _entry_url_patterns():
    patterns = {}
    for code, _name in settings.LANGUAGES:
        with override(code):
            patterns[code] = settings.SITE_URL + reverse("publishing:entry_detail", args=[_PK])
    return patterns


def entry_urls(entry_pk, patterns=None):
    """The entry's public page in every language, as absolute addresses."""
    patterns = patterns or _entry_url_patterns()
    return {code: url.replace(str(_PK), str(int(entry_pk))) for code, url in patterns.items()}


@public_cache
def entry_detail(request, pk):
    entry = public_entries().filter(pk=pk).first()
    if entry is None:
        return _no_longer_public(request, pk)
    decorate([entry])
    url = settings.SITE_URL + request.path
    alternates = list(entry_urls(entry.pk).items())
    takers = decorate(list(public_entries().filter(challenge_of=entry)))
    image = entry.image or entry.lead_organisation.logo
    return render(
        request,
        "publishing/entry_detail.html",
        {
            "entry": entry,
            "text": entry.text,
            "canonical": url,
            "alternates": alternates,
            "share_links": _share_links(entry.text, url, entry.campaign.hashtag),
            "image_url": (settings.SITE_URL + image.url) if image else "",
            "challenge_takers": takers,
            "challenge_count": entry.challenge_takers.count(),
            "seeks_partners": entry.kind == EntryKind.INITIATIVE
            and bool(entry.text.partners_sought),
        },
    )


@ratelimit(key="ip", rate=post_rate, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def join(request, pk):
    entry = public_entries().filter(pk=pk, kind=EntryKind.INITIATIVE).first()
    if entry is None:
        return _no_longer_public(request, pk)
    text = public_text(entry)
    if not text.partners_sought:
        raise Http404
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.relay_join_request(
            entry, **{k: form.cleaned_data[k] for k in ("organisation", "name", "email", "message")}
        )
        return render(request, "publishing/join_sent.html", {"entry": entry, "text": text})
    return render(request, "publishing/join.html", {"entry": entry, "text": text, "form": form})


# --- The cooperation programme -----------------------------------------------------------------


def _programme(campaign):
    entries = decorate(
        list(
            public_entries()
            .filter(
                campaign=campaign,
                decision__outcome=Outcome.INCLUDED,
                decision__published_at__isnull=False,
            )
            .order_by("number")
        )
    )
    groups = {}
    for entry in entries:
        themes = list(entry.themes.all())
        theme = themes[0] if themes else None
        groups.setdefault(theme, []).append(entry)
    ordered = sorted(
        groups.items(), key=lambda item: (item[0] is None, item[0].position if item[0] else 0)
    )
    programme = getattr(campaign, "programme", None)
    return {"campaign": campaign, "programme": programme, "groups": ordered, "count": len(entries)}


def _programme_campaign(request):
    slug = request.GET.get("campaign")
    if slug is not None and as_slug(slug) is None:
        raise Http404
    campaign = Campaign.objects.filter(slug=slug).first() if slug else Campaign.objects.current()
    if campaign is None:
        raise Http404
    return campaign


@public_cache
def programme(request):
    return render(request, "publishing/programme.html", _programme(_programme_campaign(request)))


PDF_CACHE_SECONDS = 24 * 60 * 60


@public_cache
def programme_pdf(request):
    """The programme as a tagged PDF, rendered once per campaign, language and public
    change (the key moves with every change) and then served from the shared cache."""
    campaign = _programme_campaign(request)
    language = get_language()
    key = f"programme-pdf:{campaign.pk}:{language}:{_version(request)}"
    pdf = cache.get(key)
    if pdf is None:
        pdf = render_programme_pdf(_programme(campaign), language)
        cache.set(key, pdf, PDF_CACHE_SECONDS)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{campaign.slug}-{language}.pdf"'
    return response


# --- Open data ------------------------------------------------------------------------------------


LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"


def _open_record(entry, patterns):
    translations = {
        t.language_code: {name: getattr(t, name) or "" for name in ENTRY_TEXT_FIELDS}
        for t in entry.translations.all()
    }
    urls = entry_urls(entry.pk, patterns)
    return {
        "reference": entry.reference,
        # The page in the file's language (/sv/open-data/… links /sv/ pages), and all three.
        "url": urls[get_language()],
        "urls": urls,
        "campaign": entry.campaign.slug,
        "kind": entry.kind,
        "original_language": entry.original_language,
        "text": translations,
        "lead_organisation": {
            "name": entry.lead_organisation.name,
            "business_id": entry.lead_organisation.business_id or None,
            "type": entry.lead_organisation.type,
            "municipality_code": entry.lead_organisation.municipality.code
            if entry.lead_organisation.municipality
            else None,
        },
        "partners": [p.organisation.name for p in entry.confirmed_partners],
        "themes": [t.slug for t in entry.themes.all()],
        "target_groups": [g.slug for g in entry.target_groups.all()],
        "whole_country": entry.whole_country,
        "municipality_codes": [m.code for m in entry.municipalities.all()],
        "pledge_deadline": entry.pledge_deadline.isoformat() if entry.pledge_deadline else None,
        "published_at": entry.publication.first_published_at.isoformat(),
        "in_programme": in_programme(entry),
        "awards": [str(a.category) for a in entry.awards.all()],
        "challenge_of": entry.challenge_of.reference if entry.challenge_of_id else None,
    }


def _csv_row(record):
    text = record["text"]
    return [
        record["reference"],
        record["url"],
        record["campaign"],
        record["kind"],
        record["original_language"],
        *[text.get(lang, {}).get("title", "") for lang in ("fi", "sv", "en")],
        *[text.get(lang, {}).get("summary", "") for lang in ("fi", "sv", "en")],
        record["lead_organisation"]["name"],
        record["lead_organisation"]["business_id"] or "",
        record["lead_organisation"]["type"],
        "|".join(record["partners"]),
        "|".join(record["themes"]),
        "|".join(record["target_groups"]),
        "true" if record["whole_country"] else "false",
        "|".join(record["municipality_codes"]),
        record["published_at"],
        "true" if record["in_programme"] else "false",
        "|".join(record["awards"]),
    ]


class _Line:
    """A file-like object whose write() returns the line, for streaming csv.writer."""

    def write(self, value):
        return value


@public_cache
def open_data(request, fmt):
    """All published entries, streamed in chunks: memory stays flat however many there are."""
    patterns = _entry_url_patterns()
    records = (
        _open_record(entry, patterns)
        for entry in public_entries()
        .select_related("challenge_of")
        .order_by("campaign", "number")
        .iterator(chunk_size=500)
    )
    if fmt == "json":
        head = json.dumps(
            {
                "licence": LICENCE,
                "licence_url": LICENCE_URL,
                "publisher": str(_("Ministry of Economic Affairs and Employment of Finland")),
                "schema": settings.SITE_URL + reverse("publishing:open_data_docs"),
            },
            ensure_ascii=False,
        )[:-1]

        def stream():
            yield head + ', "entries": ['
            for index, record in enumerate(records):
                yield ("," if index else "") + "\n" + json.dumps(record, ensure_ascii=False)
            yield "\n]}\n"

        response = StreamingHttpResponse(stream(), content_type="application/json")
    elif fmt == "csv":
        writer = csv.writer(_Line())
        rows = itertools.chain([CSV_COLUMNS], (inert_row(_csv_row(record)) for record in records))
        response = StreamingHttpResponse(
            (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="kotolupaus-entries.csv"'
    else:
        raise Http404
    response["Access-Control-Allow-Origin"] = "*"
    return response


CSV_COLUMNS = [
    "reference",
    "url",
    "campaign",
    "kind",
    "original_language",
    "title_fi",
    "title_sv",
    "title_en",
    "summary_fi",
    "summary_sv",
    "summary_en",
    "lead_organisation",
    "business_id",
    "organisation_type",
    "partners",
    "themes",
    "target_groups",
    "whole_country",
    "municipality_codes",
    "published_at",
    "in_programme",
    "awards",
]


def open_data_docs(request):
    return render(
        request,
        "publishing/open_data.html",
        {
            "licence": LICENCE,
            "licence_url": LICENCE_URL,
            "columns": CSV_COLUMNS,
            "themes": Theme.objects.prefetch_related("translations"),
            "target_groups": TargetGroup.objects.prefetch_related("translations"),
            "organisation_types": OrganisationType.choices,
            "example": json.dumps({"reference": "KL-2015-0042", "kind": "pledge"}),
        },
    )


# --- Statistics -----------------------------------------------------------------------------------


@public_cache
def statistics(request):
    entries = published()
    by_kind = dict(entries.values_list("kind").annotate(n=Count("pk")).order_by())
    by_theme = dict(entries.values_list("themes").annotate(n=Count("pk")).order_by())
    by_type = dict(
        entries.values_list("lead_organisation__type").annotate(n=Count("pk")).order_by()
    )
    whole = entries.filter(whole_country=True).count()
    by_municipality = list(
        Municipality.objects.filter(entries__in=entries)
        .annotate(n=Count("entries"))
        .order_by("-n", "name_fi")[:15]
    )
    themes = list(Theme.objects.prefetch_related("translations"))
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
                _("Published entries by region (the 15 most common)"),
                [(_("All of Finland"), whole)] + [(str(m), m.n) for m in by_municipality],
            ),
        ],
    }
    return render(request, "publishing/statistics.html", context)


def prize_categories():
    return AwardCategory.objects.prefetch_related("translations")


def take_up_challenge(request, pk):
    entry = public_entries().filter(pk=pk, kind=EntryKind.PLEDGE).first()
    if entry is None:
        return _no_longer_public(request, pk)
    return redirect(reverse("submissions:pledge_create") + f"?challenge={entry.pk}")
