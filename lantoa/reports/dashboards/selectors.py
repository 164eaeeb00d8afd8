"""Reads for the campaign dashboard (/tong-hop/): reporting over time, indicator totals by
child, activities by type, year over year. Each runs a fixed number of queries."""

from datetime import date, timedelta
from functools import reduce
from operator import or_

from django.apps import apps
from django.db.models import (
    Case,
    Count,
    DateField,
    FilteredRelation,
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
from lantoa.reports.models import BUDGET_SPONSOR, BUDGET_STATE, COUNTED_STATES, ReportValue
from lantoa.reports.selectors import expected_units
from lantoa.units.models import Unit, subtree_q

# Successor chains longer than this (a unit merged three times) are not followed.
SUCCESSION_DEPTH = 3


def reporting_timeline(*, campaign: Campaign, unit: Unit, today: date | None = None) -> dict:
    """Reports submitted per day (cumulative) by the units expected to report below ``unit``,
    from the start of the Week (or the first submission) to the last deadline."""
    today = today or timezone.localdate()
    # One grouped pass over the expected units: day = local submission day of a counted
    # report, NULL for the units still missing. (Grouped from the expected units themselves:
    # their deadline lookup refers to the outer unit row, so they cannot be a subquery.)
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
    per_day = {g["day"]: g["n"] for g in groups if g["day"] is not None}
    expected_count = sum(g["n"] for g in groups)
    if not expected_count:
        return {"expected": 0, "submitted": 0, "days": [], "last_due": None, "first_due": None}
    span = {
        "first_due": min(g["first_due"] for g in groups),
        "last_due": max(g["last_due"] for g in groups),
    }
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


def _chain_fields() -> list[str]:
    return ["__".join(["successor"] * level + ["path"]) for level in range(1, SUCCESSION_DEPTH + 1)]


def _final(chain: tuple) -> str:
    return [p for p in chain if p][-1]


def succession_q(*, unit: Unit) -> tuple[Q, list[dict]]:
    """Rows (by ``unit__path``) whose figures belong to ``unit`` across the years, and the
    merged units it inherits from.

    A figure belongs to ``unit`` when its unit lies in ``unit``'s subtree, or when the nearest
    closed unit above it (or itself) that has a successor ends, through the successor chain,
    in ``unit``'s subtree: a school under a merged district office follows the office, a ward
    of that district merged elsewhere follows its own successor. Two queries.
    """
    chain = _chain_fields()
    lands_here = reduce(or_, (subtree_q(unit.path, f) for f in chain))
    first = list(
        Unit.objects.filter(successor__isnull=False)
        .filter(lands_here)
        .exclude(subtree_q(unit.path))
        .values_list("path", *chain)
    )
    here = subtree_q(unit.path, "unit__path")
    if not first:
        return here, []
    outer = _outermost([row[0] for row in first])
    roots = sorted(
        Unit.objects.filter(successor__isnull=False)
        .filter(reduce(or_, (subtree_q(p) for p in outer)))
        .values_list("path", "id", "name", *chain)
    )
    terms: dict[str, list[str]] = {}
    inherited: list[dict] = []
    stack: list[tuple[str, bool, str | None]] = []  # (path, counts here, owning term)
    for path, pk, name, *succession in roots:
        while stack and not path.startswith(stack[-1][0]):
            stack.pop()
        context, owner = (stack[-1][1], stack[-1][2]) if stack else (False, None)
        inside = _final(tuple(succession)).startswith(unit.path)
        if inside and not context:
            owner = path
            terms[path] = []
            inherited.append({"id": pk, "name": name, "path": path})
        elif not inside and context:
            terms[owner].append(path)
            owner = None
        stack.append((path, inside, owner if inside else None))
    q = here
    for path, holes in terms.items():
        term = subtree_q(path, "unit__path")
        for hole in holes:
            term &= ~subtree_q(hole, "unit__path")
        q |= term
    return q, inherited


def _outermost(paths: list[str]) -> list[str]:
    """Drop paths lying inside another path of the list (their subtree is already covered)."""
    kept: list[str] = []
    for path in sorted(paths):
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return kept


def year_over_year(*, unit: Unit) -> dict:
    """The figures of ``unit``'s subtree in every campaign, side by side.

    Units merged into ``unit`` (or into a unit of its subtree) count under it: a successor
    shows its predecessors' earlier figures. Five queries whatever the tree.
    """
    campaigns = list(Campaign.objects.order_by("year").only("id", "year", "title"))
    rows_q, predecessors = succession_q(unit=unit)
    sums = (
        ReportValue.objects.filter(counted=True)
        .filter(rows_q)
        .values("campaign_id", "indicator_code")
        .annotate(total=Sum("value"))
        .order_by()
    )
    by_campaign: dict[int, dict[str, int]] = {}
    for row in sums:
        by_campaign.setdefault(row["campaign_id"], {})[row["indicator_code"]] = int(row["total"])
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
