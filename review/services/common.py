"""Who may do what in review, and what review does when an entry changes."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils.translation import get_language

from kotolupaus.access import COORDINATE, SCORE, has_role
from submissions.models import Campaign, Entry

from ..audit import audit
from ..models import (
    AuditAction,
)
from .conflicts import withdraw_conflicted_reviews


class ReviewError(Exception):
    """A review action that is not allowed; the message is shown to the staff member."""


def can_coordinate(user: User) -> bool:
    return has_role(user, COORDINATE)


def can_score(user: User) -> bool:
    return has_role(user, SCORE)


def _page_language() -> str:
    """The language of the page being served (the default one outside a request)."""
    language = get_language() or settings.LANGUAGE_CODE
    languages = dict(settings.LANGUAGES)
    return language if language in languages else settings.LANGUAGE_CODE


def entry_status_changed(
    entry: Entry,
    change: str,
    *,
    by: User | None = None,
    before: Any = None,
    reason: str = "",
    **kwargs: Any,
) -> None:
    """A staff member changed an entry's status (e.g. personal data erasure withdrew
    it): the audit trail says who, when, from what to what, and why (called by
    submissions.services.change_status through submissions.extensions)."""
    if by is None or before is None:
        return
    audit(
        by,
        AuditAction.ENTRY_STATUS,
        entry.campaign,
        entry,
        before=before,
        after=change,
        **({"reason": reason} if reason else {}),
    )


def entry_edited(entry: Entry, change: str, **kwargs: Any) -> None:
    """The submitter may have renamed the lead organisation (or given its business ID)
    to one a reviewer declared a conflict of interest with (called through
    submissions.extensions)."""
    if change == "edited":
        withdraw_conflicted_reviews(entry)


def partners_changed(entry: Entry, change: str) -> None:
    """A partner organisation added, corrected or answering may be one a reviewer
    declared a conflict of interest with: their review of the entry stops counting
    (called through submissions.extensions)."""
    withdraw_conflicted_reviews(entry)


def reviewable_entries(campaign: Campaign) -> QuerySet[Entry]:
    entries: QuerySet[Entry] = Entry.objects.submitted().filter(campaign=campaign)
    return entries
