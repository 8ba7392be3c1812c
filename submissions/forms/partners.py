"""Partner organisations named on an entry."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kotolupaus import widgets

from ..models import MAX_PARTNERS


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


class PartnerForm(forms.Form):
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


class PartnerDetailsForm(forms.Form):
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


PartnerFormSet = forms.formset_factory(
    PartnerForm,
    formset=BasePartnerFormSet,
    extra=1,
    max_num=MAX_PARTNERS,
    validate_max=True,
    absolute_max=MAX_PARTNERS,
)
