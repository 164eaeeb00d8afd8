"""Spreadsheets for tests: an .xlsx upload built from rows."""

import io

from openpyxl import Workbook


def xlsx(rows, name: str = "tai-cau-truc.xlsx") -> io.BytesIO:
    """An in-memory .xlsx of ``rows`` (first sheet), rewound and named like an upload."""
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = name
    return buffer
