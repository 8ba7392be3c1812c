"""Template tags shared by every page."""

from zoneinfo import ZoneInfo

from django import template
from django.conf import settings
from django.db import models
from django.urls import translate_url
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language_info, gettext_lazy, pgettext

HELSINKI = ZoneInfo("Europe/Helsinki")

# A language named inside a sentence, in the page's language: "(in Finnish)",
# "(på finska)", "(suomeksi)".
IN_LANGUAGE = {
    "fi": gettext_lazy("in Finnish"),
    "sv": gettext_lazy("in Swedish"),
    "en": gettext_lazy("in English"),
}

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
    kind = getattr(widget, "input_type", None)
    if kind == "radio" or (
        kind == "checkbox" and getattr(widget, "allow_multiple_selected", False)
    ):
        return f"{bound_field.auto_id}_0"
    return bound_field.auto_id


@register.filter
def in_language(code):
    """ "in Finnish" for "fi", in the page's language."""
    return IN_LANGUAGE.get(code, code)


@register.filter
def when(value, style="long"):
    """A moment in Helsinki time, written as the page's readers write it, with the zone
    named: "31.12.2027 klo 10.00 (Suomen aikaa)", "31 December 2027, 10:00 (Finnish
    time)". `|when:"short"` uses the short date."""
    if not value:
        return ""
    local = timezone.localtime(value, HELSINKI)
    shown = date_format(local, "SHORT_DATETIME_FORMAT" if style == "short" else "DATETIME_FORMAT")
    zone = pgettext("time zone", "Finnish time")
    return f"{shown} ({zone})"


@register.simple_tag
def nothing(label=None):
    """An empty value in a table or list: a dash people see and a word screen readers
    say ("none"), instead of a bare "–" that is read as nothing or as "dash"."""
    return format_html(
        '<span aria-hidden="true">–</span><span class="visually-hidden">{}</span>',
        label or pgettext("empty value", "none"),
    )


@register.simple_tag
def error_line(label, error):
    """One line of an error summary: "Title: Enter a title." A label that is a whole
    sentence (a consent's wording) is left out, the error alone says what to do; a label
    that is a question is followed by the error without a colon ("What do you promise?
    This field is required."), never "….: …"."""
    label = str(label or "").strip()
    if not label or label.endswith("."):
        return error
    if label.endswith(("?", "!", ":")):
        return f"{label} {error}"
    return f"{label}: {error}"


# Choices whose labels the filters show, registered by the app that defines them.
_labels: dict[str, type[models.TextChoices]] = {}


def register_labels(name, choices):
    _labels[name] = choices


@register.filter
def progress_label(status):
    """A progress status ("achieved") in the page's language ("Toteutunut")."""
    choices = _labels["progress_status"]
    return choices(status).label if status in choices.values else ""


@register.simple_tag
def mail_health():
    """Failing and long-waiting e-mail messages, for the admin index (one query)."""
    from kotolupaus import mail

    return mail.health()
