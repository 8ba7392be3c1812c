"""Fields and pieces shared by the forms."""

from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from .. import images
from ..models import (
    Municipality,
)

phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 ()-]{4,18}[0-9]$",
    _("Enter a telephone number with digits only, e.g. +358 40 123 4567 or 040 123 4567."),
)


# Guidance shown under each field; limits are also counted live when JavaScript is on.
LIMITS = {
    "title": 150,
    "summary": 500,
    "description": 5000,
    "promise": 2000,
    "target": 1000,
    "goal": 2000,
    "plan": 4000,
    "timetable": 1000,
    "partners_sought": 1000,
}


def limited_text(label, name, help_text, *, required=True, rows=None):
    """A text field with a length limit that is checked, never enforced by cutting.

    The browser's `maxlength` would silently drop whatever is typed or pasted past the
    limit; instead the limit travels as `data-limit` for the live counter, and a text
    that is too long gets the ordinary field error, with everything typed kept.
    """
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    field = forms.CharField(
        label=label,
        max_length=LIMITS[name],
        required=required,
        help_text=help_text,
        widget=widget,
    )
    field.widget.attrs.pop("maxlength", None)
    field.widget.attrs["data-limit"] = str(LIMITS[name])
    return field


def _too_large_for_the_browser():
    """The field error for an image over the limit, with its size left for the browser
    to fill in (static/js/file-size.js): the same words as the server's."""
    return _("The image is too large (%(size)s). The largest allowed size is %(limit)s.") % {
        "size": "%(size)s",
        "limit": filesizeformat(images.MAX_UPLOAD_BYTES),
    }


class ImageUploadField(forms.FileField):
    """A file field whose clean() returns the checked, re-encoded image. The browser
    refuses a file over the limit before sending (static/js/file-size.js)."""

    widget = forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"})

    def widget_attrs(self, widget):
        return {
            **super().widget_attrs(widget),
            "data-max-bytes": str(images.MAX_UPLOAD_BYTES),
            "data-too-large": lazy(_too_large_for_the_browser, str)(),
        }

    def to_python(self, data):
        upload = super().to_python(data)
        return images.process_image(upload) if upload else None


MUNICIPALITY_CHOICES_SECONDS = 60 * 60


def municipality_choices(language) -> list[tuple[int, str]]:
    """Every municipality as (id, name shown in `language`), in that language's name
    order. The list is fixed data (it changes with a data migration, not in the admin),
    so it is kept in the cache for an hour instead of being read into 300 model objects
    for each form; the fields still validate against the database."""
    key = f"municipality-choices:{language}"
    choices = cache.get(key)
    if choices is None:
        with override(language):
            choices = [(m.pk, str(m)) for m in Municipality.objects.in_name_order(language)]
        cache.set(key, choices, MUNICIPALITY_CHOICES_SECONDS)
    return choices


class MunicipalityChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, municipality):
        return str(municipality)


class StrictCheckbox(forms.CheckboxInput):
    """A box is ticked only by what a browser sends for a ticked box ("on"), or by an
    explicit "true"/"1": Django would read any other text ("0", "no") as ticked, and a
    consent must never be given by accident."""

    TICKED = {"on", "true", "1"}

    def value_from_datadict(self, data, files, name):
        value = data.get(name)
        if isinstance(value, bool):
            return value
        return isinstance(value, str) and value.strip().lower() in self.TICKED


def checkbox(label, **kwargs):
    return forms.BooleanField(label=label, widget=StrictCheckbox, **kwargs)


class HoneypotForm(forms.Form):
    """A field people never see (it is off-screen and skipped by the keyboard) but bots
    fill in; a filled-in form is refused. Every public form includes it."""

    homepage = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_homepage(self):
        if self.cleaned_data["homepage"]:
            raise ValidationError(_("Leave this field empty."), code="honeypot")
        return ""


class KeepsImages:
    """A checked image survives a failed submit (and a preview) as a signed reference in
    a hidden `<name>_pending` field, so the person need not choose the file again."""

    image_fields: tuple[str, ...] = ()

    def _keep_images(self, cleaned):
        """A checked image survives a failed submit and the preview step as a signed reference."""
        for name in self.image_fields:
            pending = f"{name}_pending"
            content = cleaned.get(name)
            if content:
                reference = images.save_pending(content)
                self.data = self.data.copy()
                self.data[self.add_prefix(pending)] = reference
                cleaned[pending] = reference
                content.seek(0)
            elif cleaned.get(pending):
                kept = images.open_pending(cleaned[pending])
                if kept is None:
                    # Expired or forged: forget it, so the form asks for the file again.
                    cleaned[pending] = ""
                    self.data = self.data.copy()
                    self.data[self.add_prefix(pending)] = ""
                cleaned[name] = kept
