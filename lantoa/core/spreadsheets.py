"""Reading .xlsx/.csv uploads into rows, and building template workbooks.

Every uploaded spreadsheet goes through ``workbook_open`` (or ``read_table``): the file
size, the zip's uncompressed size and compression ratio, macros and each sheet's declared
``<dimension>`` are checked *before* openpyxl parses anything, and rows are then read
read-only with row and column caps (``SheetLimits``), so a 1.5 KB file declaring a
million rows costs nothing.
"""

import csv
import io
import re
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from zipfile import BadZipFile

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.exceptions import InvalidFileException

from lantoa.core.text import fold, nfc, xml_safe

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MB = 1024 * 1024
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Za-z0-9:$]+)\"")


@dataclass(frozen=True)
class SheetLimits:
    """Caps checked before a spreadsheet is parsed: the file, the zip, every sheet's size."""

    max_bytes: int = 5 * MB
    max_uncompressed: int = 60 * MB
    max_ratio: int = 100
    max_rows: int = 5000
    max_columns: int = 60


def _read_capped(upload, limits: SheetLimits) -> bytes:
    too_big = ValidationError(
        _("Tệp vượt quá %(mb)s MB.") % {"mb": max(1, limits.max_bytes // MB)},
        code="sheet_too_large",
    )
    size = getattr(upload, "size", None)
    if size is not None and size > limits.max_bytes:
        raise too_big
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        raise too_big
    return data


def _too_many_rows(limits: SheetLimits) -> ValidationError:
    return ValidationError(
        _("Bảng tính quá lớn: tối đa %(rows)s dòng và %(columns)s cột.")
        % {
            "rows": number_format(limits.max_rows, force_grouping=True),
            "columns": limits.max_columns,
        },
        code="sheet_too_many_rows",
    )


def _not_xlsx() -> ValidationError:
    return ValidationError(
        _("Tệp không phải là bảng tính Excel (.xlsx) hợp lệ."), code="sheet_invalid"
    )


def xlsx_inspect(data: bytes, *, limits: SheetLimits) -> None:
    """Refuse, without parsing, a workbook that would expand beyond ``limits``: the zip's
    uncompressed size and ratio, macros, and every sheet's declared dimension."""
    if not data.startswith(b"PK\x03\x04"):
        raise _not_xlsx()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            total = sum(e.file_size for e in entries)
            packed = sum(e.compress_size for e in entries) or 1
            if (
                len(entries) > 2000
                or total > limits.max_uncompressed
                or (total > MB and total / packed > limits.max_ratio)
            ):
                raise ValidationError(
                    _("Tệp nén bất thường (dung lượng khi giải nén quá lớn)."),
                    code="sheet_zip_bomb",
                )
            names = {e.filename.lower() for e in entries}
            if any(
                e.file_size > 10 * MB and not e.filename.lower().startswith("xl/worksheets/")
                for e in entries
            ):
                raise ValidationError(
                    _("Tệp nén bất thường (dung lượng khi giải nén quá lớn)."),
                    code="sheet_zip_bomb",
                )
            if "xl/workbook.xml" not in names:
                raise _not_xlsx()
            if any("vbaproject" in n for n in names):
                raise ValidationError(
                    _("Tệp chứa macro; chỉ nhận tệp .xlsx không có macro."), code="sheet_macro"
                )
            for entry in entries:
                lower = entry.filename.lower()
                if lower.startswith("xl/worksheets/") and lower.endswith(".xml"):
                    with archive.open(entry) as sheet:
                        head = sheet.read(4096)
                    _check_dimension(head, limits)
    except (zipfile.BadZipFile, ValueError, KeyError, OSError, EOFError, RuntimeError):
        raise _not_xlsx()


def _check_dimension(head: bytes, limits: SheetLimits) -> None:
    match = _DIMENSION.search(head)
    if not match:
        return  # no declaration: rows are capped while reading (sheet_rows)
    try:
        min_col, min_row, max_col, max_row = range_boundaries(match.group(1).decode())
    except (ValueError, TypeError):
        raise _not_xlsx()
    if (max_row or 0) > limits.max_rows + 10 or (max_col or 0) > limits.max_columns + 10:
        raise _too_many_rows(limits)


class UploadedWorkbook:
    """An uploaded .xlsx opened for reading values only, sheet by sheet, within limits.

    Built from openpyxl's reader parts rather than ``load_workbook(read_only=True)``, whose
    sheets scan their whole XML at opening when no ``<dimension>`` is declared.
    """

    def __init__(self, data: bytes, limits: SheetLimits):
        from openpyxl.reader.excel import ExcelReader
        from openpyxl.styles.stylesheet import apply_stylesheet

        self.limits = limits
        self._reader = reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)  # date formats: dates come back as dates
        self._sheets = {
            sheet.name: rel.target
            for sheet, rel in reader.parser.find_sheets()
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type
        }

    @property
    def sheetnames(self) -> list[str]:
        return list(self._sheets)

    def rows(self, name: str, *, min_row: int = 1) -> list[list]:
        """Values of sheet ``name`` as rows of ``limits.max_columns`` cells ("" when empty).

        Row ``min_row`` comes first; content beyond the row or column cap is refused, never
        dropped. Missing rows are filled in only up to the cap.
        """
        from openpyxl.worksheet._reader import WorkSheetParser

        limits, wb = self.limits, self._reader.wb
        width = limits.max_columns
        rows: list[list] = []
        try:
            with self._reader.archive.open(self._sheets[name]) as source:
                parser = WorkSheetParser(
                    source,
                    self._reader.shared_strings,
                    data_only=True,
                    epoch=wb.epoch,
                    date_formats=wb._date_formats,
                    timedelta_formats=wb._timedelta_formats,
                )
                for index, cells in parser.parse():
                    filled = [c for c in cells if c["value"] not in (None, "")]
                    if index > limits.max_rows + 1000 or (filled and index > limits.max_rows):
                        raise _too_many_rows(limits)
                    if index < min_row or not filled:
                        continue
                    if any(c["column"] > width for c in filled):
                        raise _too_many_rows(limits)
                    while len(rows) < index - min_row:
                        rows.append([""] * width)
                    values = [""] * width
                    for cell in filled:
                        values[cell["column"] - 1] = cell["value"]
                    rows.append(values)
        except ValidationError:
            raise
        except (KeyError, OSError, ValueError, IndexError, TypeError, SyntaxError) as exc:
            raise _not_xlsx() from exc
        return rows

    def close(self) -> None:
        self._reader.archive.close()


def workbook_open(upload, *, limits: SheetLimits | None = None) -> UploadedWorkbook:
    """Open an uploaded .xlsx after checking its size, zip and declared dimensions.

    Read sheets with ``workbook.rows(name)`` (bounded rows and columns); close it after.
    """
    limits = limits or SheetLimits()
    data = _read_capped(upload, limits)
    xlsx_inspect(data, limits=limits)
    try:
        return UploadedWorkbook(data, limits)
    except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError, IndexError) as exc:
        raise _not_xlsx() from exc
    except SyntaxError as exc:  # malformed XML (ElementTree.ParseError)
        raise _not_xlsx() from exc


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
    upload,
    *,
    columns: dict[str, list[str]],
    optional: frozenset[str] | set[str] = frozenset(),
    limits: SheetLimits | None = None,
) -> list[dict]:
    """Read an uploaded .xlsx or .csv into dicts keyed by our column names.

    ``columns`` maps our key → accepted header spellings (compared without
    diacritics or case). Each row gets ``_row`` (the 1-based sheet row). Keys in
    ``optional`` may be absent from the sheet (their value is then "").
    The file is checked against ``limits`` before it is parsed (see ``workbook_open``).
    """
    limits = limits or SheetLimits()
    name = (getattr(upload, "name", "") or "").lower()
    if name.endswith(".csv"):
        data = _read_capped(upload, limits)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(_("Tệp CSV phải được lưu với mã hóa UTF-8."))
        rows = []
        for row in csv.reader(io.StringIO(text)):
            if len(rows) > limits.max_rows:
                raise _too_many_rows(limits)
            rows.append(row[: limits.max_columns])
    elif name.endswith(".xlsx"):
        workbook = workbook_open(upload, limits=limits)
        try:
            if not workbook.sheetnames:
                raise ValidationError(_("Tệp không có dữ liệu."))
            rows = workbook.rows(workbook.sheetnames[0])
        finally:
            workbook.close()
    else:
        raise ValidationError(_("Chỉ nhận tệp .xlsx hoặc .csv."))
    numbered = [(n, r) for n, r in enumerate(rows, start=1) if any(str(v).strip() for v in r)]
    if not numbered:
        raise ValidationError(_("Tệp không có dữ liệu."))
    header = [fold(str(h)) for h in numbered[0][1]]
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
    for number, raw in numbered[1:]:
        item = {"_row": number}
        for key, pos in index.items():
            value = raw[pos] if pos is not None and pos < len(raw) else ""
            item[key] = nfc(str(value)) if not isinstance(value, int | float) else value
        result.append(item)
    return result


# --- writing: what users typed never becomes a formula, never breaks the XML ---------------

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_LIKE = re.compile(r"[+-]?[0-9][0-9 .,/()-]*")  # "+84 912 345 678", "-5": inert


def cell_text(value):
    """A value for a cell: strings lose XML-illegal control characters (``\\x01``…)."""
    return xml_safe(value) if isinstance(value, str) else value


def is_formula_like(value) -> bool:
    return (
        isinstance(value, str)
        and value.startswith(FORMULA_PREFIXES)
        and not _NUMBER_LIKE.fullmatch(value)
    )


def _as_text(cell):
    # Stored as a string with Excel's quote prefix: shown exactly as typed, never evaluated,
    # and still text if someone edits the cell; reading the file back gives the same string.
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def safe_cell(ws, value, **style):
    """A cell for ``ws.append`` (normal or write-only sheets) that cannot become a formula."""
    value = cell_text(value)
    if not style and not is_formula_like(value):
        return value
    cell = WriteOnlyCell(ws, value=value)
    for name, attribute in style.items():
        setattr(cell, name, attribute)
    return _as_text(cell) if is_formula_like(value) else cell


def safe_row(ws, values) -> list:
    return [safe_cell(ws, v) for v in values]


def safe_set(ws, row: int, column: int, value):
    """``ws.cell(row, column, value)`` for text users typed (see ``safe_cell``)."""
    value = cell_text(value)
    cell = ws.cell(row=row, column=column)
    cell.value = value
    return _as_text(cell) if is_formula_like(value) else cell


def template_workbook(*, title: str, headers: list[str], example: list | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append(safe_row(ws, headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    if example:
        ws.append(safe_row(ws, example))
    for i, h in enumerate(headers, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = max(14, len(h) + 4)
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _table_cell(ws, value):
    if hasattr(value, "year"):  # dates and datetimes: shown dd/mm/yyyy (HH:MM)
        if hasattr(value, "hour"):
            return safe_cell(ws, value.replace(microsecond=0), number_format="DD/MM/YYYY HH:MM")
        return safe_cell(ws, value, number_format="DD/MM/YYYY")
    if isinstance(value, int) and not isinstance(value, bool):
        return safe_cell(ws, value, number_format="#,##0")  # 1.234.567 in a Vietnamese Excel
    return safe_cell(ws, value)


def table_xlsx_file(*, title: str, headers: list[str], rows: Iterable, heading: str = ""):
    """One sheet: an optional heading line, bold headers, then the rows (dates as
    dd/mm/yyyy cells, numbers as numbers, text never a formula). For the office's list
    exports.

    Written with openpyxl's write-only sheet, row by row from the iterable ``rows`` (give it
    a queryset's ``.iterator()``), into a temporary file returned at position 0: memory
    stays bounded however long the list.
    """
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    for i, h in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(14, len(h) + 4)
    ws.freeze_panes = "A3" if heading else "A2"
    if heading:
        ws.append([safe_cell(ws, heading, font=Font(bold=True, size=12))])
    fill = PatternFill("solid", fgColor="DDEBF7")
    ws.append([safe_cell(ws, h, font=Font(bold=True), fill=fill) for h in headers])
    for row in rows:
        ws.append([_table_cell(ws, v) for v in row])
    out = tempfile.TemporaryFile()
    wb.save(out)
    out.seek(0)
    return out


def table_xlsx(*, title: str, headers: list[str], rows: Iterable, heading: str = "") -> bytes:
    """``table_xlsx_file`` as bytes (small tables)."""
    with table_xlsx_file(title=title, headers=headers, rows=rows, heading=heading) as out:
        return out.read()


def xlsx_attachment(file, filename: str) -> FileResponse:
    """Stream a workbook file (``table_xlsx_file``) as a download; the file is closed after."""
    return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX_MIME)
