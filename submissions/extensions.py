"""Where the apps that come after submissions plug in, so that submissions never imports
them (data flows one way: submissions → review → publishing).

- `published_entries()`: the entries the public may see. What "published" means belongs
  to publishing (moderation), which registers its definition when it starts
  (publishing/apps.py); without it nothing is public. The form uses it for similar
  titles and for the pledge a new pledge takes up as a challenge.
- `management_notices`: the private management page asks the later apps what the
  submitter should know (returned for fixes with the staff comment, a decision …). Each
  receiver returns a list of Notice.
"""

from dataclasses import dataclass

from django.dispatch import Signal

from .models import Entry

_published = None


def register_published(definition):
    """`definition(queryset) -> queryset`: keep only what the public may see."""
    global _published
    _published = definition


def published_entries(queryset=None):
    queryset = Entry.objects.all() if queryset is None else queryset
    return _published(queryset) if _published is not None else queryset.none()


@dataclass
class Notice:
    level: str  # "info", "warning" or "success" (Bootstrap's alert styles)
    title: str
    text: str
    quote: str = ""  # words someone else wrote (a staff comment), shown as a quotation


# Sent with `entry` when its management page is shown; receivers return [Notice, …].
management_notices = Signal()


def notices_for(entry) -> list[Notice]:
    found = []
    for _receiver, notices in management_notices.send(sender=Entry, entry=entry):
        found.extend(notices or [])
    return found


_report_states = None


def register_report_states(describe):
    """`describe(reports) -> {report id: label}`: how moderation sees each report."""
    global _report_states
    _report_states = describe


def report_states(reports) -> dict:
    return _report_states(reports) if _report_states is not None else {}
