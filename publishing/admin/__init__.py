"""The publishing app's admin: moderation, staff translations, the programme."""

from .moderation import (
    ModerationActions,
    ModerationStateFilter,
    PublicationAdmin,
    ReportPublicationAdmin,
    ReturnForm,
)
from .programme import (
    IndicatorAdmin,
    JoinRequestAdmin,
    ProgrammeAdmin,
)
from .translations import (
    BesideTheOriginal,
    PublicReportTextAdmin,
    PublicTextAdmin,
    PublicTextForm,
    StaffTranslationAdmin,
    TextareaBesideTheOriginal,
    TextInputBesideTheOriginal,
    beside_the_original,
    moderation_labels,
)

__all__ = [
    "BesideTheOriginal",
    "IndicatorAdmin",
    "JoinRequestAdmin",
    "ModerationActions",
    "ModerationStateFilter",
    "ProgrammeAdmin",
    "PublicReportTextAdmin",
    "PublicTextAdmin",
    "PublicTextForm",
    "PublicationAdmin",
    "ReportPublicationAdmin",
    "ReturnForm",
    "StaffTranslationAdmin",
    "TextInputBesideTheOriginal",
    "TextareaBesideTheOriginal",
    "beside_the_original",
    "moderation_labels",
]
