"""Reads for the campaign dashboard (/tong-hop/): reporting over time, indicator totals by
child, activities by type, year over year. Each runs a fixed number of queries."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce
from operator import or_

from django.apps import apps
from django.db import connections, router
from django.db.models import (
    Case,
    Count,
    DateField,
    FilteredRelation,
    IntegerField,
    Max,
    Min,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from lantoa.campaigns.models import Campaign, Indicator
from lantoa.reports.lines.selectors import LINE_ADMIN, LINE_REPORTING, line_node
from lantoa.reports.models import (
    BUDGET_SPONSOR,
    BUDGET_STATE,
    COUNTED_STATES,
    AdminTotal,
    Report,
    ReportingNode,
    ReportValue,
)
from lantoa.reports.selectors import expected_units
from lantoa.units.models import Unit, UnitSuccession, subtree_q

# Successor chains longer than this (a unit merged three times) are not followed.
SUCCESSION_DEPTH = 3


def _timeline_groups(campaign: Campaign, unit: Unit) -> tuple[dict, dict]:
    """({local day: reports submitted}, {n, first_due, last_due}) of the units expected to
    report in ``unit``'s reporting subtree (below it): two aggregates over the subtree's
    nodes (path range) and their counted reports, whatever its size."""
    node = line_node(campaign=campaign, unit=unit)
    if node is None or not node.path:
        return {}, {"n": 0, "first_due": None, "last_due": None}
    expected = ReportingNode.objects.filter(
        campaign=campaign, expected=True, depth__gt=node.depth
    ).filter(subtree_q(node.path))
    span = expected.aggregate(n=Count("pk"), first_due=Min("due_on"), last_due=Max("due_on"))
    submitted_on = TruncDate("submitted_at", tzinfo=timezone.get_current_timezone())
    per_day = {
        row["day"]: row["n"]
        for row in Report.objects.filter(
            campaign=campaign,
            state__in=COUNTED_STATES,
            submitted_at__isnull=False,
            unit_id__in=expected.values("unit_id"),
        )
        .annotate(day=submitted_on)
        .values("day")
        .annotate(n=Count("pk"))
        .order_by()
    }
    return per_day, span


def _timeline_groups_by_admin(campaign: Campaign, unit: Unit) -> tuple[dict, dict]:
    """The same over the administrative subtree's expected units: one grouped pass, day =
    local submission day of a counted report, NULL for the units still missing."""
    submitted_on = TruncDate("report__submitted_at", tzinfo=timezone.get_current_timezone())
    groups = list(
        expected_units(campaign=campaign, unit=unit)
        .annotate(report=FilteredRelation("reports", condition=Q(reports__campaign=campaign)))
        .annotate(
            day=Case(
                When(
                    report__state__in=COUNTED_STATES,
                    report__submitted_at__isnull=False,
                    then=submitted_on,
                ),
                default=Value(None),
                output_field=DateField(),
            )
        )
        .values("day")
        .annotate(n=Count("pk"), first_due=Min("due_on"), last_due=Max("due_on"))
        .order_by()
    )
    span = {
        "n": sum(g["n"] for g in groups),
        "first_due": min((g["first_due"] for g in groups), default=None),
        "last_due": max((g["last_due"] for g in groups), default=None),
    }
    return {g["day"]: g["n"] for g in groups if g["day"] is not None}, span


def reporting_timeline(
    *, campaign: Campaign, unit: Unit, today: date | None = None, line: str = LINE_REPORTING
) -> dict:
    """Reports submitted per day (cumulative) by the units expected to report below ``unit``
    along the campaign's reporting lines (``line="admin"``: the administrative subtree),
    from the start of the Week (or the first submission) to the last deadline. Three
    queries whatever the tree."""
    today = today or timezone.localdate()
    if line == LINE_ADMIN:
        per_day, span = _timeline_groups_by_admin(campaign, unit)
    else:
        per_day, span = _timeline_groups(campaign, unit)
    expected_count = span["n"]
    if not expected_count:
        return {"expected": 0, "submitted": 0, "days": [], "last_due": None, "first_due": None}
    start = min([campaign.starts_on, *per_day])
    end = max([span["last_due"], *per_day])
    days, total = [], 0
    day = start
    while day <= end:
        total += per_day.get(day, 0)
        future = day > today
        days.append(
            {
                "day": day,
                "new": None if future else per_day.get(day, 0),
                "submitted": None if future else total,
                "rate": None if future else round(100 * total / expected_count, 1),
                "is_deadline": day == span["last_due"],
            }
        )
        day += timedelta(days=1)
    return {
        "expected": expected_count,
        "submitted": total,
        "days": days,
        "first_due": span["first_due"],
        "last_due": span["last_due"],
    }


def activities_by_type(*, campaign: Campaign, unit: Unit) -> list[dict]:
    """Activities held in ``unit``'s subtree (its own included), counted by type."""
    try:
        activity = apps.get_model("activities", "Activity")
    except LookupError:
        return []
    rows = (
        activity.objects.filter(campaign=campaign)
        .filter(subtree_q(unit.path, "unit__path"))
        .exclude(cancelled=True)
        .values("type_id", "type__name", "type__position")
        .annotate(n=Count("id"))
        .order_by("type__position", "type_id")
    )
    return [{"type_id": r["type_id"], "name": r["type__name"], "count": r["n"]} for r in rows]


@dataclass
class Succession:
    """Where the figures of ``unit``'s subtree go across the years (weights per subtree)."""

    here: Q  # rows whose unit lies in the subtree: weight 1
    terms: list[tuple[str, Decimal]]  # (path of a closed unit, weight), deepest first
    predecessors: list[dict]
    unit_ids: dict[str, int]  # path → id of every term's unit


def succession_for_unit(*, unit: Unit) -> Succession:
    """How earlier figures map to ``unit`` through the 2025 successions. One query.

    A figure counts fully when its unit lies in ``unit``'s subtree below no closed unit with
    successors (a closed ``unit`` shows its whole subtree as it was). Otherwise it follows
    the nearest closed unit above it (or itself) that has successors: a split unit's figures are
    divided among its successors by share, a unit without shares passes everything to its
    primary successor, a successor that closed again passes its part on (up to
    ``SUCCESSION_DEPTH`` steps); the part landing in ``unit``'s subtree is the weight. A
    school under a merged district office follows the office; a ward of that district merged
    elsewhere follows its own successors.
    """
    rows = UnitSuccession.objects.values_list(
        "predecessor__path",
        "predecessor_id",
        "predecessor__name",
        "predecessor__successor_id",
        "successor_id",
        "successor__path",
        "share",
    ).order_by()
    flows: dict[str, list[tuple[str, Decimal]]] = {}
    names: dict[str, tuple[int, str]] = {}
    for path, pk, name, primary_id, successor_id, successor_path, share in rows:
        names[path] = (pk, name)
        if share is None:
            share = Decimal(1) if successor_id == primary_id else Decimal(0)
        flows.setdefault(path, []).append((successor_path, share))
    step = unit.steplen

    def nearest(path: str) -> str | None:
        for end in range(len(path), 0, -step):
            if path[:end] in flows:
                return path[:end]
        return None

    memo: dict[str, Decimal] = {}

    def flow(path: str, depth: int = 0) -> Decimal:
        if path in memo:
            return memo[path]
        total = Decimal(0)
        if depth < SUCCESSION_DEPTH:
            for successor_path, share in flows[path]:
                if not share:
                    continue
                if successor_path.startswith(unit.path):
                    total += share
                elif (onward := nearest(successor_path)) is not None:
                    total += share * flow(onward, depth + 1)
        memo[path] = total
        return total

    outside = [p for p in flows if not p.startswith(unit.path)]
    landing = sorted(p for p in outside if flow(p))
    # Closed units nested in a landing one pass on their own part (maybe none): holes.
    terms = [(p, flow(p)) for p in outside if any(p.startswith(top) for top in landing)]
    if unit.valid_to is None:
        # A unit in operation: a closed unit below it passes on only the part of its
        # history that stays in the subtree (a school split with a ward elsewhere). A closed
        # unit keeps showing its own subtree's figures as they were.
        terms += [(p, flow(p)) for p in flows if p.startswith(unit.path) and p != unit.path]
    terms.sort(key=lambda term: -len(term[0]))
    predecessors = []
    for path in landing:
        if predecessors and path.startswith(predecessors[-1]["path"]):
            if flow(path) == flow(predecessors[-1]["path"]):
                continue
        pk, name = names[path]
        share = flow(path)
        predecessors.append(
            {"id": pk, "name": name, "path": path, "share": None if share == 1 else share}
        )
    return Succession(
        here=subtree_q(unit.path, "unit__path"),
        terms=terms,
        predecessors=predecessors,
        unit_ids={path: names[path][0] for path, _weight in terms},
    )


def _subtree_totals(unit_ids: dict[str, int]) -> dict[str, dict[tuple[int, str], list[int]]]:
    """{path: {(campaign id, code): [value, value rows]}} of the whole administrative subtree
    of each unit (``unit_ids``: path → id) in every campaign: its totals below
    (``AdminTotal``, shards summed) and its own counted values. One query whatever the
    subtrees' size (the ids are written into it: ints read from the database)."""
    by_id = {int(pk): path for path, pk in unit_ids.items()}
    ids = ", ".join(str(pk) for pk in sorted(by_id))
    sql = (
        "SELECT a.unit_id, a.campaign_id, a.code, SUM(a.value), SUM(a.entries) "  # noqa: S608
        f"FROM reports_admintotal a WHERE a.unit_id IN ({ids}) "
        "GROUP BY a.unit_id, a.campaign_id, a.code "
        "UNION ALL "
        "SELECT v.unit_id, v.campaign_id, v.indicator_code, SUM(v.value), COUNT(*) "
        f"FROM reports_reportvalue v WHERE v.unit_id IN ({ids}) AND v.counted = %s "
        "GROUP BY v.unit_id, v.campaign_id, v.indicator_code"
    )
    totals: dict[str, dict[tuple[int, str], list[int]]] = {path: {} for path in unit_ids}
    with connections[router.db_for_read(AdminTotal)].cursor() as cursor:
        cursor.execute(sql, [True])
        for unit_id, campaign_id, code, value, entries in cursor.fetchall():
            cell = totals[by_id[unit_id]].setdefault((campaign_id, code), [0, 0])
            cell[0] += int(value)
            cell[1] += int(entries)
    return totals


def _outermost(paths: list[str]) -> list[str]:
    """The paths not nested in another of ``paths``."""
    kept: list[str] = []
    for path in sorted(paths, key=len):
        if not any(path.startswith(top) for top in kept):
            kept.append(path)
    return kept


def year_over_year(*, unit: Unit) -> dict:
    """The figures of ``unit``'s subtree in every campaign, side by side.

    Units merged into ``unit`` (or into a unit of its subtree) count under it: a successor
    shows its predecessors' earlier figures, a split unit's by share (see
    ``succession_for_unit``). Read from the administrative subtree totals: a value row
    counts with the weight of the deepest term above it (``here`` = the unit's subtree,
    after every term), so a term's part is its subtree total less the totals of the terms
    directly nested in it (inclusion–exclusion; ``here`` has no part when a term holds it).
    The same figures as ``year_over_year_raw``, rounding included. Four queries whatever
    the tree."""
    campaigns = list(Campaign.objects.order_by("year").only("id", "year", "title"))
    succession = succession_for_unit(unit=unit)
    term_paths = [path for path, _weight in succession.terms]
    totals = _subtree_totals({**succession.unit_ids, unit.path: unit.pk})
    parts = [(path, weight, path) for path, weight in succession.terms]
    if not any(unit.path.startswith(path) for path in term_paths):
        parts.append((unit.path, Decimal(1), None))
    exact: dict[int, dict[str, Decimal]] = {}
    for path, weight, itself in parts:
        if not weight:
            continue  # a hole: a unit whose figures went to successors elsewhere
        part = {key: list(cell) for key, cell in totals[path].items()}
        inner = [p for p in term_paths if p != itself and p.startswith(path)]
        for nested in _outermost(inner):
            for key, (value, entries) in totals[nested].items():
                cell = part.setdefault(key, [0, 0])
                cell[0] -= value
                cell[1] -= entries
        for (campaign_id, code), (value, entries) in part.items():
            if entries:
                codes = exact.setdefault(campaign_id, {})
                codes[code] = codes.get(code, Decimal(0)) + value * weight
    return _year_over_year_table(campaigns, exact, succession.predecessors)


def year_over_year_raw(*, unit: Unit) -> dict:
    """``year_over_year`` summed from the raw values (every counted value of the subtree and
    the terms, in every campaign, weighted by CASE): the checker of the tests and the
    benchmark's floor."""
    campaigns = list(Campaign.objects.order_by("year").only("id", "year", "title"))
    succession = succession_for_unit(unit=unit)
    weights = [Decimal(1)] + [weight for _path, weight in succession.terms]
    whens = [
        When(subtree_q(path, "unit__path"), then=Value(i))
        for i, (path, _weight) in enumerate(succession.terms, start=1)
    ] + [When(succession.here, then=Value(0))]
    rows_q = reduce(
        or_,
        [subtree_q(path, "unit__path") for path, weight in succession.terms if weight],
        succession.here,
    )
    sums = (
        ReportValue.objects.filter(counted=True)
        .filter(rows_q)
        .annotate(term=Case(*whens, default=Value(0), output_field=IntegerField()))
        .values("campaign_id", "indicator_code", "term")
        .annotate(total=Sum("value"))
        .order_by()
    )
    exact: dict[int, dict[str, Decimal]] = {}
    for row in sums:
        if not weights[row["term"]]:
            continue  # a hole: a unit whose figures went to successors elsewhere
        codes = exact.setdefault(row["campaign_id"], {})
        part = row["total"] * weights[row["term"]]
        codes[row["indicator_code"]] = codes.get(row["indicator_code"], Decimal(0)) + part
    return _year_over_year_table(campaigns, exact, succession.predecessors)


def _year_over_year_table(campaigns: list, exact: dict, predecessors: list) -> dict:
    """The rows of the table (one per code, a value per campaign) and its predecessors."""
    # Shares make fractions of people and đồng: shown rounded to the nearest whole one.
    by_campaign = {
        campaign: {
            code: int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
            for code, value in codes.items()
        }
        for campaign, codes in exact.items()
    }
    # Indicator sets may differ between years: the latest name of each code wins.
    names: dict[str, tuple[str, str]] = {}
    for code, name, measure in (
        Indicator.objects.filter(campaign__in=[c.pk for c in campaigns])
        .order_by("-campaign__year", "position", "id")
        .values_list("code", "name", "unit_of_measure")
    ):
        names.setdefault(code, (name, measure))
    names.setdefault(BUDGET_STATE, (_("Kinh phí ngân sách nhà nước"), "vnd"))
    names.setdefault(BUDGET_SPONSOR, (_("Kinh phí xã hội hóa"), "vnd"))
    rows = [
        {
            "code": code,
            "name": name,
            "unit_of_measure": measure,
            "values": [by_campaign.get(c.pk, {}).get(code) for c in campaigns],
        }
        for code, (name, measure) in names.items()
        if any(code in by_campaign.get(c.pk, {}) for c in campaigns)
    ]
    return {"campaigns": campaigns, "rows": rows, "predecessors": predecessors}
