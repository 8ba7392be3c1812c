from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from . import progress
from .addresses import in_each_language
from .models import PublicEntry
from .queries import public_text


class MultilingualAtomFeed(Atom1Feed):
    """Atom with the feed and each entry linked in every language (hreflang); an entry
    written in another language than the feed's carries its own xml:lang."""

    def item_attributes(self, item):
        attributes = super().item_attributes(item)
        language = item.get("language")
        if language and language != self.feed["language"]:
            attributes["xml:lang"] = language
        return attributes

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

    def feed_guid(self):
        # The feed's own address (per feed and language) as its atom:id; Django's default
        # is the link, which both feeds share.
        return self.feed_url()

    def feed_extra_kwargs(self, obj):
        return {"alternates": in_each_language("publishing:catalogue")}

    def items(self):
        return PublicEntry.objects.order_by("-published_at", "-pk")[:50]

    def item_title(self, entry):
        return f"{public_text(entry).title} ({entry.organisation_name})"

    def item_description(self, entry):
        return public_text(entry).summary

    def item_link(self, entry):
        return settings.SITE_URL + reverse("publishing:entry_detail", args=[entry.pk])

    def item_extra_kwargs(self, entry):
        return {
            "alternates": in_each_language("publishing:entry_detail", entry.pk),
            "language": public_text(entry).language,
        }

    def item_pubdate(self, entry):
        return entry.published_at

    def item_updateddate(self, entry):
        # Never before its publication (an edit made before it was published is older).
        return max(filter(None, [entry.updated_at, entry.published_at]))

    def item_guid(self, entry):
        return f"{settings.SITE_URL}/entries/{entry.pk}"

    item_guid_is_permalink = False


class NewProgressReports(NewPublications):
    """An Atom feed of the latest published progress reports: what became of pledges
    and initiatives, newest first, each linked to its place on the entry's page."""

    title = _("Kotolupaus – progress of pledges and initiatives")
    subtitle = _("Progress reports on published pledges and initiatives, as they are published.")

    def feed_url(self):
        return settings.SITE_URL + reverse("publishing:report_feed")

    def items(self):
        reports = list(
            progress.approved_reports()
            .filter(entry__public__isnull=False)
            .select_related("publication")
            .prefetch_related("translations")
            .order_by("-publication__first_published_at", "-pk")[:50]
        )
        entries = PublicEntry.objects.in_bulk({report.entry_id for report in reports})
        for report in reports:
            report.public_entry = entries[report.entry_id]
        return reports

    def item_title(self, report):
        return _("%(title)s: %(status)s (%(day)s)") % {
            "title": public_text(report.public_entry).title,
            "status": report.get_status_display(),
            "day": date_format(report.reported_on, "SHORT_DATE_FORMAT"),
        }

    def item_description(self, report):
        return progress.report_text(report).text

    def item_link(self, report):
        return self._entry_link(report.entry_id) + f"#report-{report.pk}"

    def _entry_link(self, entry_id):
        return settings.SITE_URL + reverse("publishing:entry_detail", args=[entry_id])

    def item_extra_kwargs(self, report):
        return {
            "alternates": {
                code: f"{url}#report-{report.pk}"
                for code, url in in_each_language(
                    "publishing:entry_detail", report.entry_id
                ).items()
            },
            "language": progress.report_text(report).language,
        }

    def item_pubdate(self, report):
        return report.publication.first_published_at

    def item_updateddate(self, report):
        return max(filter(None, [report.updated_at, report.publication.first_published_at]))

    def item_guid(self, report):
        return f"{settings.SITE_URL}/reports/{report.pk}"
