"""Reporting lines: the tree per campaign, totals on its nodes, the checker."""

import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lantoa.accounts.models import Membership, User
from lantoa.core.errors import Conflict
from lantoa.documents.models import Document, DocumentRecipient
from lantoa.reports.lines.selectors import (
    completeness_by_line,
    reporting_part,
    rollup_by_line,
)
from lantoa.reports.lines.services import (
    campaign_close,
    reporting_parent_set,
    reporting_tree_build,
    rollup_check,
)
from lantoa.reports.models import ReportingNode
from lantoa.reports.selectors import completeness_for_unit, rollup_for_unit
from lantoa.reports.tests.factories import build_tree, put_report
from lantoa.units.models import Unit
from lantoa.units.services import unit_move


def _child(parent, **fields):
    return Unit.objects.add_child(parent, instance=Unit(**fields))


def _issued_plan(t, issuer, recipients, *, number, due_on=None, report_to=None, area=None):
    doc = Document.objects.create(
        campaign=t.campaign,
        kind="ke_hoach",
        state="issued",
        issuer_unit=issuer,
        drafting_unit=issuer,
        subject="Kế hoạch thử",
        year=2023,
        number=number,
        symbol="KH-THU",
        issued_on=date(2023, 9, 20),
        area_path=(area or issuer).path,
        report_due_on=due_on,
        report_to_unit=report_to,
    )
    DocumentRecipient.objects.bulk_create(
        DocumentRecipient(document=doc, unit=u, position=i) for i, u in enumerate(recipients)
    )
    return doc


def _fill(t):
    put_report(t, "a", "submitted", {"lop_hoc": 3, "nguoi_hoc": 100})
    put_report(t, "b", "accepted", {"lop_hoc": 5, "nguoi_hoc": 40})
    put_report(t, "phong", "submitted", {"lop_hoc": 1})
    put_report(t, "htcd", "returned", {"lop_hoc": 50})
    put_report(t, "xa", "draft", {"lop_hoc": 70})
    put_report(t, "tinh", "accepted", {"lop_hoc": 2, "nguoi_hoc": 7})


def _strip(result):
    return {k: v for k, v in result.items() if k not in ("line", "missing_count")}


def test_without_plans_the_reporting_tree_is_the_administrative_one(db):
    t = build_tree()
    _fill(t)
    reporting_tree_build(campaign=t.campaign)
    assert rollup_check(campaign=t.campaign) == []
    for key in ("bo", "tinh", "phong", "xa"):
        line = rollup_by_line(campaign=t.campaign, unit=t[key])
        admin = rollup_for_unit(campaign=t.campaign, unit=t[key])
        assert line["totals"] == admin["totals"], key
        assert line["own"] == admin["own"], key
        assert {
            r["unit_id"]: (r["values"], r["expected"], r["submitted"], r["on_time"])
            for r in line["rows"]
        } == {
            r["unit_id"]: (r["values"], r["expected"], r["submitted"], r["on_time"])
            for r in admin["rows"]
        }, key
        assert _strip(completeness_by_line(campaign=t.campaign, unit=t[key])) == _strip(
            completeness_for_unit(campaign=t.campaign, unit=t[key])
        ), key


def test_plan_claims_its_recipients_and_the_deepest_issuer_wins(db):
    t = build_tree()
    so = _child(t["tinh"], name="Sở GDĐT Thử", kind="so_gddt")
    _fill(t)
    # The Sở's dispatch addresses the district office and the commune (area: the province);
    # the commune also answers to the district office's plan? No: the office's plan
    # addresses the schools; the province's plan addresses the commune too (nearest wins).
    _issued_plan(
        t, so, [t["phong"], t["xa"], t["tinh"]], number=1, due_on=date(2023, 10, 18), area=t["tinh"]
    )
    _issued_plan(t, t["tinh"], [t["xa"]], number=2, due_on=date(2023, 10, 19))
    reporting_tree_build(campaign=t.campaign)
    nodes = {n.unit_id: n for n in ReportingNode.objects.filter(campaign=t.campaign)}
    assert nodes[t["phong"].pk].parent_unit_id == so.pk
    assert nodes[t["phong"].pk].due_on == date(2023, 10, 18)
    # UBND tỉnh is the Sở's superior: listed for information, never claimed.
    assert nodes[t["tinh"].pk].parent_unit_id == t["bo"].pk
    # Both the Sở (depth 3) and the province (depth 2) claim the commune: the Sở is deeper.
    assert nodes[t["xa"].pk].parent_unit_id == so.pk
    assert nodes[t["xa"].pk].contested_by is not None
    assert rollup_check(campaign=t.campaign) == []

    so_rollup = rollup_by_line(campaign=t.campaign, unit=so)
    assert so_rollup["totals"] == {"lop_hoc": 9, "nguoi_hoc": 140}
    rows = {r["unit_id"]: r for r in so_rollup["rows"]}
    assert set(rows) == {t["phong"].pk, t["xa"].pk}
    # The province counts the commune once (through the Sở), never twice.
    tinh = rollup_by_line(campaign=t.campaign, unit=t["tinh"])
    assert tinh["totals"] == {"lop_hoc": 11, "nguoi_hoc": 147}
    assert [r["unit_id"] for r in tinh["rows"]] == [so.pk]
    part = reporting_part(campaign=t.campaign, unit=t["tinh"])
    assert [(v["unit_id"], v["via_unit_id"]) for v in part["via"]] == [(t["xa"].pk, so.pk)]
    assert completeness_by_line(campaign=t.campaign, unit=so)["expected"] == 5


def test_report_to_a_named_unit(db):
    t = build_tree()
    so = _child(t["tinh"], name="Sở GDĐT Thử", kind="so_gddt")
    _issued_plan(t, t["tinh"], [t["phong"]], number=3, report_to=so)
    reporting_tree_build(campaign=t.campaign)
    node = ReportingNode.objects.get(campaign=t.campaign, unit=t["phong"])
    assert node.parent_unit_id == so.pk


def test_totals_follow_transitions_through_the_services(db):
    from lantoa.reports.models import Report
    from lantoa.reports.services import (
        report_accept,
        report_reopen,
        report_return,
        report_save,
        report_submit,
    )

    t = build_tree()
    reporting_tree_build(campaign=t.campaign)
    editor, approver = t.users["a.editor"], t.users["phong.approver"]
    report = report_save(
        report=Report(campaign=t.campaign, unit=t["a"], version=0),
        user=editor,
        version=0,
        values={"lop_hoc": 4},
    )
    assert rollup_by_line(campaign=t.campaign, unit=t["bo"])["totals"] == {}
    report = report_submit(report=report, user=editor, now=None)
    assert rollup_by_line(campaign=t.campaign, unit=t["bo"])["totals"] == {"lop_hoc": 4}
    assert completeness_by_line(campaign=t.campaign, unit=t["phong"])["submitted"] == 1
    report = report_accept(report=report, user=approver)
    assert completeness_by_line(campaign=t.campaign, unit=t["tinh"])["accepted"] == 1
    assert rollup_check(campaign=t.campaign) == []
    report = report_reopen(report=report, user=approver, reason="Sửa lại số lớp học")
    assert rollup_by_line(campaign=t.campaign, unit=t["bo"])["totals"] == {}
    assert completeness_by_line(campaign=t.campaign, unit=t["tinh"])["accepted"] == 0
    report = report_save(report=report, user=editor, version=report.version, values={"lop_hoc": 6})
    report = report_submit(report=report, user=editor)
    report = report_return(report=report, user=approver, reason="Thiếu minh chứng ảnh")
    assert rollup_by_line(campaign=t.campaign, unit=t["tinh"])["totals"] == {}
    report = report_submit(report=report, user=editor)
    assert rollup_by_line(campaign=t.campaign, unit=t["tinh"])["totals"] == {"lop_hoc": 6}
    assert rollup_check(campaign=t.campaign) == []


def test_leaf_nodes_keep_their_own_report_as_their_total(db):
    """A leaf's total row is its own report, so a roll-up reads every child the same way;
    migration 0006 adds those rows to trees built before (``leaf_totals_add``)."""
    from lantoa.reports.lines.services import leaf_totals_add, stored_totals
    from lantoa.reports.models import ReportingTotal

    t = build_tree()
    _fill(t)
    reporting_tree_build(campaign=t.campaign)
    stored = stored_totals(campaign_id=t.campaign.pk, unit_ids=[t["a"].pk, t["b"].pk])
    # "a" submitted (not yet accepted), "b" accepted; both expected and on time.
    assert stored == {
        (t["a"].pk, "lop_hoc"): 3,
        (t["a"].pk, "nguoi_hoc"): 100,
        (t["a"].pk, "#expected"): 1,
        (t["a"].pk, "#submitted"): 1,
        (t["a"].pk, "#on_time"): 1,
        (t["b"].pk, "lop_hoc"): 5,
        (t["b"].pk, "nguoi_hoc"): 40,
        (t["b"].pk, "#expected"): 1,
        (t["b"].pk, "#submitted"): 1,
        (t["b"].pk, "#on_time"): 1,
        (t["b"].pk, "#accepted"): 1,
    }
    leaves = ReportingNode.objects.filter(campaign=t.campaign, leaf=True).values("unit_id")
    ReportingTotal.objects.filter(campaign=t.campaign, unit_id__in=leaves).delete()
    assert rollup_check(campaign=t.campaign)  # the leaves' rows are missing
    before = {
        key: v
        for key, v in stored_totals(campaign_id=t.campaign.pk).items()
        if key[0] not in {row["unit_id"] for row in leaves}
    }
    leaf_totals_add()
    assert rollup_check(campaign=t.campaign) == []
    after = stored_totals(campaign_id=t.campaign.pk)
    assert {k: v for k, v in after.items() if k in before} == before  # the others untouched


def test_a_code_whose_shards_cancel_out_is_left_out_of_the_reads(db):
    """A top-level node's total is the sum of its shards; a code that sums to 0 there (one
    shard +3, another −3) shows neither in a roll-up nor in completeness."""
    from lantoa.reports.models import ReportingTotal

    t = build_tree()
    _fill(t)
    reporting_tree_build(campaign=t.campaign)
    before = rollup_by_line(campaign=t.campaign, unit=t["bo"])
    counts = completeness_by_line(campaign=t.campaign, unit=t["bo"], missing_limit=0)
    ReportingTotal.objects.bulk_create(
        [
            ReportingTotal(
                campaign=t.campaign, unit=t["tinh"], shard=5, totals=json.dumps({"moi": 3})
            ),
            ReportingTotal(
                campaign=t.campaign,
                unit=t["tinh"],
                shard=6,
                totals=json.dumps({"moi": -3, "#expected": 2, "#submitted": -2}),
            ),
            ReportingTotal(
                campaign=t.campaign, unit=t["bo"], shard=7, totals=json.dumps({"#expected": -2})
            ),
            ReportingTotal(
                campaign=t.campaign,
                unit=t["bo"],
                shard=4,
                totals=json.dumps({"#expected": 2, "#submitted": -2, "moi": 1}),
            ),
            ReportingTotal(
                campaign=t.campaign,
                unit=t["bo"],
                shard=3,
                totals=json.dumps({"#submitted": 2, "moi": -1}),
            ),
        ]
    )
    after = rollup_by_line(campaign=t.campaign, unit=t["bo"])
    row = next(r for r in after["rows"] if r["unit_id"] == t["tinh"].pk)
    assert "moi" not in row["values"]
    assert row["expected"] == next(
        r["expected"] + 2 for r in before["rows"] if r["unit_id"] == t["tinh"].pk
    )
    assert after["totals"] == before["totals"]
    assert completeness_by_line(campaign=t.campaign, unit=t["bo"], missing_limit=0) == counts
    assert rollup_check(campaign=t.campaign)  # the stored rows no longer match the values


def test_rollup_check_finds_a_drifted_total(db):
    from lantoa.reports.models import ReportingTotal

    t = build_tree()
    _fill(t)
    reporting_tree_build(campaign=t.campaign)
    row = ReportingTotal.objects.filter(campaign=t.campaign, unit=t["tinh"]).first()
    totals = json.loads(row.totals)
    totals["lop_hoc"] = totals.get("lop_hoc", 0) + 1
    ReportingTotal.objects.filter(pk=row.pk).update(totals=json.dumps(totals))
    problems = rollup_check(campaign=t.campaign)
    assert len(problems) == 1 and f"unit {t['tinh'].pk} lop_hoc" in problems[0]


def test_move_with_reason_then_frozen_when_closed(db):
    t = build_tree()
    so = _child(t["tinh"], name="Sở GDĐT Thử", kind="so_gddt")
    _fill(t)
    reporting_tree_build(campaign=t.campaign)
    approver = t.users["tinh.approver"]
    with pytest.raises(ValidationError):
        reporting_parent_set(
            campaign=t.campaign,
            unit=t["phong"],
            reports_to=t["a"],
            reason="Vòng lặp thử",
            user=approver,
        )
    with pytest.raises(ValidationError):
        reporting_parent_set(
            campaign=t.campaign, unit=t["phong"], reports_to=so, reason="", user=approver
        )
    reporting_parent_set(
        campaign=t.campaign,
        unit=t["phong"],
        reports_to=so,
        reason="Sở tổng hợp ngành giáo dục",
        user=approver,
    )
    assert rollup_by_line(campaign=t.campaign, unit=so)["totals"] == {
        "lop_hoc": 9,
        "nguoi_hoc": 140,
    }
    part = reporting_part(campaign=t.campaign, unit=so)
    assert [c["unit_id"] for c in part["children"]] == [t["phong"].pk]
    assert part["moves"][0].reason == "Sở tổng hợp ngành giáo dục"

    owner = User.objects.create_user(username="bo.approver", password="x")
    Membership.objects.create(user=owner, unit=t["bo"], role="approver")
    campaign_close(campaign=t.campaign, user=owner, closed_on=date(2023, 12, 31))
    before = rollup_by_line(campaign=t.campaign, unit=t["tinh"])
    with pytest.raises(Conflict):
        reporting_parent_set(
            campaign=t.campaign,
            unit=t["phong"],
            reports_to=t["tinh"],
            reason="Trả về tỉnh",
            user=approver,
        )
    # Restructuring later (the office moves to another province) changes nothing in 2023.
    other = _child(t["bo"], name="UBND tỉnh Khác", kind="ubnd_tinh")
    # (Through the service: the administrative subtree totals follow every announced move.)
    unit_move(unit=t["phong"], new_parent=other, version=None)
    assert rollup_by_line(campaign=t.campaign, unit=t["tinh"]) == before
    assert rollup_check(campaign=t.campaign) == []


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_rollup_reads_a_fixed_number_of_queries_as_the_tree_grows(db):
    from lantoa.reports.dashboards.selectors import reporting_timeline
    from lantoa.reports.lines.selectors import completeness_page

    t = build_tree()
    _fill(t)
    reporting_tree_build(campaign=t.campaign)
    reads = {
        # node with its children, their totals and the leaves' own reports (one statement)
        "rollup": (1, lambda u: rollup_by_line(campaign=t.campaign, unit=u)),
        # node, own report and counts (one statement)
        "counts": (1, lambda u: completeness_by_line(campaign=t.campaign, unit=u, missing_limit=0)),
        # + one page of the missing units
        "page": (2, lambda u: completeness_page(campaign=t.campaign, unit=u, page_size=2)),
        # node; expected count and deadlines; submissions per day
        "timeline": (3, lambda u: reporting_timeline(campaign=t.campaign, unit=u)),
    }
    for name, (n, read) in reads.items():
        for key in ("bo", "tinh"):
            assert _queries(lambda read=read, key=key: read(t[key])) == n, (name, key)
    for i in range(12):
        school = _child(t["phong"], name=f"Trường thêm {i}", kind="truong_th")
        _child(school, name=f"Lớp {i}", kind="other")
    leaf = _child(t["bo"], name="Đơn vị trực thuộc Bộ", kind="other")
    reporting_tree_build(campaign=t.campaign)
    for name, (n, read) in reads.items():
        for unit in (t["bo"], t["tinh"], t["phong"]):
            assert _queries(lambda read=read, unit=unit: read(unit)) == n, (name, unit.name)
        # A leaf: nothing below it, so no page of missing units to read.
        assert _queries(lambda read=read: read(leaf)) == (1 if name == "page" else n), name


def test_completeness_page_reads_one_page_of_the_missing_units(db):
    from lantoa.reports.lines.selectors import completeness_page

    t = build_tree()
    for i in range(5):
        _child(t["phong"], name=f"Trường thêm {i}", kind="truong_th")
    _fill(t)
    reporting_tree_build(campaign=t.campaign)
    whole = completeness_by_line(campaign=t.campaign, unit=t["bo"])
    assert whole["missing_count"] == len(whole["missing"]) == 7
    pages = [
        completeness_page(campaign=t.campaign, unit=t["bo"], page=p, page_size=3) for p in (1, 2, 3)
    ]
    assert [m for page in pages for m in page["missing"]] == whole["missing"]
    assert [len(page["missing"]) for page in pages] == [3, 3, 1]
    assert all(page["missing_count"] == 7 and page["page_size"] == 3 for page in pages)
    # Beyond the last page: the last page; counts as in the whole result.
    last = completeness_page(campaign=t.campaign, unit=t["bo"], page=9, page_size=3)
    assert last["page"] == 3 and last["missing"] == pages[2]["missing"]
    for key in ("expected", "submitted", "on_time", "accepted"):
        assert last[key] == whole[key]
    # Along the administrative line: the same page shape.
    admin = completeness_page(campaign=t.campaign, unit=t["bo"], line="admin", page=1, page_size=3)
    assert admin["missing_count"] == 7 and len(admin["missing"]) == 3


def test_rollup_check_command_agrees_then_fails_on_drift(db):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from lantoa.reports.models import ReportingTotal

    t = build_tree()
    _fill(t)
    out = StringIO()
    call_command("rollup_check", "--campaign", "2023", stdout=out)
    assert "2023: khớp" in out.getvalue()
    ReportingTotal.objects.filter(campaign=t.campaign, unit=t["bo"]).update(totals="{}")
    with pytest.raises(CommandError):
        call_command("rollup_check", stdout=StringIO())
