from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KotolupausConfig(AppConfig):
    name = "kotolupaus"
    verbose_name = _("Kotolupaus")

    def ready(self):
        from axes.signals import user_locked_out

        from . import checks  # noqa: F401  (registers the deployment checks)
        from .logs import mask_every_handler
        from .metrics import count_lockout

        mask_every_handler()  # private links never reach a log, whichever handler writes it
        user_locked_out.connect(count_lockout, dispatch_uid="kotolupaus-metrics-lockouts")
