import json
import re
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
from lantoa.reports.lines.selectors import LINE_ADMIN, completeness_by_line
from lantoa.reports.lines.selectors import rollup as line_rollup
from lantoa.reports.selectors import completeness_for_unit

DUE = date(2026, 10, 12)
PAST_DUE = date(2024, 10, 12)
URL = reverse("dashboards:campaign")
OFFICE = "new_bode"


def editor_of(demo, key: str, username: str) -> None:
    user = User.objects.create_user(username, password="hoctapsuotdoi")
    membership_set(user=user, unit=demo.units[key], role=Role.EDITOR)
    demo.users[username] = user


@pytest.fixture
def week(demo):
    """Campaign 2026 (after the 2025 reform): the schools and centres of the new phường Bồ
    Đề report to the ward by 12/10; two schools submit, the others are missing."""
    campaign = make_campaign(demo, 2026)
    set_deadline(campaign, demo.units[OFFICE], DUE)
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


@pytest.fixture
def past_week(demo):
    """Campaign 2024 (before the 2025 reform), for the year-over-year comparison: MN Hoa Sữa
    (since under the new phường Long Biên) 3 classes / 90 learners, TH Gia Thụy (since under
    the new phường Bồ Đề) 2 / 40."""
    campaign = make_campaign(demo, 2024)
    set_deadline(campaign, demo.units["ubnd_hanoi"], PAST_DUE)
    editor_of(demo, "mn_hoasua", "mn.hoasua")
    submit(demo, "mn.hoasua", "mn_hoasua", campaign, {"lop_hoc": 3, "nguoi_hoc": 90}, PAST_DUE)
    submit(demo, "th.giathuy", "th_giathuy", campaign, {"lop_hoc": 2, "nguoi_hoc": 40}, PAST_DUE)
    return campaign


def get(client, campaign, unit, **extra):
    params = {"campaign": campaign.pk, "unit": unit.pk, **extra}
    return client.get(URL, params)


@pytest.mark.django_db
def test_dashboard_page_shows_charts_and_tables(demo, week, client_as):
    response = get(client_as("phuongmoi.bode"), week, demo.units[OFFICE])
    html = response.content.decode()
    assert response.status_code == 200
    for canvas in ("chart-timeline", "chart-children"):
        assert f'id="{canvas}"' in html
    assert 'id="dashboard-data" type="application/json"' in html
    assert "/static/vendor/chart.umd.min.js" in html
    # Offline: nothing loaded from another host. (Not a search for "cdn": the page's random
    # CSRF token contains those three letters about once in 500 runs.)
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", html)
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
    office = demo.units[OFFICE]
    editor_of(demo, "mn_hoasua", "mn.hoasua")  # under the new phường Long Biên
    submit(demo, "mn.hoasua", "mn_hoasua", week, {"lop_hoc": 1}, DUE + timedelta(2))
    timeline = reporting_timeline(campaign=week, unit=office, today=date(2027, 1, 1))
    completeness = completeness_by_line(campaign=week, unit=office)
    # No plan of 2026 sets other lines: the reporting tree is the administrative one.
    assert (
        completeness_for_unit(campaign=week, unit=office)["expected"] == (completeness["expected"])
    )
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
    office = demo.units[OFFICE]
    editor_of(demo, "th_ngocthuy", "th.ngocthuy")
    submit(demo, "th.ngocthuy", "th_ngocthuy", week, {"lop_hoc": 1}, DUE + timedelta(3))
    timeline = reporting_timeline(campaign=week, unit=office, today=date(2027, 1, 1))
    assert timeline["days"][-1]["day"] == DUE + timedelta(3)
    assert timeline["days"][-1]["submitted"] == 3
    early = reporting_timeline(campaign=week, unit=office, today=DUE - timedelta(days=1))
    by_day = {d["day"]: d for d in early["days"]}
    assert by_day[DUE - timedelta(1)]["submitted"] == 1
    assert by_day[DUE]["submitted"] is None  # "today" is the day before: the future is blank


@pytest.mark.django_db
def test_chart_data_matches_the_rollup(demo, week, client_as):
    office = demo.units[OFFICE]
    response = get(client_as("phuongmoi.bode"), week, office, indicator="nguoi_hoc")
    charts = json.loads(
        response.content.decode()
        .split('id="dashboard-data" type="application/json">')[1]
        .split("</script>")[0]
    )
    rollup = line_rollup(campaign=week, unit=office)
    assert charts["children"]["labels"] == [r["unit_name"] for r in rollup["rows"]]
    assert charts["children"]["values"] == [r["values"].get("nguoi_hoc", 0) for r in rollup["rows"]]
    assert sum(charts["children"]["values"]) == rollup["totals"]["nguoi_hoc"] == 130
    assert charts["children"]["label"] == "Người học"
    assert (
        charts["timeline"]["expected"]
        == completeness_by_line(campaign=week, unit=office)["expected"]
    )
    assert 'id="children-total">130<' in response.content.decode()


@pytest.mark.django_db
def test_city_dashboard_totals_include_the_schools(demo, week, client_as):
    response = get(client_as("ubnd.hanoi"), week, demo.units["ubnd_hanoi"], indicator="lop_hoc")
    assert response.status_code == 200
    assert response.context["rollup"]["totals"]["lop_hoc"] == 5


@pytest.mark.django_db
def test_activities_by_type(demo, week):
    types = {t.code: t for t in week.activity_types.all()}
    start = local(date(2026, 10, 2), 8)
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
    rows = activities_by_type(campaign=week, unit=demo.units[OFFICE])
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
    for key in ("thcs_ngoclam", OFFICE, "ubnd_hanoi", "bo"):
        with CaptureQueriesContext(connection) as queries:
            assert get(client, week, demo.units[key]).status_code == 200
        counts[key] = len(queries)
    assert len(set(counts.values())) == 1, counts
    assert counts["bo"] <= 25, counts


# ---- year over year --------------------------------------------------------------------------


@pytest.mark.django_db
def test_year_over_year_maps_merged_units_to_their_successors(demo, past_week, client_as):
    u, week, DUE = demo.units, past_week, PAST_DUE  # noqa: N806
    # 2024: the old ward Bồ Đề (merged into the new Bồ Đề in 2025) and its centre report;
    # MN Hoa Sữa (since moved under the new Long Biên) and TH Gia Thụy (under the new Bồ
    # Đề) reported above.
    submit(demo, "phuong.bode", "ward_bode", week, {"lop_hoc": 7}, DUE)
    submit(demo, "htcd.bode", "htcd_bode", week, {"lop_hoc": 4}, DUE)
    later = make_campaign(demo, 2025)
    new_bode = year_over_year(unit=u["new_bode"])
    column = [c.year for c in new_bode["campaigns"]].index(2024)
    row = next(r for r in new_bode["rows"] if r["code"] == "lop_hoc")
    # The old ward (merged into it), its centre and TH Gia Thụy (both moved under it).
    assert row["values"][column] == 7 + 4 + 2
    assert [p["name"] for p in new_bode["predecessors"]][:1] == ["UBND phường Bồ Đề"]
    # The new Long Biên inherits the district (nothing reported by its offices) and MN Hoa
    # Sữa moved under it, not the ward merged into Bồ Đề.
    new_lb = year_over_year(unit=u["new_longbien"])
    row = next(r for r in new_lb["rows"] if r["code"] == "lop_hoc")
    assert row["values"][column] == 3
    # Hà Nội holds all of it, counted once.
    hanoi = year_over_year(unit=u["ubnd_hanoi"])
    row = next(r for r in hanoi["rows"] if r["code"] == "lop_hoc")
    assert row["values"][column] == 16
    # The closed ward shows its own figure (its centre now sits under the new ward); the
    # new campaign column is empty.
    old = year_over_year(unit=u["ward_bode"])
    row = next(r for r in old["rows"] if r["code"] == "lop_hoc")
    assert row["values"][column] == 7
    assert row["values"][[c.year for c in old["campaigns"]].index(later.year)] is None


@pytest.mark.django_db
def test_year_over_year_province_successor(demo, past_week):
    u, week, DUE = demo.units, past_week, PAST_DUE  # noqa: N806
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
def test_dashboard_yoy_table_on_the_page(demo, past_week, client_as):
    submit(demo, "phuong.bode", "ward_bode", past_week, {"lop_hoc": 7}, PAST_DUE)
    response = client_as("bo.gddt").get(
        URL, {"unit": demo.units["new_bode"].pk, "campaign": past_week.pk}
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
def test_year_over_year_splits_by_share_and_sums_merges(demo, past_week):
    """Issue 8. 2024: MN Hoa Sữa 3 classes / 90 learners, TH Gia Thụy 2 / 40 (the 2025
    reform has since moved them under the new Long Biên and Bồ Đề). Later Hoa Sữa is split
    0,6 → new Bồ Đề, 0,4 → new Việt Hưng, and Gia Thụy merged into the new Phúc Lợi (no
    share: everything)."""
    from decimal import Decimal

    from lantoa.units.models import Unit
    from lantoa.units.services import unit_close

    u = demo.units
    new_bode, new_viethung = u["new_bode"], u["new_viethung"]
    with CaptureQueriesContext(connection) as before:
        year_over_year(unit=new_bode)
    unit_close(
        unit=Unit.objects.get(pk=u["mn_hoasua"].pk),
        valid_to=date(2026, 6, 30),
        successors=[(new_bode, Decimal("0.6")), (new_viethung, Decimal("0.4"))],
    )
    unit_close(
        unit=Unit.objects.get(pk=u["th_giathuy"].pk),
        valid_to=date(2026, 6, 30),
        successors=[(u["new_phucloi"], None)],
    )

    def figures(key):
        result = year_over_year(unit=u[key])
        column = [c.year for c in result["campaigns"]].index(2024)
        values = {r["code"]: r["values"][column] for r in result["rows"]}
        return values.get("lop_hoc"), values.get("nguoi_hoc"), result["predecessors"]

    lop, hoc, predecessors = figures("new_bode")
    # 0,6 × 3 = 1,8 → 2; 0,6 × 90 = 54; Gia Thụy, merged into Phúc Lợi, leaves it.
    assert (lop, hoc) == (2, 54)
    shares = {p["name"]: p["share"] for p in predecessors}
    assert shares["Trường Mầm non Hoa Sữa"] == Decimal("0.6")
    lop, hoc, predecessors = figures("new_viethung")
    assert (lop, hoc) == (1, 36)  # 0,4 × 3 = 1,2 → 1; 0,4 × 90 = 36
    shares = {p["name"]: p["share"] for p in predecessors}
    assert shares["Trường Mầm non Hoa Sữa"] == Decimal("0.4")
    assert shares["UBND phường Đức Giang"] is None  # an old ward merged whole
    lop, hoc, predecessors = figures("new_phucloi")
    assert (lop, hoc) == (2, 40)
    assert {p["name"]: p["share"] for p in predecessors}["Trường Tiểu học Gia Thụy"] is None
    # The ward Hoa Sữa sat under keeps none of it (all shared out).
    assert figures("new_longbien")[:2] == (None, None)
    # Hà Nội holds all of it once: 3 + 2 and 90 + 40.
    assert figures("ubnd_hanoi")[:2] == (5, 130)
    # A closed school still shows its own figures.
    assert figures("mn_hoasua")[:2] == (3, 90)
    with CaptureQueriesContext(connection) as after:
        year_over_year(unit=new_bode)
    assert len(after) == len(before) == 4


# ---- along the reporting lines (issue 8) -----------------------------------------------------


@pytest.mark.django_db
def test_timeline_follows_the_reporting_tree_with_the_admin_switch(demo, client_as):
    """The next Week: the Sở's dispatch addresses the new wards, which report to the Sở with
    their schools and centres. The Sở is a leaf administratively: its timeline counts them
    along the reporting tree, none on the administrative one."""
    campaign = demo.campaigns[max(demo.campaigns)]
    so = demo.units["so_hanoi"]
    timeline = reporting_timeline(campaign=campaign, unit=so, today=campaign.ends_on)
    expected = completeness_by_line(campaign=campaign, unit=so)["expected"]
    assert timeline["expected"] == expected == 23  # 4 wards, 5 schools, 14 centres
    assert reporting_timeline(campaign=campaign, unit=so, line=LINE_ADMIN)["expected"] == 0
    submit(demo, "thcs.ngoclam", "thcs_ngoclam", campaign, {"lop_hoc": 2}, campaign.starts_on)
    timeline = reporting_timeline(campaign=campaign, unit=so, today=campaign.ends_on)
    assert timeline["submitted"] == 1 and timeline["days"][0]["submitted"] == 1

    client = client_as("so.hanoi")
    page = get(client, campaign, so)
    assert page.status_code == 200
    assert page.context["line"] == "reporting" and page.context["timeline"]["expected"] == 23
    assert 'id="fact-expected">23<' in page.content.decode()
    assert "Trường THCS Ngọc Lâm" not in page.content.decode()  # rows are the wards
    admin = get(client, campaign, so, line="admin")
    assert admin.context["line"] == "admin" and admin.context["timeline"]["expected"] == 0
    assert '<input type="hidden" name="line" value="admin">' in admin.content.decode()


@pytest.mark.django_db
def test_timeline_by_line_runs_a_fixed_number_of_queries(demo):
    campaign = demo.campaigns[max(demo.campaigns)]
    reporting_timeline(campaign=campaign, unit=demo.units["bo"])  # the tree is built
    counts = {}
    for key in ("thcs_ngoclam", "new_bode", "so_hanoi", "bo"):
        with CaptureQueriesContext(connection) as queries:
            reporting_timeline(campaign=campaign, unit=demo.units[key])
        counts[key] = len(queries)
    assert len(set(counts.values())) == 1, counts
