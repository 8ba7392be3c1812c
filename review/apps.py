from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = _("Review")

    def ready(self):
        from submissions import extensions

        from . import security, services, signals  # noqa: F401  (signal receivers)

        security.connect()
        # A staff member's change of an entry's status is written to the audit trail.
        extensions.register("entry_changed", services.entry_status_changed)
