"""Partners wanted (issue 25): what kinds of organisation, in which regions and on which
themes an entry looks for partners, and whether it is open to cooperation at all.

The same fields serve the entry form (SubmissionForm inherits PartnerSearchFields, so
drafts, the preview and the edit form carry them like any other field) and the page of
their own behind the private link (PartnerSearchForm, without the typed text, which
stays with the entry's moderated text)."""

from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ..field_errors import FieldErrors
from ..models import OrganisationType, PartnerSearch, Region, Theme
from .fields import MUNICIPALITY_CHOICES_SECONDS, checkbox

# The form's names of PartnerSearch's fields (prefixed: the entry form has its own
# `themes` and `whole_country`).
FIELDS = (
    "wanted_looking",
    "wanted_types",
    "wanted_anywhere",
    "wanted_regions",
    "wanted_themes",
    "wanted_open",
)

NOTHING_SOUGHT = _(
    "Tell what kind of partners you are looking for: tick a kind of organisation, a "
    "region or a theme, or describe the partners in words."
)
# On the search's own page the words are not edited (they are on the edit form).
NOTHING_TICKED = _(
    "Tell what kind of partners you are looking for: tick a kind of organisation, a "
    "region or a theme. You can describe the partners in words on the edit form."
)


def region_choices(language) -> list[tuple[str, str]]:
    """The 19 regions as (code, name in `language`), in code order: fixed data (a data
    migration's), kept in the cache like the municipalities; the field still validates
    against the database."""
    key = f"region-choices:{language}"
    choices = cache.get(key)
    if choices is None:
        choices = [(region.code, region.name_in(language)) for region in Region.objects.all()]
        cache.set(key, choices, MUNICIPALITY_CHOICES_SECONDS)
    return choices


class ReadOnce(BaseChoiceIterator):
    """Choices read from the database once, however many widgets show them (the entry's
    themes and the themes sought)."""

    def __init__(self, choices):
        self.choices, self.read = choices, None

    def __iter__(self):
        if self.read is None:
            self.read = list(self.choices)
        yield from self.read


class PartnerSearchFields(forms.Form):
    """The fieldset "Partners wanted"; `clean_partner_search()` checks that a search
    says what it seeks."""

    wanted_looking = checkbox(_("We are looking for partners"), required=False)
    wanted_types = forms.MultipleChoiceField(
        label=_("Kinds of organisation you are looking for"),
        choices=OrganisationType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    wanted_anywhere = checkbox(_("Partners anywhere in Finland"), required=False)
    wanted_regions = forms.ModelMultipleChoiceField(
        label=_("Regions where you are looking for partners"),
        queryset=Region.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    wanted_themes = forms.ModelMultipleChoiceField(
        label=_("Themes the partners could work on"),
        queryset=Theme.objects.prefetch_related("translations"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    wanted_open = checkbox(
        _(
            "Open to cooperation: other organisations may ask to join even if we are not "
            "looking for anyone in particular"
        ),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wanted_regions"].widget.choices = region_choices(get_language())

    def clean_partner_search(self, cleaned, *, text="", message=NOTHING_SOUGHT):
        """A search that is on must say what it seeks: a kind, a region, a theme or words."""
        if not cleaned.get("wanted_looking"):
            return
        sought = (
            cleaned.get("wanted_types")
            or cleaned.get("wanted_anywhere")
            or cleaned.get("wanted_regions")
            or cleaned.get("wanted_themes")
            or (text or "").strip()
        )
        if not sought:
            self.add_error("wanted_looking", ValidationError(message, code="nothing_sought"))


class PartnerSearchForm(FieldErrors, PartnerSearchFields):
    """The search on its own page behind the private link; `text` is the entry's
    words on the partners it seeks (which count as saying what it seeks)."""

    def __init__(self, *args, text="", **kwargs):
        super().__init__(*args, **kwargs)
        self.text = text

    def clean(self):
        cleaned = super().clean()
        self.clean_partner_search(cleaned, text=self.text, message=NOTHING_TICKED)
        return cleaned


def partner_search_initial(entry) -> dict:
    """The form's initial values from an entry's search (nothing when it has none)."""
    search = PartnerSearch.objects.filter(entry_id=entry.pk).first()
    if search is None:
        return {}
    return {
        "wanted_looking": search.looking,
        "wanted_types": list(search.organisation_types),
        "wanted_anywhere": search.whole_country,
        "wanted_regions": [region.pk for region in search.regions.all()],
        "wanted_themes": [theme.pk for theme in search.themes.all()],
        "wanted_open": search.open_to_cooperation,
    }
