"""Document registers of a unit for a year (sổ đăng ký văn bản đi / đến), with the
columns of Decree 30/2020, Appendix IV; as rows (page) and as .xlsx."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.db.models import Prefetch
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from lantoa.core.spreadsheets import safe_row
from lantoa.documents.models import Delivery, Document, DocumentRecipient, DocumentState
from lantoa.units.models import Unit

OUTGOING_COLUMNS = [
    "Số, ký hiệu văn bản",
    "Ngày tháng văn bản",
    "Tên loại và trích yếu nội dung văn bản",
    "Người ký",
    "Nơi nhận văn bản",
    "Đơn vị, người nhận bản lưu",
    "Số lượng bản",
    "Ngày chuyển",
    "Ký nhận",
    "Ghi chú",
]
INCOMING_COLUMNS = [
    "Ngày đến",
    "Số đến",
    "Tác giả",
    "Số, ký hiệu",
    "Ngày tháng",
    "Tên loại và trích yếu nội dung",
    "Đơn vị hoặc người nhận",
    "Ký nhận",
    "Ghi chú",
]


@dataclass
class Register:
    unit: Unit
    year: int
    kind: str  # outgoing | incoming
    columns: list[str]
    rows: list[list]


def _kind_and_subject(d: Document) -> str:
    return f"{d.get_kind_display()}: {d.subject}"


def _date(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def outgoing_register(*, unit: Unit, year: int) -> Register:
    """Documents the unit issued in ``year``, by number (two queries)."""
    documents = (
        Document.objects.filter(
            issuer_unit=unit, year=year, state=DocumentState.ISSUED, external_id=""
        )
        .select_related("drafting_unit")
        .prefetch_related(
            Prefetch(
                "recipients",
                queryset=DocumentRecipient.objects.select_related("unit").only(
                    "id", "document_id", "text", "position", "unit__id", "unit__name"
                ),
            )
        )
        .order_by("number", "id")
    )
    rows = []
    for d in documents:
        recipients = [r.label() for r in d.recipients.all()]
        signer = " ".join(x for x in (d.signer_authority, d.signer_title, d.signer_name) if x)
        rows.append(
            [
                d.reference,
                _date(d.issued_on),
                _kind_and_subject(d),
                signer,
                "; ".join(r.rstrip(";.") for r in recipients),
                d.drafting_unit.name,
                len([r for r in d.recipients.all() if r.unit_id]),
                _date(d.issued_at.date()) if d.issued_at else _date(d.issued_on),
                "",
                "",
            ]
        )
    return Register(unit, year, "outgoing", OUTGOING_COLUMNS, rows)


def incoming_register(*, unit: Unit, year: int) -> Register:
    """Documents delivered to the unit in ``year`` (its inbox), numbered in order of
    arrival (one query)."""
    deliveries = (
        Delivery.objects.filter(unit=unit, delivered_at__year=year)
        .select_related("document__issuer_unit", "read_by")
        .order_by("delivered_at", "id")
    )
    rows = []
    for i, delivery in enumerate(deliveries, start=1):
        d = delivery.document
        note = "edXML" if d.external_id else ""
        reader = delivery.read_by.full_name or delivery.read_by.username if delivery.read_by else ""
        rows.append(
            [
                _date(delivery.delivered_at.date()),
                i,
                d.issuer_unit.name,
                d.reference,
                _date(d.issued_on),
                _kind_and_subject(d),
                reader,
                _date(delivery.read_at.date()) if delivery.read_at else "",
                note,
            ]
        )
    return Register(unit, year, "incoming", INCOMING_COLUMNS, rows)


def register_xlsx(register: Register) -> bytes:
    title = "SỔ ĐĂNG KÝ VĂN BẢN ĐI" if register.kind == "outgoing" else "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN"
    wb = Workbook()
    ws = wb.active
    ws.title = "Văn bản đi" if register.kind == "outgoing" else "Văn bản đến"
    ws.append(safe_row(ws, [register.unit.name]))
    ws.append(safe_row(ws, [f"{title} NĂM {register.year}"]))
    ws.append([])
    ws.append(safe_row(ws, register.columns))
    for cell in ws[1] + ws[2] + ws[4]:
        cell.font = Font(name="Times New Roman", bold=True)
    for cell in ws[4]:
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
    for row in register.rows:
        ws.append(safe_row(ws, row))
    widths = {"outgoing": [18, 12, 60, 30, 45, 25, 8, 12, 10, 12]}
    for i, width in enumerate(widths.get(register.kind, [12, 8, 35, 18, 12, 60, 25, 10, 10])):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    ws.freeze_panes = "A5"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def register_filename(register: Register) -> str:
    prefix = "so-van-ban-di" if register.kind == "outgoing" else "so-van-ban-den"
    code = register.unit.code or str(register.unit.pk)
    return f"{prefix}-{code}-{register.year}.xlsx"
