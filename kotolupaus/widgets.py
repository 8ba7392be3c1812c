"""Select widgets that write their options in Python.

Django renders every <option> through two template includes. The submission form has
two lists of all 300-odd municipalities, and rendering them took most of the form page's
time. These widgets write the same markup (`<option value="…" selected>label</option>`,
values and labels escaped) straight from the choices.
"""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import mark_safe


def options_html(choices, chosen: set[str], multiple: bool) -> str:
    """The <option>s (and <optgroup>s) of `choices`; those whose value is in `chosen`
    are selected (only the first such one in a single select, as Django does)."""
    parts = []

    def option(value, label):
        value = "" if value is None else str(value)
        selected = value in chosen
        if selected and not multiple:
            chosen.discard(value)
        return (
            f'<option value="{escape(value)}"{" selected" if selected else ""}>'
            f"{escape(label)}</option>"
        )

    for value, label in choices:
        if isinstance(label, (list, tuple)):
            group = "".join(option(v, text) for v, text in label)
            parts.append(f'<optgroup label="{escape(value)}">{group}</optgroup>')
        else:
            parts.append(option(value, label))
    return "".join(parts)


class QuickOptions:
    """For a forms.Select subclass: the same HTML, without a template per option."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            attrs["multiple"] = True
        options = options_html(
            self.choices, set(self.format_value(value)), self.allow_multiple_selected
        )
        return mark_safe(  # noqa: S308 - the name, attributes and options are escaped
            f'<select name="{escape(name)}"{flatatt(attrs)}>{options}</select>'
        )


class Select(QuickOptions, forms.Select):
    pass


class SelectMultiple(QuickOptions, forms.SelectMultiple):
    pass
