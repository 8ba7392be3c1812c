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


class Checkboxes(forms.CheckboxSelectMultiple):
    """A list of checkboxes (Bootstrap's .form-check) written straight from the choices,
    for the long lists (every municipality): the same ids as Django's (`<id>_<n>`), so
    labels and the error summary's link to the first box work as for any checkbox
    group. The list is a plain form control, so it works without JavaScript; the entry
    form's script adds a box that filters it."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        base = attrs.setdefault("id", f"id_{name}")
        chosen = {str(v) for v in self.format_value(value)}
        boxes = []
        for index, (option_value, label) in enumerate(self.choices):
            option_value = "" if option_value is None else str(option_value)
            box_id = f"{base}_{index}"
            checked = " checked" if option_value in chosen else ""
            boxes.append(
                f'<div class="form-check"><input type="checkbox" class="form-check-input" '
                f'name="{escape(name)}" value="{escape(option_value)}" id="{escape(box_id)}"'
                f'{checked}><label class="form-check-label" for="{escape(box_id)}">'
                f"{escape(label)}</label></div>"
            )
        return mark_safe(  # noqa: S308 - names, values, ids and labels are escaped
            f"<div{flatatt(attrs)}>{''.join(boxes)}</div>"
        )
