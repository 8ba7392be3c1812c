"""Every field error of the public forms is the form's own sentence that says what to do
(locale/TERMS.md), never one of Django's defaults (issue 24)."""

import pytest
from django.utils.translation import override

from publishing.cooperation.request_views import JoinForm
from submissions.forms import LostLinkForm, PartnerDetailsForm, PartnerForm, SubmissionForm
from submissions.models import EntryKind

pytestmark = pytest.mark.django_db

# Django's own words, which a public form must never show.
DJANGO_DEFAULTS = [
    "This field is required.",
    "Enter a valid",
    "Select a valid choice",
    "Ensure this value",
    "Enter a whole number.",
    "Enter a list of values.",
]

BAD = {
    "org_website": "not a website",
    "contact_email": "not an address",
    "pledge_deadline": "someday",
    "title": "x" * 151,
    "org_type": "spaceship",
    "themes": ["9999"],
    "email": "not an address",
}


def errors_of(form):
    form.is_valid()
    return {name: [str(e) for e in errors] for name, errors in form.errors.items()}


def public_forms(data):
    yield SubmissionForm(data, kind=EntryKind.PLEDGE)
    yield SubmissionForm(data, kind=EntryKind.INITIATIVE)
    yield PartnerForm(data)
    yield PartnerDetailsForm(data)
    yield LostLinkForm(data)
    yield JoinForm(data)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
@pytest.mark.parametrize("data", [{}, BAD], ids=["empty", "wrong"])
def test_no_public_form_shows_djangos_own_field_errors(campaign, language, data):
    with override(language):
        from django.utils.translation import gettext

        defaults = [gettext(text) for text in DJANGO_DEFAULTS] + DJANGO_DEFAULTS
        shown = {
            (type(form).__name__, name): messages
            for form in public_forms(data)
            for name, messages in errors_of(form).items()
        }

    assert shown
    assert {
        key: messages
        for key, messages in shown.items()
        if any(default in message for message in messages for default in defaults)
    } == {}


@pytest.mark.parametrize(
    ("language", "field", "data", "expected"),
    [
        ("fi", "org_name", {}, "Anna organisaation nimi."),
        ("sv", "org_name", {}, "Ange organisationens namn."),
        ("en", "org_name", {}, "Enter the name of the organisation."),
        ("fi", "themes", {}, "Valitse vähintään yksi teema."),
        ("sv", "contact_email", BAD, "Ange en e-postadress i formen namn@example.fi."),
        ("fi", "title", BAD, "Lyhennä teksti enintään 150 merkkiin (nyt siinä on 151)."),
    ],
)
def test_the_entry_form_says_what_to_do(campaign, language, field, data, expected):
    with override(language):
        errors = errors_of(SubmissionForm(data, kind=EntryKind.PLEDGE))

    assert errors[field] == [expected]
