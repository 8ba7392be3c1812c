"""The public submission form: organisation, entry, partners, contact person, consents."""

import datetime
import uuid

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import get_language, override
from django.utils.translation import gettext_lazy as _

from kotolupaus import widgets

from . import images
from .extensions import published_entries
from .field_errors import FieldErrors
from .models import (
    Entry,
    EntryKind,
    Municipality,
    OrganisationType,
    Partnership,
    ProgressStatus,
    TargetGroup,
    Theme,
    consent_wording,
)
from .validators import normalise_business_id, validate_business_id

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


class HoneypotForm(FieldErrors, forms.Form):
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

    image_fields = ()

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


class SubmissionForm(KeepsImages, HoneypotForm):
    """Everything about one pledge or initiative except its partner organisations."""

    image_fields = ("org_logo", "image")

    # The organisation
    org_name = forms.CharField(
        label=_("Name of the organisation"),
        max_length=200,
        help_text=_("The organisation that leads the pledge."),
    )
    org_business_id = forms.CharField(
        label=_("Business ID"),
        max_length=12,
        required=False,
        help_text=_(
            "Finnish business ID (Y-tunnus), e.g. 1234567-1. Leave empty for informal groups."
        ),
    )
    org_type = forms.ChoiceField(
        label=_("Type of organisation"),
        choices=[("", _("Choose…")), *OrganisationType.choices],
        widget=widgets.Select,
    )
    org_municipality = forms.ModelChoiceField(
        label=_("Home municipality of the organisation"),
        queryset=Municipality.objects.all(),
        required=False,
        empty_label=_("Choose…"),
        widget=widgets.Select,
    )
    org_website = forms.URLField(
        label=_("Website"),
        max_length=300,
        required=False,
        assume_scheme="https",
        help_text=_("For example https://www.example.fi"),
    )
    org_logo = ImageUploadField(
        label=_("Logo"),
        required=False,
        help_text=_(
            "Optional. JPEG, PNG, GIF or WebP, at most 5 MB. Shown with the pledge if it is published."
        ),
    )
    org_logo_pending = forms.CharField(required=False, widget=forms.HiddenInput)
    org_logo_remove = forms.BooleanField(label=_("Remove the current logo"), required=False)

    # The entry itself
    title = limited_text(
        _("Title"), "title", _("A short, clear name, e.g. “Summer jobs for young newcomers”.")
    )
    summary = limited_text(
        _("Summary"),
        "summary",
        _("Two or three sentences: what you will do and for whom."),
        rows=3,
    )
    description = limited_text(
        _("Description"),
        "description",
        _("Describe the background, what happens in practice and who takes part."),
        rows=8,
    )
    promise = limited_text(
        _("What do you promise?"),
        "promise",
        _("The concrete commitment, e.g. “We offer ten work placements for immigrants each year.”"),
        rows=4,
    )
    target = limited_text(
        _("Measurable target"),
        "target",
        _(
            "How you and others can tell that the pledge was kept, e.g. “10 placements, of which 5 lead to a job.”"
        ),
        rows=3,
    )
    pledge_deadline = forms.DateField(
        label=_("To be fulfilled by"),
        help_text=_("The date by which the pledge will have been kept."),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    goal = limited_text(
        _("Goal"),
        "goal",
        _("What should change for immigrants, and how will you know it did?"),
        rows=4,
    )
    plan = limited_text(
        _("How is it carried out?"),
        "plan",
        _("The steps, who does what, and what resources are needed."),
        rows=6,
    )
    timetable = limited_text(
        _("Timetable"),
        "timetable",
        _("When does it start, and how long does it last?"),
        rows=3,
    )
    partners_sought = limited_text(
        _("Partners you are still looking for"),
        "partners_sought",
        _("Optional. Which kinds of organisations would you like to join in?"),
        required=False,
        rows=3,
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.prefetch_related("translations"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose one or more."),
    )
    target_groups = forms.ModelMultipleChoiceField(
        label=_("Who does it help?"),
        queryset=TargetGroup.objects.prefetch_related("translations"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose one or more."),
    )
    whole_country = checkbox(_("All of Finland"), required=False)
    municipalities = MunicipalityChoiceField(
        label=_("Municipalities"),
        queryset=Municipality.objects.all(),
        required=False,
        help_text=_("Where does it take place? Tick one or more."),
        widget=widgets.Checkboxes(attrs={"class": "municipality-picker__list"}),
    )
    original_language = forms.ChoiceField(
        label=_("Language the pledge is written in"),
        choices=[(code, capfirst(name)) for code, name in settings.LANGUAGES],
        widget=forms.RadioSelect,
        help_text=_("Staff may add translations into the other languages."),
    )
    image = ImageUploadField(
        label=_("Image"),
        required=False,
        help_text=_(
            "Optional. A photo or picture for the published pledge; JPEG, PNG, GIF or WebP, at most 5 MB."
        ),
    )
    image_pending = forms.CharField(required=False, widget=forms.HiddenInput)
    image_remove = forms.BooleanField(label=_("Remove the current image"), required=False)

    # Contact person (never published)
    contact_name = forms.CharField(label=_("Name"), max_length=200)
    contact_email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        help_text=_("The confirmation and the private link to your pledge are sent here."),
    )
    contact_phone = forms.CharField(
        label=_("Telephone"),
        max_length=40,
        required=False,
        validators=[phone_validator],
        help_text=_("Optional."),
    )

    # Consents
    consent_publish = checkbox(consent_wording(EntryKind.PLEDGE), required=False)
    consent_contact = checkbox(
        _("The ministry may contact me later about this campaign and its follow-up."),
        required=False,
    )
    authorised = checkbox(
        _("I am authorised to submit this on behalf of the organisation."),
        error_messages={
            "required": _("Confirm that you are authorised to submit this for the organisation.")
        },
    )

    challenge_of = forms.ModelChoiceField(
        queryset=Entry.objects.none(), required=False, widget=forms.HiddenInput
    )

    # Machinery: one key per filled-in form (a second submit of it creates nothing),
    # and a field people never see, which bots fill in.
    submission_key = forms.UUIDField(widget=forms.HiddenInput)
    INITIATIVE_TEXTS = {
        "org_name": _("The organisation that leads the initiative."),
        "org_logo": _(
            "Optional. JPEG, PNG, GIF or WebP, at most 5 MB. Shown with the initiative if it is published."
        ),
        "original_language": _("Language the initiative is written in"),
        "image": _(
            "Optional. A photo or picture for the published initiative; JPEG, PNG, GIF or WebP, at most 5 MB."
        ),
        "contact_email": _(
            "The confirmation and the private link to your initiative are sent here."
        ),
    }
    PLEDGE_ONLY = ("promise", "target", "pledge_deadline")
    INITIATIVE_ONLY = ("goal", "plan", "timetable", "partners_sought")

    def __init__(self, *args, kind, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("original_language", get_language())
        kwargs["initial"].setdefault("submission_key", uuid.uuid4())
        super().__init__(*args, **kwargs)
        self.kind = kind
        drop = self.INITIATIVE_ONLY if kind == EntryKind.PLEDGE else self.PLEDGE_ONLY
        for name in (*drop, *([] if kind == EntryKind.PLEDGE else ["challenge_of"])):
            del self.fields[name]
        if kind == EntryKind.PLEDGE:
            # Only a published pledge can be taken up as a challenge.
            self.fields["challenge_of"].queryset = published_entries().filter(kind=EntryKind.PLEDGE)
        if kind == EntryKind.PLEDGE:
            self.fields["title"].help_text = _(
                "A short, clear name, e.g. “Work placements for ten newcomers a year”."
            )
        else:
            # The form speaks of what is being written: an initiative, not "an entry".
            for name, text in self.INITIATIVE_TEXTS.items():
                attribute = "label" if name == "original_language" else "help_text"
                setattr(self.fields[name], attribute, text)
        self.fields["consent_publish"].label = consent_wording(kind)
        # The lists show the municipalities in the page's name order, from the cache.
        places = municipality_choices(get_language())
        org_municipality = self.fields["org_municipality"]
        org_municipality.widget.choices = [("", org_municipality.empty_label), *places]
        self.fields["municipalities"].widget.choices = places

    def clean_org_business_id(self):
        value = normalise_business_id(self.cleaned_data["org_business_id"])
        if value:
            validate_business_id(value)
        return value

    def clean(self):
        cleaned = super().clean()
        self._keep_images(cleaned)
        no_region = not cleaned.get("whole_country") and not cleaned.get("municipalities")
        if no_region and "municipalities" not in self.errors:
            self.add_error(
                "municipalities",
                ValidationError(
                    _("Choose at least one municipality, or tick “All of Finland”."),
                    code="region_required",
                ),
            )
        return cleaned

    SECTIONS = (
        (
            _("The organisation"),
            ("org_name", "org_business_id", "org_type", "org_municipality", "org_website"),
        ),
        (
            None,  # "Your pledge" or "Your initiative"
            (
                "title",
                "summary",
                "description",
                "promise",
                "target",
                "pledge_deadline",
                "goal",
                "plan",
                "timetable",
                "partners_sought",
                "themes",
                "target_groups",
                "whole_country",
                "municipalities",
                "original_language",
            ),
        ),
        (_("Contact person (not published)"), ("contact_name", "contact_email", "contact_phone")),
        (_("Consents"), ("consent_publish", "consent_contact", "authorised")),
    )

    def preview_sections(self):
        """(heading, [(label, value)]) for the preview page, from a valid form."""
        sections = []
        for heading, names in self.SECTIONS:
            if heading is None:
                heading = (
                    _("Your pledge") if self.kind == EntryKind.PLEDGE else _("Your initiative")
                )
            rows = []
            for name in names:
                if name not in self.fields:
                    continue
                value = self.cleaned_data.get(name)
                field = self.fields[name]
                if isinstance(field, forms.BooleanField):
                    value = _("Yes") if value else _("No")
                elif isinstance(value, datetime.date):
                    value = date_format(value, "DATE_FORMAT")
                elif isinstance(field, forms.ModelMultipleChoiceField):
                    value = ", ".join(str(item) for item in value) if value else ""
                elif isinstance(field, forms.ChoiceField) and not isinstance(
                    field, forms.ModelChoiceField
                ):
                    value = dict(field.choices).get(value, value)
                rows.append((field.label, value))
            sections.append((heading, rows))
        return sections


def partner_language_field():
    """The language of every e-mail to a partner; the page's language by default (a
    post without it, which no browser sends, leaves it to the service: the entry's
    language of correspondence, or the partner's language so far)."""
    return forms.ChoiceField(
        label=_("Language of our e-mails to the partner"),
        choices=[(code, capfirst(name)) for code, name in settings.LANGUAGES],
        required=False,
        widget=widgets.Select,
        help_text=_("The invitation and any later e-mails to the partner are in this language."),
    )


class PartnerForm(FieldErrors, forms.Form):
    name = forms.CharField(label=_("Partner organisation"), max_length=200)
    email = forms.EmailField(
        label=_("Contact e-mail of the partner"),
        max_length=254,
        help_text=_("We ask the partner to confirm taking part. Not published."),
    )
    language = partner_language_field()
    role = forms.CharField(
        label=_("Role in the cooperation"),
        max_length=150,
        required=False,
        help_text=_("Optional, e.g. “provides the premises”."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The submitter's language unless chosen otherwise.
        self.fields["language"].initial = get_language()

    def has_changed(self):
        """A row with nothing but a language chosen is an empty row (the list always
        sends a language)."""
        return any(name in self.changed_data for name in ("name", "email", "role"))


class PartnerDetailsForm(FieldErrors, forms.Form):
    """Correcting a partner's address or language on the management page."""

    email = forms.EmailField(label=_("Correct e-mail address"), max_length=254)
    language = partner_language_field()


class BasePartnerFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            email = (form.cleaned_data or {}).get("email", "").lower() if form.is_valid() else ""
            if email and email in seen:
                form.add_error(
                    "email",
                    ValidationError(
                        _("This e-mail address is already given for another partner."),
                        code="duplicate_partner",
                    ),
                )
            seen.add(email)

    def partners(self):
        return [form.cleaned_data for form in self.forms if form.is_valid() and form.has_changed()]


MAX_PARTNERS = 10

PartnerFormSet = forms.formset_factory(
    PartnerForm,
    formset=BasePartnerFormSet,
    extra=1,
    max_num=MAX_PARTNERS,
    validate_max=True,
    absolute_max=MAX_PARTNERS,
)


class LostLinkForm(FieldErrors, forms.Form):
    email = forms.EmailField(
        label=_("Contact e-mail given in the entry"),
        max_length=254,
    )


def form_initial_from_data(form, data, files=None):
    """The values a bound form was posted with, as `initial` for an unbound one.

    Used to show a form again without errors: after "add a partner", or when a
    draft is continued.
    """
    initial = {}
    for name, field in form.fields.items():
        value = field.widget.value_from_datadict(data, files or {}, form.add_prefix(name))
        if value not in (None, "", []):
            initial[name] = value
    return initial


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
