"""Reads along a campaign's reporting tree: a fixed number of queries whatever its size.

Roll-up and completeness read the totals kept on the nodes (one JSON object per node and
shard, leaves included): the unit's node with its reporting children and their total rows,
in one statement — O(children).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import orjson
from django.db import connection, connections, router
from django.db.models import Exists, OuterRef, Q

from lantoa.campaigns.models import Campaign
from lantoa.core import prepared
from lantoa.reports.models import (
    COUNT_ACCEPTED,
    COUNT_CODES,
    COUNT_EXPECTED,
    COUNT_ON_TIME,
    COUNT_SUBMITTED,
    COUNTED_STATES,
    Report,
    ReportingMove,
    ReportingNode,
    ReportingTotal,
    ReportValue,
    first_of,
)
from lantoa.units.models import Unit, subtree_q

LINE_REPORTING = "reporting"
LINE_ADMIN = "admin"
LINES = (LINE_REPORTING, LINE_ADMIN)


def parse_line(raw) -> str:
    """``reporting`` (default) or ``admin``; anything else is refused by the caller."""
    return raw or LINE_REPORTING


def line_node(*, campaign: Campaign, unit: Unit) -> ReportingNode | None:
    """``unit``'s node (the tree is built on first use)."""
    node = first_of(ReportingNode.objects.filter(campaign=campaign, unit=unit))
    if node is None and not ReportingNode.objects.filter(campaign=campaign).exists():
        from lantoa.reports.lines.services import reporting_tree_ensure

        reporting_tree_ensure(campaign=campaign)
        node = first_of(ReportingNode.objects.filter(campaign=campaign, unit=unit))
    return node


def line_deadline_for_unit(
    *, campaign: Campaign, unit: Unit, node: ReportingNode | None = None
) -> date | None:
    """The deadline ``unit`` answers to: its claiming plan's, else the administrative one
    (``node``: the unit's node, already read)."""
    from lantoa.reports.selectors import deadline_for_unit

    if node is not None:
        due = node.due_on
    else:
        due = first_of(
            ReportingNode.objects.filter(campaign=campaign, unit=unit).values_list(
                "due_on", flat=True
            )
        )
    return due or deadline_for_unit(campaign=campaign, unit=unit)


def has_reporting_children(node: ReportingNode | None) -> bool:
    """Some unit reports to this node in its campaign (it consolidates)."""
    return node is not None and bool(node.path) and not node.leaf


def line_subtree_unit_ids(*, campaign: Campaign, unit: Unit, node: ReportingNode | None = None):
    """Ids of the units below ``unit`` in the campaign's reporting tree (a subquery);
    ``node``: ``unit``'s node when the caller already holds it."""
    node = node or line_node(campaign=campaign, unit=unit)
    if node is None or not node.path:
        return ReportingNode.objects.none().values("unit_id")
    return (
        ReportingNode.objects.filter(campaign=campaign, depth__gt=node.depth)
        .filter(subtree_q(node.path))
        .values("unit_id")
    )


# The hot reads below are hand-written statements: composing them with the ORM costs more
# CPU than the database spends answering them (an index lookup and a few thousand rows).
NODE = ReportingNode._meta.db_table
TOTAL = ReportingTotal._meta.db_table
REPORT = Report._meta.db_table
VALUE = ReportValue._meta.db_table


def _reads_from() -> str:
    """The database these hand-written reads go to: where the router sends the ORM's reads
    of the same tables now (the replica on its routes, the primary once the request wrote,
    e.g. a tree built on first use)."""
    return router.db_for_read(ReportingNode)


def _query(sql: str, params: list) -> list[tuple]:
    with connections[_reads_from()].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _in(ids: list[int]) -> str:
    return ", ".join(["%s"] * len(ids))


def _children(campaign: Campaign, unit: Unit):
    return (
        ReportingNode.objects.filter(campaign=campaign, parent_unit=unit)
        .exclude(path="")
        .select_related("unit", "claimed_by", "contested_by")
        .order_by("unit__path")
    )


@dataclass
class _Row:
    """What a roll-up reads of a node, its unit and its claiming plan."""

    unit_id: int
    leaf: bool
    expected: bool
    name: str
    code: str | None
    path: str
    claimed_by: str  # the reference of the plan that claimed it, "" when none did


def _concat(column: str) -> str:
    """SQL aggregate joining a column's texts with commas."""
    if connection.vendor == "postgresql":
        return f"STRING_AGG({column}, ',')"
    return f"GROUP_CONCAT({column}, ',')"


def _shards_summed(shards: list[dict[str, int]]) -> dict[str, int]:
    """A node's totals from its total rows (one per shard; one in all below the top
    levels): summed code by code, codes whose shards cancel out left out. The first
    object is reused (each read parses its own)."""
    mine = shards[0]
    if len(shards) == 1:
        return mine  # a stored object holds no zeros
    for other in shards[1:]:
        for code, value in other.items():
            mine[code] = mine.get(code, 0) + value
    return {code: value for code, value in mine.items() if value}


def _rollup_sql() -> str:
    """A roll-up's statement: ``unit``'s node and its reporting children, each with its unit,
    claiming plan and total rows (one per shard, comma-joined), then the counted values of
    ``unit``'s own report. Each part is an index lookup or range (unique key, parent
    index), never an OR that SQLite would answer by scanning the campaign's nodes."""
    document = ReportingNode._meta.get_field("claimed_by").related_model  # the plans
    node = (
        "SELECT n.unit_id, n.leaf, n.expected, u.name, u.code, u.path, d.number, d.symbol, "  # noqa: S608
        f"(SELECT {_concat('t.totals')} FROM {TOTAL} t "
        "WHERE t.campaign_id = n.campaign_id AND t.unit_id = n.unit_id) "
        f"FROM {NODE} n JOIN {Unit._meta.db_table} u ON u.id = n.unit_id "
        f"LEFT JOIN {document._meta.db_table} d ON d.id = n.claimed_by_id "
        "WHERE n.campaign_id = %s "
    )
    return (
        f"{node} AND n.unit_id = %s "  # noqa: S608
        f"UNION ALL {node} AND n.parent_unit_id = %s AND n.path <> '' "
        "UNION ALL SELECT NULL, NULL, NULL, v.indicator_code, NULL, NULL, v.value, NULL, NULL "
        f"FROM {VALUE} v WHERE v.campaign_id = %s AND v.unit_id = %s AND v.counted = %s"
    )


def _rollup_read(campaign: Campaign, unit: Unit):
    """(node, children in tree order, {unit id: totals}, the unit's own values) of ``unit``'s
    roll-up: one prepared statement (``_rollup_sql``; the tree is built on first use)."""
    params = [campaign.pk, unit.pk, campaign.pk, unit.pk, campaign.pk, unit.pk, True]
    sql = _rollup_sql()
    rows = prepared.fetchall(sql, params, using=_reads_from())
    if not any(row[0] == unit.pk for row in rows):
        if line_node(campaign=campaign, unit=unit) is None:
            return None, [], {}, {}
        rows = prepared.fetchall(sql, params, using=_reads_from())
    # The claiming plans' references ("05/SGDĐT"), from their number and symbol.
    reference_of = ReportingNode._meta.get_field("claimed_by").related_model.reference_of
    nodes: list[_Row] = []
    own: dict[str, int] = {}
    texts: list[str] = []
    for unit_id, leaf, expected, name, code, path, number, symbol, text in rows:
        if unit_id is None:  # a value of the unit's own report
            if number:
                own[name] = number
            continue
        claimed_by = reference_of(number, symbol)
        nodes.append(_Row(unit_id, leaf, expected, name, code, path, claimed_by))
        texts.append(text or "")
    # Every node's total rows (one per shard; one in all below the top levels) parsed as
    # one JSON document: one call, each code's name made once.
    totals = {
        n.unit_id: _shards_summed(shards)
        for n, shards in zip(nodes, orjson.loads(f"[[{'],['.join(texts)}]]"), strict=True)
        if shards
    }
    node = next(n for n in nodes if n.unit_id == unit.pk)
    children = sorted((n for n in nodes if n is not node), key=lambda n: n.path)
    return node, children, totals, own


def _values(totals: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in totals.items() if k not in COUNT_CODES}


def _totals_of(campaign: Campaign, unit_ids: list[int]) -> dict[int, dict[str, int]]:
    """{unit id: subtree totals} of those nodes (shards summed, zeros left out): one
    query."""
    sql = (
        f"SELECT t.unit_id, t.totals FROM {TOTAL} t "  # noqa: S608
        f"WHERE t.campaign_id = %s AND t.unit_id IN ({_in(unit_ids)})"
    )
    shards: dict[int, list[dict[str, int]]] = defaultdict(list)
    for unit_id, text in _query(sql, [campaign.pk, *unit_ids]):
        shards[unit_id].append(orjson.loads(text))
    return {u: _shards_summed(rows) for u, rows in shards.items()}


def rollup_by_line(*, campaign: Campaign, unit: Unit) -> dict:
    """Same shape as ``rollup_for_unit``, one row per reporting child (its whole reporting
    subtree), from the node totals (leaf children: their own report): one query
    (``_rollup_read``)."""
    node, children, totals, own = _rollup_read(campaign, unit)
    if node is None:
        return {"unit_id": unit.pk, "own": {}, "totals": {}, "rows": [], "line": LINE_REPORTING}
    mine = dict(own) if node.leaf else _values(totals.get(unit.pk, {}))
    rows = []
    for child in children:
        # The child's totals are this read's own dict: the counts are taken out of it.
        t = totals.pop(child.unit_id, None) or {}
        expected, submitted = t.pop(COUNT_EXPECTED, 0), t.pop(COUNT_SUBMITTED, 0)
        on_time = t.pop(COUNT_ON_TIME, 0)
        t.pop(COUNT_ACCEPTED, None)
        rows.append(
            {
                "unit_id": child.unit_id,
                "unit_name": child.name,
                "unit_code": child.code,
                "unit_path": child.path,
                "values": t,
                "expected": expected,
                "submitted": submitted,
                "on_time": on_time,
                "claimed_by": child.claimed_by,
            }
        )
    return {
        "unit_id": unit.pk,
        "own": own,
        "totals": mine,
        "rows": rows,
        "line": LINE_REPORTING,
    }


_COUNT_KEYS = (
    ("expected", COUNT_EXPECTED),
    ("submitted", COUNT_SUBMITTED),
    ("on_time", COUNT_ON_TIME),
    ("accepted", COUNT_ACCEPTED),
)


def _node_with_counts(campaign: Campaign, unit: Unit) -> dict | None:
    """``unit``'s node (path, depth, leaf, expected), its own report's state and on-time flag
    and its subtree's completeness counts summed over the shards: one query."""
    sql = (
        "SELECT n.path, n.depth, n.leaf, n.expected, r.state, r.on_time, t.totals "  # noqa: S608
        f"FROM {NODE} n LEFT JOIN {REPORT} r ON r.campaign_id = n.campaign_id "
        f"AND r.unit_id = n.unit_id LEFT JOIN {TOTAL} t ON t.campaign_id = n.campaign_id "
        "AND t.unit_id = n.unit_id WHERE n.campaign_id = %s AND n.unit_id = %s"
    )
    params = [campaign.pk, unit.pk]
    rows = prepared.fetchall(sql, params, using=_reads_from())
    if not rows and line_node(campaign=campaign, unit=unit) is not None:
        rows = prepared.fetchall(sql, params, using=_reads_from())
    if not rows:
        return None
    path, depth, leaf, expected, state, on_time = rows[0][:6]
    shards = [orjson.loads(text) for *_node, text in rows if text]  # one row per shard
    summed = _shards_summed(shards) if shards else {}
    return {
        "path": path,
        "depth": depth,
        "leaf": bool(leaf),
        "expected": bool(expected),
        "own_state": state or "",
        "own_on_time": on_time,
        "totals": {code: summed[code] for code in COUNT_CODES if summed.get(code)},
    }


def _tree_order_range(path: str) -> Q:
    """The subtree as a range of ``reporting_node_order`` (paths are digits: the first path
    after the subtree is the prefix with its last non-9 digit raised), so a page of it in
    tree order starts and stops inside the subtree whatever the collation."""
    stripped = path.rstrip("9")
    after = Q(path__lt=stripped[:-1] + chr(ord(stripped[-1]) + 1)) if stripped else Q()
    return Q(path__gte=path) & after


def _missing_units(campaign: Campaign, node: dict):
    """Expected units below ``node`` without a counted report, in tree order (a query)."""
    return (
        ReportingNode.objects.filter(campaign=campaign, expected=True, depth__gt=node["depth"])
        .filter(subtree_q(node["path"]))
        .filter(_tree_order_range(node["path"]))
        # NOT EXISTS per node (an anti-join on the report's unique key) rather than NOT IN a
        # set of every counted report: a page of 200 stops after a few hundred nodes.
        .filter(
            ~Exists(
                Report.objects.filter(
                    campaign=campaign, unit_id=OuterRef("unit_id"), state__in=COUNTED_STATES
                )
            )
        )
        .order_by("path")
        .values_list("unit_id", "unit__name", "due_on")
    )


def _counts(campaign: Campaign, unit: Unit) -> tuple[dict | None, dict]:
    """(node, counts) of ``unit``'s reporting subtree below it, from the node totals."""
    from lantoa.reports.lines.services import contribution

    node = _node_with_counts(campaign, unit)
    result = {
        "expected": 0,
        "submitted": 0,
        "on_time": 0,
        "accepted": 0,
        "missing": [],
        "line": LINE_REPORTING,
    }
    if node is None or not node["path"]:
        return None, result
    mine = node["totals"]
    # The unit's own report is not "below" it.
    own = {}
    if node["expected"]:
        own = contribution(
            state=node["own_state"], on_time=node["own_on_time"], expected=True, values={}
        )
    if node["leaf"]:
        mine, own = {}, {}  # nothing reports to it
    for key, code in _COUNT_KEYS:
        result[key] = mine.get(code, 0) - own.get(code, 0)
    result["missing_count"] = result["expected"] - result["submitted"]
    return node, result


def _with_missing(campaign: Campaign, node: dict, result: dict, limit, offset: int) -> dict:
    missing = _missing_units(campaign, node)
    if limit is not None or offset:
        missing = missing[offset : None if limit is None else offset + limit]
    result["missing"] = [{"unit_id": u, "unit_name": n, "due_on": d} for u, n, d in missing]
    return result


def completeness_by_line(
    *,
    campaign: Campaign,
    unit: Unit,
    missing_limit: int | None = None,
    missing_offset: int = 0,
) -> dict:
    """Expected / submitted / on time / accepted in ``unit``'s reporting subtree (below it),
    from the node totals (one statement, O(1)), and the missing units (all, or
    ``missing_limit`` of them from ``missing_offset``: one range scan of the subtree's
    nodes in tree order, skipped when the limit is 0)."""
    node, result = _counts(campaign, unit)
    if node is None or missing_limit == 0:
        return result
    return _with_missing(campaign, node, result, missing_limit, missing_offset)


def reporting_part(*, campaign: Campaign, unit: Unit) -> dict:
    """An office's part of the tree: who reports to it (with counts, the plan that set it,
    moves), whom it reports to, and the units it addressed that report via another office."""
    node = line_node(campaign=campaign, unit=unit)
    if node is None:
        return {"node": None, "parent": None, "children": [], "via": [], "moves": []}
    children = list(_children(campaign, unit))
    totals = _totals_of(campaign, [unit.pk, *(c.unit_id for c in children)])
    parent = Unit.objects.filter(pk=node.parent_unit_id).only("id", "name").first()
    via = (
        ReportingNode.objects.filter(campaign=campaign, contested_by__issuer_unit=unit)
        .select_related("unit", "parent_unit", "claimed_by")
        .order_by("unit__path")
    )
    moves = (
        ReportingMove.objects.filter(campaign=campaign)
        .filter(unit_id__in=[c.unit_id for c in children] + [unit.pk])
        .select_related("unit", "from_unit", "to_unit", "actor")
        .order_by("-created_at", "-id")[:50]
    )
    return {
        "node": node,
        "parent": parent,
        "children": [
            {
                "unit_id": c.unit_id,
                "unit_name": c.unit.name,
                "unit_kind": c.unit.kind,
                "claimed_by": c.claimed_by.reference if c.claimed_by_id else "",
                "contested_by": c.contested_by.reference if c.contested_by_id else "",
                "moved": c.moved,
                "due_on": c.due_on,
                "expected": totals.get(c.unit_id, {}).get(COUNT_EXPECTED, 0),
                "submitted": totals.get(c.unit_id, {}).get(COUNT_SUBMITTED, 0),
                "via": None,
            }
            for c in children
        ],
        "via": [
            {
                "unit_id": v.unit_id,
                "unit_name": v.unit.name,
                "via_unit_id": v.parent_unit_id,
                "via_unit_name": v.parent_unit.name if v.parent_unit_id else "",
                "claimed_by": v.claimed_by.reference if v.claimed_by_id else "",
            }
            for v in via
        ],
        "moves": list(moves),
    }


def rollup(*, campaign: Campaign, unit: Unit, line: str = LINE_REPORTING) -> dict:
    from lantoa.reports.selectors import rollup_for_unit

    if line == LINE_ADMIN:
        return {**rollup_for_unit(campaign=campaign, unit=unit), "line": LINE_ADMIN}
    return rollup_by_line(campaign=campaign, unit=unit)


def completeness(*, campaign: Campaign, unit: Unit, line: str = LINE_REPORTING) -> dict:
    from lantoa.reports.selectors import completeness_for_unit

    if line == LINE_ADMIN:
        return {**completeness_for_unit(campaign=campaign, unit=unit), "line": LINE_ADMIN}
    return completeness_by_line(campaign=campaign, unit=unit)


def completeness_page(
    *, campaign: Campaign, unit: Unit, line: str = LINE_REPORTING, page=1, page_size=200
) -> dict:
    """Completeness with one page of the missing units (``missing_count``, ``page``,
    ``page_size``). Along the reporting lines the counts come from the node totals and only
    that page of missing units is read (a national office has thousands at first)."""
    from lantoa.reports.selectors import missing_page, page_bounds

    if line == LINE_ADMIN:
        whole = completeness(campaign=campaign, unit=unit, line=line)
        return missing_page(whole, page=page, page_size=page_size)
    node, result = _counts(campaign, unit)
    count = result.get("missing_count", 0)
    page, page_size, start = page_bounds(count, page=page, page_size=page_size)
    if node is not None and count:
        result = _with_missing(campaign, node, result, page_size, start)
    return {**result, "missing_count": count, "page": page, "page_size": page_size}
