"""The submissions app's models, one module per concern."""

from .campaign import (
    Campaign,
    CampaignQuerySet,
    Municipality,
    MunicipalityQuerySet,
    TargetGroup,
    Theme,
    hashtag_validator,
    reminder_months_validator,
)
from .cooperation import PartnerSearch
from .entries import (
    CONSENT_TO_PUBLISH_WORDING,
    ENTRY_TEXT_FIELDS,
    ENTRY_TRANSITIONS,
    LANGUAGE_CODES,
    Entry,
    EntryKind,
    EntryQuerySet,
    EntryStatus,
    EntryVersion,
    VersionSource,
    consent_wording,
    entry_reference,
)
from .follow_up import (
    Indicator,
    ProgressReport,
    ProgressStatus,
    ReminderSent,
    ReportFigure,
)
from .links import (
    Draft,
    ManagementLink,
    RetiredLink,
    RetiredLinkKind,
    RetiredLinkReason,
)
from .organisations import (
    Organisation,
    OrganisationType,
)
from .partners import (
    MAX_PARTNERS,
    NewsKind,
    Partnership,
    PartnershipQuerySet,
    SubmitterNews,
)
from .regions import REGION_CODES, Region

__all__ = [
    "CONSENT_TO_PUBLISH_WORDING",
    "ENTRY_TEXT_FIELDS",
    "ENTRY_TRANSITIONS",
    "LANGUAGE_CODES",
    "MAX_PARTNERS",
    "REGION_CODES",
    "Campaign",
    "CampaignQuerySet",
    "Draft",
    "Entry",
    "EntryKind",
    "EntryQuerySet",
    "EntryStatus",
    "EntryVersion",
    "Indicator",
    "ManagementLink",
    "Municipality",
    "MunicipalityQuerySet",
    "NewsKind",
    "Organisation",
    "OrganisationType",
    "PartnerSearch",
    "Partnership",
    "PartnershipQuerySet",
    "ProgressReport",
    "ProgressStatus",
    "Region",
    "ReminderSent",
    "ReportFigure",
    "RetiredLink",
    "RetiredLinkKind",
    "RetiredLinkReason",
    "SubmitterNews",
    "TargetGroup",
    "Theme",
    "VersionSource",
    "consent_wording",
    "entry_reference",
    "hashtag_validator",
    "reminder_months_validator",
]
