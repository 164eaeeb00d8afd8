# ruff: noqa: S608 — table names are our constants; every value is a bound parameter
"""Incremental update of a campaign's reporting tree: only the part a change touches.

An issued plan (its recipients, and the area its deadline governs), an office moving a
unit of its part, or an administrative move (the moved unit's subtree) name the units
whose reporting parent, deadline or claim may change (the *touched* units). For those
only, the same rules as the full build (``services.reporting_tree_build``) are evaluated
into a scratch table; the nodes whose attributes differ are the *changed* ones. The
*dirty* nodes are the changed ones, their reporting subtrees (their paths follow) and
the old, new and administrative parents (their ``leaf`` flag may flip).

Totals: a node's total is the sum of its subtree's own contributions (itself included
unless it is a leaf). Only dirty nodes change their chain of ancestors, their ``leaf``
or ``expected`` flags, so the new totals are the old ones plus, for every dirty node,
its new contribution minus its old one: two path-prefix aggregates restricted to the
dirty nodes, before and after, added to the ancestors in one upsert.

Concurrency: a per-campaign advisory lock (``services.campaign_tree_lock``, PostgreSQL; the
full build takes it too), so two plans issued at once update the tree one after the other;
the reports of the dirty nodes are locked as well, so a submission in flight either lands
before the "before" aggregate (on the old ancestors, then moved with the rest) or waits
and reads the new path.

The full build stays the reference: tests check that the incremental tree and totals
equal a full rebuild's, and ``rollup_check`` agrees. One known difference: a claim or
move dropped earlier because it closed a cycle is only re-tried when its unit is touched
again (the full build re-tries every claim).
"""

from collections import defaultdict

from django.db import connection, transaction
from django.db.models.expressions import RawSQL

from lantoa.campaigns.models import Campaign
from lantoa.reports.lines import services as s
from lantoa.reports.models import ReportingNode
from lantoa.units.models import Unit

TOUCH = "lantoa_line_touch"
DIRTY = "lantoa_line_dirty"
# Beyond this share of the campaign's nodes, the full build is cheaper.
FULL_SHARE = 0.5
ATTRS = (
    "admin_parent_id",
    "parent_unit_id",
    "due_on",
    "claimed_by_id",
    "contested_by_id",
    "moved",
)


def _scratch(cur) -> None:
    """Per-connection scratch tables (emptied for each update)."""
    cur.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {TOUCH} (campaign_id BIGINT, unit_id BIGINT PRIMARY KEY, "
        "admin_parent_id BIGINT, parent_unit_id BIGINT, due_on DATE, claimed_by_id BIGINT, "
        "contested_by_id BIGINT, moved BOOLEAN)"
    )
    cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {DIRTY} (unit_id BIGINT PRIMARY KEY)")
    cur.execute(f"DELETE FROM {TOUCH}")
    cur.execute(f"DELETE FROM {DIRTY}")


def _under(node: str, top: str) -> str:
    """SQL: ``node``'s path lies in ``top``'s reporting subtree (an index range on both)."""
    if connection.vendor == "postgresql":
        return f"({node}.path ~>=~ {top}.path AND {node}.path ~<~ ({top}.path || ':'))"
    return f"({node}.path >= {top}.path AND {node}.path < ({top}.path || ':'))"


def _touch(cur, campaign: Campaign, units_sql: str, params: list) -> int:
    """Evaluate the full build's rules for the units ``units_sql`` selects (ids) into TOUCH;
    returns how many units that is."""
    units = Unit.objects.filter(id__in=RawSQL(units_sql, params))  # noqa: S611 — our own SQL
    sql, qparams = s.unit_rows_sql(campaign, units)
    cur.execute(
        f"INSERT INTO {TOUCH} (campaign_id, unit_id, admin_parent_id, parent_unit_id, due_on, "
        "moved) "
        f"SELECT %s, q.id, q.admin_parent_id, q.admin_parent_id, q.due, %s FROM ({sql}) q",
        [campaign.pk, False, *qparams],
    )
    only = f"r.unit_id IN (SELECT unit_id FROM {TOUCH})"
    s._apply_claims(cur, campaign, table=TOUCH, only=only)
    s._apply_moves(cur, campaign, table=TOUCH)
    cur.execute(f"SELECT COUNT(*) FROM {TOUCH}")
    return cur.fetchone()[0]


def _add_missing_nodes(cur, campaign: Campaign) -> None:
    """Units of the campaign created after its tree was built get a node (unreached yet)."""
    cur.execute(
        f"INSERT INTO {s.NODE} (campaign_id, unit_id, admin_parent_id, parent_unit_id, due_on, "
        "path, depth, moved, expected, leaf) "
        f"SELECT t.campaign_id, t.unit_id, NULL, NULL, NULL, '', 0, %s, %s, %s FROM {TOUCH} t "
        f"WHERE NOT EXISTS (SELECT 1 FROM {s.NODE} n WHERE n.campaign_id = %s "
        "AND n.unit_id = t.unit_id)",
        [False, False, True, campaign.pk],
    )


def _distinct(a: str, b: str) -> str:
    """SQL: ``a`` and ``b`` differ, NULLs compared as values."""
    if connection.vendor == "postgresql":
        return f"{a} IS DISTINCT FROM {b}"
    return f"{a} IS NOT {b}"


def _differs() -> str:
    return " OR ".join(_distinct(f"n.{a}", f"t.{a}") for a in ATTRS) + " OR n.path = ''"


def _mark_dirty(cur, campaign: Campaign) -> int:
    """DIRTY := changed nodes, their reporting subtrees, and every parent involved."""
    moved = (
        f"SELECT n.unit_id, n.path FROM {s.NODE} n JOIN {TOUCH} t ON t.unit_id = n.unit_id "
        f"WHERE n.campaign_id = %s AND ({_distinct('n.parent_unit_id', 't.parent_unit_id')} "
        "OR n.path = '')"
    )
    cur.execute(
        f"INSERT INTO {DIRTY} (unit_id) "
        f"SELECT n.unit_id FROM {s.NODE} n JOIN {TOUCH} t ON t.unit_id = n.unit_id "
        f"WHERE n.campaign_id = %s AND ({_differs()}) "
        "UNION "
        f"SELECT d.unit_id FROM ({moved}) m JOIN {s.NODE} d ON d.campaign_id = %s "
        f"AND m.path <> '' AND {_under('d', 'm')}",
        [campaign.pk, campaign.pk, campaign.pk],
    )
    # Parents old, new and administrative: a node gaining or losing its last child flips
    # ``leaf`` (and so whether its own report counts in its total rows).
    cur.execute(
        f"INSERT INTO {DIRTY} (unit_id) SELECT x.id FROM ("
        f"SELECT n.parent_unit_id AS id FROM {s.NODE} n WHERE n.campaign_id = %s "
        f"AND n.unit_id IN (SELECT unit_id FROM {DIRTY}) "
        f"UNION SELECT n.admin_parent_id FROM {s.NODE} n WHERE n.campaign_id = %s "
        f"AND n.unit_id IN (SELECT unit_id FROM {DIRTY}) "
        f"UNION SELECT t.parent_unit_id FROM {TOUCH} t "
        f"UNION SELECT t.admin_parent_id FROM {TOUCH} t) x "
        f"WHERE x.id IS NOT NULL AND x.id NOT IN (SELECT unit_id FROM {DIRTY})",
        [campaign.pk, campaign.pk],
    )
    if connection.vendor == "postgresql":
        cur.execute(f"ANALYZE {DIRTY}")  # a fresh temporary table has no statistics
    cur.execute(f"SELECT COUNT(*) FROM {DIRTY}")
    return cur.fetchone()[0]


def _lock_reports(cur, campaign: Campaign) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite serialises writers
    cur.execute(
        "SELECT id FROM reports_report WHERE campaign_id = %s "
        f"AND unit_id IN (SELECT unit_id FROM {DIRTY}) ORDER BY id FOR UPDATE",
        [campaign.pk],
    )


def _dirty_contributions(cur, campaign: Campaign) -> dict[tuple[int, str], int]:
    only = f"n.unit_id IN (SELECT unit_id FROM {DIRTY})"
    sql, _params = s._contributions_sql(s._max_depth(cur, campaign), only=only)
    cur.execute(
        f"SELECT x.anc, x.code, SUM(x.v) FROM ({sql}) x GROUP BY x.anc, x.code",
        [campaign.pk, True, campaign.pk, True, True, campaign.pk, True],
    )
    return {(row[0], row[1]): int(row[2]) for row in cur.fetchall()}


def _apply_touched(cur, campaign: Campaign) -> None:
    sets = ", ".join(
        f"{a} = (SELECT t.{a} FROM {TOUCH} t WHERE t.unit_id = {s.NODE}.unit_id)" for a in ATTRS
    )
    cur.execute(
        f"UPDATE {s.NODE} SET {sets} WHERE campaign_id = %s "
        f"AND unit_id IN (SELECT unit_id FROM {TOUCH})",
        [campaign.pk],
    )


def _dirty_paths(cur, campaign: Campaign) -> int:
    """Paths and depths of the dirty nodes from their parents'; returns the unreached count."""
    only = f"unit_id IN (SELECT unit_id FROM {DIRTY})"
    cur.execute(
        f"UPDATE {s.NODE} SET path = '', depth = 0 WHERE campaign_id = %s AND {only}",
        [campaign.pk],
    )
    cur.execute(
        "WITH RECURSIVE t(id, unit_id, path, depth) AS ("
        f"SELECT n.id, n.unit_id, COALESCE(p.path, '') || {s._key('n.unit_id')}, "
        f"COALESCE(p.depth, 0) + 1 FROM {s.NODE} n LEFT JOIN {s.NODE} p "
        "ON p.campaign_id = n.campaign_id AND p.unit_id = n.parent_unit_id "
        f"WHERE n.campaign_id = %s AND n.{only} "
        "AND (n.parent_unit_id IS NULL OR p.path <> '') "
        "UNION ALL "
        f"SELECT n.id, n.unit_id, t.path || {s._key('n.unit_id')}, t.depth + 1 FROM {s.NODE} n "
        f"JOIN t ON n.parent_unit_id = t.unit_id WHERE n.campaign_id = %s AND n.{only}) "
        f"UPDATE {s.NODE} SET path = t.path, depth = t.depth FROM t WHERE {s.NODE}.id = t.id",
        [campaign.pk, campaign.pk],
    )
    cur.execute(
        f"SELECT COUNT(*) FROM {s.NODE} WHERE campaign_id = %s AND path = '' AND {only}",
        [campaign.pk],
    )
    return cur.fetchone()[0]


def _dirty_flags(cur, campaign: Campaign) -> None:
    only = f"unit_id IN (SELECT unit_id FROM {DIRTY})"
    s._set_leaves(cur, campaign, only=only)
    s._set_expected(cur, campaign, only=only)


def _apply_delta(cur, campaign: Campaign, before: dict, after: dict) -> None:
    delta: dict[tuple[int, str], int] = defaultdict(int)
    for key, value in after.items():
        delta[key] += value
    for key, value in before.items():
        delta[key] -= value
    s._upsert([(campaign.pk, anc, 0, code, v) for (anc, code), v in delta.items() if v])


@transaction.atomic
def reporting_tree_update(*, campaign: Campaign, units_sql: str, params: list) -> int:
    """Bring ``campaign``'s tree up to date for the units ``units_sql`` selects (their ids);
    returns the number of dirty nodes (0: nothing changed). A closed campaign never changes."""
    campaign = s.campaign_tree_lock(campaign)
    if campaign.is_closed or not ReportingNode.objects.filter(campaign=campaign).exists():
        return 0
    with connection.cursor() as cur:
        _scratch(cur)
        touched = _touch(cur, campaign, units_sql, params)
        if not touched:
            return 0
        if touched > FULL_SHARE * ReportingNode.objects.filter(campaign=campaign).count():
            return s.reporting_tree_build(campaign=campaign)
        _add_missing_nodes(cur, campaign)
        if not _mark_dirty(cur, campaign):
            return 0
        _lock_reports(cur, campaign)
        before = _dirty_contributions(cur, campaign)
        _apply_touched(cur, campaign)
        if _dirty_paths(cur, campaign):
            # As the full build: a claim or move closing a cycle is dropped.
            cur.execute(
                f"UPDATE {s.NODE} SET parent_unit_id = admin_parent_id, claimed_by_id = NULL, "
                "moved = %s WHERE campaign_id = %s AND path = '' "
                f"AND unit_id IN (SELECT unit_id FROM {DIRTY})",
                [False, campaign.pk],
            )
            _dirty_paths(cur, campaign)
        _dirty_flags(cur, campaign)
        after = _dirty_contributions(cur, campaign)
        _apply_delta(cur, campaign, before, after)
        cur.execute(f"SELECT COUNT(*) FROM {DIRTY}")
        return cur.fetchone()[0]


def open_campaigns_update(*, units_sql: str, params: list) -> None:
    """Every open campaign with a tree, for the same touched units (a campaign without a
    tree is skipped by ``reporting_tree_update``; open campaigns are few)."""
    for campaign in Campaign.objects.filter(closed_on__isnull=True).order_by("pk"):
        reporting_tree_update(campaign=campaign, units_sql=units_sql, params=params)


def _range(node: str, top: str) -> str:
    """SQL: unit ``node`` lies in ``top``'s administrative subtree (an index range)."""
    if connection.vendor == "postgresql":
        return f"({node}.path ~>=~ {top}.path AND {node}.path ~<~ ({top}.path || '~'))"
    return f"({node}.path >= {top}.path AND {node}.path < ({top}.path || '~'))"


def on_units_moved(*, unit_ids: list[int], old_paths: dict[int, str] | None = None) -> None:
    """Administrative moves: the moved units' subtrees and the units above them, and the
    recipients of plans whose reporting target moved."""
    paths: list[str] = []
    for path in sorted(set(Unit.objects.filter(pk__in=unit_ids).values_list("path", flat=True))):
        if not paths or not path.startswith(paths[-1]):
            paths.append(path)  # a unit moved inside another moved subtree is covered by it
    if not paths:
        return
    steplen = Unit.steplen
    above = sorted({p[:k] for p in paths for k in range(steplen, len(p), steplen)})
    kinds = ", ".join(f"'{k}'" for k in s.CLAIMING_KINDS)
    marks = ", ".join(["%s"] * len(paths))
    units_sql = (
        "WITH moved AS (SELECT u.id FROM units_unit u JOIN units_unit m "
        f"ON {_range('u', 'm')} WHERE m.path IN ({marks})) "
        "SELECT id FROM moved UNION SELECT id FROM units_unit WHERE path IN "
        f"({', '.join(['%s'] * len(above)) or 'NULL'}) "
        "UNION SELECT r.unit_id FROM documents_documentrecipient r "
        "JOIN documents_document d ON d.id = r.document_id "
        f"WHERE d.state = 'issued' AND d.kind IN ({kinds}) AND r.reports "
        "AND COALESCE(d.report_to_unit_id, d.issuer_unit_id) IN (SELECT id FROM moved)"
    )
    open_campaigns_update(units_sql=units_sql, params=[*paths, *above])


def on_plan_issued(*, document) -> int:
    """An issued plan: its recipients (claims) and, when it sets a deadline, its area."""
    campaign = Campaign.objects.get(pk=document.campaign_id)
    units_sql = "SELECT unit_id FROM documents_documentrecipient WHERE document_id = %s"
    params: list = [document.pk]
    if document.report_due_on and document.area_path:
        units_sql += " UNION SELECT id FROM units_unit WHERE path LIKE %s"
        params.append(f"{document.area_path}%")
    return reporting_tree_update(campaign=campaign, units_sql=units_sql, params=params)


def tree_snapshot(campaign: Campaign) -> tuple[list, dict]:
    """(nodes, summed totals) of ``campaign``'s tree: what a full rebuild must reproduce."""
    nodes = sorted(
        ReportingNode.objects.filter(campaign=campaign).values_list(
            "unit_id",
            "parent_unit_id",
            "admin_parent_id",
            "path",
            "depth",
            "claimed_by_id",
            "contested_by_id",
            "moved",
            "expected",
            "leaf",
            "due_on",
        )
    )
    return nodes, s.stored_totals(campaign_id=campaign.pk)
