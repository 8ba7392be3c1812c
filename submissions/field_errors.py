"""The public forms' own field errors: a whole sentence that says what to do, in the
words of locale/TERMS.md ("Anna organisaation nimi." / "Ange organisationens namn."),
never Django's defaults ("Tämä kenttä vaaditaan.", "Ensure this value has …").

Every public form takes them through FieldErrors (the entry forms, partners, the lost
link, progress reports, the join request); a required field missing from REQUIRED gets
a test failure (tests/test_field_errors.py), not Django's default.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

# What to do when a required field is empty, by field name.
REQUIRED = {
    # The entry forms
    "org_name": _("Enter the name of the organisation."),
    "org_type": _("Choose the type of organisation."),
    "title": _("Enter a title."),
    "summary": _("Write a summary."),
    "description": _("Write a description."),
    "promise": _("Write what you promise."),
    "target": _("Enter a measurable target."),
    "pledge_deadline": _("Enter the date by which the pledge will have been kept."),
    "goal": _("Write the goal."),
    "plan": _("Write how it is carried out."),
    "timetable": _("Enter the timetable."),
    "themes": _("Choose at least one theme."),
    "target_groups": _("Choose at least one group that it helps."),
    "original_language": _("Choose the language it is written in."),
    "contact_name": _("Enter the contact person's name."),
    "contact_email": _("Enter the contact person's e-mail address."),
    # Partners (in the entry form and on the partner page)
    "name": _("Enter the name of the partner organisation."),
    "email": _("Enter an e-mail address."),
    "language": _("Choose a language."),
    # Progress reports
    "status": _("Choose where it stands."),
    "reported_on": _("Enter the date of the report."),
    "text": _("Write what has been done."),
    # The form's own key (a hidden field): missing only when the page was not loaded whole
    "submission_key": _("Load the form again and send it."),
    # The join request
    "organisation": _("Enter the name of your organisation."),
    "message": _("Write a message."),
}

# Per form, where the same field name asks for something else.
REQUIRED_IN = {
    "JoinForm": {
        "name": _("Enter your name."),
        "email": _("Enter your e-mail address."),
    },
    "LostLinkForm": {
        "email": _("Enter the e-mail address given for the contact person."),
    },
    "ProgressReportForm": {
        "language": _("Choose the language the report is written in."),
    },
}

EMAIL = _("Enter an e-mail address in the form name@example.fi.")
URL = _("Enter the address of the website, for example https://www.example.fi.")
DATE = _("Enter the date as day, month and year, for example 31.12.2027.")
WHOLE_NUMBER = _("Enter a whole number.")
AT_LEAST = _("Enter %(limit_value)s or more.")
CHOOSE = _("Choose one of the options.")
TOO_LONG = _("Shorten the text to at most %(limit_value)d characters (it now has %(show_value)d).")


def messages_for(form_name, name, field):
    """The error messages of one field of a public form."""
    messages = {"max_length": TOO_LONG}
    if isinstance(field, forms.EmailField):
        messages["invalid"] = EMAIL
    elif isinstance(field, forms.URLField):
        messages["invalid"] = URL
    elif isinstance(field, forms.DateField):
        messages["invalid"] = DATE
    elif isinstance(field, forms.UUIDField):
        messages["invalid"] = REQUIRED["submission_key"]
    elif isinstance(field, forms.IntegerField):
        messages.update(invalid=WHOLE_NUMBER, min_value=AT_LEAST)
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        messages.update(invalid_choice=CHOOSE, invalid_list=CHOOSE, invalid_pk_value=CHOOSE)
    required = REQUIRED_IN.get(form_name, {}).get(name) or REQUIRED.get(name)
    if required:
        messages["required"] = required
    return messages


class FieldErrors:
    """For a public form: every field's errors from this module (applied just before
    the form is checked, so fields added in __init__ get them too). A message the field
    declares itself (error_messages=… on the field) is kept."""

    def full_clean(self):
        form_name = type(self).__name__
        for name, field in self.fields.items():
            defaults = djangos_defaults(field)
            for code, message in messages_for(form_name, name, field).items():
                current = field.error_messages.get(code)
                if current is None or current in defaults:
                    field.error_messages[code] = message
        super().full_clean()


def djangos_defaults(field):
    """The messages Django gives a field of this class (and the validators' codes
    Django words itself), to tell them from the ones a form declared on purpose."""
    defaults = []
    for cls in type(field).__mro__:
        defaults += list(getattr(cls, "default_error_messages", {}).values())
    return defaults
