from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KotolupausConfig(AppConfig):
    name = "kotolupaus"
    verbose_name = _("Kotolupaus")

    def ready(self):
        from . import checks  # noqa: F401  (registers the deployment checks)
        from .logs import mask_every_handler

        mask_every_handler()  # private links never reach a log, whichever handler writes it
