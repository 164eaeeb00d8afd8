import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from lantoa.core.tests.sheets import xlsx as sheet
from lantoa.history.models import HistoryEntry
from lantoa.units.models import Unit, UnitKind
from lantoa.units.services import unit_create


def url(unit, suffix=""):
    return f"/don-vi/{unit.pk}/{suffix}"


@pytest.mark.django_db
def test_unit_page_shows_breadcrumbs_children_and_counts(demo, client_as):
    page = client_as("pgd.longbien").get(url(demo["pgd_longbien"])).content.decode()
    assert "Phòng Giáo dục và Đào tạo quận Long Biên" in page
    assert "Trường THCS Ngọc Lâm" in page
    assert "Quyền của bạn: Lãnh đạo (phê duyệt, ký)" in page
    # Breadcrumbs: only ancestors inside the scope (UBND quận Long Biên), not Hà Nội.
    assert f'href="/don-vi/{demo["ubnd_longbien"].pk}/"' in page
    assert f'href="/don-vi/{demo["ubnd_hanoi"].pk}/"' not in page
    assert "<dd>6</dd>" in page  # 6 children (GDNN centre + 5 schools), 6 below in all
    # Closed in the 2025 reform: the successor is shown.
    assert "30/06/2025" in page
    assert "UBND phường Long Biên" in page


@pytest.mark.django_db
def test_unit_page_query_count_does_not_grow_with_children(demo, client_as):
    client = client_as("pgd.longbien")
    unit = demo["thcs_ngoclam"]  # live (nothing is added under a closed unit)
    with CaptureQueriesContext(connection) as before:
        assert client.get(url(unit)).status_code == 200
    for i in range(25):
        unit = Unit.objects.get(pk=unit.pk)
        unit_create(parent=unit, name=f"Tổ chuyên môn Số {i}", kind=UnitKind.OTHER)
    with CaptureQueriesContext(connection) as after:
        response = client.get(url(unit))
    assert "Tổ chuyên môn Số 24" in response.content.decode()
    assert len(after.captured_queries) == len(before.captured_queries)
    assert len(after.captured_queries) <= 12


@pytest.mark.django_db
def test_search_page_finds_without_diacritics(demo, client_as):
    client = client_as("pgd.longbien")
    page = client.get("/don-vi/", {"q": "bo de"}).content.decode()
    assert "UBND phường Bồ Đề" in page
    partial = client.get("/don-vi/", {"q": "ngoc lam"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Trường THCS Ngọc Lâm" in partial and "<html" not in partial
    ductrong = client_as("pgd.ductrong").get("/don-vi/", {"q": "duc trong"}).content.decode()
    assert "Phòng Giáo dục và Đào tạo huyện Đức Trọng" in ductrong


@pytest.mark.django_db
def test_admin_edits_a_child_and_history_shows_before_and_after(demo, client_as):
    client = client_as("admin")
    ward = demo["ward_02"]
    form = client.get(url(ward, "sua/"))
    assert form.status_code == 200
    response = client.post(
        url(ward, "sua/"),
        {
            "name": "UBND phường Cự Khối (cũ)",
            "kind": "ubnd_xa",
            "code": ward.code,
            "valid_to": "2025-06-30",
            "successor": str(demo["new_bode"].pk),
        },
    )
    assert response.status_code == 302, response.content.decode()
    ward = Unit.objects.get(pk=ward.pk)
    assert ward.name == "UBND phường Cự Khối (cũ)"
    assert ward.successor_id == demo["new_bode"].pk
    # Visible to the admins of the subtree, not only to the one who changed it.
    history = client_as("qt.longbien").get(url(demo["ubnd_longbien"], "lich-su/")).content.decode()
    assert "Sửa đơn vị UBND phường Cự Khối (cũ)" in history
    assert "UBND phường Cự Khối → UBND phường Cự Khối (cũ)" in history
    assert "successor</code>: UBND phường Long Biên → UBND phường Bồ Đề" in history
    entry = HistoryEntry.objects.filter(object_type="unit", object_id=str(ward.pk)).first()
    assert entry.actor == demo.users["admin"] and entry.action == "update"


@pytest.mark.django_db
def test_history_and_edit_are_hidden_from_non_admins(demo, client_as):
    for username in ("pgd.longbien", "cv.longbien", "phuong.bode"):
        client = client_as(username)
        assert client.get(url(demo["ward_bode"], "lich-su/")).status_code == 404
        assert client.get(url(demo["ward_bode"], "sua/")).status_code == 404
        assert client.post(url(demo["ward_bode"], "sua/"), {"name": "x"}).status_code == 404
    assert Unit.objects.get(pk=demo["ward_bode"].pk).name == "UBND phường Bồ Đề"


@pytest.mark.django_db
def test_edit_form_errors_are_vietnamese_and_change_nothing(demo, client_as):
    ward = demo["ward_03"]
    response = client_as("qt.longbien").post(
        url(ward, "sua/"),
        {
            "name": "UBND phường Đức Giang",
            "kind": "ubnd_xa",
            "code": "HN-LB-01",
            "valid_from": "2026-01-01",
            "valid_to": "2025-06-30",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "đã được dùng cho đơn vị khác" in page
    assert "Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực" in page
    assert Unit.objects.get(pk=ward.pk).code == "HN-LB-03"


@pytest.mark.django_db
def test_admin_adds_a_child_unit(demo, client_as):
    data = {"name": "Thư viện phường Bồ Đề", "kind": "thu_vien", "code": "HN-LB-01-TV"}
    # The old ward ended on 30/06/2025: nothing new goes under it.
    page = client_as("qt.longbien").post(url(demo["ward_bode"], "them/"), data)
    assert "“UBND phường Bồ Đề” đã kết thúc hoạt động từ 30/06/2025" in page.content.decode()
    assert not Unit.objects.filter(code="HN-LB-01-TV").exists()
    new_ward = demo["new_bode"]
    response = client_as("admin").post(url(new_ward, "them/"), data)
    assert response.status_code == 302
    library = Unit.objects.get(code="HN-LB-01-TV")
    assert library.in_subtree_of(new_ward) and library.depth == new_ward.depth + 1
    assert client_as("phuong.bode").get(url(demo["ward_bode"], "them/")).status_code == 404


def xlsx(rows) -> io.BytesIO:
    return sheet(rows, name="don-vi.xlsx")


HEADER = ["Mã", "Tên", "Loại", "Mã đơn vị cấp trên", "Thư điện tử", "Địa chỉ", "Mã định danh"]


@pytest.mark.django_db
def test_import_units_from_xlsx(demo, client_as):
    pgd = demo["new_bode"]
    children = pgd.numchild
    upload = xlsx(
        [
            HEADER,
            ["LB-THCS-GT", "Trường THCS Gia Thụy", "truong_thcs", pgd.code, "gt@example.vn", ""],
            ["LB-MN-1", "Trường Mầm non Hoa Mai", "Trường mầm non", pgd.code, "", "Long Biên"],
            ["LB-MN-1-CS2", "Điểm trường Hoa Mai 2", "other", "LB-MN-1", "", ""],
        ]
    )
    response = client_as("admin").post(url(pgd, "nhap/"), {"file": upload})
    assert response.status_code == 302
    created = Unit.objects.get(code="LB-MN-1-CS2")
    assert created.in_subtree_of(Unit.objects.get(code="LB-MN-1"))
    assert Unit.objects.get(code="LB-MN-1").kind == "truong_mn"
    assert Unit.objects.get(pk=pgd.pk).numchild == children + 2


@pytest.mark.django_db
def test_import_with_bad_rows_lists_every_error_and_imports_nothing(demo, client_as):
    before = Unit.objects.count()
    pgd = demo["ubnd_hanoi"]
    upload = xlsx(
        [
            HEADER,
            ["LB-OK", "Trường Tiểu học Tốt", "truong_th", pgd.code, "", ""],
            ["HN-LB-01", "Trùng mã", "truong_th", pgd.code, "", ""],
            ["LB-X", "", "truong_xyz", pgd.code, "sai-email", ""],
            ["LB-Y", "Ngoài phạm vi", "truong_th", "LS-SGDDT", "", ""],
            ["LB-Z", "Dưới phường cũ", "truong_th", "HN-LB-01", "", ""],
        ]
    )
    page = client_as("admin").post(url(pgd, "nhap/"), {"file": upload}).content.decode()
    assert "Tệp có 6 lỗi, chưa nhập dòng nào" in page
    assert "Dòng 3, cột “Mã”: mã “HN-LB-01” đã tồn tại" in page
    assert "Dòng 4, cột “Tên”: không được để trống" in page
    assert "Dòng 4, cột “Loại”: loại đơn vị “truong_xyz” không hợp lệ" in page
    assert "Dòng 4, cột “Thư điện tử”: địa chỉ không hợp lệ" in page
    assert "Dòng 5, cột “Mã đơn vị cấp trên”: không tìm thấy đơn vị “LS-SGDDT”" in page
    assert "Dòng 6, cột “Mã đơn vị cấp trên”: “UBND phường Bồ Đề” đã kết thúc hoạt động" in page
    assert Unit.objects.count() == before


@pytest.mark.django_db
def test_import_units_from_csv_and_wrong_files(demo, client_as):
    client = client_as("admin")
    pgd = demo["new_bode"]
    text = "ma,ten,loai,ma cap tren\nLB-TV,Thư viện quận,thu_vien,130\n"
    upload = io.BytesIO(text.encode("utf-8-sig"))
    upload.name = "don-vi.csv"
    assert client.post(url(pgd, "nhap/"), {"file": upload}).status_code == 302
    assert Unit.objects.get(code="LB-TV").name == "Thư viện quận"
    bad = io.BytesIO(b"not a workbook")
    bad.name = "x.xlsx"
    page = client.post(url(pgd, "nhap/"), {"file": bad}).content.decode()
    assert "không phải là bảng tính Excel (.xlsx) hợp lệ" in page
    missing = io.BytesIO("Mã,Tên\nA,B\n".encode())
    missing.name = "x.csv"
    page = client.post(url(pgd, "nhap/"), {"file": missing}).content.decode()
    assert "Thiếu cột: Loại, Mã đơn vị cấp trên." in page


@pytest.mark.django_db
def test_import_template_downloads_a_workbook_with_the_headers(demo, client_as):
    response = client_as("qt.longbien").get(url(demo["pgd_longbien"], "nhap/mau.xlsx"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == HEADER
    assert sheet["D2"].value == "HN-LB-PGD"
    assert (
        client_as("cv.longbien").get(url(demo["pgd_longbien"], "nhap/mau.xlsx")).status_code == 404
    )


@pytest.mark.django_db
def test_closed_units_still_open_with_validity_dates(demo, client_as):
    ward = Unit.objects.get(pk=demo["ward_bode"].pk)
    assert ward.valid_to == date(2025, 6, 30)
    page = client_as("phuong.bode").get(url(ward)).content.decode()
    assert "Đơn vị đã kết thúc hoạt động từ 30/06/2025" in page
    assert "Đơn vị kế thừa" in page and "UBND phường Bồ Đề" in page
    district = client_as("qt.longbien").get(url(demo["ubnd_longbien"])).content.decode()
    assert "đã sáp nhập/giải thể" in district  # its old wards, also closed


@pytest.mark.django_db
def test_search_page_query_count_does_not_grow_with_results(demo, client_as):
    client = client_as("pgd.longbien")
    client.get("/don-vi/", {"q": "truong"})
    with CaptureQueriesContext(connection) as before:
        client.get("/don-vi/", {"q": "truong"})
    unit = demo["thcs_ngoclam"]  # live (nothing is added under a closed unit)
    for i in range(30):
        unit = Unit.objects.get(pk=unit.pk)
        unit_create(parent=unit, name=f"Trường Mầm non Số {i}", kind=UnitKind.TRUONG_MN)
    with CaptureQueriesContext(connection) as after:
        page = client.get("/don-vi/", {"q": "truong"}).content.decode()
    assert "Trường Mầm non Số 29" in page
    assert len(after.captured_queries) == len(before.captured_queries)


@pytest.mark.django_db
def test_edit_keeps_a_successor_outside_the_admins_scope(demo, client_as):
    # Phường Bồ Đề (old) points to the 2025 ward, which qt.longbien cannot open.
    ward = demo["ward_bode"]
    client = client_as("qt.longbien")
    form = client.get(url(ward, "sua/")).content.decode()
    assert f'value="{demo["new_bode"].pk}" selected' in form
    response = client.post(
        url(ward, "sua/"),
        {
            "name": "UBND phường Bồ Đề",
            "kind": "ubnd_xa",
            "code": ward.code,
            "email": "bode@example.vn",
            "valid_to": "2025-06-30",
            "successor": str(demo["new_bode"].pk),
        },
    )
    assert response.status_code == 302
    ward = Unit.objects.get(pk=ward.pk)
    assert ward.email == "bode@example.vn" and ward.successor_id == demo["new_bode"].pk
