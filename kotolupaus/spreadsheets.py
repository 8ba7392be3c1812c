"""Cells that stay text in a spreadsheet program, whatever someone typed.

A cell that starts with "=", "+", "-", "@", a tab or a carriage return is a formula to
Excel, LibreOffice and Google Sheets ("CSV injection"): a title or an organisation name
like =HYPERLINK("http://evil.example","x") would run when a coordinator or a reader of
the open data opens the file. Every CSV and XLSX the service writes passes its cells
through here: such a cell gets a leading apostrophe, which the programs read as "this
is text" and do not show.
"""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def inert(value):
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_START) else value


def inert_row(row):
    return [inert(value) for value in row]
