"""Validation of Finnish identifiers and of uploaded images."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

BUSINESS_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)
BUSINESS_ID_FORMAT = re.compile(r"^(\d{6,7})-(\d)$")


def normalise_business_id(value: str) -> str:
    """'123456-7' and ' 0123456-7 ' both become '0123456-7' (old IDs had six digits)."""
    value = (value or "").strip().replace(" ", "")
    match = BUSINESS_ID_FORMAT.match(value)
    if match and len(match.group(1)) == 6:
        return f"0{match.group(1)}-{match.group(2)}"
    return value


def validate_business_id(value: str) -> None:
    """The Finnish business ID (Y-tunnus / FO-nummer): seven digits, a hyphen, a check digit."""
    match = BUSINESS_ID_FORMAT.match(normalise_business_id(value))
    if not match:
        raise ValidationError(
            _("Enter the business ID as seven digits, a hyphen and a check digit, e.g. 1234567-1."),
            code="business_id_format",
        )
    digits, check = match.group(1).zfill(7), int(match.group(2))
    remainder = sum(int(d) * w for d, w in zip(digits, BUSINESS_ID_WEIGHTS, strict=True)) % 11
    expected = 0 if remainder == 0 else 11 - remainder
    if remainder == 1 or check != expected:
        raise ValidationError(
            _("This business ID is not valid: its check digit does not match. Please check it."),
            code="business_id_checksum",
        )
