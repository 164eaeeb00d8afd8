"""Excel in and out: a unit's report template (download, fill offline, upload) and the
consolidated table in the shape of the "Mẫu tổng hợp".

The template carries a hidden sheet naming the campaign and unit it was made
for, so an upload of another unit's or another year's file is refused. An
upload is refused whole, with every bad cell listed; nothing is stored then.
"""

import io

from django.core.exceptions import ValidationError
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from lantoa.campaigns.models import Campaign, Indicator
from lantoa.core.spreadsheets import (
    RowError,
    RowErrors,
    SheetLimits,
    cell_text,
    safe_cell,
    safe_row,
    safe_set,
    workbook_open,
)
from lantoa.core.text import nfc
from lantoa.reports.models import BUDGET_SPONSOR, BUDGET_STATE, Report
from lantoa.reports.services import parse_count, validate_values
from lantoa.units.models import Unit

META_SHEET = "_lantoa"
VALUES_SHEET = "So lieu"
SECTIONS_SHEET = "Noi dung"
MARKER = "lantoa-report-template-v1"
NUMBER_FORMAT = "#,##0"  # shows 1.234.567 in a Vietnamese-locale Excel
FIRST_VALUE_ROW = 6
VALUE_COLUMN = 5  # E
BUDGET_ROWS = [
    (BUDGET_STATE, "Kinh phí từ ngân sách nhà nước", "Kinh phí", "đồng"),
    (BUDGET_SPONSOR, "Kinh phí xã hội hóa, tài trợ", "Kinh phí", "đồng"),
]
UOM_LABEL = {"count": "số lượng", "vnd": "đồng"}
UPLOAD_LIMITS = SheetLimits(max_bytes=5 * 1024 * 1024, max_rows=2000, max_columns=30)

_BOLD = Font(name="Times New Roman", bold=True)
_PLAIN = Font(name="Times New Roman")
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(vertical="top", wrap_text=True)


def _save(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- a unit's report template ---------------------------------------------------------------


def report_template(*, report: Report, indicators: list[Indicator], values: dict) -> bytes:
    """The report as a workbook: indicator values to fill (prefilled with what is stored)."""
    campaign, unit = report.campaign, report.unit
    wb = Workbook()
    ws = wb.active
    ws.title = VALUES_SHEET
    ws["A1"] = f"BÁO CÁO KẾT QUẢ TUẦN LỄ HƯỞNG ỨNG HỌC TẬP SUỐT ĐỜI NĂM {campaign.year}"
    ws["A1"].font = Font(name="Times New Roman", bold=True, size=13)
    ws["A2"] = cell_text(f"Đơn vị: {unit.name}")
    ws["A3"] = (
        "Nhập số nguyên không âm vào cột «Giá trị» (ô màu vàng); để trống nếu không có. "
        "Không sửa cột «Mã chỉ tiêu»."
    )
    ws["A3"].font = Font(name="Times New Roman", italic=True)
    headers = ["Mã chỉ tiêu", "Nhóm", "Chỉ tiêu", "Đơn vị tính", "Giá trị"]
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(row=FIRST_VALUE_ROW - 1, column=col, value=text)
        cell.font, cell.fill, cell.border, cell.alignment = _BOLD, _HEAD_FILL, _BOX, _CENTER
    rows = [(i.code, i.group, i.name, UOM_LABEL.get(i.unit_of_measure, "")) for i in indicators]
    rows += [(code, group, name, uom) for code, name, group, uom in BUDGET_ROWS]
    budget = {BUDGET_STATE: report.budget_state, BUDGET_SPONSOR: report.budget_sponsor}
    for offset, (code, group, name, uom) in enumerate(rows):
        r = FIRST_VALUE_ROW + offset
        for col, text in enumerate((code, group, name, uom), start=1):
            cell = safe_set(ws, r, col, text)
            cell.border, cell.font = _BOX, _PLAIN
        value = budget[code] if code in budget else values.get(code)
        cell = ws.cell(row=r, column=VALUE_COLUMN, value=value)
        cell.number_format, cell.fill, cell.border = NUMBER_FORMAT, _INPUT_FILL, _BOX
    for col, width in zip("ABCDE", (26, 28, 50, 12, 16), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = f"A{FIRST_VALUE_ROW}"

    sections = wb.create_sheet(SECTIONS_SHEET)
    for col, text in enumerate(["Mã mục", "Mục", "Nội dung"], start=1):
        cell = sections.cell(row=1, column=col, value=text)
        cell.font, cell.fill, cell.border = _BOLD, _HEAD_FILL, _BOX
    for r, section in enumerate(campaign.report_sections, start=2):
        safe_set(sections, r, 1, section["key"])
        safe_set(sections, r, 2, section["heading"]).alignment = _WRAP
        cell = safe_set(sections, r, 3, (report.sections or {}).get(section["key"], ""))
        cell.alignment, cell.fill = _WRAP, _INPUT_FILL
    sections.column_dimensions["A"].width = 12
    sections.column_dimensions["B"].width = 40
    sections.column_dimensions["C"].width = 90

    meta = wb.create_sheet(META_SHEET)
    meta.append([MARKER])
    meta.append(["campaign_id", campaign.pk, campaign.year])
    meta.append(safe_row(meta, ["unit_id", unit.pk, unit.name]))
    meta.append(["version", report.version])
    meta.sheet_state = "hidden"
    return _save(wb)


def _cell_label(row: int, column: int = VALUE_COLUMN) -> str:
    return f"{get_column_letter(column)}{row}"


def report_upload_parse(*, upload, report: Report, indicators: list[Indicator], rules) -> dict:
    """Read a filled template → {"values", "sections", "budget_state", "budget_sponsor"}.

    Raises ValidationError (wrong file or template) or RowErrors (every bad cell).
    """
    name = (getattr(upload, "name", "") or "").lower()
    if not name.endswith(".xlsx"):
        raise ValidationError("Chỉ nhận tệp Excel (.xlsx) tải từ mẫu báo cáo.")
    wb = workbook_open(upload, limits=UPLOAD_LIMITS)  # caps checked before parsing
    try:
        return _parse(wb, report=report, indicators=indicators, rules=rules)
    finally:
        wb.close()


def _cell(rows: list[list], row: int, column: int):
    """Value at 1-based (row, column) of ``UploadedWorkbook.rows`` output, None when absent."""
    if row <= len(rows) and column <= len(rows[row - 1]):
        value = rows[row - 1][column - 1]
        return None if value == "" else value
    return None


def _parse(wb, *, report: Report, indicators: list[Indicator], rules) -> dict:
    if META_SHEET not in wb.sheetnames or VALUES_SHEET not in wb.sheetnames:
        raise ValidationError(
            "Tệp không đúng mẫu báo cáo của Lantoa: hãy tải mẫu Excel của báo cáo này và nhập vào đó."
        )
    # The template check reads the small hidden sheet only: a foreign file stops here.
    meta = wb.rows(META_SHEET)
    if _cell(meta, 1, 1) != MARKER:
        raise ValidationError("Tệp không đúng mẫu báo cáo của Lantoa (sai phiên bản mẫu).")
    if _cell(meta, 2, 2) != report.campaign_id or _cell(meta, 3, 2) != report.unit_id:
        raise ValidationError(
            f"Tệp là mẫu của đơn vị «{_cell(meta, 3, 3)}», Tuần lễ {_cell(meta, 2, 3)}; "
            f"không phải của {report.unit.name}, Tuần lễ {report.campaign.year}."
        )
    by_code = {i.code: i for i in indicators}
    labels = {code: name for code, name, _g, _u in BUDGET_ROWS}
    value_rows = wb.rows(VALUES_SHEET, min_row=FIRST_VALUE_ROW)
    errors: list[RowError] = []
    values: dict[str, int] = {}
    budget: dict[str, int | None] = {BUDGET_STATE: None, BUDGET_SPONSOR: None}
    seen: set[str] = set()
    rows_of: dict[str, int] = {}
    for r, row in enumerate(value_rows, start=FIRST_VALUE_ROW):
        code, raw = row[0], row[VALUE_COLUMN - 1]
        if code is None or str(code).strip() == "":
            if raw not in (None, ""):
                errors.append(RowError(r, _cell_label(r), "Có giá trị nhưng thiếu mã chỉ tiêu."))
            continue
        code = str(code).strip()
        rows_of.setdefault(code, r)
        label = by_code[code].name if code in by_code else labels.get(code)
        if label is None:
            errors.append(
                RowError(r, _cell_label(r, 1), f"Mã chỉ tiêu «{code}» không có trong mẫu.")
            )
            continue
        seen.add(code)
        try:
            value = parse_count(raw, label=label)
        except ValidationError as exc:
            errors.append(RowError(r, _cell_label(r), " ".join(exc.messages)))
            continue
        if code in budget:
            budget[code] = value
        elif value is not None:
            values[code] = value
    missing = [c for c in [*by_code, *labels] if c not in seen]
    if missing:
        errors.append(
            RowError(FIRST_VALUE_ROW, "A", "Thiếu dòng chỉ tiêu: " + ", ".join(missing) + ".")
        )
    if not errors:
        try:
            validate_values(indicators=indicators, rules=rules, values=values)
        except ValidationError as exc:
            for code, messages in exc.message_dict.items():
                r = rows_of.get(code, FIRST_VALUE_ROW)
                errors.extend(RowError(r, _cell_label(r), m) for m in messages)
    sections: dict[str, str] = {}
    if SECTIONS_SHEET in wb.sheetnames:
        keys = {s["key"] for s in report.campaign.report_sections}
        section_rows = wb.rows(SECTIONS_SHEET, min_row=2)
        for r, row in enumerate(section_rows, start=2):
            key, text = row[0], row[2]
            if key in (None, ""):
                continue
            if str(key) not in keys:
                errors.append(
                    RowError(
                        r,
                        f"{SECTIONS_SHEET}!A{r}",
                        f"Mục «{key}» không có trong mẫu.",
                    )
                )
                continue
            sections[str(key)] = "" if text in (None, "") else nfc(str(text))
    if errors:
        raise RowErrors(errors)
    return {
        "values": values,
        "sections": sections,
        "budget_state": budget[BUDGET_STATE],
        "budget_sponsor": budget[BUDGET_SPONSOR],
    }


# --- the consolidated table ("Mẫu tổng hợp") ------------------------------------------------


def rollup_workbook(
    *, campaign: Campaign, unit: Unit, indicators: list[Indicator], rollup: dict
) -> bytes:
    """The consolidated table, written streaming (write_only) so memory stays flat."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Tong hop")
    columns = [*indicators]
    budget_cols = [(code, name) for code, name, _g, _u in BUDGET_ROWS]
    fixed = ["STT", "Mã đơn vị", "Tên đơn vị", "Phải báo cáo", "Đã báo cáo", "Đúng hạn"]
    n_fixed = len(fixed)
    last_col = n_fixed + len(columns) + len(budget_cols)

    widths = [6, 12, 40, 10, 10, 10] + [14] * (len(columns) + len(budget_cols))
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width

    # Sheet views are written with the first row in write-only mode: set them first.
    ws.freeze_panes = "D7"
    ws.print_title_rows = "5:6"

    def cell(value, *, font=_PLAIN, fill=None, align=None, fmt=None, border=True):
        c = safe_cell(ws, value, font=font)
        if fill:
            c.fill = fill
        if align:
            c.alignment = align
        if fmt:
            c.number_format = fmt
        if border:
            c.border = _BOX
        return c

    title_font = Font(name="Times New Roman", bold=True, size=14)
    ws.append(
        [
            cell(
                f"BẢNG TỔNG HỢP KẾT QUẢ TUẦN LỄ HƯỞNG ỨNG HỌC TẬP SUỐT ĐỜI NĂM {campaign.year}",
                font=title_font,
                align=Alignment(horizontal="center"),
                border=False,
            )
        ]
    )
    ws.append(
        [
            cell(
                f"Đơn vị: {unit.name}",
                font=_BOLD,
                align=Alignment(horizontal="center"),
                border=False,
            )
        ]
    )
    ws.append(
        [
            cell(
                f"{campaign.title} — Chủ đề: {campaign.theme}",
                font=Font(name="Times New Roman", italic=True),
                align=Alignment(horizontal="center", wrap_text=True),
                border=False,
            )
        ]
    )
    ws.append([])
    for r in (1, 2, 3):
        ws.merged_cells.add(f"A{r}:{get_column_letter(last_col)}{r}")

    # Two header rows: groups merged over their indicators, then indicator names.
    head = dict(font=_BOLD, fill=_HEAD_FILL, align=_CENTER)
    group_row = [cell(text, **head) for text in fixed]
    name_row = [cell(None, **head) for _ in fixed]
    for i in range(1, n_fixed + 1):
        letter = get_column_letter(i)
        ws.merged_cells.add(f"{letter}5:{letter}6")
    spans: list[tuple[str, int, int]] = []
    col = n_fixed
    for ind in columns:
        col += 1
        if spans and spans[-1][0] == ind.group:
            spans[-1] = (ind.group, spans[-1][1], col)
        else:
            spans.append((ind.group, col, col))
        name_row.append(cell(ind.name, **head))
    for _code, name in budget_cols:
        col += 1
        if spans and spans[-1][0] == "Kinh phí (đồng)":
            spans[-1] = ("Kinh phí (đồng)", spans[-1][1], col)
        else:
            spans.append(("Kinh phí (đồng)", col, col))
        name_row.append(cell(name, **head))
    for group, start, end in spans:
        group_row.append(cell(group, **head))
        group_row.extend(cell(None, **head) for _ in range(end - start))
        if end > start:
            ws.merged_cells.add(f"{get_column_letter(start)}5:{get_column_letter(end)}5")
    ws.append(group_row)
    ws.append(name_row)

    codes = [i.code for i in columns] + [code for code, _n in budget_cols]
    number = dict(fmt=NUMBER_FORMAT)

    def figures(values: dict) -> list:
        return [cell(values.get(code, 0), **number) for code in codes]

    for position, row in enumerate(rollup["rows"], start=1):
        ws.append(
            [
                cell(position, align=Alignment(horizontal="center")),
                cell(row.get("unit_code") or ""),
                cell(row["unit_name"]),
                cell(row["expected"], **number),
                cell(row["submitted"], **number),
                cell(row["on_time"], **number),
                *figures(row["values"]),
            ]
        )
    ws.append(
        [
            cell(None),
            cell(None),
            cell(f"Báo cáo của chính {unit.name}", font=Font(name="Times New Roman", italic=True)),
            cell(None),
            cell(None),
            cell(None),
            *figures(rollup.get("own", {})),
        ]
    )
    expected = sum(r["expected"] for r in rollup["rows"])
    submitted = sum(r["submitted"] for r in rollup["rows"])
    on_time = sum(r["on_time"] for r in rollup["rows"])
    bold_number = dict(font=_BOLD, fmt=NUMBER_FORMAT, fill=_HEAD_FILL)
    ws.append(
        [
            cell(None, fill=_HEAD_FILL),
            cell(None, fill=_HEAD_FILL),
            cell("TỔNG CỘNG", font=_BOLD, fill=_HEAD_FILL),
            cell(expected, **bold_number),
            cell(submitted, **bold_number),
            cell(on_time, **bold_number),
            *[cell(rollup["totals"].get(code, 0), **bold_number) for code in codes],
        ]
    )
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    return _save(wb)
