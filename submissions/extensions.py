"""What follows a change made in submissions, in the apps that come after it — listed
here, filled at start-up by those apps (publishing/apps.py, review/apps.py), called by
name from submissions' services and pages. Submissions never imports them (data flows
one way: submissions → review → publishing), and nothing is left to signals.

| hook | filled by | called by |
|---|---|---|
| `published(queryset)` | publishing.queries.published: the one definition of what the public may see | the form (a challenge taken up), progress reports |
| `public_summary(pk, kind)` | publishing.queries.public_summary: a public entry as the public sees it | the form (the pledge whose challenge is taken up) |
| `similar_titles(campaign, title, limit)` | publishing.queries.similar_titles | the form's "similar entries" |
| `entry_changed(entry, change, …)` | review.services.entry_status_changed (audits a staff member's change), then publishing.services.entry_changed (moderation, versions, the public side) | submissions.services: every status change, edit and consent |
| `partners_changed(entry, change)` | publishing.services.partners_changed | submissions.services: a partner's answer, the submitter's changes of partners |
| `report_changed(report, change)` | publishing.services.report_changed | submissions.services: a progress report added or edited |
| `notices(entry)` | publishing.notices.management_notices | the private management page |
| `report_states(reports)` | publishing.queries.report_states | the private management page |
| `sections(entry, token)` | publishing.cooperation: partners wanted, requests to join, suggestions, the badge | the private management page |

Rows the public sees that are changed elsewhere (in the admin, by review's services)
reach the public side through kotolupaus.public_side instead.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet

from .models import Entry

HOOKS = (
    "published",
    "public_summary",
    "similar_titles",
    "entry_changed",
    "partners_changed",
    "report_changed",
    "notices",
    "report_states",
    "sections",
)
_hooks: dict[str, list[Callable]] = {name: [] for name in HOOKS}


def register(name: str, function: Callable) -> None:
    """Fill a hook (at start-up, from an AppConfig.ready()); registering the same
    function twice changes nothing."""
    if function not in _hooks[name]:
        _hooks[name].append(function)


def _call(name, *args, **kwargs) -> list:
    return [function(*args, **kwargs) for function in _hooks[name]]


def published_entries(queryset: QuerySet[Entry] | None = None) -> QuerySet[Entry]:
    """Keep only what the public may see (without publishing, nothing is public)."""
    queryset = Entry.objects.all() if queryset is None else queryset
    for definition in _hooks["published"]:
        queryset = definition(queryset)
    return queryset if _hooks["published"] else queryset.none()


def public_summary(pk, kind=None) -> dict | None:
    """A public entry as the public sees it (its title in the page's language, its
    organisation, theme and target group ids), or None."""
    found = _call("public_summary", pk, kind)
    return found[0] if found else None


def similar_titles(campaign, title, limit=5) -> list[dict]:
    """Public entries of the campaign with a title like `title`: [{"title", "kind"}]."""
    found = _call("similar_titles", campaign, title, limit)
    return found[0] if found else []


def entry_changed(entry, change, *, by=None, before=None, reason="") -> None:
    """Inside the transaction after an entry changed: `change` is the new status
    ("submitted", "withdrawn"; `before` is then the old one), "edited" (the submitter
    changed the text) or "consent" (given or withdrawn); `by` is the staff member who
    made it, or None for the submitter."""
    _call("entry_changed", entry, change, by=by, before=before, reason=reason)


def partners_changed(entry, change) -> None:
    """Inside the transaction after a partner answered ("confirmed", "declined") or the
    submitter "added", "corrected" or "removed" one."""
    _call("partners_changed", entry, change)


def report_changed(report, change) -> None:
    """Inside the transaction after the submitter "added" or "edited" a report."""
    _call("report_changed", report, change)


@dataclass
class Notice:
    level: str  # "info", "warning" or "success" (Bootstrap's alert styles)
    title: str
    text: str
    quote: str = ""  # words someone else wrote (a staff comment), shown as a quotation


def notices_for(entry) -> list[Notice]:
    """What the submitter should know at the top of the management page."""
    return [notice for notices in _call("notices", entry) for notice in notices or ()]


def report_states(reports) -> dict:
    """{report id: how moderation sees it}, for the management page."""
    states = {}
    for found in _call("report_states", reports):
        states.update(found)
    return states


@dataclass
class Section:
    """A part of the management page that an app after submissions adds: its template
    (given the context as `data`, with `entry` and `token` as on the page)."""

    template: str
    context: dict


def sections_for(entry, token) -> list[Section]:
    """The parts of the management page the later apps add, in the order registered."""
    return [section for sections in _call("sections", entry, token) for section in sections or ()]
