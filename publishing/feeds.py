from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from .queries import public_entries, public_text


class MultilingualAtomFeed(Atom1Feed):
    """Atom with the feed and each entry linked in every language (hreflang)."""

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        for code, url in self.feed.get("alternates", {}).items():
            if code != self.feed["language"]:
                handler.addQuickElement(
                    "link",
                    "",
                    {"rel": "alternate", "type": "text/html", "hreflang": code, "href": url},
                )

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for code, url in item.get("alternates", {}).items():
            if code != self.feed["language"]:
                handler.addQuickElement(
                    "link",
                    "",
                    {"rel": "alternate", "type": "text/html", "hreflang": code, "href": url},
                )


def _absolute_in_each_language(name, *args):
    urls = {}
    for code, _name in settings.LANGUAGES:
        with override(code):
            urls[code] = settings.SITE_URL + reverse(name, args=args)
    return urls


class NewPublications(Feed):
    """An Atom feed of the latest published entries, in the visitor's language.

    Its author is the ministry (RFC 4287 §4.1.1 asks for one); every link is absolute on
    SITE_URL and points at the page in the feed's language, with the other languages as
    hreflang alternates.
    """

    feed_type = MultilingualAtomFeed
    title = _("Kotolupaus – new pledges and initiatives")
    subtitle = _(
        "Pledges and initiatives for the integration of immigrants, as they are published."
    )
    author_name = _("Ministry of Economic Affairs and Employment of Finland")

    def author_link(self):
        return settings.SITE_URL + "/"

    def link(self):
        return settings.SITE_URL + reverse("publishing:catalogue")

    def feed_url(self):
        return settings.SITE_URL + reverse("publishing:feed")

    def feed_extra_kwargs(self, obj):
        return {"alternates": _absolute_in_each_language("publishing:catalogue")}

    def items(self):
        return public_entries().order_by("-publication__first_published_at", "-pk")[:50]

    def item_title(self, entry):
        return f"{public_text(entry).title} ({entry.lead_organisation.name})"

    def item_description(self, entry):
        return public_text(entry).summary

    def item_link(self, entry):
        return settings.SITE_URL + reverse("publishing:entry_detail", args=[entry.pk])

    def item_extra_kwargs(self, entry):
        return {"alternates": _absolute_in_each_language("publishing:entry_detail", entry.pk)}

    def item_pubdate(self, entry):
        return entry.publication.first_published_at

    def item_updateddate(self, entry):
        return entry.updated_at

    def item_guid(self, entry):
        return f"{settings.SITE_URL}/entries/{entry.pk}"

    item_guid_is_permalink = False
