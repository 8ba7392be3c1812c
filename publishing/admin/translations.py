"""Staff translations of public texts, shown beside the original."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from parler.admin import TranslatableAdmin
from parler.forms import TranslatableModelForm

from kotolupaus.admin_base import AdminBase
from submissions.models import EntryKind

from .. import moderation, services
from ..models import (
    PublicReportText,
    PublicText,
)
from ..queries import PUBLIC_FIELDS


class BesideTheOriginal:
    """A widget of a staff translation's field that shows the text in its original
    language beside it (publishing/admin/widgets/beside_the_original.html)."""

    template_name = "publishing/admin/widgets/beside_the_original.html"

    def __init__(self, attrs=None, *, original="", original_language=""):
        super().__init__(attrs)
        self.original, self.original_language = original, original_language

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["attrs"]["aria-describedby"] = " ".join(
            part
            for part in (
                widget["attrs"].get("aria-describedby"),
                f"{widget['attrs']['id']}_original",
            )
            if part
        )
        context.update(
            original=self.original,
            original_language=self.original_language,
            widget_template=type(self).__mro__[2].template_name,
        )
        return context


class TextInputBesideTheOriginal(BesideTheOriginal, forms.TextInput):
    pass


class TextareaBesideTheOriginal(BesideTheOriginal, forms.Textarea):
    pass


def beside_the_original(widget, original, language):
    kind = (
        TextareaBesideTheOriginal
        if isinstance(widget, forms.Textarea)
        else (TextInputBesideTheOriginal)
    )
    return kind(widget.attrs, original=original, original_language=language)


class StaffTranslationAdmin(AdminBase, TranslatableAdmin):
    """Staff add or correct the fi, sv and en versions of a submitter's text: the text in
    its original language stays as it was sent (read-only), and nothing is added or
    deleted here. `fixed`: fields never edited; `translated`: the text's fields."""

    fixed: list[str] = []
    # Saved through publishing.services (translation_saved …), which make the change public.
    public_change_by_service = True
    translated: list[str] = []

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("translations")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and self.get_form_language(request, obj) == obj.original_language:
            return [*self.fixed, *self.translated]
        return list(self.fixed)

    def get_form(self, request, obj=None, **kwargs):
        """In a translation's tab, each field shows the original text beside it."""
        form = super().get_form(request, obj, **kwargs)
        if obj is None or self.get_form_language(request, obj) == obj.original_language:
            return form
        language = obj.original_language
        originals = {
            name: obj.safe_translation_getter(name, language_code=language) or ""
            for name in self.translated
        }

        class WithTheOriginal(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                for name, text in originals.items():
                    if name in self.fields:
                        field = self.fields[name]
                        field.widget = beside_the_original(field.widget, text, language)

        return WithTheOriginal

    @admin.display(description=_("languages"))
    def languages(self, obj):
        return ", ".join(sorted(t.language_code for t in obj.translations.all()))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PublicReportText)
class PublicReportTextAdmin(StaffTranslationAdmin):
    """Staff translate a progress report's text; the submitter's original stays."""

    list_display = ["__str__", "original_language", "languages"]
    list_filter = ["entry__campaign", "original_language"]
    search_fields = ["entry__reference", "translations__text"]
    list_select_related = ["entry"]
    fields = ["entry", "reported_on", "original_language", "text"]
    fixed = ["entry", "reported_on", "original_language"]
    translated = ["text"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.report_translation_saved(
            obj, self.get_form_language(request, obj), by=request.user
        )


def moderation_labels(flag):
    return moderation.FLAG_LABELS.get(flag, flag)


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
            ("goal", "plan", "timetable")
            if (self.instance.kind == EntryKind.PLEDGE)
            else ("promise", "target")
        )
        for name in other_kind:
            if name in cleaned:
                cleaned[name] = ""
        return cleaned


@admin.register(PublicText)
class PublicTextAdmin(StaffTranslationAdmin):
    """Staff add or correct the fi, sv and en versions of an entry's public text. The
    submitter's original stays as it was sent."""

    form = PublicTextForm
    list_display = ["reference", "title_in_any_language", "original_language", "kind", "languages"]
    list_filter = ["campaign", "kind", "original_language", "publication__status"]
    search_fields = ["reference", "translations__title"]
    fixed = ["reference", "original_language"]
    translated = PUBLIC_FIELDS

    def get_fields(self, request, obj=None):
        if obj is None:
            return []
        kind_fields = (
            ("promise", "target", "partners_sought")
            if obj.kind == EntryKind.PLEDGE
            else ("goal", "plan", "timetable", "partners_sought")
        )
        return ["reference", "original_language", "title", "summary", "description", *kind_fields]

    @admin.display(description=_("title"))
    def title_in_any_language(self, entry):
        return entry.safe_translation_getter("title", any_language=True)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.translation_saved(
            obj, self.get_form_language(request, obj), by=request.user, fields=form.changed_data
        )
