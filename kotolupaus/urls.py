from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from publishing.caching import public_cache
from publishing.sitemaps import PublicPages, PublishedEntries
from publishing.staff_views import (
    campaign_report_view,
    follow_up_view,
    personal_data_view,
    send_reminder_view,
)

from . import views
from .health import health, ready

handler500 = "kotolupaus.views.server_error"

admin.site.site_header = _("Kotolupaus administration")
admin.site.site_title = _("Kotolupaus")
admin.site.index_title = _("Campaign administration")

# The home page and the sitemap, like the catalogue and the other public pages, carry ETag
# and come from the page cache for visitors (publishing/caching.py).
urlpatterns = i18n_patterns(
    path("", public_cache(views.home, query=[]), name="home"),
    path("about/", views.about, name="about"),
    path("privacy/", views.privacy, name="privacy"),
    path("accessibility/", views.accessibility, name="accessibility"),
    # The review workspace lives inside the admin panel, before the admin's catch-all.
    path(f"{settings.ADMIN_PATH}workspace/follow-up/", follow_up_view, name="follow_up"),
    path(
        f"{settings.ADMIN_PATH}workspace/follow-up/<int:entry_id>/remind/",
        send_reminder_view,
        name="follow_up_remind",
    ),
    path(
        f"{settings.ADMIN_PATH}workspace/campaign-report/",
        campaign_report_view,
        name="campaign_report",
    ),
    path(f"{settings.ADMIN_PATH}workspace/", include("review.urls")),
    path(f"{settings.ADMIN_PATH}personal-data/", personal_data_view, name="personal_data"),
    path(settings.ADMIN_PATH, admin.site.urls),
    path("", include("submissions.urls")),
    path("", include("publishing.urls")),
)

urlpatterns += [
    path("healthz", health, name="health"),
    path("readyz", ready, name="ready"),
    *[path(name, views.root_icon, {"name": name}) for name in views.ROOT_ICONS],
    path(
        "sitemap.xml",
        public_cache(sitemap, query=["p"]),
        {"sitemaps": {"pages": PublicPages, "entries": PublishedEntries}},
        name="sitemap",
    ),
]

if settings.SERVE_MEDIA:
    # Uploaded images from local disk, for development and tests only; in production the
    # web server or the object storage serves them.
    from django.views.static import serve

    urlpatterns += [
        path(
            f"{settings.MEDIA_URL.strip('/')}/<path:path>",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        ),
    ]
