from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = _("Publishing")

    def ready(self):
        from submissions import extensions

        from . import signals  # noqa: F401
        from .queries import published

        # "Published" is moderation's word: submissions asks through this hook.
        extensions.register_published(published)

        # The audit trail names moderation states in words.
        from review.audit_display import register_values
        from review.models import AuditAction

        from .models import PublicationStatus

        for key in ("before", "after"):
            register_values(AuditAction.MODERATED, key, PublicationStatus.choices)

        # The management page names each progress report's moderation state.
        from .queries import report_states

        extensions.register_report_states(report_states)
