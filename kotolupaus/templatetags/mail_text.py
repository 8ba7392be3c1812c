"""Filters for the plain-text e-mails (templates/mail/), loaded into every one of them by
the "text" template engine (settings.TEMPLATES)."""

from django import template

register = template.Library()


@register.filter
def quoted(text):
    """Text someone typed, set off as a quotation: each line starts with "> "."""
    lines = str(text or "").replace("\r\n", "\n").replace("\r", "\n").strip().split("\n")
    return "\n".join(f"> {line}".rstrip() for line in lines)
