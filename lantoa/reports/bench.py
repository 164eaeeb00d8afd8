# ruff: noqa: S608 — the floor is hand-written SQL; every value is a bound parameter or an int
"""Benchmarks: national and provincial roll-up, a province's completeness list, and the
national "Mẫu tổng hợp" export.

The tree is national-sized at scale 1.0 (34 provinces, 3,321 communes, ~50,000 schools and
centres; ~1.5 million indicator values), built with bulk_create and computed paths. Ours =
the selectors the pages and API call (ORM); floor = the best single statement we can write by
hand in SQL for the same answer (compared in full first), run in the same process against the
same data.
"""

import gc
import random
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import connection

from lantoa.campaigns.models import Indicator, ReportingDeadline
from lantoa.campaigns.services import campaign_create
from lantoa.core.bench import Row, peak_memory, request_row, same, time_once
from lantoa.core.text import fold
from lantoa.reports.exports import rollup_xlsx_bytes
from lantoa.reports.models import Report, ReportValue
from lantoa.reports.selectors import completeness_for_unit, rollup_for_unit
from lantoa.units.models import Unit, UnitKind

PROVINCES = 34
COMMUNES = 3321
SCHOOLS = 50_000
VALUES_PER_REPORT = 30
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _unit(path: str, depth: int, name: str, kind: str, numchild: int = 0) -> Unit:
    now = datetime.now(TZ)
    return Unit(
        path=path,
        depth=depth,
        numchild=numchild,
        name=name,
        kind=kind,
        search_text=fold(name),
        created_at=now,
        updated_at=now,
    )


def _world(ctx) -> dict:
    if "reports_world" in ctx.cache:
        return ctx.cache["reports_world"]
    began = time.perf_counter()
    rng = random.Random(4)
    root = Unit.objects.add_root(instance=Unit(name="Bộ GDĐT (đo báo cáo)", kind=UnitKind.BO_GDDT))
    n_communes = max(PROVINCES * 2, int(COMMUNES * ctx.scale))
    n_schools = max(n_communes * 2, int(SCHOOLS * ctx.scale))
    per_province = [
        n_communes // PROVINCES + (1 if p < n_communes % PROVINCES else 0) for p in range(PROVINCES)
    ]
    per_commune = [
        n_schools // n_communes + (1 if c < n_schools % n_communes else 0)
        for c in range(n_communes)
    ]
    path = Unit._get_path
    units: list[Unit] = []
    commune_index = 0
    for p in range(PROVINCES):
        ppath = path(root.path, 2, p + 1)
        units.append(
            _unit(ppath, 2, f"UBND tỉnh Đo {p:02d}", UnitKind.UBND_TINH, per_province[p] + 1)
        )
        units.append(_unit(path(ppath, 3, 1), 3, f"Sở GDĐT tỉnh Đo {p:02d}", UnitKind.SO_GDDT))
        for c in range(per_province[p]):
            cpath = path(ppath, 3, c + 2)
            k = per_commune[commune_index]
            commune_index += 1
            units.append(_unit(cpath, 3, f"UBND xã Đo {p:02d}-{c:03d}", UnitKind.UBND_XA, k))
            for s in range(k):
                kind = (
                    UnitKind.TT_HTCD
                    if s == 0
                    else rng.choice([UnitKind.TRUONG_MN, UnitKind.TRUONG_TH, UnitKind.TRUONG_THCS])
                )
                units.append(
                    _unit(path(cpath, 4, s + 1), 4, f"Đơn vị Đo {p:02d}-{c:03d}-{s:02d}", kind)
                )
    Unit.objects.bulk_create(units, batch_size=5000)
    Unit.objects.filter(pk=root.pk).update(numchild=PROVINCES)
    root.refresh_from_db()

    year = ctx.year(__name__)
    campaign = campaign_create(
        year=year,
        title="Tuần lễ đo hiệu năng báo cáo",
        theme="Đo",
        starts_on=date(year, 10, 1),
        ends_on=date(year, 10, 7),
        owner_unit=root,
    )
    due_province = date(campaign.year, 10, 25)
    due_commune = date(campaign.year, 10, 12)
    all_units = list(
        Unit.objects.filter(path__startswith=root.path, depth__gt=1).values_list(
            "pk", "path", "depth"
        )
    )
    deadlines = [
        ReportingDeadline(
            campaign=campaign, unit=root, due_on=date(campaign.year, 10, 30), kinds=["ubnd_tinh"]
        )
    ]
    for pk, _p, depth in all_units:
        if depth == 2:
            deadlines.append(ReportingDeadline(campaign=campaign, unit_id=pk, due_on=due_province))
        elif depth == 3:
            deadlines.append(ReportingDeadline(campaign=campaign, unit_id=pk, due_on=due_commune))
    ReportingDeadline.objects.bulk_create(deadlines, batch_size=5000)

    codes = list(Indicator.objects.filter(campaign=campaign).values_list("code", flat=True))
    codes = (codes + ["budget_state", "budget_sponsor"])[:VALUES_PER_REPORT]
    states = ["submitted"] * 6 + ["accepted"] * 2 + ["draft", "returned"]
    submitted_at = datetime(campaign.year, 10, 10, 15, tzinfo=TZ)
    reports = []
    for pk, _p, _d in all_units:
        if rng.random() < 0.1:
            continue  # missing
        state = rng.choice(states)
        reports.append(
            Report(
                campaign=campaign,
                unit_id=pk,
                state=state,
                version=2,
                submitted_at=submitted_at if state in ("submitted", "accepted") else None,
                on_time=(rng.random() < 0.8) if state in ("submitted", "accepted") else None,
            )
        )
    Report.objects.bulk_create(reports, batch_size=5000)
    report_rows = Report.objects.filter(campaign=campaign).values_list("pk", "unit_id", "state")
    batch: list[ReportValue] = []
    n_values = 0
    for rpk, upk, state in report_rows.iterator(chunk_size=5000):
        counted = state in ("submitted", "accepted")
        for code in codes:
            batch.append(
                ReportValue(
                    report_id=rpk,
                    campaign=campaign,
                    unit_id=upk,
                    indicator_code=code,
                    value=rng.randint(0, 500),
                    counted=counted,
                )
            )
        if len(batch) >= 20_000:
            ReportValue.objects.bulk_create(batch)
            n_values += len(batch)
            batch = []
    ReportValue.objects.bulk_create(batch)
    n_values += len(batch)
    # The values were written in bulk, not submitted: their administrative subtree totals
    # are built as the migration builds them.
    from lantoa.reports.admin_totals import admin_totals_build

    admin_began = time.perf_counter()
    admin_totals_build(campaign_id=campaign.pk)
    admin_seconds = time.perf_counter() - admin_began
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    province = Unit.objects.filter(path__startswith=root.path, depth=2).order_by("path")[
        PROVINCES // 2
    ]
    world = {"root": root, "province": province, "campaign": campaign}
    ctx.cache["reports_world"] = world
    ctx.out(
        f"  reports world: {len(all_units) + 1:,} units, {len(reports):,} reports, "
        f"{n_values:,} values, {len(deadlines):,} deadlines in {time.perf_counter() - began:.1f} s "
        f"(administrative subtree totals built in {admin_seconds:.1f} s)"
    )
    return world


# --- the floor: the best single statement in hand-written SQL ------------------------------
#
# The ORM resolves each unit's deadline with a correlated subquery (nearest ancestor with a
# deadline for its kind). The floor instead joins each unit to the deadlines at the few depths
# that have one (an equality join on the ancestor's path prefix) and keeps the deepest with a
# window; roll-up and completeness are each answered by one statement.


def _range(column: str, path: str) -> tuple[str, list]:
    if connection.vendor == "postgresql":
        return f"{column} LIKE %s", [path + "%"]
    return f"{column} >= %s AND {column} < %s", [path, path + "["]


def _expected_cte(unit: Unit, campaign_id: int) -> tuple[str, list]:
    """CTEs ending in ``y(id, name, path, due_on, state, on_time)``: the units of the subtree
    expected to report (their nearest deadline within their validity) with their report."""
    text = "d.kinds::text" if connection.vendor == "postgresql" else "CAST(d.kinds AS TEXT)"
    where, params = _range("u.path", unit.path)
    sql = (
        "WITH dl AS ("
        f"SELECT du.path AS dpath, du.depth AS ddepth, d.due_on, {text} AS kinds "
        "FROM campaigns_reportingdeadline d JOIN units_unit du ON du.id = d.unit_id "
        "WHERE d.campaign_id = %s), "
        "lv AS (SELECT DISTINCT ddepth AS l FROM dl), "
        "cand AS ("
        "SELECT u.id, u.name, u.path, u.valid_from, u.valid_to, dl.due_on, "
        "ROW_NUMBER() OVER (PARTITION BY u.id ORDER BY dl.ddepth DESC) AS rn "
        "FROM units_unit u JOIN lv ON lv.l < u.depth "
        "JOIN dl ON dl.ddepth = lv.l AND dl.dpath = substr(u.path, 1, 4 * lv.l) "
        f"WHERE {where} AND u.depth > %s "
        "AND (dl.kinds = '[]' OR dl.kinds LIKE '%%\"' || u.kind || '\"%%')), "
        "y AS ("
        "SELECT c.id, c.name, c.path, c.due_on, r.state, r.on_time FROM cand c "
        "LEFT JOIN reports_report r ON r.unit_id = c.id AND r.campaign_id = %s "
        "WHERE c.rn = 1 AND c.due_on BETWEEN COALESCE(c.valid_from, '0001-01-01') "
        "AND COALESCE(c.valid_to, '9999-12-31')) "
    )
    return sql, [campaign_id, *params, unit.depth, campaign_id]


COUNTED = "r.state IN ('submitted', 'accepted')"
Y_COUNTED = "y.state IN ('submitted', 'accepted')"


def raw_rollup(campaign_id: int, unit: Unit) -> tuple:
    """One statement: the sums per child and indicator, the expected/submitted/on-time
    counts per child, and the children, as three kinds of rows."""
    prefix_len = unit.depth * 4 + 4
    cte, params = _expected_cte(unit, campaign_id)
    values_where, values_params = _range("u.path", unit.path)
    children_where, children_params = _range("path", unit.path)
    sql = (
        cte + f"SELECT 1, substr(u.path, 1, {prefix_len}), v.indicator_code, SUM(v.value), 0, 0 "
        "FROM reports_reportvalue v JOIN units_unit u ON u.id = v.unit_id "
        f"WHERE v.campaign_id = %s AND v.counted AND {values_where} GROUP BY 2, 3 "
        f"UNION ALL SELECT 2, substr(y.path, 1, {prefix_len}), NULL, COUNT(*), "
        f"COUNT(CASE WHEN {Y_COUNTED} THEN 1 END), "
        f"COUNT(CASE WHEN {Y_COUNTED} AND y.on_time THEN 1 END) FROM y GROUP BY 2 "
        "UNION ALL SELECT 3, path, name, id, 0, 0 FROM units_unit "
        f"WHERE {children_where} AND depth = %s "
        "ORDER BY 1, 2"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [*params, campaign_id, *values_params, *children_params, unit.depth + 1]
        )
        rows = cursor.fetchall()
    sums = [(prefix, code, total) for kind, prefix, code, total, _a, _b in rows if kind == 1]
    status = [(prefix, n, c, t) for kind, prefix, _c, n, c, t in rows if kind == 2]
    children = [(int(pk), name, None, path) for kind, path, name, pk, _a, _b in rows if kind == 3]
    return sums, status, children


def raw_completeness(campaign_id: int, unit: Unit) -> tuple:
    """One statement: the four counts beside each missing unit (in path order)."""
    cte, params = _expected_cte(unit, campaign_id)
    sql = (
        cte + "SELECT c.n, c.counted, c.on_time, c.accepted, m.id, m.name, m.due_on FROM ("
        f"SELECT COUNT(*) AS n, COUNT(CASE WHEN {Y_COUNTED} THEN 1 END) AS counted, "
        f"COUNT(CASE WHEN {Y_COUNTED} AND y.on_time THEN 1 END) AS on_time, "
        "COUNT(CASE WHEN y.state = 'accepted' THEN 1 END) AS accepted FROM y) c "
        "LEFT JOIN (SELECT y.id, y.name, y.due_on, y.path FROM y "
        f"WHERE y.state IS NULL OR NOT ({Y_COUNTED})) m ON 1 = 1 ORDER BY m.path"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    counts = rows[0][:4]
    return counts, [(pk, name, due) for *_c, pk, name, due in rows if pk is not None]


# --- benchmarks -----------------------------------------------------------------------------


def best_of_pair(ours, floor, *, repeat: int = 9) -> tuple[float, float]:
    """Best times of ``ours`` and ``floor``, run alternately so that load from other
    processes on a shared machine hits both alike."""
    ours(), floor()
    gc.collect()
    best = [float("inf"), float("inf")]
    for _ in range(repeat):
        for i, fn in enumerate((ours, floor)):
            best[i] = min(best[i], time_once(fn))
    return best[0], best[1]


def _ours_rollup(result: dict) -> dict:
    return {
        "own": dict(sorted(result["own"].items())),
        "totals": dict(sorted(result["totals"].items())),
        "rows": [
            (r["unit_id"], sorted(r["values"].items()), r["expected"], r["submitted"], r["on_time"])
            for r in result["rows"]
        ],
    }


def _raw_rollup_result(unit: Unit, raw: tuple) -> dict:
    """The raw statements' rows assembled into the roll-up the page shows."""
    sums, status, children = raw
    per_prefix: dict[str, dict[str, int]] = {}
    totals: dict[str, int] = {}
    for prefix, code, total in sums:
        per_prefix.setdefault(prefix, {})[code] = int(total)
        totals[code] = totals.get(code, 0) + int(total)
    per_status = {prefix: (n, counted, on_time) for prefix, n, counted, on_time in status}
    return {
        "own": dict(sorted(per_prefix.get(unit.path, {}).items())),
        "totals": dict(sorted(totals.items())),
        "rows": [
            (pk, sorted(per_prefix.get(path, {}).items()), *per_status.get(path, (0, 0, 0)))
            for pk, _name, _code, path in children
        ],
    }


def reports_rollup(ctx) -> list[Row]:
    w = _world(ctx)
    campaign, root, province = w["campaign"], w["root"], w["province"]
    rows = []
    for label, unit, budget in (("national", root, 200), ("province", province, 50)):
        ours_result = rollup_for_unit(campaign=campaign, unit=unit)
        same(
            _ours_rollup(ours_result),
            _raw_rollup_result(unit, raw_rollup(campaign.pk, unit)),
            f"{label} roll-up",
        )
        ours, floor = best_of_pair(
            lambda unit=unit: rollup_for_unit(campaign=campaign, unit=unit),
            lambda unit=unit: raw_rollup(campaign.pk, unit),
            repeat=5 if unit is root else 15,
        )
        rows.append(
            Row(
                f"reports: {label} roll-up ({len(ours_result['rows'])} rows)",
                ours,
                floor,
                target=1.5,
                budget_ms=budget,
                note="raw = best single statement; results compared in full",
            )
        )
    return rows


def reports_completeness(ctx) -> list[Row]:
    w = _world(ctx)
    campaign, province = w["campaign"], w["province"]
    ours_result = completeness_for_unit(campaign=campaign, unit=province)
    counts, missing = raw_completeness(campaign.pk, province)
    same(
        (
            (
                ours_result["expected"],
                ours_result["submitted"],
                ours_result["on_time"],
                ours_result["accepted"],
            ),
            [(m["unit_id"], m["unit_name"], str(m["due_on"])) for m in ours_result["missing"]],
        ),
        (tuple(counts), [(pk, name, str(due)) for pk, name, due in missing]),
        "province completeness",
    )
    ours, floor = best_of_pair(
        lambda: completeness_for_unit(campaign=campaign, unit=province),
        lambda: raw_completeness(campaign.pk, province),
        repeat=15,
    )
    return [
        Row(
            f"reports: province completeness ({counts[0]:,} expected, {len(missing):,} missing)",
            ours,
            floor,
            target=1.5,
            budget_ms=100,
            note="raw = best single statement; results compared in full",
        )
    ]


def reports_rollup_xlsx(ctx) -> list[Row]:
    w = _world(ctx)
    seconds, peak = peak_memory(lambda: rollup_xlsx_bytes(campaign=w["campaign"], unit=w["root"]))
    return [
        Row(
            "reports: national rollup.xlsx (time; peak memory in note)",
            seconds,
            note=f"peak {peak / 1024 / 1024:.1f} MB (target < 300 MB) "
            + ("OK" if peak < 300 * 1024 * 1024 else "TOO MUCH"),
        )
    ]


BENCHMARKS = [reports_rollup, reports_completeness, reports_rollup_xlsx]


# --- reporting lines: node totals against the best raw aggregate over the values ----------


def _lines_world(ctx) -> dict:
    """The national world with its reporting lines: the ministry's dispatch to the 34 Sở
    GDĐT, each Sở's dispatch to its province's communes (which then report to the Sở,
    their schools and centres below them); the tree built from those issued plans."""
    from lantoa.documents.models import Document, DocumentRecipient
    from lantoa.reports.lines.services import reporting_tree_build
    from lantoa.reports.models import ReportingTotal

    if "reports_lines" in ctx.cache:
        return ctx.cache["reports_lines"]
    w = _world(ctx)
    campaign, root = w["campaign"], w["root"]
    provinces = list(Unit.objects.filter(path__startswith=root.path, depth=2).order_by("path"))
    departments = {
        u.path[:8]: u
        for u in Unit.objects.filter(
            path__startswith=root.path, depth=3, kind=UnitKind.SO_GDDT
        ).only("id", "path")
    }
    issued_on = date(campaign.year, 9, 15)
    docs = [
        Document(
            campaign=campaign,
            kind="cong_van",
            state="issued",
            issuer_unit=root,
            drafting_unit=root,
            subject="V/v tổ chức Tuần lễ (đo)",
            year=campaign.year,
            number=1,
            symbol="BGDĐT-GDTX",
            issued_on=issued_on,
            area_path=root.path,
            report_due_on=date(campaign.year, 10, 30),
        )
    ]
    for n, province in enumerate(provinces, start=1):
        so = departments[province.path[:8]]
        docs.append(
            Document(
                campaign=campaign,
                kind="cong_van",
                state="issued",
                issuer_unit=so,
                drafting_unit=so,
                subject="V/v tổ chức Tuần lễ (đo)",
                year=campaign.year,
                number=n,
                symbol="SGDĐT",
                issued_on=issued_on,
                area_path=province.path,
                report_due_on=date(campaign.year, 10, 20),
            )
        )
    docs = Document.objects.bulk_create(docs)
    recipients = [
        DocumentRecipient(document=docs[0], unit=so, position=i)
        for i, so in enumerate(departments.values())
    ]
    for doc, province in zip(docs[1:], provinces, strict=True):
        communes = Unit.objects.filter(
            path__startswith=province.path, depth=3, kind=UnitKind.UBND_XA
        ).values_list("pk", flat=True)
        recipients.extend(
            DocumentRecipient(document=doc, unit_id=pk, position=i) for i, pk in enumerate(communes)
        )
    DocumentRecipient.objects.bulk_create(recipients, batch_size=5000)
    began = time.perf_counter()
    nodes = reporting_tree_build(campaign=campaign, force=True)
    build_seconds = time.perf_counter() - began
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # The steady state autovacuum reaches within minutes: the freshly written total
            # rows marked visible, so the roll-up's index-only scan skips the heap.
            cursor.execute(f"VACUUM ANALYZE {ReportingTotal._meta.db_table}")
            cursor.execute("VACUUM ANALYZE reports_admintotal")
        cursor.execute("ANALYZE")
    province = w["province"]
    so = departments[province.path[:8]]
    lines = {"nodes": nodes, "build_seconds": build_seconds, "so": so, "claims": len(recipients)}
    ctx.cache["reports_lines"] = lines
    return lines


def _line_node(cursor, campaign_id: int, unit_id: int) -> tuple[str, int]:
    """(path, depth) of ``unit_id``'s node in the campaign's reporting tree."""
    cursor.execute(
        "SELECT path, depth FROM reports_reportingnode WHERE campaign_id = %s AND unit_id = %s",
        [campaign_id, unit_id],
    )
    return cursor.fetchone()


def raw_line_rollup(campaign_id: int, unit_id: int) -> list:
    """The best single statement over the raw values: every counted value of the unit's
    reporting subtree, grouped by the reporting child it lies under (path prefix)."""
    from lantoa.reports.models import LINE_STEP

    with connection.cursor() as cursor:
        path, depth = _line_node(cursor, campaign_id, unit_id)
        where, params = _range("n.path", path)
        cursor.execute(
            f"SELECT substr(n.path, 1, {(depth + 1) * LINE_STEP}), v.indicator_code, "
            "SUM(v.value) FROM reports_reportvalue v JOIN reports_reportingnode n "
            "ON n.campaign_id = v.campaign_id AND n.unit_id = v.unit_id "
            f"WHERE v.campaign_id = %s AND v.counted AND {where} GROUP BY 1, 2",
            [campaign_id, *params],
        )
        return cursor.fetchall()


def raw_line_completeness(campaign_id: int, unit_id: int) -> tuple:
    """Counts over the unit's reporting subtree (below it) in one aggregate over the nodes
    and their reports."""
    with connection.cursor() as cursor:
        path, depth = _line_node(cursor, campaign_id, unit_id)
        where, params = _range("n.path", path)
        cursor.execute(
            f"SELECT COUNT(*), COUNT(CASE WHEN {COUNTED} THEN 1 END), "
            f"COUNT(CASE WHEN {COUNTED} AND r.on_time THEN 1 END), "
            "COUNT(CASE WHEN r.state = 'accepted' THEN 1 END) "
            "FROM reports_reportingnode n LEFT JOIN reports_report r "
            "ON r.campaign_id = n.campaign_id AND r.unit_id = n.unit_id "
            f"WHERE n.campaign_id = %s AND n.expected AND n.depth > %s AND {where}",
            [campaign_id, depth, *params],
        )
        return cursor.fetchone()


def _line_rollup_from_raw(raw: list, unit_id: int) -> dict:
    """The raw aggregate's rows assembled as the roll-up shows them: the unit's own values,
    the subtree's totals and one row of values per reporting child."""
    from lantoa.reports.models import LINE_STEP

    per_child: dict[int, dict[str, int]] = {}
    totals: dict[str, int] = {}
    for prefix, code, total in raw:
        if total:
            per_child.setdefault(int(prefix[-LINE_STEP:]), {})[code] = int(total)
            totals[code] = totals.get(code, 0) + int(total)
    return {
        "own": sorted(per_child.get(unit_id, {}).items()),
        "totals": sorted(totals.items()),
        "rows": sorted(
            (pk, sorted(values.items())) for pk, values in per_child.items() if pk != unit_id
        ),
    }


def _line_rollup_ours(result: dict) -> dict:
    return {
        "own": sorted(result["own"].items()),
        "totals": sorted(result["totals"].items()),
        "rows": sorted(
            (r["unit_id"], sorted(r["values"].items())) for r in result["rows"] if r["values"]
        ),
    }


def reports_lines(ctx) -> list[Row]:
    from lantoa.reports.lines.selectors import completeness_by_line, rollup_by_line
    from lantoa.reports.lines.services import rollup_check

    w = _world(ctx)
    lines = _lines_world(ctx)
    campaign = w["campaign"]
    rows = [
        Row(
            f"reports: build the national reporting tree ({lines['nodes']:,} nodes, "
            f"{lines['claims']:,} claims)",
            lines["build_seconds"],
            budget_ms=30_000,
            note="from the issued plans, totals included (target < 30 s)",
        )
    ]
    for label, unit in (("national", w["root"]), ("province (Sở GDĐT)", lines["so"])):
        ours_result = rollup_by_line(campaign=campaign, unit=unit)
        same(
            _line_rollup_ours(ours_result),
            _line_rollup_from_raw(raw_line_rollup(campaign.pk, unit.pk), unit.pk),
            f"{label} roll-up along the reporting lines",
        )
        ours, floor = best_of_pair(
            lambda unit=unit: rollup_by_line(campaign=campaign, unit=unit),
            lambda unit=unit: raw_line_rollup(campaign.pk, unit.pk),
            repeat=5,
        )
        rows.append(
            Row(
                f"reports: {label} roll-up from node totals ({len(ours_result['rows'])} rows)",
                ours,
                floor,
                target=0.1,
                budget_ms=100,
                note="raw = best single aggregate over the values (target ≥ 10× faster)",
            )
        )
        ours_c = completeness_by_line(campaign=campaign, unit=unit, missing_limit=0)
        same(
            (ours_c["expected"], ours_c["submitted"], ours_c["on_time"], ours_c["accepted"]),
            tuple(raw_line_completeness(campaign.pk, unit.pk)),
            f"{label} completeness along the reporting lines",
        )
        ours, floor = best_of_pair(
            lambda unit=unit: completeness_by_line(campaign=campaign, unit=unit, missing_limit=0),
            lambda unit=unit: raw_line_completeness(campaign.pk, unit.pk),
            repeat=5,
        )
        rows.append(
            Row(
                f"reports: {label} completeness from node totals ({ours_c['expected']:,} expected)",
                ours,
                floor,
                target=0.1,
                budget_ms=100,
                note="counts; raw = one aggregate over nodes ⋈ reports",
            )
        )
    began = time.perf_counter()
    problems = rollup_check(campaign=campaign)
    rows.append(
        Row(
            "reports: rollup_check (node totals = recomputation from the values)",
            time.perf_counter() - began,
            note="agree" if not problems else f"DISAGREE: {len(problems)} totals",
        )
    )
    if problems:
        raise AssertionError(f"rollup_check: {problems[:5]}")
    return rows


BENCHMARKS.append(reports_lines)


def reports_lines_api(ctx) -> list[Row]:
    """The whole API request (token, scope, selector, serialisation) for the national and
    the province roll-up and completeness along the reporting lines."""
    from django.test import Client

    from lantoa.accounts.models import User
    from lantoa.accounts.services import token_create

    w = _world(ctx)
    lines = _lines_world(ctx)
    campaign = w["campaign"]
    user = User.objects.filter(username="bench.lines").first() or User.objects.create_superuser(
        "bench.lines", "lines@lantoa.local", None
    )
    raw, _token = token_create(user=user)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    rows = []
    for label, unit in (("national", w["root"]), ("province (Sở GDĐT)", lines["so"])):
        for what in ("rollup", "completeness"):
            rows.append(
                request_row(
                    client,
                    f"/api/v1/campaigns/{campaign.pk}/{what}?unit={unit.pk}",
                    f"reports: API {label} {what} (GET)",
                    budget_ms=100,
                    note="token, scope, selector, JSON",
                    repeat=5,
                )
            )
    return rows


BENCHMARKS.append(reports_lines_api)


# Incremental updates of the reporting tree (issue a plan, re-parent a district).
from lantoa.reports.lines.bench import BENCHMARKS as LINE_BENCHMARKS  # noqa: E402

BENCHMARKS.extend(LINE_BENCHMARKS)
