from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from parler.admin import TranslatableAdmin

from .models import Campaign


@admin.register(Campaign)
class CampaignAdmin(TranslatableAdmin):
    list_display = ["__str__", "slug", "opens_at", "closes_at", "hashtag", "open_now"]
    search_fields = ["slug", "translations__name"]
    date_hierarchy = "opens_at"
    fieldsets = [
        (None, {"fields": ["name", "slug", "hashtag"]}),
        (_("Submission window"), {"fields": ["opens_at", "closes_at"]}),
        (_("Texts"), {"fields": ["intro", "contact"]}),
    ]

    @admin.display(boolean=True, description=_("open now"))
    def open_now(self, campaign):
        return campaign.is_open()

    def get_prepopulated_fields(self, request, obj=None):
        return {"slug": ("name",)}
