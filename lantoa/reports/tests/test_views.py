"""Pages: the report form (HTMX save, conflict keeps input), review, completeness,
consolidated table with drill-down, versions compare, indicator set, downloads, scope."""

import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from lantoa.reports.models import Report, ReportingNode


@pytest.fixture
def c2023(demo):
    return demo.campaigns[2023]


def test_index_and_report_page(demo, c2023, client_as):
    client = client_as("th.giathuy")
    r = client.get("/bao-cao/")
    assert r.status_code == 200
    assert "Trường Tiểu học Gia Thụy" in r.content.decode()
    unit = demo.units["th_giathuy"]
    r = client.get(reverse("reports:report", args=[c2023.pk, unit.pk]))
    html = r.content.decode()
    assert r.status_code == 200
    assert "I.1. Công tác chỉ đạo, triển khai" in html
    assert 'name="v_lop_hoc"' in html and "Gửi báo cáo" in html


def test_htmx_save_and_conflict_keeps_the_users_input(demo, c2023, client_as):
    unit = demo.units["th_giathuy"]
    report = Report.objects.get(campaign=c2023, unit=unit)
    url = reverse("reports:save", args=[c2023.pk, unit.pk])
    a, b = client_as("th.giathuy"), client_as("th.giathuy")
    version = report.version
    r = a.post(
        url,
        {"version": version, "v_lop_hoc": "6", "s_ket_qua": "Bản của A"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200
    assert "Đã lưu" in r.content.decode()
    r = b.post(
        url,
        {"version": version, "v_lop_hoc": "9", "s_ket_qua": "Bản của B"},
        HTTP_HX_REQUEST="true",
    )
    html = r.content.decode()
    assert "đã được người khác sửa" in html
    assert 'value="9"' in html and "Bản của B" in html  # B's input is still in the form
    assert "đã lưu:" in html  # and the stored figure is shown next to it
    report.refresh_from_db()
    assert report.sections["ket_qua"] == "Bản của A"
    # Bad value: a clear message, nothing stored.
    r = a.post(url, {"version": report.version, "v_lop_hoc": "-3"}, HTTP_HX_REQUEST="true")
    assert "không được là số âm" in r.content.decode()
    assert Report.objects.get(pk=report.pk).version == report.version


def test_office_pages_and_drill_down(demo, c2023, client_as):
    client = client_as("pgd.longbien")
    pgd = demo.units["pgd_longbien"]
    for name in ("review", "completeness", "rollup"):
        r = client.get(reverse(f"reports:{name}", args=[c2023.pk, pgd.pk]))
        assert r.status_code == 200, name
    html = client.get(reverse("reports:completeness", args=[c2023.pk, pgd.pk])).content.decode()
    assert "Trường THCS Phúc Lợi" in html and "12/10/2023" in html
    html = client.get(reverse("reports:rollup", args=[c2023.pk, pgd.pk])).content.decode()
    assert "Tổng cộng" in html and "Trường THCS Ngọc Lâm" in html
    assert "Khó khăn, vướng mắc" in html  # gathered highlights
    # Drill down to a school (HTMX partial).
    school = demo.units["thcs_ngoclam"]
    r = client.get(reverse("reports:rollup", args=[c2023.pk, school.pk]), HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "<html" not in r.content.decode()
    # Outside the scope: 404.
    tdm = demo.units["ubnd_tdm"]
    for name in ("review", "completeness", "rollup", "rollup_xlsx", "consolidated_docx", "report"):
        assert client.get(reverse(f"reports:{name}", args=[c2023.pk, tdm.pk])).status_code == 404


def test_rollup_page_fixed_queries(demo, c2023, client_as):
    client = client_as("bo.gddt")
    client.get("/bao-cao/")
    counts = []
    for key in ("pgd_longbien", "ubnd_longbien", "ubnd_hanoi"):
        with CaptureQueriesContext(connection) as q:
            assert (
                client.get(
                    reverse("reports:rollup", args=[c2023.pk, demo.units[key].pk])
                ).status_code
                == 200
            )
        counts.append(len(q))
    assert counts[0] == counts[1] == counts[2]


def test_downloads(demo, c2023, client_as):
    client = client_as("pgd.longbien")
    pgd = demo.units["pgd_longbien"]
    r = client.get(reverse("reports:rollup_xlsx", args=[c2023.pk, pgd.pk]))
    assert r.status_code == 200
    assert load_workbook(io.BytesIO(r.content)).active["A2"].value.endswith(pgd.name)
    r = client.get(reverse("reports:consolidated_docx", args=[c2023.pk, pgd.pk]))
    assert r.status_code == 200 and r.content[:2] == b"PK"
    r = client.get(reverse("reports:template", args=[c2023.pk, demo.units["thcs_ngoclam"].pk]))
    assert r.status_code == 200


def test_versions_compare(demo, c2023, client_as):
    unit = demo.units["mn_hoasua"]
    report = Report.objects.get(campaign=c2023, unit=unit)
    client = client_as("pgd.longbien")
    r = client.get(
        reverse("reports:versions", args=[c2023.pk, unit.pk]), {"a": 1, "b": report.version}
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert "Khác nhau giữa phiên bản 1 và" in html


def test_indicator_set_editor(demo, client_as):
    campaign = max(demo.campaigns.values(), key=lambda c: c.year)
    assert campaign.starts_on > date.today()
    url = reverse("reports:indicators", args=[campaign.pk])
    assert client_as("pgd.longbien").get(url).status_code == 404
    client = client_as("bo.gddt")
    r = client.get(url)
    assert r.status_code == 200
    data = {
        "rows": "1",
        "code_0": "lop_hoc",
        "name_0": "Lớp học",
        "group_0": "Lớp",
        "uom_0": "count",
        "code_1": "lop_hoc_tt",
        "name_1": "Trong đó: trực tuyến",
        "group_1": "Lớp",
        "uom_1": "count",
        "rule_rows": "0",
        "left_0": "lop_hoc_tt",
        "right_0": "lop_hoc",
        "message_0": "Lớp trực tuyến ≤ lớp học",
    }
    membership_user = demo.users["bo.gddt"]
    # bo.gddt is an approver of the owner unit: may edit.
    r = client.post(url, data)
    assert r.status_code in (200, 302), r.content
    if r.status_code == 302:
        assert list(campaign.indicators.values_list("code", flat=True)) == ["lop_hoc", "lop_hoc_tt"]
    assert membership_user
    bad = {**data, "right_0": "khong_co"}
    r = client.post(url, bad)
    assert "Quy tắc 1" in r.content.decode()


def test_completeness_page_shows_reminders(
    demo, c2023, client_as, django_capture_on_commit_callbacks
):
    from lantoa.notifications.models import ReminderRun
    from lantoa.notifications.selectors import reminder_counts

    pgd = demo.units["pgd_longbien"]
    school = demo.units["thcs_phucloi"]  # missing in the demo
    before = reminder_counts(campaign=c2023, unit_ids=[school.pk]).get(school.pk, 0)
    client = client_as("pgd.longbien")
    with django_capture_on_commit_callbacks(
        execute=True
    ):  # the worker runs at once (huey immediate)
        r = client.post(
            reverse("notifications:remind_missing", args=[c2023.pk, pgd.pk]),
            HTTP_ACCEPT="application/json",
        )
    assert r.status_code == 202, r.content
    run = ReminderRun.objects.get(pk=r.json()["id"])
    assert run.status == "done" and run.reminded >= 1
    html = client.get(reverse("reports:completeness", args=[c2023.pk, pgd.pk])).content.decode()
    assert "Đôn đốc các đơn vị chưa nộp" in html
    assert f"đã đôn đốc {before + 1} lần" in html


def test_completeness_page_lists_missing_units_in_pages(demo, c2023, client_as, monkeypatch):
    import re

    from lantoa.reports import views
    from lantoa.reports.lines.selectors import LINE_REPORTING, completeness

    bo = demo.units["bo"]
    missing = completeness(campaign=c2023, unit=bo, line=LINE_REPORTING)["missing"]
    assert len(missing) > 3
    monkeypatch.setattr(views, "MISSING_PER_PAGE", 3)
    client = client_as("bo.gddt")
    url = reverse("reports:completeness", args=[c2023.pk, bo.pk])
    names, page = [], 1
    while True:
        html = client.get(url, {"page": page}).content.decode()
        assert f"({len(missing)})" in html  # the heading counts them all
        table = html.split('id="missing-table"')[1].split("</table>")[0]
        rows = re.findall(r"<tr><td><a [^>]*>([^<]*)</a>", table)
        assert 0 < len(rows) <= 3
        names += rows
        if 'rel="next"' not in html:
            break
        page += 1
    assert page == -(-len(missing) // 3)
    assert names == [m["unit_name"] for m in missing]


def test_page_upload_lists_every_bad_cell(demo, c2023, client_as):
    from django.core.files.uploadedfile import SimpleUploadedFile

    unit = demo.units["htcd_bode"]
    client = client_as("htcd.bode")
    template = client.get(reverse("reports:template", args=[c2023.pk, unit.pk])).content
    wb = load_workbook(io.BytesIO(template))
    for row in wb["So lieu"].iter_rows(min_row=6):
        if row[0].value in ("lop_hoc", "nguoi_hoc"):
            row[4].value = "-1"
    out = io.BytesIO()
    wb.save(out)
    report = Report.objects.get(campaign=c2023, unit=unit)
    r = client.post(
        reverse("reports:upload", args=[c2023.pk, unit.pk]),
        {"version": report.version, "file": SimpleUploadedFile("bc.xlsx", out.getvalue())},
    )
    html = r.content.decode()
    assert r.status_code == 400
    assert "Tệp Excel bị từ chối, báo cáo không thay đổi" in html
    assert html.count("không được là số âm") == 2
    assert Report.objects.get(pk=report.pk).version == report.version


def test_page_evidence_bad_link_message(demo, c2023, client_as):
    unit = demo.units["htcd_bode"]
    client = client_as("htcd.bode")
    r = client.post(
        reverse("reports:evidence_add", args=[c2023.pk, unit.pk]),
        {"url": "javascript:alert(1)"},
        follow=True,
    )
    assert "Đường dẫn phải bắt đầu bằng http:// hoặc https://." in r.content.decode()


def test_evidence_file_served_in_scope_only(demo, c2023, client_as, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    unit = demo.units["htcd_bode"]
    client = client_as("htcd.bode")
    client.post(
        reverse("reports:evidence_add", args=[c2023.pk, unit.pk]),
        {"file": SimpleUploadedFile("ke-hoach.pdf", b"%PDF-1.4 ke hoach"), "title": "Kế hoạch"},
    )
    evidence = Report.objects.get(campaign=c2023, unit=unit).evidence.get()
    r = client.get(reverse("core:download", args=["report-evidence", evidence.pk]))
    assert r.status_code == 200 and b"".join(r.streaming_content) == b"%PDF-1.4 ke hoach"
    assert (
        client_as("phuong.phuloi")
        .get(reverse("core:download", args=["report-evidence", evidence.pk]))
        .status_code
        == 404
    )


def test_office_report_page_gathers_childrens_highlights(demo, c2023, client_as):
    unit = demo.units["pgd_longbien"]
    Report.objects.filter(campaign=c2023, unit=unit).update(state="draft")
    html = (
        client_as("cv.longbien")
        .get(reverse("reports:report", args=[c2023.pk, unit.pk]))
        .content.decode()
    )
    assert "Ý kiến tổng hợp từ báo cáo của các đơn vị trực thuộc" in html
    assert "<strong>Trường THCS Ngọc Lâm:</strong>" in html


def test_report_form_prefills_from_the_units_activities_only_when_asked(demo, c2023, client_as):
    """Issue 5: activities feed the report; the unit confirms the figures by saving."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from lantoa.activities.models import Activity

    unit = demo.units["th_giathuy"]
    c2023 = demo.campaigns[max(demo.campaigns)]  # the next week: nothing reported yet
    start = datetime(c2023.year, 10, 3, 8, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    online_class = c2023.activity_types.get(code="lop_hoc")
    for title, mode in [("Lớp Tin học cơ bản", "online"), ("Lớp kỹ năng đọc", "in_person")]:
        Activity.objects.create(
            campaign=c2023,
            unit=unit,
            type=online_class,
            title=title,
            mode=mode,
            starts_at=start,
            ends_at=start.replace(hour=10),
            participants={"hoc_sinh": 30},
        )
    client = client_as("th.giathuy")
    url = reverse("reports:report", args=[c2023.pk, unit.pk])
    html = client.get(url).content.decode()
    assert "theo hoạt động:" in html and 'id="prefill-from-activities"' in html
    before = Report.objects.filter(campaign=c2023, unit=unit).first()
    html = client.get(url + "?tu_hoat_dong=1").content.decode()
    assert "chưa có gì được lưu" in html
    stored = {v.indicator_code: v.value for v in before.values.all()} if before else {}
    from lantoa.activities.selectors import activity_indicator_values

    suggested = activity_indicator_values(campaign=c2023, unit=unit)
    assert suggested["nguoi_hoc_truc_tuyen"] >= 30
    filled = [code for code in suggested if not stored.get(code)]
    assert filled, "some suggested figure is still empty in the demo draft"
    for code in filled:
        assert f'name="v_{code}" inputmode="numeric" size="10" value="{suggested[code]}"' in html
    for code in set(suggested) - set(filled):  # what the unit typed is never overwritten
        assert f'name="v_{code}" inputmode="numeric" size="10" value="{stored[code]}"' in html
    # Nothing was written by showing the suggestion.
    after = Report.objects.filter(campaign=c2023, unit=unit).first()
    assert (after.version if after else None) == (before.version if before else None)


def test_submit_from_the_form_saves_what_is_on_screen_first(demo, c2023, client_as):
    """«Gửi báo cáo» sits in the form: the edits typed but not yet saved are stored, then the
    report is submitted (htmx answers with a redirect to the page that shows the result)."""
    unit = demo.units["th_giathuy"]
    report = Report.objects.get(campaign=c2023, unit=unit)
    client = client_as("th.giathuy")
    page = client.get(reverse("reports:report", args=[c2023.pk, unit.pk])).content.decode()
    assert 'id="submit-report" name="gui" value="1"' in page
    r = client.post(
        reverse("reports:save", args=[c2023.pk, unit.pk]),
        {"version": report.version, "v_lop_hoc": "7", "s_ket_qua": "Gõ xong bấm gửi", "gui": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200
    assert r["HX-Redirect"] == reverse("reports:report", args=[c2023.pk, unit.pk])
    report.refresh_from_db()
    assert report.state == "submitted"
    assert report.sections["ket_qua"] == "Gõ xong bấm gửi"
    assert report.values.get(indicator_code="lop_hoc").value == 7
    page = client.get(r["HX-Redirect"]).content.decode()
    assert "Đã gửi báo cáo lên cấp trên." in page


def test_submit_with_a_bad_field_is_refused_beside_the_field(demo, c2023, client_as):
    unit = demo.units["th_giathuy"]
    report = Report.objects.get(campaign=c2023, unit=unit)
    client = client_as("th.giathuy")
    r = client.post(
        reverse("reports:save", args=[c2023.pk, unit.pk]),
        {"version": report.version, "v_lop_hoc": "-2", "s_ket_qua": "Sai số", "gui": "1"},
        HTTP_HX_REQUEST="true",
    )
    html = r.content.decode()
    assert r.status_code == 200 and "HX-Redirect" not in r
    assert 'id="form-summary"' in html and "data-focus" in html
    assert "Báo cáo chưa được gửi." in html
    assert 'href="#v_lop_hoc"' in html
    assert 'aria-invalid="true" aria-describedby="err_lop_hoc"' in html
    assert 'data-dirty="1"' in html  # the unsaved input is still there and still guarded
    after = Report.objects.get(pk=report.pk)
    assert (after.state, after.version) == (report.state, report.version)
    # Without htmx: the whole page, status 400, same refusal.
    r = client.post(
        reverse("reports:save", args=[c2023.pk, unit.pk]),
        {"version": report.version, "v_lop_hoc": "-2", "gui": "1"},
    )
    assert r.status_code == 400 and "Báo cáo chưa được gửi." in r.content.decode()


@pytest.mark.parametrize("rows", ["abc", "-5", str(10**12)])
def test_indicator_editor_rows_are_not_a_client_chosen_bound(demo, client_as, rows):
    """Issue 9: ``int(request.POST["rows"])`` was a 500, and a huge count a long loop."""
    campaign = max(demo.campaigns.values(), key=lambda c: c.year)
    url = reverse("reports:indicators", args=[campaign.pk])
    data = {
        "rows": rows,
        "rule_rows": rows,
        "code_0": "lop_hoc",
        "name_0": "Lớp học",
        "group_0": "Lớp",
        "uom_0": "count",
        "code_1": "",
        "name_1": "",
        # a row after a gap is not read
        "code_3": "bi_bo_qua",
        "name_3": "Bị bỏ qua",
    }
    r = client_as("bo.gddt").post(url, data)
    assert r.status_code == 302, r.content[:300]
    assert list(campaign.indicators.values_list("code", flat=True)) == ["lop_hoc"]


def test_drill_down_moves_heading_crumbs_and_downloads_together(demo, c2023, client_as):
    """The htmx answer replaces the whole block: heading, breadcrumbs, the download links
    (labelled «Tải Mẫu tổng hợp (Excel)») and the table all name the unit drilled into."""
    client = client_as("pgd.longbien")
    pgd, school = demo.units["pgd_longbien"], demo.units["thcs_ngoclam"]
    page = client.get(reverse("reports:rollup", args=[c2023.pk, pgd.pk])).content.decode()
    assert "Tải Mẫu tổng hợp (Excel)" in page
    assert 'hx-target="#rollup" hx-select="#rollup" hx-swap="outerHTML"' in page
    html = client.get(
        reverse("reports:rollup", args=[c2023.pk, school.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in html and '<div id="rollup">' in html
    assert f"<title>Bảng tổng hợp {school.name}" in html
    assert f"Bảng tổng hợp kết quả · {school.name}</h1>" in html
    assert reverse("reports:rollup_xlsx", args=[c2023.pk, school.pk]) in html
    assert reverse("reports:rollup_xlsx", args=[c2023.pk, pgd.pk]) not in html
    assert f'<a href="{reverse("reports:rollup", args=[c2023.pk, pgd.pk])}">' in html  # crumbs


def test_units_without_a_report_show_a_dash_not_zero(demo, c2023, client_as):
    """A unit that has not reported is "—" in the table, not 0 (which would be a figure)."""
    import re

    from lantoa.reports.lines.selectors import rollup

    campaign = c2023
    pgd = demo.units["pgd_longbien"]
    # The page's rows: pgd's reporting children in 2023 (its schools, frozen with the tree).
    rows = rollup(campaign=campaign, unit=pgd)["rows"]
    silent = [r for r in rows if not r["submitted"]]
    assert silent
    html = (
        client_as("pgd.longbien")
        .get(reverse("reports:rollup", args=[campaign.pk, pgd.pk]))
        .content.decode()
    )
    row = re.search(rf'<tr data-unit="{silent[0]["unit_id"]}">(.*?)</tr>', html, re.S).group(1)
    assert re.search(r'data-code="lop_hoc"><span title="Chưa báo cáo">—</span>', row)


def test_bulk_accept_and_return_check_each_report(demo, c2023, client_as):
    """Bulk review: every report goes through its own service call (state, scope, role,
    history); the ones that cannot move are named with the reason, the others move."""
    from lantoa.history.models import HistoryEntry

    pgd = demo.units["pgd_longbien"]
    client = client_as("pgd.longbien")
    url = reverse("reports:review_bulk", args=[c2023.pk, pgd.pk])
    page = client.get(reverse("reports:review", args=[c2023.pk, pgd.pk])).content.decode()
    assert 'id="bulk-accept"' in page and 'name="unit"' in page
    # The units reporting to the office in 2023 (its schools: the 2025 reform moved them
    # under the new wards, 2023's reporting tree stays as it was).
    children = ReportingNode.objects.filter(campaign=c2023, parent_unit=pgd).values("unit_id")
    submitted = list(Report.objects.filter(campaign=c2023, unit__in=children, state="submitted"))
    other = Report.objects.filter(campaign=c2023, unit__in=children).exclude(state="submitted")[0]
    outside = demo.units["ubnd_tdm"]
    assert submitted
    picked = [str(r.unit_id) for r in submitted] + [str(other.unit_id), str(outside.pk)]
    # Return without a reason: refused one by one, nothing moves.
    r = client.post(url, {"action": "return", "unit": picked, "reason": ""}, follow=True)
    html = r.content.decode()
    assert "ít nhất 5 ký tự" in html
    assert all(Report.objects.get(pk=x.pk).state == "submitted" for x in submitted)
    before = HistoryEntry.objects.count()
    r = client.post(url, {"action": "accept", "unit": picked}, follow=True)
    html = r.content.decode()
    assert f"Đã tiếp nhận {len(submitted)} báo cáo" in html
    assert f"{other.unit.name}: Chỉ tiếp nhận được báo cáo đã gửi" in html
    assert f"Đơn vị #{outside.pk}: không tìm thấy báo cáo." in html
    assert all(Report.objects.get(pk=x.pk).state == "accepted" for x in submitted)
    assert HistoryEntry.objects.count() - before >= len(submitted)
    # Someone who may not review: nothing moves.
    r = client_as("th.giathuy").post(url, {"action": "accept", "unit": picked})
    assert r.status_code in (302, 404)
