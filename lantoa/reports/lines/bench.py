# ruff: noqa: S608 — the checks are hand-written SQL; every value is a bound parameter
"""Benchmarks: incremental updates of a national campaign's reporting tree.

On the reporting-lines world of ``reports.bench`` (53k nodes at scale 1.0, tree built
from the issued plans), a district of 501 units (25 wards × 19 schools, each school with a
submitted report) is added under a province. Then, timed, end to end through the services:

- issuing a plan from the district to its 475 schools (they report to the district, or
  to a named ward: every issue changes their parent), deadline included;
- re-parenting the district to another province (``unit_move``; the open campaigns'
  trees follow).

Before anything is timed, the resulting tree is compared with a recomputation in raw SQL:
every node's path from its parent (one recursive query over the whole campaign) and the
totals and counts of the nodes involved from the raw values (path-prefix aggregates).
"""

import time
from datetime import date

from django.db import connection, transaction

from lantoa.campaigns.models import ReportingDeadline
from lantoa.core.bench import Row, best_of, same
from lantoa.documents.models import Document, DocumentRecipient
from lantoa.reports.admin_totals import admin_totals_add
from lantoa.reports.lines.incremental import reporting_tree_update
from lantoa.reports.lines.services import reporting_tree_on_issue
from lantoa.reports.models import (
    COUNT_EXPECTED,
    COUNT_SUBMITTED,
    LINE_STEP,
    Report,
    ReportValue,
)
from lantoa.units.models import Unit, UnitKind
from lantoa.units.services import unit_move


def _district(ctx, campaign, province) -> Unit:
    from lantoa.units.bench import district_build

    district = district_build(parent=province, name="Huyện đo gia tăng")
    schools = list(
        Unit.objects.filter(path__startswith=district.path, kind=UnitKind.TRUONG_TH).values_list(
            "pk", flat=True
        )
    )
    reports = Report.objects.bulk_create(
        Report(campaign=campaign, unit_id=pk, state="submitted", version=2, on_time=True)
        for pk in schools
    )
    ReportValue.objects.bulk_create(
        ReportValue(
            report=r,
            campaign=campaign,
            unit_id=r.unit_id,
            indicator_code=code,
            value=(r.unit_id * k) % 97,
            counted=True,
        )
        for r in reports
        for k, code in enumerate(("lop_hoc", "nguoi_hoc", "budget_state"), start=1)
    )
    # Written in bulk, not submitted: added to the administrative subtree totals above them.
    admin_totals_add(campaign_id=campaign.pk, path=district.path)
    began = time.perf_counter()
    reporting_tree_update(
        campaign=campaign,
        units_sql="SELECT id FROM units_unit WHERE path LIKE %s",
        params=[f"{district.path}%"],
    )
    ctx.out(f"  district of 501 units added to the tree in {time.perf_counter() - began:.1f} s")
    return Unit.objects.get(pk=district.pk)


def raw_paths_differ(campaign_id: int) -> int:
    """Nodes whose stored path differs from one recomputed from the parents (raw SQL)."""
    key = (
        f"LPAD(CAST(n.unit_id AS TEXT), {LINE_STEP}, '0')"
        if connection.vendor == "postgresql"
        else f"SUBSTR('{'0' * LINE_STEP}' || n.unit_id, -{LINE_STEP}, {LINE_STEP})"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH RECURSIVE t(unit_id, path) AS ("
            f"SELECT n.unit_id, {key} FROM reports_reportingnode n "
            "WHERE n.campaign_id = %s AND n.parent_unit_id IS NULL UNION ALL "
            f"SELECT n.unit_id, t.path || {key} FROM reports_reportingnode n "
            "JOIN t ON n.parent_unit_id = t.unit_id WHERE n.campaign_id = %s) "
            "SELECT COUNT(*) FROM reports_reportingnode n LEFT JOIN t ON t.unit_id = n.unit_id "
            "WHERE n.campaign_id = %s AND (t.path IS NULL OR t.path <> n.path)",
            [campaign_id, campaign_id, campaign_id],
        )
        return cursor.fetchone()[0]


def raw_subtree_totals(campaign_id: int, unit_id: int) -> dict[str, int]:
    """Counted values summed over the unit's reporting subtree, and its expected and
    submitted counts below it, from the raw rows."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT path FROM reports_reportingnode WHERE campaign_id = %s AND unit_id = %s",
            [campaign_id, unit_id],
        )
        path = cursor.fetchone()[0]
        cursor.execute(
            "SELECT v.indicator_code, SUM(v.value) FROM reports_reportvalue v "
            "JOIN reports_reportingnode n ON n.campaign_id = v.campaign_id "
            "AND n.unit_id = v.unit_id WHERE v.campaign_id = %s AND v.counted "
            "AND n.path LIKE %s GROUP BY 1",
            [campaign_id, f"{path}%"],
        )
        out = {code: int(total) for code, total in cursor.fetchall() if total}
        cursor.execute(
            "SELECT COUNT(*), COUNT(CASE WHEN r.state IN ('submitted', 'accepted') THEN 1 END) "
            "FROM reports_reportingnode n LEFT JOIN reports_report r "
            "ON r.campaign_id = n.campaign_id AND r.unit_id = n.unit_id "
            "WHERE n.campaign_id = %s AND n.expected AND n.path LIKE %s",
            [campaign_id, f"{path}%"],
        )
        expected, submitted = cursor.fetchone()
    out.update({COUNT_EXPECTED: expected, COUNT_SUBMITTED: submitted})
    return {k: v for k, v in out.items() if v}


def _stored_totals(campaign_id: int, unit_id: int) -> dict[str, int]:
    from lantoa.reports.lines.services import stored_totals

    totals = {
        code: v
        for (_unit, code), v in stored_totals(campaign_id=campaign_id, unit_ids=[unit_id]).items()
    }
    keep = {COUNT_EXPECTED, COUNT_SUBMITTED}
    return {k: v for k, v in totals.items() if v and (k in keep or not k.startswith("#"))}


def _check(campaign, units: list[Unit], what: str) -> None:
    """Paths of the whole campaign, and the totals of ``units`` (a leaf's: its own report)."""
    same(raw_paths_differ(campaign.pk), 0, f"{what}: paths recomputed from the parents")
    for unit in units:
        same(
            _stored_totals(campaign.pk, unit.pk),
            raw_subtree_totals(campaign.pk, unit.pk),
            f"{what}: totals of {unit.name}",
        )


def _plan(campaign, district: Unit, report_to: Unit, number: int) -> Document:
    schools = Unit.objects.filter(path__startswith=district.path, kind=UnitKind.TRUONG_TH)
    doc = Document.objects.create(
        campaign=campaign,
        kind="ke_hoach",
        state="issued",
        issuer_unit=district,
        drafting_unit=district,
        subject="Kế hoạch huyện (đo)",
        year=campaign.year,
        number=number,
        symbol="KH-UBND",
        issued_on=date(campaign.year, 9, 20),
        area_path=district.path,
        report_due_on=date(campaign.year, 10, 10 + number % 5),
        report_to_unit=report_to,
    )
    DocumentRecipient.objects.bulk_create(
        DocumentRecipient(document=doc, unit_id=pk, position=i)
        for i, pk in enumerate(schools.values_list("pk", flat=True))
    )
    return doc


@transaction.atomic
def _issue(doc: Document) -> None:
    """What issuing does to the tree: the area's deadline, then the recipients' part."""
    ReportingDeadline.objects.update_or_create(
        campaign_id=doc.campaign_id,
        unit=doc.issuer_unit,
        defaults={"due_on": doc.report_due_on, "kinds": [], "source": doc.reference},
    )
    reporting_tree_on_issue(document=doc)


def reports_lines_incremental(ctx) -> list[Row]:
    from lantoa.reports.bench import _lines_world, _world

    w = _world(ctx)
    lines = _lines_world(ctx)
    campaign = w["campaign"]
    provinces = list(Unit.objects.filter(path__startswith=w["root"].path, depth=2).order_by("path"))
    a, b = provinces[0], provinces[-1]
    district = _district(ctx, campaign, a)
    ward = Unit.objects.filter(path__startswith=district.path, kind=UnitKind.UBND_XA).first()
    docs = iter(_plan(campaign, district, ward if n % 2 else district, n) for n in range(1, 6))
    _issue(next(docs))
    _check(campaign, [w["root"], a, district], "after issuing a district plan")
    issue = best_of(lambda: _issue(next(docs)), repeat=3)
    _check(campaign, [w["root"], a, district, ward], "after issuing plans")

    targets = [b, a]

    def move() -> None:
        target = targets[0]
        targets.reverse()
        unit_move(unit=Unit.objects.get(pk=district.pk), new_parent=target, version=None)

    move()
    _check(campaign, [w["root"], a, b, district], "after re-parenting the district")
    move()  # and back
    reparent = best_of(move, repeat=4)
    _check(campaign, [w["root"], a, b, district], "after re-parenting back and forth")
    full = f"full rebuild: {lines['build_seconds']:.1f} s"
    return [
        Row(
            f"reports: issue a plan to a district (475 schools; {lines['nodes']:,} nodes)",
            issue,
            budget_ms=2000,
            note=f"incremental tree update, checked against raw SQL; {full}",
        ),
        Row(
            "reports: re-parent a district (501 units), unit_move + open trees",
            reparent,
            budget_ms=2000,
            note=f"incremental tree update, checked against raw SQL; {full}",
        ),
    ]


BENCHMARKS = [reports_lines_incremental]
