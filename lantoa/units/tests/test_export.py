"""Unit export: the import sheet's columns (with edoc_code), re-imported unchanged."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from lantoa.accounts.models import Role
from lantoa.accounts.services import membership_set
from lantoa.core.spreadsheets import XLSX_MIME
from lantoa.units import services
from lantoa.units.models import Unit
from lantoa.units.selectors import units_export_rows

pytestmark = pytest.mark.django_db
FIELDS = ("code", "name", "kind", "email", "address", "edoc_code")


@pytest.fixture
def branch(demo):
    """A small subtree under Sở GDĐT Hà Nội (so.hanoi made its admin), with a closed unit."""
    parent = demo.units["so_hanoi"]
    membership_set(user=demo.users["so.hanoi"], unit=parent, role=Role.ADMIN)
    top = services.unit_create(
        parent=parent, code="RT-0", name="Cụm trường thử", kind="other", edoc_code="000.00.99.H26"
    )
    school = services.unit_create(
        parent=top,
        code="RT-1",
        name="=Trường Tiểu học Thử",  # formula-like text stays text
        kind="truong_th",
        email="th.thu@example.vn",
        address="Số 1, phố Thử",
        edoc_code="000.01.99.H26",
    )
    services.unit_create(parent=school, code="RT-2", name="Điểm trường lẻ", kind="truong_th")
    services.unit_create(parent=top, code="RT-3", name="Trường THCS Thử", kind="truong_thcs")
    closed = services.unit_create(
        parent=top, code="RT-4", name="Trường đã sáp nhập", kind="truong_mn"
    )
    Unit.objects.filter(pk=closed.pk).update(valid_to=date(2025, 6, 30))
    return top


def _snapshot(top: Unit) -> list[tuple]:
    units = Unit.objects.filter(path__startswith=top.path, valid_to__isnull=True).order_by("path")
    parents = {u.path: u.code for u in units}
    parents[top.path[: -Unit.steplen]] = Unit.objects.get(path=top.path[: -Unit.steplen]).code
    return [(*(getattr(u, f) for f in FIELDS), parents[u.path[: -Unit.steplen]]) for u in units]


def test_export_has_the_import_columns_and_re_imports(demo, branch, client_as):
    client = client_as("so.hanoi")
    parent = demo.units["so_hanoi"]
    template = load_workbook(io.BytesIO(client.get(f"/don-vi/{parent.pk}/nhap/mau.xlsx").content))
    response = client.get(f"/don-vi/{branch.pk}/xuat.xlsx")
    assert response.status_code == 200 and response["Content-Type"] == XLSX_MIME
    assert 'filename="don-vi-rt-0.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == [c.value for c in next(template.active.iter_rows(max_row=1))]
    assert rows[1:] == [
        [
            "RT-1",
            "=Trường Tiểu học Thử",
            "truong_th",
            "RT-0",
            "th.thu@example.vn",
            "Số 1, phố Thử",
            "000.01.99.H26",
        ],
        ["RT-2", "Điểm trường lẻ", "truong_th", "RT-1", "", "", ""],
        ["RT-3", "Trường THCS Thử", "truong_thcs", "RT-0", "", "", ""],
    ]
    assert sheet["B2"].data_type == "s"  # never a formula

    # The exact file imported back under the same unit after its units were removed:
    # the same units, parents, e-mails, addresses and identifier codes.
    before = _snapshot(branch)
    Unit.objects.filter(path__startswith=branch.path).exclude(pk=branch.pk).delete()
    branch.refresh_from_db()
    upload = SimpleUploadedFile("don-vi.xlsx", response.content, content_type=XLSX_MIME)
    created = services.units_import(root=branch, upload=upload, actor=None)
    assert len(created) == 3
    assert _snapshot(branch) == before


def test_export_rows_in_one_query(branch, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = units_export_rows(root=branch)
    assert [r[0] for r in rows] == ["RT-1", "RT-2", "RT-3"]


def test_export_is_for_admins_of_the_subtree(demo, branch, client_as, api_as):
    assert client_as("bo.gddt").get(f"/don-vi/{branch.pk}/xuat.xlsx").status_code == 404
    assert client_as("ubnd.langson").get(f"/don-vi/{branch.pk}/xuat.xlsx").status_code == 404
    api = api_as("so.hanoi")
    response = api.get(f"/api/v1/units/{branch.pk}/export.xlsx")
    assert response.status_code == 200 and response["Content-Type"] == XLSX_MIME
    assert load_workbook(io.BytesIO(response.content)).active["A2"].value == "RT-1"
    refused = api_as("bo.gddt").get(f"/api/v1/units/{branch.pk}/export.xlsx")
    assert refused.status_code == 404
    assert refused["Content-Type"].startswith("application/problem+json")
