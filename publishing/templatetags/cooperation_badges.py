"""The share page's Open Graph image (publishing/cooperation/badges.py)."""

from django import template

from ..cooperation.badges import share_image

register = template.Library()


@register.simple_tag
def share_image_of(entry):
    """{"url", "width", "height", "alt"} of a public entry's share image."""
    return share_image(entry)
