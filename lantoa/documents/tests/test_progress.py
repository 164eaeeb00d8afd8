"""The issuer follows the duties it assigned: per unit status, due date, overdue flag;
page, XLSX and GET /documents/{id}/assignments; nobody else sees it."""

import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from lantoa.accounts.models import Membership
from lantoa.documents import selectors
from lantoa.documents.models import Assignment, AssignmentStatus, Document, DocumentState


@pytest.fixture
def plan(demo):
    doc = (
        Document.objects.filter(state=DocumentState.ISSUED, assignments__isnull=False)
        .distinct()
        .order_by("id")
        .first()
    )
    assert doc is not None
    issuer_user = (
        Membership.objects.filter(unit=doc.issuer_unit, role="approver")
        .select_related("user")
        .first()
    ).user
    return doc, issuer_user


def test_progress_per_unit_with_overdue_flag(plan):
    doc, issuer = plan
    rows = selectors.assignment_progress(doc, user=issuer)
    assert rows
    first = rows[0]
    a = Assignment.objects.get(pk=first["assignment_id"])
    # One unit finishes, the due date passes: done is never overdue, the others are.
    Assignment.objects.filter(document=doc).update(due_on=date(2020, 1, 1))
    AssignmentStatus.objects.create(assignment=a, unit_id=first["unit_id"], status="done")
    with CaptureQueriesContext(connection) as queries:
        rows = selectors.assignment_progress(doc, user=issuer, today=date(2020, 1, 2))
    assert len(queries) <= 3
    done = [r for r in rows if r["unit_id"] == first["unit_id"] and r["assignment_id"] == a.pk]
    assert done[0]["status"] == "done" and done[0]["overdue"] is False
    others = [r for r in rows if r is not done[0]]
    assert all(r["overdue"] for r in others if r["status"] != "done")
    # Before the due date nothing is overdue.
    early = selectors.assignment_progress(doc, user=issuer, today=date(2019, 12, 1))
    assert not any(r["overdue"] for r in early)


def test_progress_page_xlsx_and_api(plan, client_as, api_as):
    doc, issuer = plan
    Assignment.objects.filter(document=doc).update(due_on=date.today() - timedelta(days=1))
    client = client_as(issuer.username)
    html = client.get(f"/van-ban/{doc.pk}/tien-do/").content.decode()
    assert "Tiến độ thực hiện nhiệm vụ" in html and "quá hạn" in html
    assert (
        f'href="/van-ban/{doc.pk}/tien-do/"' in client.get(f"/van-ban/{doc.pk}/").content.decode()
    )
    response = client.get(f"/van-ban/{doc.pk}/tien-do.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:5] == ("Nhiệm vụ", "Đơn vị", "Hạn", "Trạng thái", "Quá hạn")
    expected = selectors.assignment_progress(doc, user=issuer)
    assert len(rows) == 2 + len(expected)
    assert rows[2][4] == "Có" and rows[2][3] == "Chưa thực hiện"
    api = api_as(issuer.username)
    data = api.get(f"/api/v1/documents/{doc.pk}/assignments").json()
    assert len(data) == len(expected)
    assert {"unit_name", "status", "due_on", "overdue"} <= set(data[0])
    assert data[0]["overdue"] is True


def test_progress_is_for_the_issuer_only(plan, client_as, api_as):
    doc, _issuer = plan
    # A school that received the plan reads it but not everyone's progress.
    outsider = "th.giathuy"
    assert client_as(outsider).get(f"/van-ban/{doc.pk}/tien-do/").status_code == 404
    assert client_as(outsider).get(f"/van-ban/{doc.pk}/tien-do.xlsx").status_code == 404
    response = api_as(outsider).get(f"/api/v1/documents/{doc.pk}/assignments")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")
