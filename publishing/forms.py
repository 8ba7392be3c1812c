from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from kotolupaus.params import as_id
from review.models import Award, AwardCategory, Outcome
from submissions.forms import HoneypotForm
from submissions.models import (
    Campaign,
    EntryKind,
    Municipality,
    OrganisationType,
    ProgressStatus,
    TargetGroup,
    Theme,
)


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
    region = forms.CharField(label=_("Region"), required=False, max_length=3)
    programme = forms.BooleanField(label=_("In the cooperation programme"), required=False)
    award = forms.CharField(label=_("Prize"), required=False, max_length=10)
    campaign = forms.SlugField(label=_("Campaign"), required=False)
    progress = forms.ChoiceField(
        label=_("Progress"), required=False, choices=[("", _("All")), *ProgressStatus.choices]
    )

    def apply(self, entries):
        data = self.cleaned_data
        if data["kind"]:
            entries = entries.filter(kind=data["kind"])
        if data["theme"]:
            entries = entries.filter(themes__slug=data["theme"])
        if data["target_group"]:
            entries = entries.filter(target_groups__slug=data["target_group"])
        if data["org_type"]:
            entries = entries.filter(lead_organisation__type=data["org_type"])
        if data["region"] == "all":
            entries = entries.filter(whole_country=True)
        elif data["region"]:
            entries = entries.filter(municipalities__code=data["region"])
        if data["programme"]:
            entries = entries.filter(
                decision__outcome=Outcome.INCLUDED, decision__published_at__isnull=False
            )
        if data["award"] == "any":
            entries = entries.filter(Exists(Award.objects.filter(entry=OuterRef("pk"))))
        elif as_id(data["award"]) is not None:
            entries = entries.filter(awards__category_id=as_id(data["award"]))
        if data["campaign"]:
            entries = entries.filter(campaign__slug=data["campaign"])
        if data["progress"]:
            entries = entries.filter(publication__progress_status=data["progress"])
        # Each filter matches at most one related row per entry: no duplicates, no DISTINCT.
        return entries

    def active_filters(self):
        """(label, value label) of each filter in use, for the "filtered by" line."""
        data, active = self.cleaned_data, []
        names = {
            "kind": dict(EntryKind.choices),
            "org_type": dict(OrganisationType.choices),
            "progress": dict(ProgressStatus.choices),
        }
        for key in ("kind", "org_type", "progress"):
            if data[key]:
                active.append((key, self.fields[key].label, names[key].get(data[key], data[key])))
        lookups = {
            "theme": lambda v: Theme.objects.filter(slug=v).first(),
            "target_group": lambda v: TargetGroup.objects.filter(slug=v).first(),
            "region": lambda v: (
                _("All of Finland") if v == "all" else Municipality.objects.filter(code=v).first()
            ),
            "award": lambda v: (
                _("Any prize")
                if v == "any"
                else AwardCategory.objects.filter(pk=as_id(v) or 0).first()
            ),
            "campaign": lambda v: Campaign.objects.filter(slug=v).first(),
        }
        for key, find in lookups.items():
            if data[key]:
                active.append((key, self.fields[key].label, find(data[key]) or data[key]))
        if data["programme"]:
            active.append(("programme", self.fields["programme"].label, _("yes")))
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
