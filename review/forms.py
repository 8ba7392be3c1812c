from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kotolupaus.templatetags.kotolupaus import in_language
from submissions.models import EntryKind, OrganisationType, Theme

from .models import REVIEWER_GROUP, Outcome, Recommendation


class ScoreForm(forms.Form):
    """One radio group per criterion, with the criterion's guidance as help text."""

    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Visible to the coordinator; not shown to the submitter."),
    )
    recommendation = forms.ChoiceField(
        label=_("Recommendation"), choices=Recommendation.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[self.field_name(criterion)] = forms.TypedChoiceField(
                label=str(criterion),
                help_text=criterion.safe_translation_getter("guidance", any_language=True),
                choices=[(value, str(value)) for value in criterion.scale],
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "score-choice"}),
                error_messages={
                    "required": _("Give a score for this criterion."),
                    "invalid_choice": _("Choose a score from %(min)s to %(max)s.")
                    % {"min": criterion.scale_min, "max": criterion.scale_max},
                },
            )
        self.order_fields([self.field_name(c) for c in self.criteria])

    @staticmethod
    def field_name(criterion):
        return f"criterion_{criterion.pk}"

    def criterion_fields(self):
        return [self[self.field_name(c)] for c in self.criteria]

    def scores(self):
        return {c.pk: self.cleaned_data[self.field_name(c)] for c in self.criteria}


class ConflictForm(forms.Form):
    reason = forms.CharField(
        label=_("Why can you not review this entry impartially?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    scope = forms.ChoiceField(
        label=_("The conflict concerns"),
        choices=[
            ("entry", _("this entry")),
            ("organisation", _("the lead organisation (all its entries)")),
        ],
        initial="entry",
        widget=forms.RadioSelect,
    )


class RecordConflictForm(forms.Form):
    """A coordinator records a reviewer's conflict of interest with the entry."""

    reason = forms.CharField(
        label=_("Why can the reviewer not review this entry impartially?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "The review stops counting and the entry leaves the reviewer's queue. The "
            "reviewer is told by e-mail, with this reason."
        ),
        error_messages={"required": _("Give a reason for the conflict of interest.")},
    )


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Sent to the submitter when the decisions are published."),
    )
    rationale_language = forms.ChoiceField(
        label=_("Language of the rationale"),
        choices=settings.LANGUAGES,
        help_text=_(
            "Submitters who correspond in another language get the rationale as written, "
            "with its language named."
        ),
    )

    # Set when the form asked whether a changed rationale is still in the language of the
    # earlier one: the next save takes the language as chosen.
    language_checked = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, previous=None, **kwargs):
        """`previous`: the entry's decision, when it has one. A new rationale's language
        is the page's by default; a recorded one's is what the staff member chose."""
        super().__init__(*args, **kwargs)
        self.previous = previous
        self.fields["rationale_language"].initial = (
            previous.rationale_language if previous else get_language()
        )

    def clean(self):
        cleaned = super().clean()
        previous, language = self.previous, cleaned.get("rationale_language")
        rewritten = previous is not None and (cleaned.get("rationale") or "").strip() not in (
            "",
            previous.rationale.strip(),
        )
        if (
            rewritten
            and language == previous.rationale_language != get_language()
            and not cleaned.get("language_checked")
        ):
            # A rationale rewritten on a page in another language, its language left as
            # it was: ask once, rather than send a Swedish text marked as Finnish.
            self.add_error(
                "rationale_language",
                _(
                    "The earlier rationale was written %(in_language)s. Choose the language "
                    "you wrote the new one in and save again."
                )
                % {"in_language": in_language(language)},
            )
            self.data = self.data.copy()
            self.data[self.add_prefix("language_checked")] = "on"
        return cleaned


class RankingFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All")), *EntryKind.choices]
    )
    theme = forms.ModelChoiceField(
        label=_("Theme"),
        required=False,
        queryset=Theme.objects.prefetch_related("translations"),
        empty_label=_("All"),
    )
    org_type = forms.ChoiceField(
        label=_("Type of organisation"),
        required=False,
        choices=[("", _("All")), *OrganisationType.choices],
    )
    region = forms.CharField(
        label=_("Municipality or “all”"),
        required=False,
        max_length=80,
        help_text=_("A municipality's name, or “all” for all of Finland."),
    )
    recommendation = forms.ChoiceField(
        label=_("Recommended by a reviewer"),
        required=False,
        choices=[("", _("All")), *Recommendation.choices],
    )
    decision = forms.ChoiceField(
        label=_("Decision"),
        required=False,
        choices=[("", _("All")), *Outcome.choices, ("none", _("Not decided"))],
    )
    current_only = forms.BooleanField(
        label=_("Leave out scores of an older version"),
        required=False,
        help_text=_("Scores given before the entry last changed count nowhere then."),
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("mean", _("weighted mean")),
            ("median", _("median")),
            ("z", _("normalised score")),
            ("spread", _("spread")),
            ("count", _("fewest reviews")),
            ("reference", _("reference")),
        ],
    )


def reviewers():
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(groups__name=REVIEWER_GROUP)
        .order_by("username")
        .distinct()
    )


class AutoAssignForm(forms.Form):
    reviewers = forms.ModelMultipleChoiceField(
        label=_("Reviewers"),
        queryset=get_user_model().objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    per_entry = forms.IntegerField(label=_("Reviews per entry (N)"), min_value=1, max_value=20)
    max_per_reviewer = forms.IntegerField(
        label=_("Most entries per reviewer (M)"), min_value=1, max_value=10000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].queryset = reviewers()


class AssignmentImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns: reference, reviewer (user name). The first line is a header."),
    )


class BallotForm(forms.Form):
    def __init__(self, *args, nominations, **kwargs):
        super().__init__(*args, **kwargs)
        self.nominations = list(nominations)
        choices = [("", "–")] + [(i, str(i)) for i in range(1, len(self.nominations) + 1)]
        for nomination in self.nominations:
            self.fields[f"entry_{nomination.entry_id}"] = forms.TypedChoiceField(
                label=str(nomination.entry),
                choices=choices,
                coerce=int,
                error_messages={"required": _("Give this entry a rank.")},
            )

    def ranks(self):
        return {n.entry_id: self.cleaned_data[f"entry_{n.entry_id}"] for n in self.nominations}


class AwardFromVoteForm(forms.Form):
    """ "Award the prize" under the vote's result: to the entry ranked first, or to those
    of the tied entries the coordinator picks; the citation in one language or more."""

    entries = forms.TypedMultipleChoiceField(
        label=_("Award the prize to"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose the entry that gets the prize.")},
    )
    citation_fi = forms.CharField(
        label=_("Citation in Finnish"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    citation_sv = forms.CharField(
        label=_("Citation in Swedish"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    citation_en = forms.CharField(
        label=_("Citation in English"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Write the citation in at least one language; the public sees it in their "
            "language, or else as written."
        ),
    )

    def __init__(self, *args, winners, **kwargs):
        super().__init__(*args, **kwargs)
        self.winners = {entry.pk: entry for entry in winners}
        self.fields["entries"].choices = [
            (entry.pk, f"{entry.reference} – {entry.display_title}") for entry in winners
        ]
        if len(winners) == 1:
            self.fields["entries"].initial = [winners[0].pk]

    def clean(self):
        cleaned = super().clean()
        if not any(
            cleaned.get(f"citation_{code}", "").strip() for code, _name in settings.LANGUAGES
        ):
            self.add_error("citation_fi", _("Write the citation in at least one language."))
        return cleaned

    def chosen(self):
        return [self.winners[pk] for pk in self.cleaned_data["entries"]]

    def citations(self):
        return {code: self.cleaned_data[f"citation_{code}"] for code, _name in settings.LANGUAGES}
