"""The progress report form."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ..field_errors import FieldErrors
from ..models import (
    Partnership,
    ProgressStatus,
)
from .fields import ImageUploadField, KeepsImages


class ProgressReportForm(KeepsImages, FieldErrors, forms.Form):
    """A progress report on a published entry: a dated status, what has been done,
    figures for the campaign's indicators, who took part, an optional image."""

    image_fields = ("image",)

    status = forms.ChoiceField(
        label=_("Where does it stand?"), choices=ProgressStatus.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Why was it discontinued?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed only if you chose “Discontinued”."),
    )
    reported_on = forms.DateField(
        label=_("Date of the report"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The day the report describes, e.g. today."),
    )
    text = forms.CharField(
        label=_("What has been done?"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("In your own words: what happened, what worked, what is next."),
    )
    language = forms.ChoiceField(
        label=_("Language the report is written in"),
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
    )
    contributors = forms.ModelMultipleChoiceField(
        label=_("Partner organisations who took part"),
        queryset=Partnership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only partners who confirmed taking part can be named."),
    )
    image = ImageUploadField(
        label=_("Image"),
        required=False,
        help_text=_("Optional. JPEG, PNG, GIF or WebP, at most 5 MB."),
    )
    image_pending = forms.CharField(required=False, widget=forms.HiddenInput)
    image_remove = forms.BooleanField(label=_("Remove the current image"), required=False)

    def __init__(self, *args, entry, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.entry = entry
        self.fields["contributors"].queryset = entry.partnerships.confirmed().select_related(
            "organisation"
        )
        self.fields["contributors"].label_from_instance = lambda p: p.organisation.name
        self.fields["language"].initial = self.fields["language"].initial or get_language()
        self.fields["reported_on"].initial = timezone.localdate()
        self.indicators = list(indicators)
        for indicator in self.indicators:
            unit = indicator.safe_translation_getter("unit", any_language=True)
            self.fields[f"figure_{indicator.slug}"] = forms.IntegerField(
                label=str(indicator),
                required=False,
                min_value=0,
                max_value=indicator.maximum,
                error_messages={
                    "invalid": _("Enter a whole number, e.g. 12."),
                    "min_value": _("Enter 0 or a larger whole number."),
                    "max_value": _(
                        "Enter at most %(limit_value)s. A larger figure is likely a typing "
                        "error; write to the campaign's staff if it is right."
                    ),
                },
                help_text=_("Optional; a whole number (%(unit)s).") % {"unit": unit}
                if unit
                else _("Optional; a whole number."),
            )

    def figure_fields(self):
        return [self[f"figure_{indicator.slug}"] for indicator in self.indicators]

    def clean_reported_on(self):
        day = self.cleaned_data["reported_on"]
        if day > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."), code="future")
        if day < timezone.localtime(self.entry.submitted_at).date():
            raise ValidationError(
                _("The date cannot be before the entry was sent."), code="too_early"
            )
        return day

    def clean(self):
        cleaned = super().clean()
        self._keep_images(cleaned)
        if (
            cleaned.get("status") == ProgressStatus.DISCONTINUED
            and not (cleaned.get("reason") or "").strip()
        ):
            self.add_error(
                "reason",
                ValidationError(_("Tell briefly why it was discontinued."), code="reason_required"),
            )
        cleaned["figures"] = {
            indicator: cleaned.get(f"figure_{indicator.slug}") for indicator in self.indicators
        }
        return cleaned
