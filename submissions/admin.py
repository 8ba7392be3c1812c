from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _
from parler.admin import TranslatableAdmin

from kotolupaus.admin_base import AdminBase, InlineBase
from kotolupaus.admin_mixins import ReadOnlyAdminMixin

from .models import (
    ENTRY_TEXT_FIELDS,
    Campaign,
    Draft,
    Entry,
    Municipality,
    Organisation,
    Partnership,
    TargetGroup,
    Theme,
)


class TranslatedRelatedFilter(admin.RelatedFieldListFilter):
    """A filter over a parler-translated model, with all names in one query."""

    def field_choices(self, field, request, model_admin):
        related = field.remote_field.model.objects.prefetch_related("translations")
        return [(item.pk, str(item)) for item in related]


@admin.register(Campaign)
class CampaignAdmin(AdminBase, TranslatableAdmin):
    list_display = ["__str__", "slug", "opens_at", "closes_at", "hashtag", "open_now"]
    search_fields = ["slug", "translations__name"]
    date_hierarchy = "opens_at"
    fieldsets = [
        (None, {"fields": ["name", "short_name", "slug", "hashtag"]}),
        (_("Submission window"), {"fields": ["opens_at", "closes_at"]}),
        (_("Texts"), {"fields": ["intro", "contact"]}),
        (
            _("Follow-up"),
            {
                "fields": ["reminder_months", "programme_ends_on"],
                "description": _(
                    "The figures asked for in progress reports are the campaign's "
                    "indicators, edited under “Indicators”."
                ),
            },
        ),
    ]

    @admin.display(boolean=True, description=_("open now"))
    def open_now(self, campaign):
        return campaign.is_open()

    def get_prepopulated_fields(self, request, obj=None):
        return {"slug": ("name",)}


@admin.register(Theme, TargetGroup)
class TaxonomyAdmin(AdminBase, TranslatableAdmin):
    list_display = ["__str__", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["slug", "translations__name"]


@admin.register(Municipality)
class MunicipalityAdmin(AdminBase, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name_fi", "name_sv", "majority_language", "region"]
    list_filter = ["majority_language", "region"]
    list_select_related = ["region"]
    search_fields = ["code", "name_fi", "name_sv"]


@admin.register(Organisation)
class OrganisationAdmin(AdminBase, admin.ModelAdmin):
    # Web addresses typed without a scheme are https, as in the public form.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "business_id", "type", "municipality", "website"]
    list_filter = ["type"]
    search_fields = ["name", "business_id"]
    list_select_related = ["municipality"]
    autocomplete_fields = ["municipality"]


class PartnershipInline(InlineBase, admin.TabularInline):
    model = Partnership
    fields = ["organisation", "role", "invited_email", "invited_at", "confirmed_at", "declined_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


SUBMITTER_FIELDS = [
    "campaign",
    "kind",
    "reference",
    "lead_organisation",
    "original_language",
    "whole_country",
    "pledge_deadline",
    "image",
    "contact_name",
    "contact_email",
    "contact_phone",
    "contact_language",
    "consent_publish",
    "consent_publish_at",
    "consent_wording",
    "consent_contact",
    "authorised",
    "status",
    "submitted_at",
    "updated_at",
    "withdrawn_at",
]


@admin.register(Entry)
class EntryAdmin(AdminBase, TranslatableAdmin):
    """Staff see everything the submitter wrote, read-only: the record of what was sent
    stays as it was sent. The contact person only with the contact-data permission."""

    list_display = [
        "reference",
        "title_in_any_language",
        "kind",
        "lead_organisation",
        "status",
        "consent_publish",
        "partners_confirmed",
        "submitted_at",
    ]
    list_filter = [
        "campaign",
        "kind",
        "status",
        "consent_publish",
        "original_language",
        ("themes", TranslatedRelatedFilter),
        ("target_groups", TranslatedRelatedFilter),
        "lead_organisation__type",
    ]
    search_fields = [
        "reference",
        "translations__title",
        "lead_organisation__name",
        "lead_organisation__business_id",
        "contact_name",
        "contact_email",
    ]
    list_select_related = ["lead_organisation", "campaign"]
    date_hierarchy = "submitted_at"
    readonly_fields = [
        *SUBMITTER_FIELDS,
        *ENTRY_TEXT_FIELDS,
        "themes",
        "target_groups",
        "municipalities",
    ]
    inlines = [PartnershipInline]
    fieldsets = [
        (None, {"fields": ["campaign", "kind", "reference", "status", "lead_organisation"]}),
        (
            _("Public text"),
            {
                "fields": [
                    "title",
                    "summary",
                    "description",
                    "promise",
                    "target",
                    "goal",
                    "plan",
                    "timetable",
                    "partners_sought",
                    "original_language",
                ]
            },
        ),
        (
            _("Classification"),
            {
                "fields": [
                    "themes",
                    "target_groups",
                    "municipalities",
                    "whole_country",
                    "pledge_deadline",
                    "image",
                ]
            },
        ),
        (
            _("Contact person (not published)"),
            {"fields": ["contact_name", "contact_email", "contact_phone", "contact_language"]},
        ),
        (
            _("Consents"),
            {
                "fields": [
                    "consent_publish",
                    "consent_publish_at",
                    "consent_wording",
                    "consent_contact",
                    "authorised",
                ]
            },
        ),
        (_("Times"), {"fields": ["submitted_at", "updated_at", "withdrawn_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("translations", "partnerships")

    @admin.display(description=_("title"))
    def title_in_any_language(self, entry):
        return entry.safe_translation_getter("title", any_language=True)

    @admin.display(description=_("confirmed partners"))
    def partners_confirmed(self, entry):
        partnerships = entry.partnerships.all()
        confirmed = sum(1 for p in partnerships if p.confirmed_at and not p.declined_at)
        return f"{confirmed}/{len(partnerships)}"

    def has_add_permission(self, request):
        return False  # entries come from the public form

    def has_delete_permission(self, request, obj=None):
        return False  # entries are withdrawn, never deleted, so the record stays whole


@admin.register(Partnership)
class PartnershipAdmin(AdminBase, admin.ModelAdmin):
    list_display = ["organisation", "entry", "role", "invited_email", "confirmed_at", "declined_at"]
    list_filter = ["confirmed_at", "declined_at"]
    search_fields = ["organisation__name", "invited_email", "entry__reference"]
    list_select_related = ["organisation", "entry"]
    readonly_fields = [
        "entry",
        "organisation",
        "invited_email",
        "invited_at",
        "confirmed_at",
        "declined_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(Draft)
class DraftAdmin(AdminBase, admin.ModelAdmin):
    """A draft's form data hold its contact person's name, address and number."""

    list_display = ["__str__", "campaign", "kind", "language", "updated_at"]
    list_filter = ["campaign", "kind"]
    fields = readonly_fields = ["campaign", "kind", "language", "data", "created_at", "updated_at"]

    def has_add_permission(self, request):
        return False
