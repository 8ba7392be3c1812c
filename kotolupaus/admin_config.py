"""The admin panel as an installed app, served by our own admin site."""

from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    """The admin panel with the staff login: password and one-time code checked together,
    and no entry without the code while STAFF_2FA is on (kotolupaus/staff_login.py)."""

    default_site = "kotolupaus.staff_login.StaffAdminSite"
