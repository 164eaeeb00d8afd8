"""Reads along a campaign's reporting tree: a fixed number of queries whatever its size.

Roll-up and completeness read the totals kept on the nodes: the unit's node, its
reporting children, and one grouped sum over their (sharded) total rows — O(children).
"""

from collections import defaultdict
from datetime import date

from django.db.models import Sum

from lantoa.campaigns.models import Campaign
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


def line_deadline_for_unit(*, campaign: Campaign, unit: Unit) -> date | None:
    """The deadline ``unit`` answers to: its claiming plan's, else the administrative one."""
    from lantoa.reports.selectors import deadline_for_unit

    due = first_of(
        ReportingNode.objects.filter(campaign=campaign, unit=unit).values_list("due_on", flat=True)
    )
    return due or deadline_for_unit(campaign=campaign, unit=unit)


def line_subtree_unit_ids(*, campaign: Campaign, unit: Unit):
    """Ids of the units below ``unit`` in the campaign's reporting tree (a subquery)."""
    node = line_node(campaign=campaign, unit=unit)
    if node is None or not node.path:
        return ReportingNode.objects.none().values("unit_id")
    return (
        ReportingNode.objects.filter(campaign=campaign, depth__gt=node.depth)
        .filter(subtree_q(node.path))
        .values("unit_id")
    )


def _totals(campaign: Campaign, unit_ids: list[int]) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        ReportingTotal.objects.filter(campaign=campaign, unit_id__in=unit_ids)
        .values("unit_id", "code")
        .annotate(total=Sum("value"))
        .order_by()
    )
    for row in rows:
        if row["total"]:
            out[row["unit_id"]][row["code"]] = int(row["total"])
    return out


def _children(campaign: Campaign, unit: Unit):
    return (
        ReportingNode.objects.filter(campaign=campaign, parent_unit=unit)
        .exclude(path="")
        .select_related("unit", "claimed_by", "contested_by")
        .order_by("unit__path")
    )


def _values(totals: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in totals.items() if k not in COUNT_CODES}


def _leaf_figures(campaign: Campaign, nodes: list[ReportingNode], unit: Unit) -> dict:
    """Own counted values and completeness counts of ``nodes`` (leaves keep no total rows)
    and of ``unit`` itself: two queries, whatever the list (``unit`` keeps it non-empty)."""
    from lantoa.reports.lines.services import contribution

    ids = [n.unit_id for n in nodes] + [unit.pk]
    values: dict[int, dict[str, int]] = defaultdict(dict)
    for unit_id, code, value in ReportValue.objects.filter(
        campaign=campaign, unit_id__in=ids, counted=True
    ).values_list("unit_id", "indicator_code", "value"):
        if value:
            values[unit_id][code] = int(value)
    states = {
        unit_id: (state, on_time)
        for unit_id, state, on_time in Report.objects.filter(
            campaign=campaign, unit_id__in=ids
        ).values_list("unit_id", "state", "on_time")
    }
    out = {}
    for n in nodes:
        state, on_time = states.get(n.unit_id, ("", None))
        counts = contribution(state=state, on_time=on_time, expected=n.expected, values={})
        out[n.unit_id] = {**values.get(n.unit_id, {}), **counts}
    out[unit.pk] = dict(values.get(unit.pk, {}))
    return out


def rollup_by_line(*, campaign: Campaign, unit: Unit) -> dict:
    """Same shape as ``rollup_for_unit``, one row per reporting child (its whole reporting
    subtree), from the node totals (leaf children: their own report). Five queries."""
    node = line_node(campaign=campaign, unit=unit)
    empty = {"unit_id": unit.pk, "own": {}, "totals": {}, "rows": [], "line": LINE_REPORTING}
    if node is None:
        return empty
    children = list(_children(campaign, unit))
    totals = _totals(campaign, [unit.pk, *(c.unit_id for c in children if not c.leaf)])
    leaves = _leaf_figures(campaign, [c for c in children if c.leaf], unit)
    own = leaves[unit.pk]
    mine = dict(own) if node.leaf else _values(totals.get(unit.pk, {}))
    rows = []
    for child in children:
        t = leaves[child.unit_id] if child.leaf else totals.get(child.unit_id, {})
        rows.append(
            {
                "unit_id": child.unit_id,
                "unit_name": child.unit.name,
                "unit_code": child.unit.code,
                "unit_path": child.unit.path,
                "values": _values(t),
                "expected": t.get(COUNT_EXPECTED, 0),
                "submitted": t.get(COUNT_SUBMITTED, 0),
                "on_time": t.get(COUNT_ON_TIME, 0),
                "claimed_by": child.claimed_by.reference if child.claimed_by_id else "",
            }
        )
    return {
        "unit_id": unit.pk,
        "own": own,
        "totals": mine,
        "rows": rows,
        "line": LINE_REPORTING,
    }


def completeness_by_line(
    *, campaign: Campaign, unit: Unit, missing_limit: int | None = None
) -> dict:
    """Expected / submitted / on time / accepted in ``unit``'s reporting subtree (below it),
    from the node totals (O(children)), and the missing units (all, or the first
    ``missing_limit``: that list is one range scan of the subtree's nodes)."""
    node = line_node(campaign=campaign, unit=unit)
    result = {
        "expected": 0,
        "submitted": 0,
        "on_time": 0,
        "accepted": 0,
        "missing": [],
        "line": LINE_REPORTING,
    }
    if node is None or not node.path:
        return result
    own = {}
    totals = _totals(campaign, [unit.pk])
    mine = totals.get(unit.pk, {})
    # The unit's own report is not "below" it (one query whether or not it is expected).
    own_report = first_of(
        Report.objects.filter(campaign=campaign, unit=unit).only("state", "on_time")
    )
    if node.expected:
        from lantoa.reports.lines.services import contribution

        if own_report is not None:
            own = contribution(
                state=own_report.state, on_time=own_report.on_time, expected=True, values={}
            )
        else:
            own = {COUNT_EXPECTED: 1}
    if node.leaf:
        mine, own = {}, {}  # nothing reports to it
    for key, code in (
        ("expected", COUNT_EXPECTED),
        ("submitted", COUNT_SUBMITTED),
        ("on_time", COUNT_ON_TIME),
        ("accepted", COUNT_ACCEPTED),
    ):
        result[key] = mine.get(code, 0) - own.get(code, 0)
    missing = (
        ReportingNode.objects.filter(campaign=campaign, expected=True, depth__gt=node.depth)
        .filter(subtree_q(node.path))
        .exclude(
            unit_id__in=Report.objects.filter(campaign=campaign, state__in=COUNTED_STATES).values(
                "unit_id"
            )
        )
        .order_by("path")
        .values_list("unit_id", "unit__name", "due_on")
    )
    if missing_limit is not None:
        missing = missing[:missing_limit]
    result["missing"] = [{"unit_id": u, "unit_name": n, "due_on": d} for u, n, d in missing]
    result["missing_count"] = result["expected"] - result["submitted"]
    return result


def reporting_part(*, campaign: Campaign, unit: Unit) -> dict:
    """An office's part of the tree: who reports to it (with counts, the plan that set it,
    moves), whom it reports to, and the units it addressed that report via another office."""
    node = line_node(campaign=campaign, unit=unit)
    if node is None:
        return {"node": None, "parent": None, "children": [], "via": [], "moves": []}
    children = list(_children(campaign, unit))
    totals = _totals(campaign, [unit.pk, *(c.unit_id for c in children if not c.leaf)])
    totals.update(_leaf_figures(campaign, [c for c in children if c.leaf], unit))
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
