from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from lantoa.campaigns.models import ReportingDeadline
from lantoa.reports.selectors import (
    completeness_for_unit,
    deadline_for_unit,
    expected_units,
    rollup_for_unit,
)
from lantoa.reports.tests.factories import build_tree, put_report
from lantoa.units.models import Unit


def _child(parent, **fields):
    return Unit.objects.add_child(parent, instance=Unit(**fields))


def test_deadline_inherits_nearest_ancestor(db):
    t = build_tree()
    assert deadline_for_unit(campaign=t.campaign, unit=t["a"]) == date(2023, 10, 12)
    assert deadline_for_unit(campaign=t.campaign, unit=t["phong"]) == date(2023, 10, 20)
    assert deadline_for_unit(campaign=t.campaign, unit=t["htcd"]) == date(2023, 10, 20)
    assert deadline_for_unit(campaign=t.campaign, unit=t["tinh"]) == date(2023, 10, 30)
    assert deadline_for_unit(campaign=t.campaign, unit=t["bo"]) is None


def test_deadline_kinds_narrow_who_it_covers(db):
    t = build_tree()
    ReportingDeadline.objects.create(
        campaign=t.campaign, unit=t["xa"], due_on=date(2023, 10, 10), kinds=["tt_htcd"]
    )
    assert deadline_for_unit(campaign=t.campaign, unit=t["htcd"]) == date(2023, 10, 10)
    ReportingDeadline.objects.filter(unit=t["xa"]).update(kinds=["truong_th"])
    # The commune's deadline does not name centres: the province's one applies.
    assert deadline_for_unit(campaign=t.campaign, unit=t["htcd"]) == date(2023, 10, 20)
    due = dict(expected_units(campaign=t.campaign, unit=t["tinh"]).values_list("pk", "due_on"))
    assert due[t["htcd"].pk] == date(2023, 10, 20)


def test_expected_units_skip_units_closed_before_their_deadline(db):
    t = build_tree()
    due = dict(expected_units(campaign=t.campaign, unit=t["bo"]).values_list("pk", "due_on"))
    assert t["c"].pk not in due
    assert due == {
        t["tinh"].pk: date(2023, 10, 30),
        t["phong"].pk: date(2023, 10, 20),
        t["a"].pk: date(2023, 10, 12),
        t["b"].pk: date(2023, 10, 12),
        t["xa"].pk: date(2023, 10, 20),
        t["htcd"].pk: date(2023, 10, 20),
    }


def test_rollup_own_plus_children_no_double_counting(db):
    t = build_tree()
    put_report(t, "a", "submitted", {"lop_hoc": 3, "nguoi_hoc": 100})
    put_report(t, "b", "accepted", {"lop_hoc": 5, "nguoi_hoc": 40})
    put_report(t, "phong", "submitted", {"lop_hoc": 1})
    put_report(t, "htcd", "returned", {"lop_hoc": 50})
    put_report(t, "xa", "draft", {"lop_hoc": 70})
    put_report(t, "tinh", "accepted", {"lop_hoc": 2, "nguoi_hoc": 7})

    phong = rollup_for_unit(campaign=t.campaign, unit=t["phong"])
    assert phong["totals"] == {"lop_hoc": 9, "nguoi_hoc": 140}
    rows = {r["unit_id"]: r for r in phong["rows"]}
    assert rows[t["a"].pk]["values"] == {"lop_hoc": 3, "nguoi_hoc": 100}
    assert rows[t["b"].pk]["values"] == {"lop_hoc": 5, "nguoi_hoc": 40}
    assert t["c"].pk not in rows  # closed before the campaign, no data

    tinh = rollup_for_unit(campaign=t.campaign, unit=t["tinh"])
    assert tinh["totals"] == {"lop_hoc": 11, "nguoi_hoc": 147}
    rows = {r["unit_id"]: r for r in tinh["rows"]}
    assert rows[t["phong"].pk]["values"] == {"lop_hoc": 9, "nguoi_hoc": 140}
    assert rows[t["xa"].pk]["values"] == {}  # draft and returned excluded
    assert rows[t["phong"].pk]["expected"] == 3
    assert rows[t["phong"].pk]["submitted"] == 3
    assert rows[t["xa"].pk]["expected"] == 2
    assert rows[t["xa"].pk]["submitted"] == 0
    assert sum(r["values"].get("lop_hoc", 0) for r in tinh["rows"]) + tinh["own"]["lop_hoc"] == 11

    bo = rollup_for_unit(campaign=t.campaign, unit=t["bo"])
    assert bo["totals"] == tinh["totals"]


def test_completeness_counts_and_missing(db):
    t = build_tree()
    put_report(t, "a", "submitted", {"lop_hoc": 3}, on_time=True)
    put_report(t, "b", "accepted", {"lop_hoc": 5}, on_time=False)
    put_report(t, "htcd", "returned", {"lop_hoc": 50})
    c = completeness_for_unit(campaign=t.campaign, unit=t["tinh"])
    assert (c["expected"], c["submitted"], c["on_time"], c["accepted"]) == (5, 2, 1, 1)
    assert [m["unit_id"] for m in c["missing"]] == [t["phong"].pk, t["xa"].pk, t["htcd"].pk]
    assert c["missing"][0]["due_on"] == date(2023, 10, 20)
    phong = completeness_for_unit(campaign=t.campaign, unit=t["phong"])
    assert (phong["expected"], phong["submitted"]) == (2, 2)
    assert phong["missing"] == []


def _grow(t, n: int) -> None:
    for i in range(n):
        school = _child(t["phong"], name=f"Trường thêm {i}", kind="truong_th")
        t.units[f"extra{i}"] = school
        put_report(t, f"extra{i}", "submitted", {"lop_hoc": i})
        _child(t["xa"], name=f"Thư viện {i}", kind="thu_vien")


def test_fixed_number_of_queries_whatever_the_size(db):
    t = build_tree()
    counts = []
    for grow in (0, 7):
        _grow(t, grow)
        t["tinh"].refresh_from_db()
        with CaptureQueriesContext(connection) as rollup_q:
            rollup_for_unit(campaign=t.campaign, unit=t["tinh"])
        with CaptureQueriesContext(connection) as complete_q:
            completeness_for_unit(campaign=t.campaign, unit=t["tinh"])
        counts.append((len(rollup_q), len(complete_q)))
    assert counts[0] == counts[1]
    assert counts[0][0] <= 4 and counts[0][1] <= 3
