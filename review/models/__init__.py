"""The review app's models: reviewing, decisions and awards, the audit trail, staff sessions."""

from .audit import (
    SECURITY_ACTIONS,
    AuditAction,
    AuditEvent,
    AuditEventEntry,
)
from .decisions import (
    Award,
    AwardCategory,
    Ballot,
    Decision,
    Nomination,
    Outcome,
)
from .reviewer_mail import (
    NoticeKind,
    ReviewerNotice,
    ReviewerPreference,
)
from .reviewing import (
    COORDINATOR_GROUP,
    REVIEWER_GROUP,
    Assignment,
    Conflict,
    Criterion,
    Recommendation,
    Review,
    ReviewQuerySet,
    ReviewSettings,
    Score,
)
from .staff_sessions import (
    StaffSession,
)

__all__ = [
    "COORDINATOR_GROUP",
    "REVIEWER_GROUP",
    "SECURITY_ACTIONS",
    "Assignment",
    "AuditAction",
    "AuditEvent",
    "AuditEventEntry",
    "Award",
    "AwardCategory",
    "Ballot",
    "Conflict",
    "Criterion",
    "Decision",
    "Nomination",
    "NoticeKind",
    "Outcome",
    "Recommendation",
    "Review",
    "ReviewQuerySet",
    "ReviewSettings",
    "ReviewerNotice",
    "ReviewerPreference",
    "Score",
    "StaffSession",
]
