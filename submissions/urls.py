from django.urls import path

from . import views

app_name = "submissions"

urlpatterns = [
    path("submit/pledge/", views.pledge_create, name="pledge_create"),
    path("submit/initiative/", views.initiative_create, name="initiative_create"),
    path("submit/draft/<str:token>/", views.draft, name="draft"),
    path("submit/thank-you/", views.submitted, name="submitted"),
    path("submit/similar/", views.similar, name="similar"),
    path("submit/image/<str:reference>/", views.kept_image, name="kept_image"),
    path("submit/confirm/<str:token>/", views.confirm, name="confirm"),
    path("submit/confirmed/", views.confirmed, name="confirmed"),
    path("manage/lost-link/", views.lost_link, name="lost_link"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("manage/<str:token>/edit/", views.manage_edit, name="manage_edit"),
    path("manage/<str:token>/partners/", views.manage_partners, name="manage_partners"),
    path(
        "manage/<str:token>/partners/<int:partnership_id>/remove/",
        views.partner_remove,
        name="partner_remove",
    ),
    path("manage/<str:token>/reports/new/", views.report_new, name="report_new"),
    path("manage/<str:token>/reports/<int:report_id>/edit/", views.report_edit, name="report_edit"),
    path("reminders/stop/<str:signature>/", views.reminders_stop, name="reminders_stop"),
    path("partner/<str:token>/", views.partner_confirm, name="partner_confirm"),
]
