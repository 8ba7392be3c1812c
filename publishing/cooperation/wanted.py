"""(See publishing/cooperation/__init__.py.)"""


def management_sections(entry, token) -> list:
    """This concern's part of the management page (submissions.extensions.Section)."""
    return []
