"""Totals by administrative subtree per campaign (``AdminTotal``), for year over year.

A row holds, for one campaign, unit and code, the sum of the counted values of the reports
of the units strictly below the unit (its own report is read from its values), and how many
value rows make it. They are kept exactly like the reporting tree's node totals:

- a report transition adds its difference to the unit's administrative ancestors in the
  same transaction (``admin_totals_apply``, called where the node totals are upserted: one
  statement for every ancestor and code; the top ``SHARDED_DEPTH`` levels spread over
  ``TOTAL_SHARDS`` rows so the national row is no hot spot);
- an administrative move (``unit_move``, a restructuring sheet) takes each moved subtree's
  figures, in every campaign, from the ancestors it left and gives them to the ones it
  joined (``admin_totals_on_units_moved``: three statements whatever the moves);
- ``admin_totals_build`` computes every row from the values (one aggregate, the data
  migration and the benchmark's bulk-loaded worlds), ``admin_totals_check`` compares the
  stored rows with the same aggregate (``rollup_check``).

Values of counted reports never change in place (a report is edited as a draft or a
returned report, then submitted), so transitions and moves are the only writers.
"""

import functools
import json
from collections import defaultdict

from django.db import connection

from lantoa.core import prepared
from lantoa.core.bulk import json_rows
from lantoa.reports.models import COUNT_CODES, SHARDED_DEPTH, TOTAL_SHARDS
from lantoa.units.models import Unit

TABLE = "reports_admintotal"
_UPSERT = (
    f"ON CONFLICT (campaign_id, unit_id, shard, code) DO UPDATE SET "
    f"value = {TABLE}.value + excluded.value, entries = {TABLE}.entries + excluded.entries"
)


def _prefixes(path: str) -> list[str]:
    """The paths of the units strictly above the unit at ``path``."""
    step = Unit.steplen
    return [path[:end] for end in range(step, len(path), step)]


def _in_subtree(node: str, top: str) -> str:
    """SQL: unit ``node`` lies in ``top``'s administrative subtree (an index range)."""
    if connection.vendor == "postgresql":
        return f"({node}.path ~>=~ {top}.path AND {node}.path ~<~ ({top}.path || '~'))"
    return f"({node}.path >= {top}.path AND {node}.path < ({top}.path || '~'))"


# --- a report transition ------------------------------------------------------------------


def admin_totals_apply(*, report, before: dict, after: dict) -> None:
    """Add the difference between two contributions of ``report`` (``lines.services.
    contribution``: its values while counted, and completeness counts, ignored here) to the
    totals of its unit's administrative ancestors. One statement, none when nothing
    changes; the unit's row is locked by the caller (a move waits for it)."""
    rows = []
    for code in sorted(set(before) | set(after)):
        if code in COUNT_CODES:
            continue
        value = after.get(code, 0) - before.get(code, 0)
        entries = (code in after) - (code in before)
        if value or entries:
            rows.append((code, value, entries))
    ancestors = _prefixes(report.unit.path)
    if not rows or not ancestors:
        return
    prepared.fetchall(
        _apply_sql(),
        [
            report.campaign_id,
            report.unit_id % TOTAL_SHARDS,
            json.dumps([{"code": c, "value": v, "entries": n} for c, v, n in rows]),
            ancestors if connection.vendor == "postgresql" else json.dumps(ancestors),
        ],
    )


@functools.cache
def _apply_sql() -> str:
    """``admin_totals_apply``'s upsert: the increments as one JSON parameter and the
    ancestors' paths as one more (an array on PostgreSQL: its generic plan looks each path
    up in the index), so its text is fixed and it is prepared once per session."""
    if connection.vendor == "postgresql":
        paths = "u.path = ANY(CAST(%s AS TEXT[]))"
    else:
        paths = "u.path IN (SELECT value FROM json_each(%s))"
    codes = json_rows([("code", "text"), ("value", "bigint"), ("entries", "int")])
    return (
        f"INSERT INTO {TABLE} (campaign_id, unit_id, shard, code, value, entries) "  # noqa: S608
        f"SELECT %s, u.id, CASE WHEN u.depth <= {SHARDED_DEPTH} THEN %s ELSE 0 END, "
        f"m.code, m.value, m.entries FROM units_unit u CROSS JOIN {codes} "
        f"WHERE {paths} ORDER BY u.path, m.code {_UPSERT} RETURNING 1"
    )


# --- administrative moves ---------------------------------------------------------------


def admin_totals_on_units_moved(
    *, unit_ids: list[int], old_paths: dict[int, str] | None = None
) -> None:
    """Units moved (``units.paths.units_moved``, after the paths were rewritten): in every
    campaign, the figures of each moved unit's subtree (without the parts of units moved
    with it, which are counted for those) leave the ancestors it left and join the ones it
    joined; ancestors it kept do not change. ``old_paths`` holds every unit whose path
    changed (at least the moved ones), so the ancestors it left are found even when they
    moved too (a restructuring sheet). Three statements whatever the moves; the moved
    units' rows are locked by the move, so no transition below them runs meanwhile."""
    old_paths = old_paths or {}
    moved = [
        (pk, old_paths[pk], path)
        for pk, path in Unit.objects.filter(pk__in=unit_ids).values_list("pk", "path")
        if old_paths.get(pk) not in (None, path)
    ]
    if not moved:
        return
    held_before = {path: pk for pk, path in old_paths.items()}
    wanted = sorted({p for _pk, old, new in moved for p in _prefixes(old) + _prefixes(new)})
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT u.id, u.path FROM units_unit u JOIN {json_rows([('path', 'text')])} "  # noqa: S608
            "ON u.path = m.path",
            [json.dumps([{"path": p} for p in wanted])],
        )
        held_now = {path: pk for pk, path in cur.fetchall()}
    step = Unit.steplen
    deltas = []
    for pk, old, new in moved:
        # A path a moved unit held before names that unit; any other still names its holder.
        left = {held_before.get(p) or held_now[p]: len(p) // step for p in _prefixes(old)}
        joined = {held_now[p]: len(p) // step for p in _prefixes(new)}
        for sign, ancestors, other in ((-1, left, joined), (1, joined, left)):
            for anc, depth in ancestors.items():
                if anc not in other:
                    shard = pk % TOTAL_SHARDS if depth <= SHARDED_DEPTH else 0
                    deltas.append({"mid": pk, "anc": anc, "sign": sign, "shard": shard})
    if not deltas:
        return
    nearest = _in_subtree("u", "mv")
    deeper = _in_subtree("u", "m2")
    with connection.cursor() as cur:
        cur.execute(
            f"WITH mv AS (SELECT id, path FROM {json_rows([('id', 'bigint'), ('path', 'text')])}), "  # noqa: S608
            "d AS (SELECT mid, anc, sign, shard FROM "
            f"{json_rows([('mid', 'bigint'), ('anc', 'bigint'), ('sign', 'int'), ('shard', 'int')])}), "
            "own AS (SELECT mv.id AS mid, rv.campaign_id AS c, rv.indicator_code AS code, "
            "SUM(rv.value) AS v, COUNT(*) AS n FROM mv "
            f"JOIN units_unit u ON {nearest} "
            "JOIN reports_reportvalue rv ON rv.unit_id = u.id AND rv.counted = %s "
            "WHERE NOT EXISTS (SELECT 1 FROM mv m2 WHERE LENGTH(m2.path) > LENGTH(mv.path) "
            f"AND {deeper}) GROUP BY mv.id, rv.campaign_id, rv.indicator_code) "
            f"INSERT INTO {TABLE} (campaign_id, unit_id, shard, code, value, entries) "
            "SELECT own.c, d.anc, d.shard, own.code, SUM(d.sign * own.v), SUM(d.sign * own.n) "
            "FROM own JOIN d ON d.mid = own.mid JOIN units_unit au ON au.id = d.anc "
            "WHERE d.sign <> 0 GROUP BY own.c, au.path, d.anc, d.shard, own.code "
            # In path order, as a transition writes its ancestors' rows: no lock cycle.
            f"ORDER BY own.c, au.path, own.code, d.shard {_UPSERT}",
            [
                json.dumps([{"id": pk, "path": new} for pk, _old, new in moved]),
                json.dumps(deltas),
                True,
            ],
        )


# --- build and check ----------------------------------------------------------------------


def _computed_sql(
    campaign_id: int | None, *, shard: str = "", under: str | None = None
) -> tuple[str, list]:
    """SQL for (campaign, unit, code, value, entries) of every unit above a counted value,
    recomputed from the values: one aggregate over the values and their units' ancestor
    prefixes, joined to the ancestors once grouped."""
    with connection.cursor() as cur:
        cur.execute("SELECT MAX(depth) FROM units_unit")
        max_depth = cur.fetchone()[0] or 1
    levels = " UNION ALL ".join(f"SELECT {k} AS k" for k in range(1, max_depth)) or "SELECT 0 AS k"
    prefix = f"SUBSTR(u.path, 1, lv.k * {Unit.steplen})"
    only, params = "", [True]
    if campaign_id is not None:
        only, params = " AND rv.campaign_id = %s", [True, campaign_id]
    if under is not None:
        only += f" AND {_in_subtree('u', 'top')}"
        top = "(SELECT %s AS path) top, "
        params = [under, *params]
    sql = (
        f"SELECT x.c, a.id, {shard}x.code, x.v, x.n FROM ("  # noqa: S608
        f"SELECT rv.campaign_id AS c, {prefix} AS p, rv.indicator_code AS code, "
        f"SUM(rv.value) AS v, COUNT(*) AS n FROM {top if under is not None else ''}"
        "reports_reportvalue rv "
        f"JOIN units_unit u ON u.id = rv.unit_id JOIN ({levels}) lv ON lv.k < u.depth "
        f"WHERE rv.counted = %s{only} GROUP BY rv.campaign_id, {prefix}, rv.indicator_code"
        ") x JOIN units_unit a ON a.path = x.p WHERE a.id IS NOT NULL"
    )
    return sql, params


def admin_totals_build(*, campaign_id: int | None = None) -> None:
    """(Re)compute the totals of one campaign (or all) from the values, set-based."""
    sql, params = _computed_sql(campaign_id, shard="0, ")
    with connection.cursor() as cur:
        if campaign_id is None:
            cur.execute(f"DELETE FROM {TABLE}")  # noqa: S608
        else:
            cur.execute(f"DELETE FROM {TABLE} WHERE campaign_id = %s", [campaign_id])  # noqa: S608
        cur.execute(
            f"INSERT INTO {TABLE} (campaign_id, unit_id, shard, code, value, entries) {sql}",
            params,
        )


def admin_totals_add(*, campaign_id: int, path: str) -> None:
    """Add the counted values of the units in the subtree at ``path`` to the totals above
    them, for values written in bulk without a transition (the benchmarks' worlds)."""
    sql, params = _computed_sql(campaign_id, shard="0, ", under=path)
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {TABLE} (campaign_id, unit_id, shard, code, value, entries) {sql} "  # noqa: S608
            f"{_UPSERT}",
            params,
        )


def admin_totals_check(*, campaign_id: int) -> list[str]:
    """Differences between the stored totals of a campaign and a recomputation."""
    sql, params = _computed_sql(campaign_id)
    stored: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    with connection.cursor() as cur:
        cur.execute(sql, params)
        expected = {(unit, code): (int(v), int(n)) for _c, unit, code, v, n in cur.fetchall()}
        cur.execute(
            f"SELECT unit_id, code, value, entries FROM {TABLE} WHERE campaign_id = %s",  # noqa: S608
            [campaign_id],
        )
        for unit, code, value, entries in cur.fetchall():
            stored[(unit, code)][0] += value
            stored[(unit, code)][1] += entries
    problems = []
    for key in sorted(set(expected) | set(stored)):
        a, b = tuple(stored.get(key, (0, 0))), expected.get(key, (0, 0))
        if a != b:
            problems.append(
                f"administrative total, unit {key[0]} {key[1]}: stored {a[0]} "
                f"({a[1]} values), recomputed {b[0]} ({b[1]} values)"
            )
    return problems
