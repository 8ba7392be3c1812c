"""Template tags shared by every page."""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.safestring import mark_safe
from django.utils.translation import get_language_info

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context):
    """One link per language to the page the visitor is on, in that language.

    Plain links (no form, no `next` parameter): they work without JavaScript,
    keep the query string, and cannot be turned into an open redirect.
    """
    request = context.get("request")
    path = request.get_full_path() if request else "/"
    current = context.get("LANGUAGE_CODE")
    links = []
    for code, _name in settings.LANGUAGES:
        info = get_language_info(code)
        url = translate_url(path, code)
        if url == path and current and path.startswith(f"/{current}/"):
            # A path that does not resolve (a 404 page): swap the prefix all the same.
            url = f"/{code}/{path[len(current) + 2 :]}"
        if not url.startswith(f"/{code}/"):
            # Never anything else, e.g. "//evil.example" (another site) on a 404 page.
            url = f"/{code}/"
        links.append(
            {
                "code": code,
                "name": info["name_local"].capitalize(),
                "url": url,
                "current": code == current,
            }
        )
    return links


@register.simple_tag(takes_context=True)
def nav_current(context, *url_names):
    """` aria-current="page"` on a navigation link when the page is one of the named views."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match and match.view_name in url_names:
        return mark_safe(' aria-current="page"')
    return ""


@register.filter
def error_anchor(bound_field):
    """The id an error summary links to: the field, or the first box of a group."""
    widget = bound_field.field.widget
    if getattr(widget, "input_type", None) in ("checkbox", "radio") and getattr(
        widget, "allow_multiple_selected", widget.input_type == "radio"
    ):
        return f"{bound_field.auto_id}_0"
    return bound_field.auto_id
