"""The one spreadsheet reader: caps checked before parsing (issue 9, "Input that hurts")."""

import io
import re
import time
import tracemalloc
import unicodedata
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from lantoa.core.spreadsheets import SheetLimits, read_table

COLUMNS = {"name": ["Tên"], "code": ["Mã"]}


def _xlsx(rows=(("Tên", "Mã"), ("Phường Bồ Đề", "BD"))) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _patch_sheet(data: bytes, change) -> bytes:
    """Rewrite the first sheet's XML of an .xlsx with ``change(xml) -> xml``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = change(body.decode()).encode()
            dst.writestr(item, body, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _huge_dimension() -> bytes:
    return _patch_sheet(
        _xlsx(),
        lambda xml: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD1048576"', xml),
    )


def _far_row_without_dimension() -> bytes:
    far = '<row r="1000000"><c r="A1000000" t="inlineStr"><is><t>x</t></is></c></row>'
    return _patch_sheet(
        _xlsx(),
        lambda xml: re.sub(r"<dimension [^>]*/>", "", xml).replace(
            "</sheetData>", far + "</sheetData>"
        ),
    )


def _timed(function):
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(ValidationError) as info:
            function()
    finally:
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return info.value, elapsed, peak


def test_a_small_file_declaring_a_huge_dimension_is_refused_before_parsing():
    data = _huge_dimension()
    assert len(data) < 6000
    error, elapsed, peak = _timed(
        lambda: read_table(SimpleUploadedFile("u.xlsx", data), columns=COLUMNS)
    )
    assert error.code == "sheet_too_many_rows"
    assert "5000" in error.messages[0].replace(".", "")
    assert elapsed < 0.5 and peak < 5 * 1024 * 1024


def test_a_far_row_without_a_dimension_is_refused_without_making_up_empty_rows():
    error, elapsed, peak = _timed(
        lambda: read_table(
            SimpleUploadedFile("u.xlsx", _far_row_without_dimension()), columns=COLUMNS
        )
    )
    assert error.code == "sheet_too_many_rows"
    assert elapsed < 0.5 and peak < 5 * 1024 * 1024


def test_zip_bomb_and_oversized_files_are_refused_before_parsing():
    bomb = _patch_sheet(
        _xlsx(),
        lambda xml: xml.replace(
            "</worksheet>", "<!--" + "0" * (70 * 1024 * 1024) + "--></worksheet>"
        ),
    )
    assert len(bomb) < 200_000
    error, elapsed, _ = _timed(
        lambda: read_table(SimpleUploadedFile("u.xlsx", bomb), columns=COLUMNS)
    )
    assert error.code == "sheet_zip_bomb" and elapsed < 1
    big = SimpleUploadedFile("u.csv", b"Ten,Ma\n" + b"a,b\n" * 10_000)
    with pytest.raises(ValidationError) as info:
        read_table(big, columns=COLUMNS, limits=SheetLimits(max_bytes=10_000))
    assert info.value.code == "sheet_too_large"


def test_rows_and_columns_beyond_the_caps_are_refused_not_dropped():
    limits = SheetLimits(max_rows=3, max_columns=4)
    rows = [("Tên", "Mã")] + [(f"Đơn vị {i}", f"U{i}") for i in range(5)]
    with pytest.raises(ValidationError) as info:
        read_table(SimpleUploadedFile("u.xlsx", _xlsx(rows)), columns=COLUMNS, limits=limits)
    assert info.value.code == "sheet_too_many_rows"
    wide = [("Tên", "Mã", "", "", "", "", "", "ghi chú"), ("A", "B")]
    with pytest.raises(ValidationError):
        read_table(SimpleUploadedFile("u.xlsx", _xlsx(wide)), columns=COLUMNS, limits=limits)
    csv_rows = b"Ten,Ma\n" + b"a,b\n" * 10
    with pytest.raises(ValidationError):
        read_table(SimpleUploadedFile("u.csv", csv_rows), columns=COLUMNS, limits=limits)


def test_a_normal_sheet_reads_with_row_numbers_and_clean_text():
    rows = [
        ("Tên", "Mã"),
        (unicodedata.normalize("NFD", "Phường Bồ Đề"), "BD"),
        (None, None),
        ("Ngọc Lâm", "NL"),
    ]
    got = read_table(SimpleUploadedFile("u.xlsx", _xlsx(rows)), columns=COLUMNS)
    assert [(r["_row"], r["name"], r["code"]) for r in got] == [
        (2, "Phường Bồ Đề", "BD"),
        (4, "Ngọc Lâm", "NL"),
    ]
    pasted = unicodedata.normalize("NFD", "Tên,Mã\nPhường Bồ Đề\x0b\x01,BD\n").encode()
    got = read_table(SimpleUploadedFile("u.csv", pasted), columns=COLUMNS)
    assert got[0]["name"] == "Phường Bồ Đề"


@pytest.mark.parametrize("make", [_huge_dimension, _far_row_without_dimension])
def test_unit_and_user_imports_refuse_them(demo_tree, make):
    from lantoa.accounts.services import users_import
    from lantoa.units.services import units_import

    root = demo_tree.units["pgd_longbien"]
    for service in (units_import, users_import):
        started = time.perf_counter()
        with pytest.raises(ValidationError):
            service(root=root, upload=SimpleUploadedFile("x.xlsx", make()))
        assert time.perf_counter() - started < 1


def test_report_upload_of_a_huge_foreign_workbook_is_refused_fast(db):
    from lantoa.reports.excel import report_upload_parse
    from lantoa.reports.models import Report
    from lantoa.reports.tests.factories import build_tree

    tree = build_tree()
    report = Report(campaign=tree.campaign, unit=tree["a"], version=0)
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet("So lieu")
    for i in range(20_000):
        sheet.append([f"CT{i}", "Nhóm", "Chỉ tiêu dài " * 3, "số lượng", i])
    out = io.BytesIO()
    wb.save(out)
    data = out.getvalue()
    assert len(data) > 400_000
    error, elapsed, peak = _timed(
        lambda: report_upload_parse(
            upload=SimpleUploadedFile("bc.xlsx", data), report=report, indicators=[], rules=[]
        )
    )
    assert elapsed < 1 and peak < 30 * 1024 * 1024, (elapsed, peak)
