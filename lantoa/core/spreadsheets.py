"""Reading .xlsx/.csv uploads into rows, and building template workbooks."""

import csv
import io
from dataclasses import dataclass, field
from zipfile import BadZipFile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

from lantoa.core.text import fold, nfc

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("Dòng %(row)s, cột “%(column)s”: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class RowErrors(Exception):
    errors: list[RowError] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(str(e) for e in self.errors)


def read_table(
    upload, *, columns: dict[str, list[str]], optional: frozenset[str] | set[str] = frozenset()
) -> list[dict]:
    """Read an uploaded .xlsx or .csv into dicts keyed by our column names.

    ``columns`` maps our key → accepted header spellings (compared without
    diacritics or case). Each row gets ``_row`` (the 1-based sheet row). Keys in
    ``optional`` may be absent from the sheet (their value is then "").
    """
    name = (getattr(upload, "name", "") or "").lower()
    data = upload.read()
    if name.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(_("Tệp CSV phải được lưu với mã hóa UTF-8."))
        rows = list(csv.reader(io.StringIO(text)))
    elif name.endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError, IndexError) as exc:
            raise ValidationError(_("Tệp không phải là bảng tính Excel (.xlsx) hợp lệ.")) from exc
        rows = [["" if v is None else v for v in r] for r in sheet.iter_rows(values_only=True)]
    else:
        raise ValidationError(_("Chỉ nhận tệp .xlsx hoặc .csv."))
    rows = [r for r in rows if any(str(v).strip() for v in r)]
    if not rows:
        raise ValidationError(_("Tệp không có dữ liệu."))
    header = [fold(str(h)) for h in rows[0]]
    index = {}
    missing = []
    for key, spellings in columns.items():
        wanted = {fold(s) for s in [key, *spellings]}
        pos = next((i for i, h in enumerate(header) if h in wanted), None)
        if pos is None and key not in optional:
            missing.append(spellings[0] if spellings else key)
        index[key] = pos
    if missing:
        raise ValidationError(_("Thiếu cột: %(columns)s.") % {"columns": ", ".join(missing)})
    result = []
    for number, raw in enumerate(rows[1:], start=2):
        item = {"_row": number}
        for key, pos in index.items():
            value = raw[pos] if pos is not None and pos < len(raw) else ""
            item[key] = nfc(str(value)) if not isinstance(value, int | float) else value
        result.append(item)
    return result


def template_workbook(*, title: str, headers: list[str], example: list | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    if example:
        ws.append(example)
    for i, h in enumerate(headers, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = max(14, len(h) + 4)
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
