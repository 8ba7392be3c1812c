from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from parler.admin import TranslatableAdmin
from parler.forms import TranslatableModelForm

from submissions.access import HidesContactData
from submissions.models import EntryKind

from . import moderation, search, services
from .models import JoinRequest, Programme, Publication, PublicationStatus, PublicText
from .queries import PUBLIC_FIELDS


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What should the submitter change?"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Sent by e-mail with a new private link; the submitter can edit the entry "
            "even after the deadline."
        ),
    )


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = [
        "entry",
        "title",
        "status",
        "consent",
        "flag_list",
        "first_published_at",
        "updated_at",
    ]
    list_filter = ["status", "entry__campaign", "entry__consent_publish", "entry__status"]
    search_fields = [
        "entry__reference",
        "entry__translations__title",
        "entry__lead_organisation__name",
    ]
    list_select_related = ["entry"]
    readonly_fields = [
        "entry",
        "status",
        "flags",
        "returned_comment",
        "first_published_at",
        "decided_by",
        "updated_at",
    ]
    fields = [
        "entry",
        "status",
        "flags",
        "note",
        "returned_comment",
        "first_published_at",
        "decided_by",
        "updated_at",
    ]
    actions = ["approve", "reject", "return_for_fixes"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("entry__translations")

    @admin.display(description=_("title"))
    def title(self, publication):
        return publication.entry.safe_translation_getter("title", any_language=True)

    @admin.display(boolean=True, description=_("consent"))
    def consent(self, publication):
        return publication.entry.consent_publish

    @admin.display(description=_("automatic moderation flags"))
    def flag_list(self, publication):
        return ", ".join(str(moderation.FLAG_LABELS.get(f, f)) for f in publication.flags) or "–"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Approve for publication"), permissions=["change"])
    def approve(self, request, queryset):
        for publication in queryset.select_related("entry"):
            services.approve(publication.entry, request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d entry approved. It is public while its submitter consents.",
                "%(count)d entries approved. They are public while their submitters consent.",
                queryset.count(),
            )
            % {"count": queryset.count()},
            messages.SUCCESS,
        )

    @admin.action(description=_("Do not publish"), permissions=["change"])
    def reject(self, request, queryset):
        for publication in queryset.select_related("entry"):
            services.reject(publication.entry, request.user)
        self.message_user(request, _("The chosen entries will not be published."), messages.SUCCESS)

    @admin.action(description=_("Return to the submitter for fixes…"), permissions=["change"])
    def return_for_fixes(self, request, queryset):
        form = ReturnForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            for publication in queryset.select_related("entry"):
                services.return_for_fixes(
                    publication.entry, request.user, form.cleaned_data["comment"]
                )
            self.message_user(
                request, _("The submitters were asked to fix their entries."), messages.SUCCESS
            )
            return None
        return render(
            request,
            "publishing/admin/return_for_fixes.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Return to the submitter for fixes"),
                "form": form,
                "publications": queryset,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )


class PublicTextForm(TranslatableModelForm):
    """A translation must carry the same fields as the original of its kind."""

    def clean(self):
        cleaned = super().clean()
        required = ["title", "summary", "description"] + (
            ["promise", "target"] if self.instance.kind == EntryKind.PLEDGE else ["goal", "plan"]
        )
        for name in required:
            if name in self.fields and not cleaned.get(name):
                self.add_error(
                    name, ValidationError(_("Translate this field too."), code="required")
                )
        other_kind = (
            ("goal", "plan", "timetable", "partners_sought")
            if (self.instance.kind == EntryKind.PLEDGE)
            else ("promise", "target")
        )
        for name in other_kind:
            if name in cleaned:
                cleaned[name] = ""
        return cleaned


@admin.register(PublicText)
class PublicTextAdmin(TranslatableAdmin):
    """Staff add or correct the fi, sv and en versions of an entry's public text. The
    submitter's original stays as it was sent."""

    form = PublicTextForm
    list_display = ["reference", "title_in_any_language", "original_language", "kind", "languages"]
    list_filter = ["campaign", "kind", "original_language", "publication__status"]
    search_fields = ["reference", "translations__title"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("translations")

    def get_fields(self, request, obj=None):
        if obj is None:
            return []
        kind_fields = (
            ("promise", "target")
            if obj.kind == EntryKind.PLEDGE
            else ("goal", "plan", "timetable", "partners_sought")
        )
        return ["reference", "original_language", "title", "summary", "description", *kind_fields]

    def get_readonly_fields(self, request, obj=None):
        fixed = ["reference", "original_language"]
        if obj is not None and self.get_form_language(request, obj) == obj.original_language:
            return [*fixed, *PUBLIC_FIELDS]
        return fixed

    @admin.display(description=_("title"))
    def title_in_any_language(self, entry):
        return entry.safe_translation_getter("title", any_language=True)

    @admin.display(description=_("languages"))
    def languages(self, entry):
        return ", ".join(sorted(t.language_code for t in entry.translations.all()))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if Publication.objects.filter(entry=obj, status=PublicationStatus.APPROVED).exists():
            search.index_entry(obj)


@admin.register(Programme)
class ProgrammeAdmin(TranslatableAdmin):
    list_display = ["__str__", "campaign", "updated_at"]


@admin.register(JoinRequest)
class JoinRequestAdmin(HidesContactData, admin.ModelAdmin):
    """Who wants to join an initiative: their name and address are contact data."""

    list_display = ["entry", "organisation", "name", "email", "created_at"]
    search_fields = ["entry__reference", "organisation", "email"]
    list_select_related = ["entry"]
    fields = readonly_fields = ["entry", "organisation", "name", "email", "message", "created_at"]
    contact_fields = ("name", "email")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
