import io

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from openpyxl import Workbook, load_workbook

from lantoa.core.spreadsheets import RowError, read_table, template_workbook
from lantoa.core.text import fold, nfc

COLUMNS = {"code": ["Mã"], "name": ["Tên"], "email": ["Thư điện tử"]}


def upload(data: bytes, name: str):
    f = io.BytesIO(data)
    f.name = name
    return f


def test_fold_and_nfc():
    assert fold("UBND phường Bồ Đề") == "ubnd phuong bo de"
    assert fold("Đức Trọng") == "duc trong"
    assert nfc("Bo\u0300") == "Bò"


def test_read_xlsx_headers_without_diacritics_and_numbers():
    wb = Workbook()
    wb.active.append(["ma", "TEN"])
    wb.active.append([130, "Phường Bồ Đề"])
    wb.active.append([None, None])
    buffer = io.BytesIO()
    wb.save(buffer)
    rows = read_table(upload(buffer.getvalue(), "a.xlsx"), columns=COLUMNS, optional={"email"})
    assert rows == [{"_row": 2, "code": 130, "name": "Phường Bồ Đề", "email": ""}]


def test_read_csv_with_bom_and_the_errors():
    rows = read_table(
        upload("\ufeffMã,Tên,Thư điện tử\nA,B,c@d.vn\n".encode(), "a.csv"), columns=COLUMNS
    )
    assert rows[0]["email"] == "c@d.vn"
    cases = [
        (upload("Mã,Tên\n".encode("utf-16"), "a.csv"), "UTF-8"),
        (upload(b"x", "a.pdf"), "Chỉ nhận tệp .xlsx hoặc .csv."),
        (upload(b"", "a.csv"), "Tệp không có dữ liệu."),
        (upload("Mã\nA\n".encode(), "a.csv"), "Thiếu cột: Tên, Thư điện tử."),
    ]
    for file, message in cases:
        with pytest.raises(ValidationError) as exc:
            read_table(file, columns=COLUMNS)
        assert message in exc.value.messages[0]


def test_row_error_text():
    assert str(RowError(3, "Mã", "không được để trống")) == "Dòng 3, cột “Mã”: không được để trống"


def test_template_workbook_opens():
    content = template_workbook(title="Đơn vị", headers=["Mã", "Tên"], example=["A", "B"])
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "Đơn vị"
    assert [c.value for c in sheet[1]] == ["Mã", "Tên"]
    assert sheet["A1"].font.bold


def test_filters_print_vietnamese_numbers():
    rendered = Template(
        "{% load lantoa %}{{ a|num }}|{{ b|dong }}|{{ t|change_value }}|{{ f|change_value }}|{{ n|change_value }}"
    ).render(Context({"a": 1234567, "b": 2500000, "t": True, "f": False, "n": None}))
    assert rendered == "1.234.567|2.500.000 đ|có|không|—"


def test_production_settings_hash_with_argon2():
    from lantoa.config.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert base.LANTOA_LOGIN_ACCOUNT_LIMIT == 5 and base.LANTOA_LOGIN_ADDRESS_LIMIT == 30


@pytest.mark.django_db
def test_dashboard_shows_the_users_unit_and_the_ministry_for_the_superuser(demo_tree, client_as):
    page = client_as("thcs.ngoclam").get("/tong-quan/").content.decode()
    assert "Trường THCS Ngọc Lâm" in page
    page = client_as("admin").get("/tong-quan/").content.decode()
    assert "Bộ Giáo dục và Đào tạo" in page and "UBND tỉnh Lạng Sơn" in page
    assert "chưa được phân quyền" not in page
