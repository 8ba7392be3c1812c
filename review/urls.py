from django.urls import path

from . import views

app_name = "review"

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("score/<int:entry_id>/", views.score, name="score"),
    path("ranking/", views.ranking_view, name="ranking"),
    path("reviews/export/", views.reviews_export, name="reviews_export"),
    path("decide/<int:entry_id>/", views.decide, name="decide"),
    path("decisions/publish/", views.publish_decisions, name="publish_decisions"),
    path("lock/", views.lock, name="lock"),
    path("assign/auto/", views.auto_assign, name="auto_assign"),
    path("assign/csv/", views.assignments_csv, name="assignments_csv"),
    path("prizes/<int:category_id>/vote/", views.vote, name="vote"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("staff/", views.staff, name="staff"),
    path("staff/backup-codes/", views.backup_codes, name="backup_codes"),
    path("staff/<int:user_id>/end-sessions/", views.end_sessions, name="end_sessions"),
    path("staff/<int:user_id>/unlock/", views.unlock_login, name="unlock_login"),
]
