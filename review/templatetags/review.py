from django import template
from django.utils.formats import number_format

from kotolupaus.templatetags.kotolupaus import nothing

register = template.Library()


@register.filter
def score(value):
    """A score to two decimals in the page's number format; a dash read as "none" when
    there is none."""
    return nothing() if value is None else number_format(round(value, 2), 2)


@register.filter
def signed(value):
    """A z-score with its sign, to two decimals; one that rounds to zero has none (never
    "-0.00")."""
    if value is None:
        return nothing()
    rounded = round(value, 2)
    if rounded == 0:
        return number_format(0.0, 2)
    text = number_format(rounded, 2)
    return text if rounded < 0 else f"+{text}"


@register.filter
def get_item(mapping, key):
    return mapping.get(key)
