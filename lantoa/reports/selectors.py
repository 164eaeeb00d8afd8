"""Reads: who must report by when, completeness, the live roll-up, access-checked getters.

Each function runs a fixed number of queries whatever the size of the subtree:
the deadline a unit answers to is resolved inside SQL (a correlated lookup of
its ancestors' paths, which are prefixes of its own), and counts and sums are
aggregates grouped by the child prefix of the materialised path.
"""

from datetime import date

from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    FilteredRelation,
    JSONField,
    Max,
    Min,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Substr

from lantoa.accounts.selectors import scope_q
from lantoa.campaigns.models import Campaign, Indicator, ReportingDeadline
from lantoa.campaigns.selectors import campaign_get
from lantoa.core import prepared
from lantoa.core.errors import NotFound
from lantoa.core.uploads import Download
from lantoa.reports.models import (
    BUDGET_CODES,
    COUNTED_STATES,
    Evidence,
    Report,
    ReportingNode,
    ReportState,
    ReportValue,
    ReportVersion,
)
from lantoa.units.models import Unit, subtree_q

STEP = Unit.steplen
_EARLIEST = date(1, 1, 1)
_LATEST = date(9999, 12, 31)


# --- deadlines and expected units ---------------------------------------------------------


def _kind_applies(kinds: list, kind: str) -> bool:
    return not kinds or kind in kinds


def deadline_for_unit(*, campaign: Campaign, unit: Unit) -> date | None:
    """The due date set by the nearest ancestor whose deadline covers ``unit``'s kind."""
    rows = (
        ReportingDeadline.objects.filter(campaign=campaign, unit__path__in=unit.ancestor_paths())
        .order_by("-unit__depth")
        .values_list("due_on", "kinds")
    )
    for due_on, kinds in rows:
        if _kind_applies(kinds, unit.kind):
            return due_on
    return None


def _max_depth_below(unit: Unit) -> int:
    return Unit.objects.filter(subtree_q(unit.path)).aggregate(m=Max("depth"))["m"] or unit.depth


def _governing_due_on(campaign: Campaign, max_depth: int) -> RawSQL:
    """Due date of the nearest ancestor deadline that covers the outer unit's kind.

    A correlated lookup written as SQL (it runs once per unit of the subtree, and
    composing it through the ORM cost more than running it): the ancestors of a
    unit are the prefixes of its path, so each candidate is one probe of the path
    index, then one of the (campaign, unit) index on the deadlines. (Written as
    ``path IN (…)`` from the units side: with ``OR``ed equalities PostgreSQL chose
    to scan the campaign's deadlines once per unit.)
    """
    ancestors = ", ".join(
        f"SUBSTR(units_unit.path, 1, {level * STEP})" for level in range(1, max_depth)
    )
    kinds = "d.kinds::text" if connection.vendor == "postgresql" else "CAST(d.kinds AS TEXT)"
    sql = (
        "SELECT d.due_on FROM units_unit du "  # noqa: S608 — ints only
        "JOIN campaigns_reportingdeadline d ON d.unit_id = du.id AND d.campaign_id = %s "
        f"WHERE du.path IN ({ancestors or 'NULL'}) "
        "AND du.depth < units_unit.depth "
        f"AND ({kinds} = '[]' OR {kinds} LIKE '%%\"' || units_unit.kind || '\"%%') "
        "ORDER BY du.depth DESC LIMIT 1"
    )
    return RawSQL(sql, [campaign.pk], output_field=DateField())  # noqa: S611 — no user input


def expected_units(*, campaign: Campaign, unit: Unit):
    """Units below ``unit`` that must report, annotated with ``due_on``.

    A unit is expected when a deadline above it covers its kind and it exists on
    that date (a unit closed or merged before its deadline is not expected, so a
    reporting rate can never exceed 100 %).
    """
    max_depth = _max_depth_below(unit)
    return (
        Unit.objects.filter(subtree_q(unit.path))
        .filter(depth__gt=unit.depth)
        .annotate(due_on=_governing_due_on(campaign, max_depth))
        .filter(
            due_on__range=(
                Coalesce("valid_from", Value(_EARLIEST)),
                Coalesce("valid_to", Value(_LATEST)),
            )
        )
    )


def _with_report(qs, campaign: Campaign):
    return qs.annotate(report=FilteredRelation("reports", condition=Q(reports__campaign=campaign)))


_COUNTED = Q(report__state__in=COUNTED_STATES)
_COUNTS = {
    "expected": Count("pk"),
    "submitted": Count("pk", filter=_COUNTED),
    "on_time": Count("pk", filter=_COUNTED & Q(report__on_time=True)),
    "accepted": Count("pk", filter=Q(report__state=ReportState.ACCEPTED)),
}


def completeness_for_unit(*, campaign: Campaign, unit: Unit) -> dict:
    """Expected / submitted / on time / accepted below ``unit``, and who is missing.

    One aggregate: grouped so that every unit that has reported falls into one
    group (key 0) and every missing unit is a group of its own (key = its id),
    which gives the counts and the missing list in a single pass.
    """
    groups = (
        _with_report(expected_units(campaign=campaign, unit=unit), campaign)
        .annotate(
            group_key=Case(
                When(_COUNTED, then=Value(0)), default=F("pk"), output_field=BigIntegerField()
            )
        )
        .values("group_key")
        .annotate(
            n=Count("pk"),
            on_time=Count("pk", filter=Q(report__on_time=True)),
            accepted=Count("pk", filter=Q(report__state=ReportState.ACCEPTED)),
            first_path=Min("path"),
            unit_name=Min("name"),
            due=Min("due_on"),
        )
        .order_by("first_path")
    )
    result = {"expected": 0, "submitted": 0, "on_time": 0, "accepted": 0, "missing": []}
    for g in groups:
        result["expected"] += g["n"]
        if g["group_key"] == 0:
            result["submitted"] = g["n"]
            result["on_time"] = g["on_time"]
            result["accepted"] = g["accepted"]
        else:
            result["missing"].append(
                {"unit_id": g["group_key"], "unit_name": g["unit_name"], "due_on": g["due"]}
            )
    return result


MISSING_PAGE_MAX = 1000


def page_bounds(count: int, *, page, page_size) -> tuple[int, int, int]:
    """(page, page size, first index) of a page of ``count`` missing units: the size within
    1..MISSING_PAGE_MAX, the page within the existing ones."""
    page_size = max(1, min(int(page_size), MISSING_PAGE_MAX))
    last = max(1, -(-count // page_size))
    page = max(1, min(int(page), last))
    return page, page_size, (page - 1) * page_size


def missing_page(completeness: dict, *, page: int = 1, page_size: int = 200) -> dict:
    """``completeness`` with ``missing`` cut to one page (a national office has thousands of
    missing communes at first); ``missing_count`` keeps the total."""
    missing = completeness["missing"]
    page, page_size, start = page_bounds(len(missing), page=page, page_size=page_size)
    return {
        **completeness,
        "missing": missing[start : start + page_size],
        "missing_count": len(missing),
        "page": page,
        "page_size": page_size,
    }


def _child_prefix(unit: Unit, field: str = "path"):
    return Substr(field, 1, unit.depth * STEP + STEP, output_field=CharField())


def rollup_for_unit(*, campaign: Campaign, unit: Unit) -> dict:
    """Consolidated figures of ``unit``'s subtree: one row per child (its whole subtree),
    totals = the unit's own report + all children. Only submitted and accepted reports count."""
    sums = (
        ReportValue.objects.filter(campaign=campaign, counted=True)
        .filter(subtree_q(unit.path, "unit__path"))
        .annotate(prefix=_child_prefix(unit, "unit__path"))
        .values("prefix", "indicator_code")
        .annotate(total=Sum("value"))
        .order_by()
    )
    per_prefix: dict[str, dict[str, int]] = {}
    totals: dict[str, int] = {}
    for row in sums:
        code, total = row["indicator_code"], int(row["total"])
        per_prefix.setdefault(row["prefix"], {})[code] = total
        totals[code] = totals.get(code, 0) + total

    status = (
        _with_report(expected_units(campaign=campaign, unit=unit), campaign)
        .annotate(prefix=_child_prefix(unit))
        .values("prefix")
        .annotate(**{k: v for k, v in _COUNTS.items() if k != "accepted"})
        .order_by()
    )
    per_status = {row["prefix"]: row for row in status}

    children = Unit.objects.filter(subtree_q(unit.path), depth=unit.depth + 1).only(
        "id", "name", "code", "path", "kind", "valid_from", "valid_to"
    )
    rows = []
    for child in children:
        seen = child.path in per_prefix or child.path in per_status
        if not seen and not child.is_active_on(campaign.starts_on):
            continue
        st = per_status.get(child.path, {})
        rows.append(
            {
                "unit_id": child.pk,
                "unit_name": child.name,
                "unit_code": child.code,
                "unit_path": child.path,
                "values": per_prefix.get(child.path, {}),
                "expected": st.get("expected", 0),
                "submitted": st.get("submitted", 0),
                "on_time": st.get("on_time", 0),
            }
        )
    return {
        "unit_id": unit.pk,
        "own": per_prefix.get(unit.path, {}),
        "totals": totals,
        "rows": rows,
    }


# --- access-checked getters -----------------------------------------------------------------


def report_unit_get_for_user(user, campaign: Campaign, unit_id) -> Unit:
    """A unit whose reports (and consolidation) the user may see in ``campaign``: in the
    administrative scope or in the reporting line of a unit of it; otherwise NotFound."""
    from lantoa.reports.lines.selectors import line_node
    from lantoa.reports.permissions import can_see_unit_reports

    try:
        unit = Unit.objects.annotate(line_ready=_node_exists(campaign.pk, OuterRef("pk"))).get(
            pk=int(unit_id)
        )
    except (Unit.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound
    if not unit.line_ready:
        line_node(campaign=campaign, unit=unit)  # the tree exists before scope is decided
    if not can_see_unit_reports(user, campaign=campaign, unit=unit):
        raise NotFound
    return unit


def _node_exists(campaign_id, unit_id) -> Exists:
    return Exists(ReportingNode.objects.filter(campaign_id=campaign_id, unit_id=unit_id))


# The report's evidence and tree node, as SQL (composing them as Exists() cost more CPU
# than running them, on the API's hottest query).
_HAS_EVIDENCE = "EXISTS (SELECT 1 FROM reports_evidence e WHERE e.report_id = reports_report.id)"
_LINE_READY = (
    "EXISTS (SELECT 1 FROM reports_reportingnode n WHERE n.campaign_id = "
    "reports_report.campaign_id AND n.unit_id = reports_report.unit_id)"
)


def _stored_values_sql() -> RawSQL:
    """The report's value rows as one JSON object {code: value} (budgets included)."""
    if connection.vendor == "postgresql":
        agg, empty = "jsonb_object_agg(v.indicator_code, v.value)", "'{}'::jsonb"
    else:
        agg, empty = "json_group_object(v.indicator_code, v.value)", "'{}'"
    return RawSQL(  # noqa: S611 — no user input
        f"SELECT COALESCE({agg}, {empty}) FROM reports_reportvalue v "  # noqa: S608
        "WHERE v.report_id = reports_report.id",
        [],
        output_field=JSONField(),
    )


@prepared.compiled
def _report_read_query(campaign_id: int, unit_id: int):
    return (
        Report.objects.select_related("campaign", "unit")
        .filter(campaign_id=campaign_id, unit_id=unit_id)
        .annotate(
            stored_values=_stored_values_sql(),
            has_evidence=RawSQL(_HAS_EVIDENCE, [], output_field=BooleanField()),  # noqa: S611
            line_ready=RawSQL(_LINE_READY, [], output_field=BooleanField()),  # noqa: S611
        )
        .order_by()[:1]
    )


def _report_read(campaign_id: int, unit_id: int) -> Report | None:
    """The report with its campaign, unit, stored values, whether it has evidence and
    whether the campaign's reporting tree has its node: one query (compiled once and
    prepared, ``prepared.compiled``)."""
    return next(iter(_report_read_query(campaign_id, unit_id)), None)


def report_get_for_user(user, campaign_id, unit_id) -> Report:
    """The report of a unit in the user's scope (administrative or along the campaign's
    reporting lines); an unsaved empty draft (version 0) if none yet.

    A saved report comes in one query with its campaign, unit and stored values
    (``stored_values``, read by ``report_values``) and ``has_evidence``; the scope is then
    decided on the user's memberships (and, outside them, along the reporting line).
    """
    from lantoa.reports.lines.selectors import line_node
    from lantoa.reports.permissions import can_see_unit_reports

    try:
        report = _report_read(int(campaign_id), int(unit_id))
    except (ValueError, TypeError, OverflowError):
        raise NotFound
    if report is None:
        return _report_new(user, int(campaign_id), int(unit_id))
    if not report.line_ready:
        line_node(campaign=report.campaign, unit=report.unit)
    if not can_see_unit_reports(user, campaign=report.campaign, unit=report.unit):
        raise NotFound
    return report


@prepared.compiled
def _node_read_query(campaign_id: int, unit_id: int):
    return (
        ReportingNode.objects.select_related("campaign", "unit")
        .filter(campaign_id=campaign_id, unit_id=unit_id)
        .order_by()[:1]
    )


def _report_new(user, campaign_id: int, unit_id: int) -> Report:
    """The unsaved draft of a unit that has no report yet; its campaign and unit come with
    the unit's node of the reporting tree in one query (without a node: one by one)."""
    from lantoa.reports.permissions import can_see_unit_reports

    node = next(iter(_node_read_query(campaign_id, unit_id)), None)
    if node is None:
        campaign = campaign_get(campaign_id)
        unit = report_unit_get_for_user(user, campaign, unit_id)
    else:
        campaign, unit = node.campaign, node.unit
        if not can_see_unit_reports(user, campaign=campaign, unit=unit):
            raise NotFound
    return Report(campaign=campaign, unit=unit, state=ReportState.DRAFT, version=0)


def report_stored_values(report: Report) -> dict[str, int]:
    """{code: value} of every stored value row (budgets included); ``{}`` before the first
    save. Read with the report by ``report_get_for_user`` (no query), else one query."""
    if report.pk is None:
        return {}
    stored = getattr(report, "stored_values", None)
    if stored is None:
        stored = dict(
            ReportValue.objects.filter(report=report)
            .order_by()
            .values_list("indicator_code", "value")
        )
        report.stored_values = stored
    return stored


def report_values(report: Report) -> dict[str, int]:
    """The indicator values of the report (budgets left out), by code."""
    stored = report_stored_values(report)
    return {code: stored[code] for code in sorted(stored) if code not in BUDGET_CODES}


def reports_list(
    *, user, campaign: Campaign, unit: Unit | None = None, state: str = "", line: str = "admin"
):
    """Reports in the user's scope (optionally of ``unit``'s subtree), with their unit.

    ``line="reporting"`` with a ``unit`` (already checked with ``report_unit_get_for_user``):
    the reports of the units below it in the campaign's reporting tree."""
    from lantoa.reports.lines.selectors import LINE_REPORTING, line_subtree_unit_ids

    qs = Report.objects.filter(campaign=campaign).select_related("unit").order_by("unit__path")
    if unit is not None and line == LINE_REPORTING:
        qs = qs.filter(
            Q(unit_id__in=line_subtree_unit_ids(campaign=campaign, unit=unit)) | Q(unit=unit)
        )
    else:
        qs = qs.filter(scope_q(user, "unit__path"))
    if unit is not None and line != LINE_REPORTING:
        qs = qs.filter(subtree_q(unit.path, "unit__path"))
    if state:
        qs = qs.filter(state=state)
    return qs


def reports_awaiting_review(*, user, campaign: Campaign, unit: Unit, node=None):
    """Submitted reports of the units below ``unit``: its reporting subtree in the campaign
    (a Sở GDĐT reviews its province's units) and its administrative subtree within the
    user's scope. ``node``: ``unit``'s reporting node when the caller holds it."""
    from lantoa.reports.lines.selectors import line_subtree_unit_ids

    below = Q(unit_id__in=line_subtree_unit_ids(campaign=campaign, unit=unit, node=node)) | (
        scope_q(user, "unit__path") & subtree_q(unit.path, "unit__path")
    )
    return (
        Report.objects.filter(campaign=campaign, state=ReportState.SUBMITTED)
        .filter(below)
        .exclude(unit=unit)
        .select_related("unit")
    )


def report_versions(report: Report):
    return ReportVersion.objects.filter(report=report).select_related("actor").order_by("-version")


def report_version_get(report: Report, version: int) -> ReportVersion:
    try:
        return ReportVersion.objects.get(report=report, version=int(version))
    except (ReportVersion.DoesNotExist, ValueError, TypeError):
        raise NotFound


def evidence_for_report(report: Report) -> list[Evidence]:
    """The report's evidence, oldest first; no query when the report was read knowing it
    has none (``has_evidence``), not even one compiled to find that out."""
    if report.pk is None or getattr(report, "has_evidence", True) is False:
        return []
    return list(Evidence.objects.filter(report=report).order_by("created_at", "id"))


def evidence_download(user, evidence_id) -> Download:
    """The stored file of a report's evidence, for ``core:download`` (NotFound out of scope)."""
    evidence = evidence_get_for_user(user, evidence_id)
    if not evidence.file:
        raise NotFound
    return Download(
        name=evidence.file.name,
        content_type=evidence.content_type,
        inline=evidence.kind == "photo",
    )


def evidence_get_for_user(user, evidence_id) -> Evidence:
    try:
        return (
            Evidence.objects.select_related("report__unit", "report__campaign")
            .filter(scope_q(user, "report__unit__path"))
            .get(pk=int(evidence_id))
        )
    except (Evidence.DoesNotExist, ValueError, TypeError):
        raise NotFound


def indicators_for(campaign: Campaign) -> list[Indicator]:
    return list(Indicator.objects.filter(campaign=campaign).order_by("position", "id"))


def highlights_for_unit(
    *, campaign: Campaign, unit: Unit, line: str = "admin"
) -> dict[str, list[dict]]:
    """The "results", "difficulties" and "proposals" of the submitted or accepted reports
    below ``unit`` (children and deeper, in tree order), each with its unit's name;
    ``line="reporting"``: below it in the campaign's reporting tree."""
    from lantoa.reports.lines.selectors import LINE_REPORTING, line_subtree_unit_ids

    keys = ("ket_qua", "kho_khan", "de_xuat")
    below = (
        Q(unit_id__in=line_subtree_unit_ids(campaign=campaign, unit=unit))
        if line == LINE_REPORTING
        else Q(subtree_q(unit.path, "unit__path"), unit__depth__gt=unit.depth)
    )
    reports = (
        Report.objects.filter(campaign=campaign, state__in=COUNTED_STATES)
        .filter(below)
        .select_related("unit")
        .order_by("unit__path")
        .only("sections", "unit__name", "unit__path", "unit__depth")
    )
    gathered: dict[str, list[dict]] = {k: [] for k in keys}
    for report in reports:
        for key in keys:
            text = (report.sections or {}).get(key, "").strip()
            if text:
                gathered[key].append(
                    {"unit_id": report.unit_id, "unit_name": report.unit.name, "text": text}
                )
    return gathered
