"""Writes for the reporting lines (tuyến báo cáo): build a campaign's reporting tree,
keep its node totals in step with every report transition, move a unit, check.

The tree is built by a handful of set-based statements (no loop over units):
insert one node per unit of the campaign with its administrative parent and the
deadline it answers to; let the issued plans claim their recipients (the deepest
issuer wins); apply the offices' manual moves; compute every path with one
recursive query; then the totals with one path-prefix aggregate over the values.

Node totals hold, for every node, the sum over its reporting subtree of each
indicator (counted reports only) and the completeness counts (``#expected``,
``#submitted``, ``#on_time``, ``#accepted``). A transition adds its difference
to the node's ancestors in the same transaction; ``rollup_check`` recomputes
everything from the raw values and must agree.
"""

import functools
import json
from collections import defaultdict
from datetime import date

import orjson
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import DateField, IntegerField, Max, Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from lantoa.campaigns.models import Campaign
from lantoa.core import prepared
from lantoa.core.bulk import json_rows
from lantoa.core.errors import Conflict, NotFound
from lantoa.core.text import nfc
from lantoa.documents.models import REPORTING_KINDS
from lantoa.history.services import history_record
from lantoa.reports.admin_totals import admin_totals_apply, admin_totals_check
from lantoa.reports.models import (
    COUNT_ACCEPTED,
    COUNT_EXPECTED,
    COUNT_ON_TIME,
    COUNT_SUBMITTED,
    COUNTED_STATES,
    LINE_STEP,
    SHARDED_DEPTH,
    TOTAL_SHARDS,
    ReportingMove,
    ReportingNode,
    ReportingTotal,
    ReportState,
    first_of,
)
from lantoa.units.models import Unit

# Documents whose recipients report to the issuer (or to the unit they name).
CLAIMING_KINDS = REPORTING_KINDS

NODE = "reports_reportingnode"
TOTAL = "reports_reportingtotal"


def _key(column: str) -> str:
    """SQL for one path step: the unit id zero-padded to LINE_STEP characters."""
    if connection.vendor == "postgresql":
        return f"LPAD(CAST({column} AS TEXT), {LINE_STEP}, '0')"
    return f"SUBSTR('{'0' * LINE_STEP}' || {column}, -{LINE_STEP}, {LINE_STEP})"


def _level_ancestor(level: str) -> str:
    """SQL for the unit id of the ancestor at ``level`` (1 = root) of node ``n``."""
    return f"CAST(SUBSTR(n.path, ({level} - 1) * {LINE_STEP} + 1, {LINE_STEP}) AS BIGINT)"


def _levels(max_depth: int) -> str:
    return " UNION ALL ".join(f"SELECT {k} AS k" for k in range(1, max_depth + 1)) or "SELECT 1"


def _window_q(campaign: Campaign, prefix: str = "") -> Q:
    return (
        Q(**{f"{prefix}valid_from__isnull": True})
        | Q(**{f"{prefix}valid_from__lte": campaign.ends_on})
    ) & (
        Q(**{f"{prefix}valid_to__isnull": True})
        | Q(**{f"{prefix}valid_to__gte": campaign.starts_on})
    )


def _frozen_check(campaign: Campaign) -> None:
    if campaign.is_closed:
        raise Conflict(
            _(
                "Tuần lễ %(year)s đã khóa số liệu ngày %(day)s: tuyến báo cáo được giữ nguyên, "
                "không thể thay đổi."
            )
            % {"year": campaign.year, "day": campaign.closed_on.strftime("%d/%m/%Y")}
        )


# Advisory lock namespace of the reporting trees (PostgreSQL; issue 8).
TREE_LOCK = 8


def campaign_tree_lock(campaign: Campaign) -> Campaign:
    """Serialise the writers of ``campaign``'s tree (full build, incremental updates) for the
    rest of the transaction; returns the campaign read afresh.

    An advisory lock, not the campaign row: a submission locks its report together with
    the campaign row (``select_related`` under FOR UPDATE), while an incremental update
    waits for the reports it moves, so locking the row here would deadlock with it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [TREE_LOCK, campaign.pk])
    return Campaign.objects.get(pk=campaign.pk)


# --- build ------------------------------------------------------------------------------------


def unit_rows_sql(campaign: Campaign, units) -> tuple[str, list]:
    """SQL for (id, admin parent id, governing due date) of ``units`` (a Unit queryset) in
    ``campaign``: the start of their nodes (full build and incremental update alike)."""
    from lantoa.reports.selectors import _governing_due_on

    max_depth = Unit.objects.filter(_window_q(campaign)).aggregate(m=Max("depth"))["m"] or 1
    steplen = Unit.steplen
    ancestors = ", ".join(
        f"SUBSTR(units_unit.path, 1, {level * steplen})" for level in range(1, max_depth)
    )
    # The nearest administrative ancestor that exists during the campaign.
    parent_sql = (
        "SELECT p.id FROM units_unit p "  # noqa: S608 — ints only
        f"WHERE p.path IN ({ancestors or 'NULL'}) AND p.depth < units_unit.depth "
        "AND (p.valid_from IS NULL OR p.valid_from <= %s) "
        "AND (p.valid_to IS NULL OR p.valid_to >= %s) "
        "ORDER BY p.depth DESC LIMIT 1"
    )
    qs = (
        units.filter(_window_q(campaign))
        .annotate(
            admin_parent_id=RawSQL(  # noqa: S611 — no user input
                parent_sql, [campaign.ends_on, campaign.starts_on], output_field=IntegerField()
            ),
            due=_governing_due_on(campaign, max_depth),
        )
        .values_list("id", "admin_parent_id", "due")
    )
    sql, params = qs.order_by().query.sql_with_params()
    return sql, list(params)


def _insert_nodes(cur, campaign: Campaign) -> None:
    sql, params = unit_rows_sql(campaign, Unit.objects.all())
    cur.execute(
        f"INSERT INTO {NODE} (campaign_id, unit_id, admin_parent_id, parent_unit_id, due_on, "  # noqa: S608
        "path, depth, moved, expected, leaf) "
        f"SELECT %s, q.id, q.admin_parent_id, q.admin_parent_id, q.due, '', 0, %s, %s, %s "
        f"FROM ({sql}) q",
        [campaign.pk, False, False, True, *params],
    )


def _claims_sql(only: str = "") -> str:
    kinds = ", ".join(f"'{k}'" for k in CLAIMING_KINDS)
    return (
        "SELECT r.unit_id AS unit_id, d.id AS doc_id, tu.id AS target, d.report_due_on AS due_on, "  # noqa: S608
        "ROW_NUMBER() OVER nearest AS rk, FIRST_VALUE(tu.id) OVER nearest AS win_target "
        "FROM documents_documentrecipient r "
        "JOIN documents_document d ON d.id = r.document_id "
        "JOIN units_unit iu ON iu.id = d.issuer_unit_id "
        "JOIN units_unit ru ON ru.id = r.unit_id "
        "JOIN units_unit tu ON tu.id = COALESCE(d.report_to_unit_id, d.issuer_unit_id) "
        f"JOIN {NODE} tn ON tn.campaign_id = d.campaign_id AND tn.unit_id = tu.id "
        f"WHERE d.campaign_id = %s AND d.state = 'issued' AND d.kind IN ({kinds}) AND r.reports "
        "AND ru.path LIKE d.area_path || '%%' AND ru.id <> tu.id "
        "AND tu.path NOT LIKE ru.path || '%%'" + (f" AND {only}" if only else "") + " "
        # The nearest issuer wins (deepest, then the narrowest area, the latest issued).
        "WINDOW nearest AS (PARTITION BY r.unit_id "
        "ORDER BY iu.depth DESC, LENGTH(d.area_path) DESC, d.issued_on DESC, d.id DESC)"
    )


def _apply_claims(cur, campaign: Campaign, *, table: str = NODE, only: str = "") -> None:
    """The winning claim per unit (and a contesting one) into ``table`` (the nodes, or the
    incremental update's scratch rows); ``only`` restricts the recipients (SQL on ``r``)."""
    claims = _claims_sql(only)
    cur.execute(
        f"WITH c AS ({claims}) "  # noqa: S608
        f"UPDATE {table} SET parent_unit_id = w.target, claimed_by_id = w.doc_id, "
        f"due_on = COALESCE(w.due_on, {table}.due_on) "
        "FROM (SELECT unit_id, doc_id, target, due_on FROM c WHERE rk = 1) w "
        f"WHERE {table}.campaign_id = %s AND {table}.unit_id = w.unit_id",
        [campaign.pk, campaign.pk],
    )
    cur.execute(
        f"WITH c AS ({claims}) "  # noqa: S608
        f"UPDATE {table} SET contested_by_id = o.doc_id "
        "FROM (SELECT c.unit_id, MAX(c.doc_id) AS doc_id FROM c "
        "WHERE c.rk > 1 AND c.target <> c.win_target GROUP BY c.unit_id) o "
        f"WHERE {table}.campaign_id = %s AND {table}.unit_id = o.unit_id",
        [campaign.pk, campaign.pk],
    )


def _apply_moves(cur, campaign: Campaign, *, table: str = NODE) -> None:
    cur.execute(
        f"UPDATE {table} SET parent_unit_id = m.to_unit_id, moved = %s "  # noqa: S608
        "FROM (SELECT m1.unit_id, m1.to_unit_id FROM reports_reportingmove m1 "
        "WHERE m1.campaign_id = %s AND m1.id = (SELECT MAX(m2.id) FROM reports_reportingmove m2 "
        "WHERE m2.campaign_id = m1.campaign_id AND m2.unit_id = m1.unit_id)) m "
        f"WHERE {table}.campaign_id = %s AND {table}.unit_id = m.unit_id "
        f"AND EXISTS (SELECT 1 FROM {NODE} t WHERE t.campaign_id = %s AND t.unit_id = m.to_unit_id)",
        [True, campaign.pk, campaign.pk, campaign.pk],
    )


def _compute_paths(cur, campaign: Campaign) -> int:
    """Every node's path and depth in one recursive query; returns the unreachable count."""
    cur.execute(
        "WITH RECURSIVE t(id, unit_id, path, depth) AS ("  # noqa: S608
        f"SELECT id, unit_id, {_key('unit_id')}, 1 FROM {NODE} "
        "WHERE campaign_id = %s AND parent_unit_id IS NULL "
        "UNION ALL "
        f"SELECT n.id, n.unit_id, t.path || {_key('n.unit_id')}, t.depth + 1 FROM {NODE} n "
        "JOIN t ON n.parent_unit_id = t.unit_id WHERE n.campaign_id = %s) "
        f"UPDATE {NODE} SET path = t.path, depth = t.depth FROM t WHERE {NODE}.id = t.id",
        [campaign.pk, campaign.pk],
    )
    cur.execute(f"SELECT COUNT(*) FROM {NODE} WHERE campaign_id = %s AND path = ''", [campaign.pk])  # noqa: S608
    return cur.fetchone()[0]


def _set_leaves(cur, campaign: Campaign, *, only: str = "") -> None:
    cur.execute(
        f"UPDATE {NODE} SET leaf = NOT EXISTS (SELECT 1 FROM {NODE} c "  # noqa: S608
        f"WHERE c.campaign_id = {NODE}.campaign_id AND c.parent_unit_id = {NODE}.unit_id "
        "AND c.path <> '') WHERE campaign_id = %s" + (f" AND {only}" if only else ""),
        [campaign.pk],
    )


def _set_expected(cur, campaign: Campaign, *, only: str = "") -> None:
    cur.execute(
        f"UPDATE {NODE} SET expected = (due_on IS NOT NULL AND EXISTS ("  # noqa: S608
        f"SELECT 1 FROM units_unit u WHERE u.id = {NODE}.unit_id "
        f"AND (u.valid_from IS NULL OR u.valid_from <= {NODE}.due_on) "
        f"AND (u.valid_to IS NULL OR u.valid_to >= {NODE}.due_on))) "
        "WHERE campaign_id = %s" + (f" AND {only}" if only else ""),
        [campaign.pk],
    )


def _contributions_sql(
    max_depth: int, *, only: str = "", to: str = "lv.k <= n.depth"
) -> tuple[str, list]:
    """(ancestor unit id, code, value) for every node's contribution to each ancestor and to
    itself (``only``: SQL restricting the nodes ``n``, for the incremental update; ``to``:
    which levels receive it, e.g. ``lv.k = n.depth`` for the node itself only)."""
    only = f" AND {only}" if only else ""
    anc = _level_ancestor("lv.k")
    counted = ", ".join(f"'{s}'" for s in COUNTED_STATES)
    levels = _levels(max_depth)
    sql = (
        f"SELECT {anc} AS anc, rv.indicator_code AS code, rv.value AS v "  # noqa: S608
        f"FROM reports_reportvalue rv JOIN {NODE} n "
        "ON n.campaign_id = rv.campaign_id AND n.unit_id = rv.unit_id "
        f"JOIN ({levels}) lv ON {to} "
        f"WHERE rv.campaign_id = %s AND rv.counted = %s AND n.path <> ''{only} "
        "UNION ALL "
        f"SELECT {anc}, '{COUNT_EXPECTED}', 1 FROM {NODE} n "
        f"JOIN ({levels}) lv ON {to} "
        f"WHERE n.campaign_id = %s AND n.expected = %s AND n.path <> ''{only} "
        "UNION ALL "
        f"SELECT {anc}, CASE x.c WHEN 1 THEN '{COUNT_SUBMITTED}' WHEN 2 THEN '{COUNT_ON_TIME}' "
        f"ELSE '{COUNT_ACCEPTED}' END, 1 "
        f"FROM {NODE} n JOIN reports_report r ON r.campaign_id = n.campaign_id "
        "AND r.unit_id = n.unit_id "
        "JOIN (SELECT 1 AS c UNION ALL SELECT 2 UNION ALL SELECT 3) x "
        f"ON x.c = 1 OR (x.c = 2 AND r.on_time = %s) OR (x.c = 3 AND r.state = '{ReportState.ACCEPTED}') "
        f"JOIN ({levels}) lv ON {to} "
        f"WHERE n.campaign_id = %s AND n.expected = %s AND n.path <> '' AND r.state IN ({counted})"
        f"{only}"
    )
    return sql, []


def _max_depth(cur, campaign: Campaign) -> int:
    cur.execute(f"SELECT MAX(depth) FROM {NODE} WHERE campaign_id = %s", [campaign.pk])  # noqa: S608
    return cur.fetchone()[0] or 1


def json_object_agg(key: str, value: str) -> str:
    """SQL aggregate building a JSON object (as text) from key and value columns."""
    if connection.vendor == "postgresql":
        return f"CAST(json_object_agg({key}, {value}) AS TEXT)"
    return f"json_group_object({key}, {value})"


def _compute_totals(cur, campaign: Campaign, **contributions) -> None:
    sql, _params = _contributions_sql(_max_depth(cur, campaign), **contributions)
    cur.execute(
        f"INSERT INTO {TOTAL} (campaign_id, unit_id, shard, totals) "  # noqa: S608
        f"SELECT %s, y.anc, 0, {json_object_agg('y.code', 'y.s')} FROM ("
        f"SELECT x.anc AS anc, x.code AS code, SUM(x.v) AS s FROM ({sql}) x "
        "GROUP BY x.anc, x.code) y WHERE y.s <> 0 GROUP BY y.anc",
        [campaign.pk, campaign.pk, True, campaign.pk, True, True, campaign.pk, True],
    )


def leaf_totals_add() -> None:
    """Migration 0006: every campaign's leaf nodes get their total row (their own report),
    which they did not keep before. Nothing else changes (a closed campaign's tree stays
    as it was frozen)."""
    for campaign in Campaign.objects.filter(
        pk__in=ReportingNode.objects.values("campaign_id")
    ).only("id"):
        with connection.cursor() as cur:
            _compute_totals(cur, campaign, only="n.leaf", to="lv.k = n.depth")


def stored_totals(*, campaign_id: int, unit_ids=None) -> dict[tuple[int, str], int]:
    """{(unit id, code): value} of the stored node totals, shards summed, zeros left out
    (``unit_ids``: only those nodes)."""
    qs = ReportingTotal.objects.filter(campaign_id=campaign_id)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=list(unit_ids))
    out: dict[tuple[int, str], int] = defaultdict(int)
    for unit_id, text in qs.values_list("unit_id", "totals").iterator(chunk_size=5000):
        for code, value in orjson.loads(text).items():
            out[(unit_id, code)] += value
    return {key: v for key, v in out.items() if v}


def computed_totals(*, campaign: Campaign) -> dict[tuple[int, str], int]:
    """{(unit id, code): value} recomputed from the raw values (the checker)."""
    with connection.cursor() as cur:
        sql, _params = _contributions_sql(_max_depth(cur, campaign))
        cur.execute(
            f"SELECT x.anc, x.code, SUM(x.v) FROM ({sql}) x GROUP BY x.anc, x.code",  # noqa: S608
            [campaign.pk, True, campaign.pk, True, True, campaign.pk, True],
        )
        return {(row[0], row[1]): int(row[2]) for row in cur.fetchall() if row[2]}


@transaction.atomic
def reporting_tree_build(*, campaign: Campaign, force: bool = False) -> int:
    """(Re)build ``campaign``'s reporting tree and its totals; returns the node count.

    A closed campaign keeps its tree (``force`` only for a first build)."""
    campaign = campaign_tree_lock(campaign)
    exists = ReportingNode.objects.filter(campaign=campaign).exists()
    if exists and campaign.is_closed and not force:
        _frozen_check(campaign)
    ReportingTotal.objects.filter(campaign=campaign).delete()
    ReportingNode.objects.filter(campaign=campaign).delete()
    with connection.cursor() as cur:
        _insert_nodes(cur, campaign)
        _apply_claims(cur, campaign)
        _apply_moves(cur, campaign)
        if _compute_paths(cur, campaign):
            # A claim or a move that closes a cycle (or points outside the tree) is
            # dropped: those units report along the administrative line.
            cur.execute(
                f"UPDATE {NODE} SET parent_unit_id = admin_parent_id, claimed_by_id = NULL, "  # noqa: S608
                "moved = %s WHERE campaign_id = %s AND path = ''",
                [False, campaign.pk],
            )
            _compute_paths(cur, campaign)
        _set_leaves(cur, campaign)
        _set_expected(cur, campaign)
        _compute_totals(cur, campaign)
    return ReportingNode.objects.filter(campaign=campaign).count()


def reporting_tree_ensure(*, campaign: Campaign) -> None:
    """Build the tree on first use (campaigns created before any plan was issued)."""
    if not ReportingNode.objects.filter(campaign=campaign).exists():
        reporting_tree_build(campaign=campaign, force=True)


def reporting_tree_on_issue(*, document) -> None:
    """An issued plan changes who reports to whom: its recipients' part of an open
    campaign's tree is updated (``incremental``)."""
    if not document.campaign_id:
        return
    from lantoa.reports.lines.incremental import on_plan_issued

    on_plan_issued(document=document)


# --- totals kept on the nodes -------------------------------------------------------------


def contribution(*, state: str, on_time, expected: bool, values: dict[str, int]) -> dict:
    """What one report adds to each of its node's ancestors."""
    out: dict[str, int] = {}
    counted = state in COUNTED_STATES
    if counted:
        out.update({code: int(v) for code, v in values.items()})
    if expected:
        out[COUNT_EXPECTED] = 1
        if counted:
            out[COUNT_SUBMITTED] = 1
            if on_time:
                out[COUNT_ON_TIME] = 1
        if state == ReportState.ACCEPTED:
            out[COUNT_ACCEPTED] = 1
    return out


def totals_merge_sql() -> str:
    """SQL for ``ON CONFLICT … DO UPDATE SET totals = …``: the stored object plus the
    increment (``excluded.totals``), code by code, codes summing to 0 left out. Evaluated
    on the row as locked by the upsert, so concurrent increments all count."""
    if connection.vendor == "postgresql":
        return (
            "(SELECT COALESCE(CAST(jsonb_object_agg(k, s) AS TEXT), '{}') FROM ("  # noqa: S608
            "SELECT k, SUM(v) AS s FROM (SELECT key AS k, CAST(value AS BIGINT) AS v "
            f"FROM jsonb_each_text(CAST({TOTAL}.totals AS JSONB)) "
            "UNION ALL SELECT key, CAST(value AS BIGINT) "
            "FROM jsonb_each_text(CAST(excluded.totals AS JSONB))"
            ") a GROUP BY k) b WHERE s <> 0)"
        )
    return (
        "(SELECT COALESCE(json_group_object(k, s), '{}') FROM ("  # noqa: S608
        "SELECT key AS k, SUM(value) AS s FROM ("
        f"SELECT key, value FROM json_each({TOTAL}.totals) "
        "UNION ALL SELECT key, value FROM json_each(excluded.totals)"
        ") GROUP BY key) WHERE s <> 0)"
    )


def _upsert(rows: list[tuple]) -> None:
    """Add (campaign, unit, shard, code, value) increments to the node totals: one row
    per (campaign, unit, shard), in a fixed order (two transitions lock shared ancestors
    in the same order, so they wait for each other instead of deadlocking)."""
    grouped: dict[tuple[int, int, int], dict[str, int]] = defaultdict(dict)
    for campaign_id, unit_id, shard, code, value in rows:
        if value:
            bucket = grouped[(campaign_id, unit_id, shard)]
            bucket[code] = bucket.get(code, 0) + value
    keys = sorted(key for key, codes in grouped.items() if any(codes.values()))
    if not keys:
        return
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        data = [
            {
                "campaign_id": key[0],
                "unit_id": key[1],
                "shard": key[2],
                "totals": json.dumps({c: v for c, v in grouped[key].items() if v}),
            }
            for key in chunk
        ]
        prepared.fetchall(_upsert_sql(), [json.dumps(data)])


@functools.cache
def _upsert_sql() -> str:
    """``_upsert``'s statement: the rows as one JSON parameter (in key order), so its text
    is fixed and it is prepared once per session."""
    rows = json_rows(
        [("campaign_id", "bigint"), ("unit_id", "bigint"), ("shard", "int"), ("totals", "text")]
    )
    return (
        f"INSERT INTO {TOTAL} (campaign_id, unit_id, shard, totals) "  # noqa: S608
        # WHERE: SQLite would read ON CONFLICT right after FROM as a join's ON.
        f"SELECT m.campaign_id, m.unit_id, m.shard, m.totals FROM {rows} WHERE 1 = 1 "
        "ORDER BY m.campaign_id, m.unit_id, m.shard "
        f"ON CONFLICT (campaign_id, unit_id, shard) DO UPDATE SET totals = {totals_merge_sql()} "
        "RETURNING 1"
    )


NODE_UNREAD = object()  # ``node`` not given: reporting_totals_apply reads it


@prepared.compiled
def _report_node(campaign_id: int, unit_id: int):
    return (
        ReportingNode.objects.filter(campaign_id=campaign_id, unit_id=unit_id)
        .only("path", "expected", "leaf", "due_on")
        .order_by()[:1]
    )


def report_node(*, campaign_id: int, unit_id: int) -> ReportingNode | None:
    """The unit's node with what a transition needs (path, expected, leaf, due date):
    compiled once and prepared (``prepared.compiled``)."""
    return next(iter(_report_node(campaign_id, unit_id)), None)


def reporting_totals_apply(*, report, before: dict, after: dict, node=NODE_UNREAD) -> None:
    """Add the difference between two contributions of ``report`` to its node's ancestors
    (inside the caller's transaction, which has locked the report: ``node`` may be the
    one it read since, see ``report_node``): one statement, one row per ancestor and the
    node itself (``_upsert``). The administrative subtree totals follow in one more
    (``admin_totals``)."""
    admin_totals_apply(report=report, before=before, after=after)
    if node is NODE_UNREAD:
        node = report_node(campaign_id=report.campaign_id, unit_id=report.unit_id)
    if node is None or not node.path:
        from lantoa.reports.lines.incremental import reporting_tree_update

        # A unit created after the tree was built: its node is added, which counts this report.
        reporting_tree_update(
            campaign=Campaign.objects.get(pk=report.campaign_id),
            units_sql="SELECT %s",
            params=[report.unit_id],
        )
        return
    delta = {k: after.get(k, 0) - before.get(k, 0) for k in set(before) | set(after)}
    delta = {k: v for k, v in delta.items() if v}
    if not delta:
        return
    ancestors = node.ancestor_ids()  # and the node itself (a leaf: its own report's row)
    shard = report.unit_id % TOTAL_SHARDS
    rows = [
        (report.campaign_id, anc, shard if level <= SHARDED_DEPTH else 0, code, value)
        for level, anc in enumerate(ancestors, start=1)
        for code, value in delta.items()
    ]
    _upsert(rows)


def node_expected(*, campaign_id: int, unit_id: int) -> bool:
    return ReportingNode.objects.filter(
        campaign_id=campaign_id, unit_id=unit_id, expected=True
    ).exists()


def rollup_check(*, campaign: Campaign) -> list[str]:
    """Differences between the node totals, and the administrative subtree totals, and a
    recomputation from the raw values."""
    expected = computed_totals(campaign=campaign)
    stored = stored_totals(campaign_id=campaign.pk)
    problems = []
    for key in sorted(set(expected) | set(stored)):
        a, b = stored.get(key, 0), expected.get(key, 0)
        if a != b:
            problems.append(f"unit {key[0]} {key[1]}: stored {a}, recomputed {b}")
    return problems + admin_totals_check(campaign_id=campaign.pk)


# --- an office changes its part ---------------------------------------------------------------


@transaction.atomic
def reporting_parent_set(
    *, campaign: Campaign, unit: Unit, reports_to: Unit, reason: str, user
) -> ReportingNode:
    """Make ``unit`` report to ``reports_to`` for ``campaign`` (with a reason, in history)."""
    from lantoa.reports.permissions import can_adjust_line

    reporting_tree_ensure(campaign=campaign)
    node = first_of(ReportingNode.objects.filter(campaign=campaign, unit=unit))
    if node is None or not can_adjust_line(user, campaign=campaign, node=node):
        raise NotFound
    _frozen_check(campaign)
    reason = nfc(reason or "").strip()
    errors = {}
    if len(reason) < 5:
        errors["reason"] = _("Vui lòng ghi rõ lý do (ít nhất 5 ký tự).")
    target = first_of(ReportingNode.objects.filter(campaign=campaign, unit=reports_to))
    if target is None:
        errors["reports_to"] = _("Đơn vị nhận báo cáo không thuộc Tuần lễ này.")
    elif reports_to.pk == unit.pk or target.path.startswith(node.path):
        errors["reports_to"] = _(
            "Không thể báo cáo về chính đơn vị hoặc một đơn vị cấp dưới của nó (tạo vòng lặp)."
        )
    elif target.unit_id == node.parent_unit_id:
        errors["reports_to"] = _("Đơn vị đã báo cáo về %(unit)s.") % {"unit": reports_to.name}
    if errors:
        raise ValidationError(errors)
    from_unit_id = node.parent_unit_id
    ReportingMove.objects.create(
        campaign=campaign,
        unit=unit,
        from_unit_id=from_unit_id,
        to_unit=reports_to,
        reason=reason,
        actor=user if getattr(user, "pk", None) else None,
    )
    history_record(
        actor=user,
        unit=unit,
        obj=campaign,
        action="reporting_line",
        summary=_("Tuần lễ %(year)s: %(unit)s báo cáo về %(to)s. Lý do: %(reason)s")
        % {"year": campaign.year, "unit": unit.name, "to": reports_to.name, "reason": reason},
        before={"reports_to": from_unit_id},
        after={"reports_to": reports_to.pk},
    )
    from lantoa.reports.lines.incremental import reporting_tree_update

    reporting_tree_update(campaign=campaign, units_sql="SELECT %s", params=[unit.pk])
    return ReportingNode.objects.get(campaign=campaign, unit=unit)


@transaction.atomic
def campaign_close(*, campaign: Campaign, user, closed_on: date | None = None) -> Campaign:
    """Khóa số liệu: the reporting tree is frozen from now on."""
    from django.utils import timezone

    from lantoa.campaigns.permissions import can_close_campaign

    if not can_close_campaign(user, campaign):
        raise NotFound
    # After any tree update in flight; none starts until this transaction commits.
    campaign_tree_lock(campaign)
    if campaign.is_closed:
        _frozen_check(campaign)
    reporting_tree_ensure(campaign=campaign)
    campaign.closed_on = closed_on or timezone.localdate()
    campaign.save(update_fields=["closed_on", "updated_at"])
    history_record(
        actor=user,
        unit=campaign.owner_unit,
        obj=campaign,
        action="close",
        summary=_("Khóa số liệu Tuần lễ %(year)s") % {"year": campaign.year},
    )
    return campaign


__all__ = [
    "DateField",
    "campaign_close",
    "contribution",
    "reporting_parent_set",
    "report_node",
    "reporting_totals_apply",
    "reporting_tree_build",
    "reporting_tree_ensure",
    "rollup_check",
]
