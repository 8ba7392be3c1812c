"""The entry form and the "lost your link?" form."""

import datetime
import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kotolupaus import widgets

from ..extensions import published_entries
from ..field_errors import FieldErrors
from ..models import (
    Entry,
    EntryKind,
    Municipality,
    OrganisationType,
    TargetGroup,
    Theme,
    consent_wording,
)
from ..validators import normalise_business_id, validate_business_id
from .fields import (
    HoneypotForm,
    ImageUploadField,
    KeepsImages,
    MunicipalityChoiceField,
    checkbox,
    limited_text,
    municipality_choices,
    phone_validator,
)
from .partner_search import FIELDS as PARTNER_SEARCH_FIELDS
from .partner_search import PartnerSearchFields, ReadOnce


class SubmissionForm(KeepsImages, HoneypotForm, PartnerSearchFields):
    """Everything about one pledge or initiative except its partner organisations (with
    the partners it looks for: PartnerSearchFields)."""

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
        _("Partners you are looking for, in words"),
        "partners_sought",
        _("Optional. Which organisations would you like to join in, and to do what?"),
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
    INITIATIVE_ONLY = ("goal", "plan", "timetable")

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
        themes = ReadOnce(self.fields["themes"].choices)
        self.fields["themes"].widget.choices = self.fields["wanted_themes"].widget.choices = themes
        # The search for partners is checked and listed with its fieldset, before the
        # contact person.
        moved = ("partners_sought", *PARTNER_SEARCH_FIELDS)
        rest = [name for name in self.fields if name not in moved]
        at = rest.index("contact_name")
        self.fields = {name: self.fields[name] for name in [*rest[:at], *moved, *rest[at:]]}

    def clean_org_business_id(self):
        value = normalise_business_id(self.cleaned_data["org_business_id"])
        if value:
            validate_business_id(value)
        return value

    def clean(self):
        cleaned = super().clean()
        self._keep_images(cleaned)
        self.clean_partner_search(cleaned, text=cleaned.get("partners_sought"))
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
                "themes",
                "target_groups",
                "whole_country",
                "municipalities",
                "original_language",
            ),
        ),
        (_("Partners wanted"), ("partners_sought", *PARTNER_SEARCH_FIELDS)),
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
                elif isinstance(field, forms.MultipleChoiceField) and not isinstance(
                    field, forms.ModelMultipleChoiceField
                ):
                    value = ", ".join(str(dict(field.choices).get(v, v)) for v in value or ())
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
