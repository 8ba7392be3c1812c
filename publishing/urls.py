from django.urls import path

from . import feeds, views
from .caching import public_cache
from .cooperation import badge_views, request_views, suggestion_views, wanted_views

app_name = "publishing"

urlpatterns = [
    path("entries/", views.catalogue, name="catalogue"),
    path("entries/<int:pk>/", views.entry_detail, name="entry_detail"),
    path("entries/<int:pk>/join/", request_views.join, name="join"),
    path(
        "manage/<str:token>/requests/<int:pk>/",
        request_views.answer_join_request,
        name="answer_join_request",
    ),
    path("entries/<int:pk>/challenge/", views.take_up_challenge, name="take_up_challenge"),
    path("programme/", views.programme, name="programme"),
    path("programme/pdf/", views.programme_pdf, name="programme_pdf"),
    path("open-data/", views.open_data_docs, name="open_data_docs"),
    path("open-data/entries.<str:fmt>", views.open_data, name="open_data"),
    path(
        "open-data/reports.<str:fmt>",
        views.open_data,
        {"reports": True},
        name="open_data_reports",
    ),
    path(
        "open-data/cooperation.<str:fmt>",
        views.open_data,
        {"stem": "cooperation"},
        name="open_data_cooperation",
    ),
    path("statistics/", views.statistics, name="statistics"),
    path(
        "manage/<str:token>/suggestions/<int:pk>/join/",
        suggestion_views.suggestion_join,
        name="suggestion_join",
    ),
    path(
        "manage/<str:token>/suggestions/by-email/",
        suggestion_views.suggestions_by_email,
        name="suggestions_by_email",
    ),
    path(
        "manage/<str:token>/partners-wanted/",
        wanted_views.manage_partners_wanted,
        name="manage_partners_wanted",
    ),
    path("feed.atom", public_cache(feeds.NewPublications(), query=[]), name="feed"),
    path(
        "feed/reports.atom",
        public_cache(feeds.NewProgressReports(), query=[]),
        name="report_feed",
    ),
    path("entries/<int:pk>/badge.svg", badge_views.badge_svg, name="badge_svg"),
    path("entries/<int:pk>/badge.png", badge_views.badge_png, name="badge_png"),
    path("entries/<int:pk>/share.png", badge_views.share_image, name="share_image"),
]
