"""Every CSV and XLSX the service writes for staff passes its cells through here, so that
each opens in a spreadsheet program and in Python's csv and openpyxl, whatever it holds.

- **Typed text stays text.** A cell that starts with "=", "+", "-", "@", a tab or a
  carriage return is a formula to Excel, LibreOffice and Google Sheets ("CSV injection"):
  a title or an organisation name like =HYPERLINK("http://evil.example","x") would run
  when a coordinator or a reader of the open data opens the file. In a CSV such a cell
  gets a leading apostrophe, which the programs read as "this is text"; in an XLSX every
  text is a string cell, which is never evaluated (no apostrophe needed). Characters an
  XLSX cannot hold (control characters other than tab and line breaks, pasted from word
  processors) are left out of it.
- **Validated values are written as such.** A telephone number that passed the form's
  check holds only digits, spaces, "+", "-" and brackets: it cannot call anything, so
  `phone()` lets it through without the apostrophe ("+358 40 123 4567", not
  "'+358 40 123 4567"). Anything else given to `phone()` is treated as typed text.
- **Times are Helsinki time, with the zone named.** An aware datetime is written as the
  local time in Helsinki (XLSX: a date-and-time cell; CSV: "2027-12-31 10:00"); its
  column's header names the zone — give it with `local_time_header()`. Dates are date
  cells (CSV: "2027-12-31"), numbers numbers.
- **Words are words.** Lazy translations (a choice's label) are written in the language
  of the request, never handed to openpyxl as objects it cannot convert.
"""

import csv
import io
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HELSINKI = ZoneInfo("Europe/Helsinki")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What a validated telephone number may hold (submissions.forms.phone_validator checks
# a stricter pattern): nothing here can start a formula that does anything.
_PHONE = re.compile(r"\+?[0-9][0-9 ()\-]*")


class Validated(str):
    """Text the service checked to hold no formula: written as it is."""


def phone(value):
    """A telephone number as typed, when it is one; otherwise typed text (made inert)."""
    value = value or ""
    return Validated(value) if _PHONE.fullmatch(value) else value


def local_time_header(label):
    """The header of a column of times: "updated at (Finnish time)"."""
    return f"{label} ({pgettext('time zone', 'Finnish time')})"


def inert(value):
    if isinstance(value, Validated):
        return str(value)
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_START) else value


def as_typed(value: str) -> str:
    """A cell read back from a CSV this service wrote: without the inert apostrophe."""
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def inert_row(row):
    # inert() written out: the open data passes some three million cells through here.
    return [
        f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_START) else value
        for value in row
    ]


def _value(value):
    """A cell's value as both formats take it: words as text, times in Helsinki."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value, HELSINKI)
        return value.replace(tzinfo=None, microsecond=0)
    return value


def _csv_cell(value):
    value = _value(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return inert(value)


def _xlsx_cell(value):
    value = _value(value)
    if isinstance(value, str):
        return str(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def _xlsx(header, rows):
    book = Workbook()
    sheet = book.active
    sheet.append([_xlsx_cell(h) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append([_xlsx_cell(value) for value in row])
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":  # openpyxl reads "=…" as a formula: keep it text
                cell.data_type = "s"  # (an XLSX string cell is never evaluated)
            elif isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def spreadsheet_response(name, header, rows, file_format):
    """A download of `rows` under `header` as CSV (UTF-8 with a byte order mark) or
    XLSX, every cell as described above."""
    if file_format == "xlsx":
        response = HttpResponse(_xlsx(header, rows), content_type=XLSX)
    else:
        file_format = "csv"
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response.write("\ufeff")  # so that spreadsheet programs read UTF-8
        writer = csv.writer(response)
        writer.writerow([_csv_cell(h) for h in header])
        writer.writerows([_csv_cell(value) for value in row] for row in rows)
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response
