from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubmissionsConfig(AppConfig):
    name = "submissions"
    verbose_name = _("Submissions")

    def ready(self):
        from django.db.models.signals import post_save

        from kotolupaus.admin_base import register_contact_rules, register_entry_reference
        from kotolupaus.templatetags.kotolupaus import register_labels

        from . import access
        from .models import Campaign, ProgressStatus, entry_reference
        from .signals import give_new_campaign_default_indicators

        # What the shared layer needs from submissions, registered into it.
        register_contact_rules(access)
        register_entry_reference(entry_reference, "admin:submissions_entry_change")
        register_labels("progress_status", ProgressStatus)

        post_save.connect(
            give_new_campaign_default_indicators,
            sender=Campaign,
            dispatch_uid="submissions.default_indicators",
        )
