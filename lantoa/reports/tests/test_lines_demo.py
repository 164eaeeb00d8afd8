"""Reporting lines in the demo (DEMO.md): so.hanoi consolidates Hà Nội's education units,
reads and reviews their reports, and sees nothing else about them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lantoa.accounts.models import Membership, User
from lantoa.activities.models import Activity
from lantoa.reports.lines.services import rollup_check
from lantoa.reports.models import COUNTED_STATES, Report, ReportState, ReportValue
from lantoa.units.models import Unit, subtree_q

pytestmark = pytest.mark.django_db


# Phòng GDĐT Long Biên and the schools it consolidated in 2023; the GDNN-GDTX centre
# reported to the Sở itself (DEMO.md). The 2025 reform has since moved the schools under the
# new wards; 2023's reporting tree was frozen when the campaign closed.
LONG_BIEN_EDUCATION_2023 = [
    "pgd_longbien",
    "thcs_ngoclam",
    "th_giathuy",
    "mn_hoasua",
    "th_ngocthuy",
    "thcs_phucloi",
]


def _hand_totals(units: list[Unit], campaign) -> dict[str, int]:
    """Σ of the counted values of exactly the given units."""
    totals: dict[str, int] = {}
    for code, value in ReportValue.objects.filter(
        unit__in=units, campaign=campaign, counted=True
    ).values_list("indicator_code", "value"):
        totals[code] = totals.get(code, 0) + value
    return {code: v for code, v in totals.items() if v}


def test_so_hanoi_consolidates_the_long_bien_education_units(demo, api_as):
    c2023 = demo.campaigns[2023]
    u = demo.units
    api = api_as("so.hanoi")
    body = api.get(f"/api/v1/campaigns/{c2023.pk}/rollup", {"unit": u["so_hanoi"].pk}).json()
    assert body["line"] == "reporting"
    # Two rows: Phòng GDĐT Long Biên (with its schools below it) and the GDNN-GDTX centre.
    centre = u["gdnn_longbien"]
    assert [r["unit_id"] for r in body["rows"]] == [u["pgd_longbien"].pk, centre.pk]
    office_units = [u[k] for k in LONG_BIEN_EDUCATION_2023]
    hand = _hand_totals(office_units, c2023)
    hand_centre = _hand_totals([centre], c2023)
    own = _hand_totals([u["so_hanoi"]], c2023)
    assert hand and hand_centre, "the demo has counted Long Biên reports in 2023"
    assert [r["values"] for r in body["rows"]] == [hand, hand_centre]
    codes = {*hand, *hand_centre, *own}
    assert body["totals"] == {
        k: hand.get(k, 0) + hand_centre.get(k, 0) + own.get(k, 0) for k in codes
    }

    # Counts: the office and its five schools below the first row, the centre the second.
    def submitted(units) -> int:
        return Report.objects.filter(
            campaign=c2023, state__in=COUNTED_STATES, unit__in=units
        ).count()

    assert [(r["expected"], r["submitted"]) for r in body["rows"]] == [
        (len(office_units), submitted(office_units)),
        (1, submitted([centre])),
    ]
    c = api.get(f"/api/v1/campaigns/{c2023.pk}/completeness", {"unit": u["so_hanoi"].pk}).json()
    everyone = [*office_units, centre]
    assert (c["expected"], c["submitted"]) == (len(everyone), submitted(everyone))
    # The administrative view of the same office: the Sở is a leaf there.
    admin = api.get(
        f"/api/v1/campaigns/{c2023.pk}/rollup", {"unit": u["so_hanoi"].pk, "line": "admin"}
    ).json()
    assert admin["line"] == "admin" and admin["rows"] == []
    bad = api.get(f"/api/v1/campaigns/{c2023.pk}/rollup", {"unit": u["so_hanoi"].pk, "line": "x"})
    assert bad.status_code in (400, 422) and bad["Content-Type"].startswith(
        "application/problem+json"
    )
    assert rollup_check(campaign=c2023) == []


def test_after_the_reform_so_hanoi_consolidates_the_new_wards(demo, api_as, client_as):
    """DEMO.md: in the next Week the Sở's dispatch addresses the four new wards, who report
    to the Sở; Long Biên's schools and centres report to their new ward."""
    campaign = demo.campaigns[max(demo.campaigns)]
    u = demo.units
    wards = [u[k] for k in ("new_longbien", "new_bode", "new_viethung", "new_phucloi")]
    api = api_as("so.hanoi")
    body = api.get(f"/api/v1/campaigns/{campaign.pk}/rollup", {"unit": u["so_hanoi"].pk}).json()
    assert sorted(r["unit_id"] for r in body["rows"]) == sorted(w.pk for w in wards)
    tree = api.get(
        f"/api/v1/campaigns/{campaign.pk}/reporting-tree", {"unit": u["new_bode"].pk}
    ).json()
    below = {c["unit_id"] for c in tree["children"]}
    assert {u["thcs_ngoclam"].pk, u["th_giathuy"].pk, u["htcd_bode"].pk} <= below
    # Everything below the wards is expected by the Sở: the wards, their schools, centres.
    c = api.get(f"/api/v1/campaigns/{campaign.pk}/completeness", {"unit": u["so_hanoi"].pk})
    schools = [u[k] for k in ("thcs_ngoclam", "th_giathuy", "mn_hoasua", "th_ngocthuy")]
    centres = Unit.objects.filter(kind="tt_htcd", code__startswith="HN-LB-")
    assert c.json()["expected"] == len(wards) + len(schools) + 1 + centres.count()
    # The Sở and the ward read the school's report; the abolished district office does not.
    school = u["thcs_ngoclam"]
    for username, status in (("so.hanoi", 200), ("phuongmoi.bode", 200), ("pgd.longbien", 404)):
        got = api_as(username).get(f"/api/v1/reports/{campaign.pk}/{school.pk}").status_code
        assert got == status, username
    # The accounts start.sh prints open their overview with the Week's progress card.
    for username in ("ubnd.hanoi", "so.hanoi", "phuongmoi.bode"):
        page = client_as(username).get(f"/tong-quan/?campaign={campaign.pk}")
        assert page.status_code == 200, username
        assert 'id="completeness"' in page.content.decode(), username


def test_the_ministry_rows_include_each_sở(demo, api_as):
    c2023 = demo.campaigns[2023]
    body = (
        api_as("bo.gddt")
        .get(f"/api/v1/campaigns/{c2023.pk}/rollup", {"unit": demo.units["bo"].pk})
        .json()
    )
    rows = {r["unit_id"] for r in body["rows"]}
    for key in ("so_hanoi", "so_langson", "so_binhduong", "so_lamdong"):
        assert demo.units[key].pk in rows, key
    # Counted once: the rows add up to the total (the ministry writes no report).
    for code, total in body["totals"].items():
        assert total == sum(r["values"].get(code, 0) for r in body["rows"]) + body["own"].get(
            code, 0
        )


def test_so_hanoi_reads_and_reviews_long_bien_reports_and_nothing_else(demo, api_as, client_as):
    c2023, c2020 = demo.campaigns[2023], demo.campaigns[2020]
    u = demo.units
    api = api_as("so.hanoi")
    web = client_as("so.hanoi")
    school = u["th_ngocthuy"]  # submitted late
    assert Report.objects.get(campaign=c2023, unit=school).state == ReportState.SUBMITTED
    # Read: API and page.
    assert api.get(f"/api/v1/reports/{c2023.pk}/{school.pk}").status_code == 200
    assert web.get(reverse("reports:report", args=[c2023.pk, school.pk])).status_code == 200
    assert (
        web.get(reverse("reports:rollup", args=[c2023.pk, u["pgd_longbien"].pk])).status_code == 200
    )
    listed = api.get(f"/api/v1/campaigns/{c2023.pk}/reports", {"unit": u["so_hanoi"].pk}).json()
    assert school.pk in {i["unit_id"] for i in listed["items"]}
    # Review: accept, then reopen with a reason.
    r = api.post(f"/api/v1/reports/{c2023.pk}/{school.pk}/accept")
    assert r.status_code == 200, r.content
    r = api.post(
        f"/api/v1/reports/{c2023.pk}/{school.pk}/reopen", {"reason": "Bổ sung số liệu người học"}
    )
    assert r.status_code == 200, r.content
    assert rollup_check(campaign=c2023) == []
    # Not its activities' registrants, not its users.
    activity = Activity.objects.filter(
        unit__in=Unit.objects.filter(subtree_q(u["pgd_longbien"].path))
    ).first()
    if activity is None:
        activity = Activity.objects.create(
            campaign=c2023,
            unit=school,
            title="Ngày hội đọc sách",
            starts_at=c2023.starts_on,
            ends_at=c2023.starts_on,
        )
    assert api.get(f"/api/v1/activities/{activity.pk}/registrations").status_code == 404
    assert web.get(reverse("activities:registrations_xlsx", args=[activity.pk])).status_code == 404
    assert web.get(reverse("activities:detail", args=[activity.pk])).status_code == 404
    # Another province: 404 on pages and API.
    tdm = u["pgd_tdm"]
    assert api.get(f"/api/v1/reports/{c2023.pk}/{tdm.pk}").status_code == 404
    assert api.get(f"/api/v1/campaigns/{c2023.pk}/rollup", {"unit": tdm.pk}).status_code == 404
    assert web.get(reverse("reports:rollup", args=[c2023.pk, tdm.pk])).status_code == 404
    # Lines are per campaign: in 2020 no dispatch of the Sở reached Long Biên.
    assert api.get(f"/api/v1/reports/{c2020.pk}/{school.pk}").status_code == 404


def test_ubnd_hanoi_opens_its_so_consolidation(demo, client_as):
    c2023 = demo.campaigns[2023]
    user = User.objects.create_user(username="ubnd.hanoi.test", password="hoctapsuotdoi")
    Membership.objects.create(user=user, unit=demo.units["ubnd_hanoi"], role="approver")
    web = client_as("ubnd.hanoi.test")
    page = web.get(reverse("reports:rollup", args=[c2023.pk, demo.units["so_hanoi"].pk]))
    assert page.status_code == 200
    assert demo.units["pgd_longbien"].name in page.content.decode()


def test_reporting_tree_api_and_page(demo, api_as, client_as):
    c2023, nxt = demo.campaigns[2023], demo.campaigns[max(demo.campaigns)]
    u = demo.units
    api = api_as("so.hanoi")
    tree = api.get(f"/api/v1/campaigns/{c2023.pk}/reporting-tree", {"unit": u["so_hanoi"].pk})
    assert tree.status_code == 200
    body = tree.json()
    assert body["frozen"] is True  # 2023 is closed in the demo
    assert [c["unit_id"] for c in body["children"]] == [u["pgd_longbien"].pk, u["gdnn_longbien"].pk]
    assert all(c["claimed_by"].startswith("3442/") for c in body["children"])
    # A closed campaign's tree does not change.
    r = api.put(
        f"/api/v1/campaigns/{c2023.pk}/reporting-tree/{u['thcs_ngoclam'].pk}",
        {"reports_to": u["so_hanoi"].pk, "reason": "Trường trực thuộc Sở"},
    )
    assert r.status_code == 409 and r["Content-Type"].startswith("application/problem+json")
    page = client_as("so.hanoi").get(reverse("reports:lines", args=[c2023.pk, u["so_hanoi"].pk]))
    assert page.status_code == 200 and u["pgd_longbien"].name in page.content.decode()
    # The open next Week: the ministry re-routes a Sở (with a reason); bad input changes nothing.
    bo = api_as("bo.gddt")
    url = f"/api/v1/campaigns/{nxt.pk}/reporting-tree/{u['so_langson'].pk}"
    r = bo.put(url, {"reports_to": u["so_langson"].pk, "reason": "Vòng lặp"})
    assert r.status_code in (400, 422), r.content
    r = bo.put(url, {"reports_to": u["ubnd_langson"].pk, "reason": ""})
    assert r.status_code in (400, 422), r.content
    r = bo.put(url, {"reports_to": u["ubnd_langson"].pk, "reason": "Báo cáo qua UBND tỉnh"})
    assert r.status_code == 200, r.content
    assert r.json()["reports_to"] == u["ubnd_langson"].pk
    # so.hanoi cannot re-route another province's units: 404.
    r = api.put(url, {"reports_to": u["so_hanoi"].pk, "reason": "Không thuộc phạm vi"})
    assert r.status_code == 404


def test_rollup_api_queries_fixed_as_the_tree_grows(demo, api_as):
    from lantoa.reports.lines.services import reporting_tree_build

    nxt = demo.campaigns[max(demo.campaigns)]
    api = api_as("bo.gddt")
    api.get("/api/v1/me")
    unit = demo.units["bo"]

    def count():
        with CaptureQueriesContext(connection) as q:
            assert (
                api.get(f"/api/v1/campaigns/{nxt.pk}/rollup", {"unit": unit.pk}).status_code == 200
            )
            assert (
                api.get(f"/api/v1/campaigns/{nxt.pk}/completeness", {"unit": unit.pk}).status_code
                == 200
            )
        return len(q)

    before = count()
    province = Unit.objects.add_child(unit, instance=Unit(name="UBND tỉnh Mới", kind="ubnd_tinh"))
    for i in range(20):
        ward = Unit.objects.add_child(
            province, instance=Unit(name=f"UBND xã Mới {i}", kind="ubnd_xa")
        )
        Unit.objects.add_child(
            ward, instance=Unit(name=f"Trung tâm HTCĐ xã Mới {i}", kind="tt_htcd")
        )
    reporting_tree_build(campaign=nxt)
    assert count() == before


def test_next_week_the_new_wards_report_to_the_so(demo, api_as):
    nxt = demo.campaigns[max(demo.campaigns)]
    u = demo.units
    body = (
        api_as("so.hanoi")
        .get(f"/api/v1/campaigns/{nxt.pk}/reporting-tree", {"unit": u["so_hanoi"].pk})
        .json()
    )
    assert body["frozen"] is False
    wards = {u[k].pk for k in ("new_longbien", "new_bode", "new_viethung", "new_phucloi")}
    assert {c["unit_id"] for c in body["children"]} == wards
    assert all(c["claimed_by"] for c in body["children"])
