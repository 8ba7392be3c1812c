"""What every workspace page shares: the campaign it is about, the admin layout, the
entry with its full text."""

from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import get_language

from submissions.access import can_view_contact_data
from submissions.models import Campaign, Entry, Partnership

from .. import services


def _campaign(request):
    slug = request.GET.get("campaign")
    campaign = Campaign.objects.filter(slug=slug).first() if slug else Campaign.objects.current()
    if campaign is None:
        raise Http404
    return campaign


def _paged(request, rows, per_page=100):
    """A page of `rows` and the query string without the page number (for the links of
    the other pages and the downloads, which keep the filters)."""
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "page": Paginator(rows, per_page).get_page(request.GET.get("page")),
        "query": query.urlencode(),
    }


def _render(request, template, title, context):
    return render(
        request,
        template,
        {
            **admin.site.each_context(request),
            # The workspace has its own navigation; the admin's sidebar would open by
            # script after the page is drawn and shift everything (layout shift).
            "is_nav_sidebar_enabled": False,
            "title": title,
            "can_coordinate": services.can_coordinate(request.user),
            "can_view_contact_data": can_view_contact_data(request.user),
            **context,
        },
    )


def _entries_with_text():
    return Entry.objects.select_related(
        "lead_organisation", "lead_organisation__municipality", "campaign"
    ).prefetch_related(
        "translations",
        "themes__translations",
        "target_groups__translations",
        "municipalities",
        Prefetch(
            "partnerships",
            queryset=Partnership.objects.select_related("organisation"),
            to_attr="partner_list",
        ),
    )


def _title(entry):
    """(title, language): the entry's title in the page's language where staff translated
    it, else as written (for the lang attribute of what shows it). Uses the prefetched
    translations."""
    titles = {t.language_code: t.title for t in entry.translations.all()}
    language = get_language() if titles.get(get_language()) else entry.original_language
    return titles.get(language, ""), language
