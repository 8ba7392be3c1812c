from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from .queries import public_entries, public_text


class NewPublications(Feed):
    """An Atom feed of the latest published entries, in the visitor's language."""

    feed_type = Atom1Feed
    title = _("Kotolupaus – new pledges and initiatives")
    subtitle = _(
        "Pledges and initiatives for the integration of immigrants, as they are published."
    )

    def link(self):
        return reverse("publishing:catalogue")

    def items(self):
        return public_entries().order_by("-publication__first_published_at", "-pk")[:50]

    def item_title(self, entry):
        return f"{public_text(entry).title} ({entry.lead_organisation.name})"

    def item_description(self, entry):
        return public_text(entry).summary

    def item_link(self, entry):
        return reverse("publishing:entry_detail", args=[entry.pk])

    def item_pubdate(self, entry):
        return entry.publication.first_published_at

    def item_updateddate(self, entry):
        return entry.updated_at

    def item_guid(self, entry):
        return f"{settings.SITE_URL}/entries/{entry.pk}"

    item_guid_is_permalink = False
