import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from lantoa.reports.models import Report, ReportValue, ReportVersion


@pytest.fixture
def c2023(demo):
    return demo.campaigns[2023]


def _url(campaign, unit, suffix=""):
    return f"/api/v1/reports/{campaign.pk}/{unit.pk}{suffix}"


def test_demo_has_reports_in_every_state(demo):
    states = set(Report.objects.values_list("state", flat=True))
    assert states == {"draft", "submitted", "accepted", "returned"}
    assert Report.objects.filter(on_time=False).exists()


def test_school_fills_submits_office_returns_accepts(demo, c2023, api_as):
    school = demo.units["thcs_phucloi"]
    # thcs_phucloi has no demo account: the district's editor cannot write a school's report.
    office = api_as("cv.longbien")
    r = office.put(_url(c2023, school), {"version": 1, "values": {"lop_hoc": 2}})
    assert r.status_code in (403, 404, 409)
    ngoclam = demo.units["th_giathuy"]
    school_api = api_as("th.giathuy")
    body = school_api.get(_url(c2023, ngoclam)).json()
    assert body["state"] == "draft"
    r = school_api.put(_url(c2023, ngoclam), {"version": body["version"], "values": {"lop_hoc": 3}})
    assert r.status_code == 200, r.content
    assert school_api.post(_url(c2023, ngoclam, "/submit")).json()["state"] == "submitted"
    pgd = api_as("pgd.longbien")
    r = pgd.post(_url(c2023, ngoclam, "/return"), {"reason": "Thiếu ảnh minh chứng lễ khai mạc."})
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "returned"
    version = r.json()["version"]
    r = school_api.put(
        _url(c2023, ngoclam),
        {
            "version": version,
            "values": {"lop_hoc": 4, "lop_hoc_truc_tuyen": 1},
            "sections": [{"key": "ket_qua", "body": "Tốt"}],
        },
    )
    assert r.status_code == 200, r.content
    assert r.json()["values"] == {"lop_hoc": 4, "lop_hoc_truc_tuyen": 1}
    assert r.json()["sections"][3] == {
        "key": "ket_qua",
        "heading": "II.1. Kết quả đạt được, bài học kinh nghiệm",
        "body": "Tốt",
    }
    assert school_api.post(_url(c2023, ngoclam, "/submit")).json()["state"] == "submitted"
    # The school cannot accept its own report (not an approver above it).
    assert school_api.post(_url(c2023, ngoclam, "/accept")).status_code == 404
    r = pgd.post(_url(c2023, ngoclam, "/accept"))
    assert r.json()["state"] == "accepted"
    # Locked now.
    r = school_api.put(
        _url(c2023, ngoclam), {"version": r.json()["version"], "values": {"lop_hoc": 9}}
    )
    assert r.status_code == 409
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert school_api.post(_url(c2023, ngoclam, "/submit")).status_code == 409
    r = pgd.post(_url(c2023, ngoclam, "/reopen"), {"reason": "Cần bổ sung số liệu người học."})
    assert r.json()["state"] == "returned"
    assert ReportVersion.objects.filter(report__unit=ngoclam, report__campaign=c2023).count() >= 6


def test_bad_values_are_refused_and_nothing_changes(demo, c2023, api_as):
    unit = demo.units["htcd_bode"]
    api = api_as("htcd.bode")
    before = api.get(_url(c2023, unit)).json()
    assert before["state"] == "returned"
    for values, field in (
        ({"lop_hoc": -1}, "lop_hoc"),
        ({"lop_hoc": "mười"}, "lop_hoc"),
        ({"lop_hoc": 2, "lop_hoc_truc_tuyen": 5}, "lop_hoc_truc_tuyen"),
        ({"khong_co": 1}, "khong_co"),
    ):
        r = api.put(_url(c2023, unit), {"version": before["version"], "values": values})
        assert r.status_code == 400, r.content
        errors = r.json()["errors"]
        assert any(e["field"] == field for e in errors), errors
    r = api.put(
        _url(c2023, unit),
        {"version": before["version"], "values": {"lop_hoc": 2, "lop_hoc_truc_tuyen": 5}},
    )
    assert (
        "Số lớp trực tuyến không được lớn hơn tổng số lớp học" in r.json()["errors"][0]["message"]
    )
    assert api.get(_url(c2023, unit)).json() == before


def test_two_saves_with_the_same_version_one_409(demo, c2023, api_as):
    unit = demo.units["htcd_bode"]
    a, b = api_as("htcd.bode"), api_as("htcd.bode")
    version = a.get(_url(c2023, unit)).json()["version"]
    first = a.put(_url(c2023, unit), {"version": version, "values": {"lop_hoc": 7}})
    second = b.put(_url(c2023, unit), {"version": version, "values": {"lop_hoc": 8}})
    assert first.status_code == 200
    assert second.status_code == 409
    assert "phiên bản" in second.json()["detail"]
    assert a.get(_url(c2023, unit)).json()["values"]["lop_hoc"] == 7


def test_rollup_and_completeness_endpoints(demo, c2023, api_as):
    api = api_as("pgd.longbien")
    lb = demo.units["ubnd_tdm"]
    r = api.get(f"/api/v1/campaigns/{c2023.pk}/rollup", {"unit": demo.units["pgd_longbien"].pk})
    assert r.status_code == 200
    body = r.json()
    assert body["totals"]["lop_hoc"] == sum(
        row["values"].get("lop_hoc", 0) for row in body["rows"]
    ) + body["own"].get("lop_hoc", 0)
    # Outside scope: 404.
    assert api.get(f"/api/v1/campaigns/{c2023.pk}/rollup", {"unit": lb.pk}).status_code == 404
    r = api.get(
        f"/api/v1/campaigns/{c2023.pk}/completeness", {"unit": demo.units["pgd_longbien"].pk}
    )
    c = r.json()
    # API.md's fields (and the line), plus the page of missing units (backwards compatible).
    assert {"line", "expected", "submitted", "on_time", "accepted", "missing"} <= set(c)
    assert c["line"] == "reporting"
    assert c["expected"] >= c["submitted"] >= c["on_time"]
    assert all(m["due_on"] == "2023-10-12" for m in c["missing"])
    assert c["missing_count"] == c["expected"] - c["submitted"] == len(c["missing"])
    assert (c["page"], c["page_size"], c["next"]) == (1, 200, None)


def test_completeness_missing_units_come_in_pages(demo, c2023, api_as):
    api = api_as("bo.gddt")
    url = f"/api/v1/campaigns/{c2023.pk}/completeness"
    params = {"unit": demo.units["bo"].pk}
    whole = api.get(url, {**params, "page_size": 1000}).json()
    assert whole["missing_count"] == len(whole["missing"]) > 5
    seen, page = [], api.get(url, {**params, "page_size": 3}).json()
    while True:
        assert {k: page[k] for k in ("expected", "submitted", "on_time", "accepted")} == {
            k: whole[k] for k in ("expected", "submitted", "on_time", "accepted")
        }
        assert page["missing_count"] == whole["missing_count"] and len(page["missing"]) <= 3
        seen += page["missing"]
        if page["next"] is None:
            break
        assert "page_size=3" in page["next"] and f"page={page['page'] + 1}" in page["next"]
        page = api.get(page["next"].split("testserver", 1)[1]).json()
    assert seen == whole["missing"]
    # A page past the end shows the last one; the size is capped.
    last = api.get(url, {**params, "page_size": 3, "page": 999}).json()
    assert last["missing"] == whole["missing"][(last["page"] - 1) * 3 :]
    assert api.get(url, {**params, "page_size": 50000}).json()["page_size"] == 1000


def test_list_endpoints_fixed_queries(demo, c2023, api_as):
    api = api_as("bo.gddt")
    api.get("/api/v1/me")  # the token's last-use stamp is written once, not per request
    counts = []
    for unit_key in ("pgd_longbien", "ubnd_hanoi", "bo"):
        unit = demo.units[unit_key]
        with CaptureQueriesContext(connection) as q1:
            assert (
                api.get(f"/api/v1/campaigns/{c2023.pk}/reports", {"unit": unit.pk}).status_code
                == 200
            )
        with CaptureQueriesContext(connection) as q2:
            api.get(f"/api/v1/campaigns/{c2023.pk}/rollup", {"unit": unit.pk})
        with CaptureQueriesContext(connection) as q3:
            api.get(f"/api/v1/campaigns/{c2023.pk}/completeness", {"unit": unit.pk})
        counts.append((len(q1), len(q2), len(q3)))
    assert counts[0] == counts[1] == counts[2]


def test_rollup_xlsx_matches_api(demo, c2023, api_as):
    api = api_as("so.hanoi")
    unit = demo.units["ubnd_longbien"]
    api = api_as("bo.gddt")
    body = api.get(f"/api/v1/campaigns/{c2023.pk}/rollup", {"unit": unit.pk}).json()
    r = api.get(f"/api/v1/campaigns/{c2023.pk}/rollup.xlsx", {"unit": unit.pk})
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb.active
    assert "2023" in ws["A1"].value
    assert unit.name in ws["A2"].value
    names = [ws.cell(6, c).value for c in range(1, ws.max_column + 1)]
    total_row = ws.max_row
    assert ws.cell(total_row, 3).value == "TỔNG CỘNG"
    lop_col = names.index("Lớp học, khóa học") + 1
    assert ws.cell(total_row, lop_col).value == body["totals"].get("lop_hoc", 0)
    assert ws.cell(total_row, lop_col).number_format == "#,##0"
    for i, row in enumerate(body["rows"]):
        assert ws.cell(7 + i, 3).value == row["unit_name"]
        assert ws.cell(7 + i, lop_col).value == row["values"].get("lop_hoc", 0)
    assert ws.freeze_panes == "D7"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    from openpyxl.utils import get_column_letter

    assert f"A1:{get_column_letter(ws.max_column)}1" in {str(m) for m in ws.merged_cells.ranges}
    groups = [str(m) for m in ws.merged_cells.ranges if str(m).endswith("5") and ":" in str(m)]
    assert groups, "group headers merged"


def test_deadline_edge_end_of_day_in_hanoi(demo, c2023):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from lantoa.reports.services import on_time_for

    hcm = ZoneInfo("Asia/Ho_Chi_Minh")
    due = date(2023, 10, 12)
    assert on_time_for(submitted_at=datetime(2023, 10, 12, 23, 59, 59, tzinfo=hcm), due_on=due)
    assert not on_time_for(submitted_at=datetime(2023, 10, 13, 0, 0, 0, tzinfo=hcm), due_on=due)
    # 16:59:59 UTC = 23:59:59 in Hà Nội: still on time; 17:00 UTC is the next day there.
    utc = ZoneInfo("UTC")
    assert on_time_for(submitted_at=datetime(2023, 10, 12, 16, 59, 59, tzinfo=utc), due_on=due)
    assert not on_time_for(submitted_at=datetime(2023, 10, 12, 17, 0, 0, tzinfo=utc), due_on=due)


def test_counted_values_follow_state(demo, c2023):
    for report in Report.objects.filter(campaign=c2023):
        flags = set(ReportValue.objects.filter(report=report).values_list("counted", flat=True))
        assert flags <= {report.state in ("submitted", "accepted")}


def test_evidence_api_multipart_and_json(demo, c2023, api_as, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    unit = demo.units["htcd_bode"]
    api = api_as("htcd.bode")
    out = io.BytesIO()
    Image.new("RGB", (20, 10), (0, 128, 0)).save(out, "PNG")
    r = api.upload(
        _url(c2023, unit, "/evidence"),
        {"file": SimpleUploadedFile("lop-hoc.png", out.getvalue())},
        {"title": "Lớp học"},
    )
    assert r.status_code == 201, r.content
    assert r.json()["kind"] == "photo" and r.json()["content_type"] == "image/png"
    r = api.post(
        _url(c2023, unit, "/evidence"),
        {"url": "https://longbien.hanoi.gov.vn/bai-viet", "title": "Bài báo"},
    )
    assert r.status_code == 201 and r.json()["kind"] == "link"
    r = api.post(_url(c2023, unit, "/evidence"), {"url": "ftp://x.org/a"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "url"
    r = api.upload(
        _url(c2023, unit, "/evidence"), {"file": SimpleUploadedFile("bao-cao.pdf", b"GIF89a")}
    )
    assert r.status_code == 400 and "không phải là PDF" in r.json()["detail"]
    assert len(api.get(_url(c2023, unit)).json()["evidence"]) == 2
    # Another unit's report: 404.
    other = demo.units["thcs_ngoclam"]
    assert api.post(_url(c2023, other, "/evidence"), {"url": "https://a.vn"}).status_code == 404


def test_excel_template_and_upload_api(demo, c2023, api_as):
    from django.core.files.uploadedfile import SimpleUploadedFile

    unit = demo.units["htcd_bode"]
    api = api_as("htcd.bode")
    r = api.get(_url(c2023, unit, "/template.xlsx"))
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb["So lieu"]
    for row in ws.iter_rows(min_row=6):
        if row[0].value == "lop_hoc":
            row[4].value = 21
        if row[0].value == "nguoi_hoc":
            row[4].value = -5
    bad = io.BytesIO()
    wb.save(bad)
    before = api.get(_url(c2023, unit)).json()
    r = api.upload(
        _url(c2023, unit, "/upload"),
        {"file": SimpleUploadedFile("bc.xlsx", bad.getvalue())},
        {"version": before["version"]},
    )
    assert r.status_code == 400
    assert any("E" in e["field"] for e in r.json()["errors"])
    assert api.get(_url(c2023, unit)).json() == before
    for row in ws.iter_rows(min_row=6):
        if row[0].value == "nguoi_hoc":
            row[4].value = 300
    good = io.BytesIO()
    wb.save(good)
    r = api.upload(
        _url(c2023, unit, "/upload"),
        {"file": SimpleUploadedFile("bc.xlsx", good.getvalue())},
        {"version": before["version"]},
    )
    assert r.status_code == 200, r.content
    assert r.json()["values"]["lop_hoc"] == 21 and r.json()["values"]["nguoi_hoc"] == 300


def test_openapi_lists_the_reports_paths(demo, api_as):
    schema = api_as("bo.gddt").get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/campaigns/{campaign_id}/reports",
        "/api/v1/reports/{campaign_id}/{unit_id}",
        "/api/v1/reports/{campaign_id}/{unit_id}/submit",
        "/api/v1/reports/{campaign_id}/{unit_id}/evidence",
        "/api/v1/campaigns/{campaign_id}/rollup",
        "/api/v1/campaigns/{campaign_id}/completeness",
        "/api/v1/campaigns/{campaign_id}/rollup.xlsx",
        "/api/v1/campaigns/{campaign_id}/consolidated.docx",
    ):
        assert path in schema["paths"], path
    assert "put" in schema["paths"]["/api/v1/reports/{campaign_id}/{unit_id}"]
