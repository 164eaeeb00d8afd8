import json
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lantoa.accounts.models import Role, User
from lantoa.accounts.services import membership_set
from lantoa.activities.services import activity_create
from lantoa.notifications.tests.factories import local, make_campaign, set_deadline, submit
from lantoa.reports.dashboards.selectors import (
    activities_by_type,
    reporting_timeline,
    year_over_year,
)
from lantoa.reports.selectors import completeness_for_unit, rollup_for_unit

DUE = date(2024, 10, 12)
URL = reverse("dashboards:campaign")


@pytest.fixture
def week(demo):
    """Campaign 2024 (before the 2025 reform): Long Biên's schools report to the district
    office by 12/10; three submit (one late), the others are missing."""
    campaign = make_campaign(demo, 2024)
    set_deadline(campaign, demo.units["pgd_longbien"], DUE)
    submit(
        demo,
        "thcs.ngoclam",
        "thcs_ngoclam",
        campaign,
        {"lop_hoc": 3, "nguoi_hoc": 90},
        DUE - timedelta(3),
    )
    submit(demo, "th.giathuy", "th_giathuy", campaign, {"lop_hoc": 2, "nguoi_hoc": 40}, DUE)
    return campaign


def get(client, campaign, unit, **extra):
    params = {"campaign": campaign.pk, "unit": unit.pk, **extra}
    return client.get(URL, params)


@pytest.mark.django_db
def test_dashboard_page_shows_charts_and_tables(demo, week, client_as):
    response = get(client_as("pgd.longbien"), week, demo.units["pgd_longbien"])
    html = response.content.decode()
    assert response.status_code == 200
    for canvas in ("chart-timeline", "chart-children"):
        assert f'id="{canvas}"' in html
    assert 'id="dashboard-data" type="application/json"' in html
    assert "/static/vendor/chart.umd.min.js" in html and "cdn" not in html.lower()
    assert "Tiến độ nộp báo cáo" in html and "So sánh qua các năm" in html
    assert "Trường THCS Ngọc Lâm" in html
    assert "Đôn đốc các đơn vị chưa nộp" in html  # missing units, approver may remind


@pytest.mark.django_db
def test_defaults_to_the_membership_unit(demo, client_as):
    response = client_as("cv.longbien").get(URL)
    assert response.status_code == 200
    assert response.context["unit"] == demo.units["pgd_longbien"]


@pytest.mark.django_db
def test_scope_is_404(demo, week, client_as):
    client = client_as("pgd.thudaumot")
    assert get(client, week, demo.units["pgd_longbien"]).status_code == 404
    assert client.get(URL, {"unit": "abc"}).status_code == 404
    assert client.get(URL, {"campaign": 987654}).status_code == 404
    # A school sees its own dashboard but not its office's.
    school = client_as("thcs.ngoclam")
    assert get(school, week, demo.units["pgd_longbien"]).status_code == 404
    assert get(school, week, demo.units["thcs_ngoclam"]).status_code == 200


@pytest.mark.django_db
def test_reporting_timeline_is_cumulative_and_matches_completeness(demo, week):
    office = demo.units["pgd_longbien"]
    submit(
        demo, "htcd.bode", "htcd_bode", week, {"lop_hoc": 1}, DUE + timedelta(2)
    )  # not expected here
    timeline = reporting_timeline(campaign=week, unit=office, today=date(2026, 1, 1))
    completeness = completeness_for_unit(campaign=week, unit=office)
    assert timeline["expected"] == completeness["expected"]
    assert timeline["submitted"] == completeness["submitted"] == 2
    by_day = {d["day"]: d for d in timeline["days"]}
    assert timeline["days"][0]["day"] == week.starts_on
    assert timeline["days"][-1]["day"] == DUE and by_day[DUE]["is_deadline"]
    assert by_day[DUE - timedelta(4)]["submitted"] == 0
    assert by_day[DUE - timedelta(3)]["submitted"] == 1 and by_day[DUE - timedelta(3)]["new"] == 1
    assert by_day[DUE]["submitted"] == 2
    assert by_day[DUE]["rate"] == round(200 / completeness["expected"], 1)


@pytest.mark.django_db
def test_late_submissions_extend_the_timeline_and_future_days_are_blank(demo, week):
    office = demo.units["pgd_longbien"]
    editor = User.objects.create_user("mn.hoasua", password="hoctapsuotdoi")
    membership_set(user=editor, unit=demo.units["mn_hoasua"], role=Role.EDITOR)
    demo.users["mn.hoasua"] = editor
    submit(demo, "mn.hoasua", "mn_hoasua", week, {"lop_hoc": 1}, DUE + timedelta(3))
    timeline = reporting_timeline(campaign=week, unit=office, today=date(2026, 1, 1))
    assert timeline["days"][-1]["day"] == DUE + timedelta(3)
    assert timeline["days"][-1]["submitted"] == 3
    early = reporting_timeline(campaign=week, unit=office, today=DUE - timedelta(days=1))
    by_day = {d["day"]: d for d in early["days"]}
    assert by_day[DUE - timedelta(1)]["submitted"] == 1
    assert by_day[DUE]["submitted"] is None  # "today" is the day before: the future is blank


@pytest.mark.django_db
def test_chart_data_matches_the_rollup(demo, week, client_as):
    office = demo.units["pgd_longbien"]
    response = get(client_as("pgd.longbien"), week, office, indicator="nguoi_hoc")
    charts = json.loads(
        response.content.decode()
        .split('id="dashboard-data" type="application/json">')[1]
        .split("</script>")[0]
    )
    rollup = rollup_for_unit(campaign=week, unit=office)
    assert charts["children"]["labels"] == [r["unit_name"] for r in rollup["rows"]]
    assert charts["children"]["values"] == [r["values"].get("nguoi_hoc", 0) for r in rollup["rows"]]
    assert sum(charts["children"]["values"]) == rollup["totals"]["nguoi_hoc"] == 130
    assert charts["children"]["label"] == "Người học"
    assert (
        charts["timeline"]["expected"]
        == completeness_for_unit(campaign=week, unit=office)["expected"]
    )
    assert 'id="children-total">130<' in response.content.decode()


@pytest.mark.django_db
def test_district_dashboard_totals_include_the_schools(demo, week, client_as):
    response = get(
        client_as("pgd.longbien"), week, demo.units["ubnd_longbien"], indicator="lop_hoc"
    )
    assert response.status_code == 200
    assert response.context["rollup"]["totals"]["lop_hoc"] == 5


@pytest.mark.django_db
def test_activities_by_type(demo, week):
    types = {t.code: t for t in week.activity_types.all()}
    start = local(date(2024, 10, 2), 8)
    for code, n in (("lop_hoc", 2), ("cuoc_thi", 1)):
        for i in range(n):
            activity_create(
                user=demo.users["thcs.ngoclam"],
                campaign=week,
                unit=demo.units["thcs_ngoclam"],
                type=types[code],
                title=f"Hoạt động {code} {i}",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                mode="in_person",
                location="Trường THCS Ngọc Lâm",
            )
    rows = activities_by_type(campaign=week, unit=demo.units["pgd_longbien"])
    assert {r["name"]: r["count"] for r in rows} == {
        types["lop_hoc"].name: 2,
        types["cuoc_thi"].name: 1,
    }
    assert activities_by_type(campaign=week, unit=demo.units["pgd_tdm"]) == []


@pytest.mark.django_db
def test_dashboard_runs_a_fixed_number_of_queries(demo, week, client_as):
    client = client_as("bo.gddt")
    get(client, week, demo.units["thcs_ngoclam"])  # warm caches (content types, sessions)
    counts = {}
    for key in ("thcs_ngoclam", "pgd_longbien", "ubnd_hanoi", "bo"):
        with CaptureQueriesContext(connection) as queries:
            assert get(client, week, demo.units[key]).status_code == 200
        counts[key] = len(queries)
    assert len(set(counts.values())) == 1, counts
    assert counts["bo"] <= 25, counts


# ---- year over year --------------------------------------------------------------------------


@pytest.mark.django_db
def test_year_over_year_maps_merged_units_to_their_successors(demo, week, client_as):
    u = demo.units
    # 2024: the old ward Bồ Đề (merged into the new Bồ Đề in 2025) and its centre report;
    # THCS Ngọc Lâm (under the district office, merged into the new Long Biên) reported above.
    submit(demo, "phuong.bode", "ward_bode", week, {"lop_hoc": 7}, DUE)
    submit(demo, "htcd.bode", "htcd_bode", week, {"lop_hoc": 4}, DUE)
    later = make_campaign(demo, 2025)
    new_bode = year_over_year(unit=u["new_bode"])
    column = [c.year for c in new_bode["campaigns"]].index(2024)
    row = next(r for r in new_bode["rows"] if r["code"] == "lop_hoc")
    assert row["values"][column] == 11  # the old ward and its centre
    assert [p["name"] for p in new_bode["predecessors"]][:1] == ["UBND phường Bồ Đề"]
    # The new Long Biên inherits the district (office + schools) but not the ward merged
    # into Bồ Đề.
    new_lb = year_over_year(unit=u["new_longbien"])
    row = next(r for r in new_lb["rows"] if r["code"] == "lop_hoc")
    assert row["values"][column] == 5
    # Hà Nội holds both, counted once.
    hanoi = year_over_year(unit=u["ubnd_hanoi"])
    row = next(r for r in hanoi["rows"] if r["code"] == "lop_hoc")
    assert row["values"][column] == 16
    # The closed ward shows its own figures; the new campaign column is empty.
    old = year_over_year(unit=u["ward_bode"])
    row = next(r for r in old["rows"] if r["code"] == "lop_hoc")
    assert row["values"][column] == 11
    assert row["values"][[c.year for c in old["campaigns"]].index(later.year)] is None


@pytest.mark.django_db
def test_year_over_year_province_successor(demo, week):
    u = demo.units
    set_deadline(week, u["ubnd_tdm"], DUE)
    submit(demo, "phuong.phuloi", "ward_phuloi", week, {"nguoi_hoc": 25}, DUE)
    hcm = year_over_year(unit=u["ubnd_hcm"])
    column = [c.year for c in hcm["campaigns"]].index(2024)
    row = next(r for r in hcm["rows"] if r["code"] == "nguoi_hoc")
    assert row["values"][column] == 25
    assert "UBND tỉnh Bình Dương" in [p["name"] for p in hcm["predecessors"]]


@pytest.mark.django_db
def test_year_over_year_fixed_queries(demo, week):
    for key in ("thcs_ngoclam", "new_bode", "ubnd_hcm", "bo"):
        with CaptureQueriesContext(connection) as queries:
            year_over_year(unit=demo.units[key])
        assert len(queries) <= 5, (key, len(queries))


@pytest.mark.django_db
def test_dashboard_yoy_table_on_the_page(demo, week, client_as):
    submit(demo, "phuong.bode", "ward_bode", week, {"lop_hoc": 7}, DUE)
    response = client_as("bo.gddt").get(
        URL, {"unit": demo.units["new_bode"].pk, "campaign": week.pk}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="yoy-table"' in html and "UBND phường Bồ Đề" in html
    assert "Bao gồm số liệu các năm trước của đơn vị đã sáp nhập" in html


@pytest.mark.django_db
def test_summary_include_links_to_the_dashboard(demo, client_as):
    from django.template.loader import render_to_string

    html = render_to_string(
        "reports/dashboards/_summary.html",
        {"unit": demo.units["pgd_longbien"], "campaign": demo.campaigns[2023]},
    )
    assert "/tong-hop/?campaign=" in html and "Mở bảng tổng hợp" in html


@pytest.mark.django_db
def test_home_dashboard_links_to_the_campaign_dashboard(demo, client_as):
    html = client_as("pgd.longbien").get(reverse("overview:dashboard")).content.decode()
    assert "Mở bảng tổng hợp" in html and "/tong-hop/?campaign=" in html


@pytest.mark.django_db
def test_year_over_year_splits_by_share_and_sums_merges(demo, week):
    """Issue 8. 2024: THCS Ngọc Lâm 3 classes / 90 learners, TH Gia Thụy 2 / 40. Later
    Ngọc Lâm is split 0,6 → new Bồ Đề, 0,4 → new Việt Hưng, and Gia Thụy merged into the
    new Bồ Đề (no share: everything)."""
    from decimal import Decimal

    from lantoa.units.models import Unit
    from lantoa.units.services import unit_close

    u = demo.units
    new_bode, new_viethung = u["new_bode"], u["new_viethung"]
    with CaptureQueriesContext(connection) as before:
        year_over_year(unit=new_bode)
    unit_close(
        unit=Unit.objects.get(pk=u["thcs_ngoclam"].pk),
        valid_to=date(2026, 6, 30),
        successors=[(new_bode, Decimal("0.6")), (new_viethung, Decimal("0.4"))],
    )
    unit_close(
        unit=Unit.objects.get(pk=u["th_giathuy"].pk),
        valid_to=date(2026, 6, 30),
        successors=[(new_bode, None)],
    )

    def figures(key):
        result = year_over_year(unit=u[key])
        column = [c.year for c in result["campaigns"]].index(2024)
        values = {r["code"]: r["values"][column] for r in result["rows"]}
        return values.get("lop_hoc"), values.get("nguoi_hoc"), result["predecessors"]

    lop, hoc, predecessors = figures("new_bode")
    assert (lop, hoc) == (4, 94)  # 0,6 × 3 + 2 = 3,8 → 4; 0,6 × 90 + 40 = 94
    shares = {p["name"]: p["share"] for p in predecessors}
    assert shares["Trường THCS Ngọc Lâm"] == Decimal("0.6")
    assert shares["Trường Tiểu học Gia Thụy"] is None
    lop, hoc, predecessors = figures("new_viethung")
    assert (lop, hoc) == (1, 36)  # 0,4 × 3 = 1,2 → 1; 0,4 × 90 = 36
    shares = {p["name"]: p["share"] for p in predecessors}
    assert shares["Trường THCS Ngọc Lâm"] == Decimal("0.4")
    assert shares["UBND phường Đức Giang"] is None  # an old ward merged whole
    # The district's successor no longer inherits the two schools.
    assert figures("new_longbien")[:2] == (None, None)
    # Hà Nội holds all of it once: 3 + 2 and 90 + 40.
    assert figures("ubnd_hanoi")[:2] == (5, 130)
    # A closed school still shows its own figures.
    assert figures("thcs_ngoclam")[:2] == (3, 90)
    with CaptureQueriesContext(connection) as after:
        year_over_year(unit=new_bode)
    assert len(after) == len(before) == 4
