from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from submissions.forms import HoneypotForm
from submissions.models import EntryKind, OrganisationType, ProgressStatus


class CatalogueFilter(forms.Form):
    """The catalogue's search and filters, all plain GET parameters."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All")), *EntryKind.choices]
    )
    theme = forms.SlugField(label=_("Theme"), required=False)
    target_group = forms.SlugField(label=_("Who it helps"), required=False)
    org_type = forms.ChoiceField(
        label=_("Type of organisation"),
        required=False,
        choices=[("", _("All")), *OrganisationType.choices],
    )
    region = forms.CharField(
        label=pgettext_lazy("filter", "Municipality"), required=False, max_length=3
    )
    # One of the 19 regions (maakunta / landskap) by its code; an unknown one is ignored.
    maakunta = forms.CharField(
        label=pgettext_lazy("maakunta", "Region"), required=False, max_length=20
    )
    programme = forms.BooleanField(label=_("In the cooperation programme"), required=False)
    award = forms.CharField(label=_("Prize"), required=False, max_length=10)
    campaign = forms.SlugField(label=_("Campaign"), required=False)
    progress = forms.ChoiceField(
        label=_("Progress"), required=False, choices=[("", _("All")), *ProgressStatus.choices]
    )
    # Partners wanted (publishing.cooperation.wanted_public): looking for partners now,
    # and what is sought; an unknown region or theme matches nothing.
    partners = forms.BooleanField(label=_("Looking for partners"), required=False)
    seeks_type = forms.ChoiceField(
        label=_("Kind of organisation sought"),
        required=False,
        choices=[("", _("All")), *OrganisationType.choices],
    )
    seeks_region = forms.CharField(label=_("Region sought"), required=False, max_length=20)
    seeks_theme = forms.SlugField(label=_("Theme sought"), required=False)

    def clean_maakunta(self):
        from .regions import known

        return known(self.cleaned_data["maakunta"])

    def clean_seeks_region(self):
        from .regions import known

        return known(self.cleaned_data["seeks_region"])

    def active_filters(self):
        """(key, label, value label) of each filter in use, for the "filtered by" line; the
        names come from queries.taxonomy() (a cache), an unknown value is shown as given.
        The filters themselves are applied by publishing.search.Listing."""
        from .cooperation.wanted_public import active_lookups
        from .queries import taxonomy

        data, active, names = self.cleaned_data, [], taxonomy()
        lookups = {
            "kind": dict(EntryKind.choices),
            "org_type": dict(OrganisationType.choices),
            "progress": dict(ProgressStatus.choices),
            "theme": dict(names["themes"]),
            "target_group": dict(names["target_groups"]),
            "region": {"all": _("All of Finland"), **names["municipalities"]},
            "award": {"any": _("Any prize"), **dict(names["prizes"])},
            "campaign": names["campaigns"],
            "maakunta": names["regions"],
            **active_lookups(names),
        }
        for key, known in lookups.items():
            if data[key]:
                active.append((key, self.fields[key].label, known.get(data[key], data[key])))
        for key in ("programme", "partners"):
            if data[key]:
                active.append((key, self.fields[key].label, _("yes")))
        return active


class JoinForm(HoneypotForm):
    organisation = forms.CharField(label=_("Your organisation"), max_length=200)
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(
        label=_("Your e-mail"),
        max_length=254,
        help_text=_("The initiative's contact person answers you at this address."),
    )
    message = forms.CharField(
        label=_("Message"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Tell them who you are and how you would like to take part."),
    )


class FollowUpFilter(forms.Form):
    """The staff's follow-up page: which published entries to list."""

    status = forms.ChoiceField(
        label=_("Latest reported status"),
        required=False,
        choices=[("", _("All")), *ProgressStatus.choices, ("none", _("No report yet"))],
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All")), *EntryKind.choices]
    )
    overdue = forms.BooleanField(label=_("Only overdue"), required=False)
