from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = _("Review")

    def ready(self):
        from submissions import extensions

        from . import security, services, signals  # noqa: F401  (signal receivers)

        security.connect()

        # The staff roles' permissions (review's migrations create the groups that hold them).
        from kotolupaus import access

        access.register_role(access.COORDINATE, "review.coordinate_review")
        access.register_role(access.SCORE, "review.score_entries")

        # Changes made in the admin panel reach the audit trail (kotolupaus/admin_base.py).
        from kotolupaus.admin_base import register_audit_trail

        from .audit import AdminTrail

        register_audit_trail(AdminTrail())
        # What follows a change in submissions, for review: a staff member's change of an
        # entry's status is written to the audit trail; an organisation now in an entry
        # that a reviewer declared a conflict with withdraws that reviewer's review.
        extensions.register("entry_changed", services.entry_status_changed)
        extensions.register("entry_changed", services.entry_edited)
        extensions.register("partners_changed", services.partners_changed)
