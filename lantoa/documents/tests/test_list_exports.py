"""The inbox, the documents list and the outgoing documents as .xlsx: a visible "Tải Excel"
link carrying the page's filters, the same rows as the page (scope and filters), a title row
naming the unit and the filters, dates as dates, a fixed number of queries; the API alike."""

import io
from datetime import date, datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from lantoa.accounts.selectors import memberships_for_user
from lantoa.documents import selectors
from lantoa.units.models import Unit

OFFICE = "pgd.longbien"


def sheet_rows(response) -> list[tuple]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    content = b"".join(response.streaming_content)
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def test_inbox_xlsx_has_the_inbox_rows(demo, client_as):
    client = client_as(OFFICE)
    user = demo.users[OFFICE]
    html = client.get("/van-ban/").content.decode()
    assert 'href="/van-ban/hop-thu-den.xlsx"' in html and "Tải Excel" in html
    expected = list(selectors.inbox_for_user(user=user, unread_first=False))
    assert expected
    rows = sheet_rows(client.get("/van-ban/hop-thu-den.xlsx"))
    assert rows[0][0].startswith("Hộp thư đến của ")
    assert demo.units["pgd_longbien"].name in rows[0][0]
    assert rows[1][:5] == (
        "Số, ký hiệu",
        "Trích yếu",
        "Loại văn bản",
        "Cơ quan ban hành",
        "Ngày ban hành",
    )
    body = rows[2:]
    assert [r[1] for r in body] == [d.document.subject for d in expected]
    first = next(r for r, d in zip(body, expected, strict=True) if d.document.issued_on)
    assert isinstance(first[4], datetime) and isinstance(first[6], datetime)


def test_documents_xlsx_follows_the_filters_and_the_scope(demo, client_as):
    client = client_as(OFFICE)
    user = demo.users[OFFICE]
    html = client.get("/van-ban/", {"tab": "list", "kind": "ke_hoach"}).content.decode()
    assert 'href="/van-ban/danh-sach.xlsx?kind=ke_hoach"' in html
    rows = sheet_rows(client.get("/van-ban/danh-sach.xlsx", {"kind": "ke_hoach"}))
    assert rows[0][0].startswith("Văn bản trong phạm vi của ") and "loại: Kế hoạch" in rows[0][0]
    expected = list(selectors.documents_list(user=user, kind="ke_hoach"))
    assert expected and len(rows) == 2 + len(expected)
    assert {r[2] for r in rows[2:]} == {"Kế hoạch"}
    assert [r[1] for r in rows[2:]] == [d.subject for d in expected]
    everything = sheet_rows(client.get("/van-ban/danh-sach.xlsx"))
    assert "không lọc" in everything[0][0]
    assert len(everything) == 2 + selectors.documents_list(user=user).count()


def test_outgoing_tab_and_its_xlsx(demo, client_as):
    client = client_as(OFFICE)
    user = demo.users[OFFICE]
    current = memberships_for_user(user)[0].unit  # the unit the user works as by default
    html = client.get("/van-ban/", {"tab": "outgoing", "state": "issued"}).content.decode()
    assert f'href="/van-ban/danh-sach.xlsx?state=issued&amp;issuer={current.pk}"' in html
    issuer = Unit.objects.get(
        pk=selectors.documents_list(user=user, state="issued").values_list(
            "issuer_unit_id", flat=True
        )[0]
    )
    rows = sheet_rows(client.get("/van-ban/danh-sach.xlsx", {"issuer": issuer.pk}))
    assert rows[0][0].startswith(f"Văn bản đi của {issuer.name} — không lọc")
    expected = list(selectors.documents_list(user=user, issuer=issuer.pk))
    assert expected and len(rows) == 2 + len(expected)
    assert {r[3] for r in rows[2:]} == {issuer.name}


def test_exports_run_a_fixed_number_of_queries(demo, client_as):
    client = client_as(OFFICE)
    client.get("/van-ban/")
    counts = {}
    for params in ({"kind": "ke_hoach"}, {}, {"q": "khong co van ban nay"}):
        with CaptureQueriesContext(connection) as queries:
            sheet_rows(client.get("/van-ban/danh-sach.xlsx", params))
        counts[str(params)] = len(queries)
    assert len(set(counts.values())) == 1, counts
    with CaptureQueriesContext(connection) as queries:
        sheet_rows(client.get("/van-ban/hop-thu-den.xlsx"))
    assert len(queries) <= counts["{}"]


def test_api_xlsx_match_the_json_lists(demo, api_as):
    api = api_as(OFFICE)
    listed = api.get("/api/v1/documents", {"kind": "ke_hoach", "page_size": 500}).json()
    rows = sheet_rows(api.get("/api/v1/documents.xlsx", {"kind": "ke_hoach"}))
    assert [r[1] for r in rows[2:]] == [d["subject"] for d in listed["items"]]
    inbox = api.get("/api/v1/inbox", {"page_size": 500}).json()
    rows = sheet_rows(api.get("/api/v1/inbox.xlsx"))
    assert sorted(r[1] for r in rows[2:]) == sorted(d["subject"] for d in inbox["items"])
    issued = [d for d in inbox["items"] if d["issued_on"]][0]
    row = next(r for r in rows[2:] if r[1] == issued["subject"])
    assert row[4].date() == date.fromisoformat(issued["issued_on"])
    unknown = Unit.objects.order_by("-pk").first().pk + 1
    assert api.get("/api/v1/documents.xlsx", {"issuer": unknown}).status_code == 404
