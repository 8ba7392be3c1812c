"""Reading raw request parameters safely (ids, slugs, free text)."""

import re

ID = re.compile(r"[0-9]{1,18}")
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,60}")


def as_id(value) -> int | None:
    """An id from a parameter: ASCII digits only ("²".isdigit() is true, int("²") fails)."""
    value = str(value or "")
    return int(value) if ID.fullmatch(value) else None


def as_slug(value) -> str | None:
    value = str(value or "")
    return value if SLUG.fullmatch(value) else None


def as_text(value, limit=200) -> str:
    """Free text from a parameter, without NUL characters (PostgreSQL refuses them)."""
    return str(value or "").replace("\x00", "")[:limit]
