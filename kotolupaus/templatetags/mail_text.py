"""Filters for the plain-text e-mails (templates/mail/), loaded into every one of them by
the "text" template engine (settings.TEMPLATES)."""

from django import template
from django.utils.text import Truncator

register = template.Library()

# Text someone typed that an e-mail repeats as a name or a title (an organisation, a
# partner, a contact person, a role, an entry's title) is cut to this many characters.
CAPPED_AT = 100
# A list of typed names (the partners in the confirmation e-mail) shows this many, then
# "and N more".
NAMES_SHOWN = 3


@register.filter
def quoted(text):
    """Text someone typed, set off as a quotation: each line starts with "> "."""
    lines = str(text or "").replace("\r\n", "\n").replace("\r", "\n").strip().split("\n")
    return "\n".join(f"> {line}".rstrip() for line in lines)


@register.filter
def capped(text, length=CAPPED_AT):
    """A typed name or title on one line, at most `length` characters ("…" at the end
    when cut): a name cannot carry paragraphs of someone's text into an e-mail."""
    return Truncator(" ".join(str(text or "").split())).chars(int(length))


@register.filter
def first_names(names):
    """The first NAMES_SHOWN of a list of typed names (`more_names` counts the rest)."""
    return list(names or [])[:NAMES_SHOWN]


@register.filter
def more_names(names):
    """How many names `first_names` leaves out."""
    return max(0, len(names or []) - NAMES_SHOWN)
