"""Template filters for the admin panel's own templates (templates/admin/)."""

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def row_header_scope(cell):
    """A cell of Django's list of results: its first column is a <th> without a scope,
    which leaves it unclear to assistive technology what it heads (WCAG 1.3.1)."""
    if cell.startswith("<th") and not cell.startswith("<th scope"):
        return mark_safe('<th scope="row"' + cell[3:])  # noqa: S308 - Django's own escaped HTML
    return cell
