"""Registers (Decree 30, Appendix IV) as a page and .xlsx; search in bodies."""

import io

import pytest
from openpyxl import load_workbook

from lantoa.documents import registers
from lantoa.documents.models import Document
from lantoa.documents.selectors import documents_list

pytestmark = pytest.mark.django_db


def test_outgoing_register_xlsx_of_the_department_2023(demo, api_as):
    so = demo.units["so_hanoi"]
    r = api_as("admin").get("/api/v1/registers/outgoing.xlsx", {"year": 2023, "unit": so.pk})
    assert r.status_code == 200, r.content
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws["A1"].value == so.name
    assert ws["A2"].value == "SỔ ĐĂNG KÝ VĂN BẢN ĐI NĂM 2023"
    assert [c.value for c in ws[4]] == registers.OUTGOING_COLUMNS
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=5)]
    row = next(r for r in rows if r[0] == "3442/SGDĐT-GDĐT-ĐH")
    assert row[1] == "21/09/2023"
    assert row[2] == "Công văn: V/v tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2023"
    assert row[3] == "KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC Trần Thị Thanh Hà"
    assert "UBND quận Long Biên" in row[4] or "Long Biên" in row[4]


def test_incoming_register_of_the_office_and_the_page(demo, client_as, api_as):
    pgd = demo.units["pgd_longbien"]
    r = api_as("pgd.longbien").get(
        "/api/v1/registers/incoming.xlsx", {"year": 2023, "unit": pgd.pk}
    )
    assert r.status_code == 200, r.content
    ws = load_workbook(io.BytesIO(r.content)).active
    assert [c.value for c in ws[4]] == registers.INCOMING_COLUMNS
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=5)]
    refs = [row[3] for row in rows]
    assert "3442/SGDĐT-GDĐT-ĐH" in refs
    arrived = rows[refs.index("3442/SGDĐT-GDĐT-ĐH")]
    assert arrived[0] == "21/09/2023" and arrived[2] == "Sở Giáo dục và Đào tạo Hà Nội"
    assert [row[1] for row in rows] == list(range(1, len(rows) + 1))
    page = client_as("pgd.longbien").get(f"/van-ban/so-van-ban/?loai=den&nam=2023&don_vi={pgd.pk}")
    assert page.status_code == 200 and "3442/SGDĐT-GDĐT-ĐH" in page.content.decode()
    # out of scope: 404
    other = demo.units["so_hanoi"]
    assert (
        api_as("pgd.longbien")
        .get("/api/v1/registers/incoming.xlsx", {"year": 2023, "unit": other.pk})
        .status_code
        == 404
    )


def test_register_queries_are_fixed(demo, django_assert_max_num_queries):
    so = demo.units["so_hanoi"]
    with django_assert_max_num_queries(2):
        registers.outgoing_register(unit=so, year=2023)
    with django_assert_max_num_queries(1):
        registers.incoming_register(unit=demo.units["pgd_longbien"], year=2023)


def test_search_finds_words_in_the_bodies(demo):
    admin = demo.users["admin"]
    found = list(documents_list(user=admin, q="nang luc tu hoc"))
    refs = {d.reference for d in found}
    assert {"4864/BGDĐT-GDĐT", "22/KH-BCĐ"} <= refs
    assert all(isinstance(d, Document) for d in found)
