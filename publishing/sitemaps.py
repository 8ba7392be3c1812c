from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import PublicEntry


class PublicPages(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    changefreq = "weekly"

    def items(self):
        return [
            "home",
            "about",
            "privacy",
            "accessibility",
            "publishing:catalogue",
            "publishing:programme",
            "publishing:statistics",
            "publishing:open_data_docs",
        ]

    def location(self, name):
        return reverse(name)


class PublishedEntries(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    changefreq = "weekly"

    def items(self):
        return PublicEntry.objects.order_by("pk").only("pk", "updated_at")

    def location(self, entry):
        return reverse("publishing:entry_detail", args=[entry.pk])

    def lastmod(self, entry):
        return entry.updated_at
