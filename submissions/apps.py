from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubmissionsConfig(AppConfig):
    name = "submissions"
    verbose_name = _("Submissions")

    def ready(self):
        from django.db.models.signals import post_save

        from .models import Campaign
        from .signals import give_new_campaign_default_indicators

        post_save.connect(
            give_new_campaign_default_indicators,
            sender=Campaign,
            dispatch_uid="submissions.default_indicators",
        )
