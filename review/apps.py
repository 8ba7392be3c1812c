from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = _("Review")

    def ready(self):
        from . import security, signals  # noqa: F401  (signal receivers)

        security.connect()

        # Changes made in the admin panel reach the audit trail (kotolupaus/admin_base.py).
        from kotolupaus.admin_base import register_audit_trail

        from .audit import AdminTrail

        register_audit_trail(AdminTrail())
