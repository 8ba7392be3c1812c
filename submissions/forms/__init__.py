"""The submissions app's forms: the entry form, partners and the progress report form."""

from .entry import (
    LostLinkForm,
    SubmissionForm,
    form_initial_from_data,
)
from .fields import (
    LIMITS,
    MUNICIPALITY_CHOICES_SECONDS,
    HoneypotForm,
    ImageUploadField,
    KeepsImages,
    MunicipalityChoiceField,
    StrictCheckbox,
    _too_large_for_the_browser,
    checkbox,
    limited_text,
    municipality_choices,
    phone_validator,
)
from .partner_search import (
    PartnerSearchFields,
    PartnerSearchForm,
    partner_search_initial,
)
from .partners import (
    MAX_PARTNERS,
    BasePartnerFormSet,
    PartnerDetailsForm,
    PartnerForm,
    PartnerFormSet,
    partner_language_field,
)
from .report import (
    ProgressReportForm,
)

__all__ = [
    "LIMITS",
    "MAX_PARTNERS",
    "MUNICIPALITY_CHOICES_SECONDS",
    "BasePartnerFormSet",
    "HoneypotForm",
    "ImageUploadField",
    "KeepsImages",
    "LostLinkForm",
    "MunicipalityChoiceField",
    "PartnerDetailsForm",
    "PartnerForm",
    "PartnerFormSet",
    "PartnerSearchFields",
    "PartnerSearchForm",
    "ProgressReportForm",
    "StrictCheckbox",
    "SubmissionForm",
    "_too_large_for_the_browser",
    "checkbox",
    "form_initial_from_data",
    "limited_text",
    "municipality_choices",
    "partner_language_field",
    "partner_search_initial",
    "phone_validator",
]
