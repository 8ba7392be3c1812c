"""Cells that stay text in a spreadsheet program, whatever someone typed.

A cell that starts with "=", "+", "-", "@", a tab or a carriage return is a formula to
Excel, LibreOffice and Google Sheets ("CSV injection"): a title or an organisation name
like =HYPERLINK("http://evil.example","x") would run when a coordinator or a reader of
the open data opens the file. Every CSV and XLSX the service writes passes its cells
through here: such a cell gets a leading apostrophe, which the programs read as "this
is text" and do not show.
"""

import csv
import io

from django.http import HttpResponse
from openpyxl import Workbook

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def inert(value):
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_START) else value


def inert_row(row):
    # inert() written out: the open data passes some three million cells through here.
    return [
        f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_START) else value
        for value in row
    ]


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def spreadsheet_response(name, header, rows, file_format):
    """A download of `rows` under `header` as CSV (UTF-8 with a byte order mark) or
    XLSX, every cell inert."""
    if file_format == "xlsx":
        book = Workbook()
        sheet = book.active
        sheet.append(header)
        for row in rows:
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                if cell.data_type == "f":  # openpyxl reads "=…" as a formula: keep it text
                    cell.data_type = "s"  # (an XLSX string cell is never evaluated)
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response.write("\ufeff")  # so that spreadsheet programs read UTF-8
        writer = csv.writer(response)
        writer.writerow(header)
        writer.writerows(inert_row(row) for row in rows)
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response
