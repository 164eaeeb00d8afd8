"""Excel round trip (download the template, fill it with openpyxl, upload) and refusals."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from lantoa.core.errors import ValidationError
from lantoa.core.spreadsheets import RowErrors
from lantoa.reports.excel import FIRST_VALUE_ROW, VALUE_COLUMN
from lantoa.reports.exports import report_template_bytes
from lantoa.reports.models import Report
from lantoa.reports.selectors import report_values
from lantoa.reports.services import report_save, report_upload_excel
from lantoa.reports.tests.factories import build_tree


@pytest.fixture
def tree(db):
    return build_tree()


def _draft(tree, key="a"):
    report = Report(campaign=tree.campaign, unit=tree[key], version=0)
    return report_save(
        report=report, user=tree.users[f"{key}.editor"], version=0, values={"lop_hoc": 1}
    )


def _fill(data: bytes, values: dict, sections: dict | None = None) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    ws = wb["So lieu"]
    for row in ws.iter_rows(min_row=FIRST_VALUE_ROW):
        code = row[0].value
        if code in values:
            ws.cell(row=row[0].row, column=VALUE_COLUMN, value=values[code])
    if sections:
        for row in wb["Noi dung"].iter_rows(min_row=2):
            if row[0].value in sections:
                row[2].value = sections[row[0].value]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload(data: bytes, name="bao-cao.xlsx"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_round_trip_stores_values_sections_and_budget(tree):
    report = _draft(tree)
    template = report_template_bytes(report)
    wb = load_workbook(io.BytesIO(template))
    assert wb["_lantoa"].sheet_state == "hidden"
    ws = wb["So lieu"]
    assert ws.cell(FIRST_VALUE_ROW, 1).value == "tuyen_truyen_tin_bai"
    lop_row = next(
        r[0].row for r in ws.iter_rows(min_row=FIRST_VALUE_ROW) if r[0].value == "lop_hoc"
    )
    assert ws.cell(lop_row, VALUE_COLUMN).value == 1  # prefilled with what is stored
    assert ws.cell(lop_row, VALUE_COLUMN).number_format == "#,##0"
    filled = _fill(
        template,
        {"lop_hoc": 12, "lop_hoc_truc_tuyen": 3, "nguoi_hoc": "1.234", "budget_state": 5_000_000},
        {"ket_qua": "Hơn 300 học sinh tham gia."},
    )
    report = report_upload_excel(
        report=report, user=tree.users["a.editor"], upload=_upload(filled), version=report.version
    )
    assert report_values(report) == {"lop_hoc": 12, "lop_hoc_truc_tuyen": 3, "nguoi_hoc": 1234}
    assert report.budget_state == 5_000_000
    assert report.sections["ket_qua"] == "Hơn 300 học sinh tham gia."


def test_bad_cells_are_all_listed_and_nothing_changes(tree):
    report = _draft(tree)
    template = report_template_bytes(report)
    filled = _fill(
        template, {"lop_hoc": -2, "nguoi_hoc": "nhiều", "cuoc_thi": 1.5, "budget_sponsor": "abc"}
    )
    with pytest.raises(RowErrors) as exc:
        report_upload_excel(
            report=report,
            user=tree.users["a.editor"],
            upload=_upload(filled),
            version=report.version,
        )
    messages = [str(e) for e in exc.value.errors]
    assert len(messages) == 4, messages
    assert any("không được là số âm" in m for m in messages)
    assert any("«nhiều» không phải là số nguyên" in m for m in messages)
    assert any("phần lẻ" in m for m in messages)
    assert all(m.startswith("Dòng ") for m in messages)
    report.refresh_from_db()
    assert report_values(report) == {"lop_hoc": 1}
    assert report.version == 1


def test_rule_broken_in_excel_names_the_rule_and_the_cell(tree):
    report = _draft(tree)
    filled = _fill(report_template_bytes(report), {"lop_hoc": 2, "lop_hoc_truc_tuyen": 5})
    with pytest.raises(RowErrors) as exc:
        report_upload_excel(
            report=report,
            user=tree.users["a.editor"],
            upload=_upload(filled),
            version=report.version,
        )
    assert "Số lớp trực tuyến không được lớn hơn tổng số lớp học" in str(exc.value)
    assert report_values(Report.objects.get(pk=report.pk)) == {"lop_hoc": 1}


def test_wrong_template_or_file_refused(tree):
    report = _draft(tree)
    other = _draft(tree, "b")
    user = tree.users["a.editor"]
    # Another unit's template.
    with pytest.raises(ValidationError, match="không phải của Trường TH A"):
        report_upload_excel(
            report=report, user=user, upload=_upload(report_template_bytes(other)), version=1
        )
    # A workbook that is not our template.
    wb = Workbook()
    wb.active.append(["Mã", "Giá trị"])
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(ValidationError, match="không đúng mẫu"):
        report_upload_excel(report=report, user=user, upload=_upload(out.getvalue()), version=1)
    # Not a spreadsheet at all, whatever the name says.
    with pytest.raises(ValidationError, match="không phải là bảng tính"):
        report_upload_excel(
            report=report, user=user, upload=_upload(b"%PDF-1.4 not excel"), version=1
        )
    with pytest.raises(ValidationError, match=".xlsx"):
        report_upload_excel(
            report=report, user=user, upload=_upload(b"a,b", name="x.csv"), version=1
        )
    assert report_values(Report.objects.get(pk=report.pk)) == {"lop_hoc": 1}
