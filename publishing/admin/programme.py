"""The programme, the follow-up indicators and join requests."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from parler.admin import TranslatableAdmin

from kotolupaus.admin_base import AdminBase
from submissions.models import Indicator

from ..models import (
    JoinRequest,
    Programme,
)


@admin.register(Programme)
class ProgrammeAdmin(AdminBase, TranslatableAdmin):
    list_display = ["__str__", "campaign", "updated_at"]


@admin.register(Indicator)
class IndicatorAdmin(AdminBase, TranslatableAdmin):
    """The figures a campaign asks progress reports for, with names and units in fi,
    sv and en. An indicator that has figures cannot be deleted (they would be lost)."""

    list_display = ["__str__", "campaign", "slug", "unit_shown", "maximum", "position"]
    list_editable = ["position"]
    list_filter = ["campaign"]
    list_select_related = ["campaign"]
    search_fields = ["slug", "translations__name"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).prefetch_related("translations", "campaign__translations")
        )

    @admin.display(description=_("unit"))
    def unit_shown(self, indicator):
        return indicator.safe_translation_getter("unit", any_language=True) or ""


@admin.register(JoinRequest)
class JoinRequestAdmin(AdminBase, admin.ModelAdmin):
    """Who wants to join an entry and what became of it: their name and address are
    contact data. The answer is the entry's contact's (on the management page) or the
    daily job's: read-only here."""

    list_display = ["entry", "organisation", "name", "email", "status", "created_at", "answered_at"]
    list_filter = ["status", "organisation_type", "language"]
    search_fields = ["entry__reference", "organisation", "email"]
    list_select_related = ["entry"]
    date_hierarchy = "created_at"
    fields = readonly_fields = [
        "entry",
        "organisation",
        "organisation_type",
        "name",
        "email",
        "language",
        "message",
        "created_at",
        "status",
        "reminded_at",
        "answered_at",
        "note",
        "partnership",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
