"""Filling in an admin change form as a person does: open the page, keep every value it
shows, change some, press Save."""

import re
from html.parser import HTMLParser


class _FormFields(HTMLParser):
    """The values a browser would send from the admin's change form."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id", "").endswith("_form"):
            self._in_form = True
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            default = "on" if kind in ("checkbox", "radio") else ""
            self.values.setdefault(name, []).append(attrs.get("value") or default)
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = [""]
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select].append(attrs.get("value", ""))

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            if self._textarea and self.values[self._textarea][0].startswith("\n"):
                self.values[self._textarea][0] = self.values[self._textarea][0][1:]
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._in_form = False


def form_values(html: str) -> dict:
    parser = _FormFields()
    parser.feed(html)
    return parser.values


def save_in_admin(client, url, **changes):
    """Open the admin page `url`, change the named fields and save: the response."""
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    values = form_values(page.content.decode())
    for name, value in changes.items():
        values[name] = value if isinstance(value, list) else [value]
    values["_save"] = ["Save"]
    response = client.post(url, values)
    if response.status_code != 302:
        html = response.content.decode()
        errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S)
        raise AssertionError(f"not saved ({response.status_code}): {errors} {values}")
    return response
