from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = _("Publishing")

    def ready(self):
        from kotolupaus import public_side
        from submissions import extensions

        from . import changes, notices, queries, services
        from .cooperation import badges, requests, suggestions, wanted

        # What follows a change made in submissions (the list is in
        # submissions/extensions.py), and the one door to the public side for the admin
        # and review (kotolupaus/public_side.py → changes.PUBLIC_MODELS).
        extensions.register("published", queries.published)
        extensions.register("public_summary", queries.public_summary)
        extensions.register("similar_titles", queries.similar_titles)
        extensions.register("entry_changed", services.entry_changed)
        extensions.register("partners_changed", services.partners_changed)
        extensions.register("report_changed", services.report_changed)
        extensions.register("notices", notices.management_notices)
        extensions.register("report_states", queries.report_states)
        for concern in (wanted, requests, suggestions, badges):
            extensions.register("sections", concern.management_sections)
        public_side.register(changes.model_changed)
        # Cooperation in figures on the coordinator's dashboard (review/dashboard_parts.py).
        from review import dashboard_parts

        from .cooperation import figures

        dashboard_parts.register(figures.dashboard_sections)

        # The audit trail names moderation states in words.
        from review.audit_display import register_values
        from review.models import AuditAction

        from .models import PublicationStatus

        for key in ("before", "after"):
            register_values(AuditAction.MODERATED, key, PublicationStatus.choices)
