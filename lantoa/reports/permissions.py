"""Who may write, review and remind about result reports
(see ``lantoa.accounts.permissions``).

Report scope follows the reporting lines: for a campaign, a membership covers
the reports of every unit in the *reporting* subtree of any unit in its
administrative scope (``so.hanoi`` reads and reviews Hà Nội's schools' reports
because they report to it through the Phòng GDĐT), and nothing else about those
units. Pages, API and services all decide report scope here.
"""

from lantoa.accounts.permissions import Role, has_role, has_role_at, is_superuser
from lantoa.notifications.permissions import can_send_reminders
from lantoa.units.models import Unit


def _line_node(campaign, unit: Unit):
    from lantoa.reports.models import ReportingNode, first_of

    if campaign is None or unit is None or unit.pk is None:
        return None
    return first_of(
        ReportingNode.objects.filter(campaign=campaign, unit=unit).only(
            "path", "unit_id", "parent_unit_id"
        )
    )


def _line_ancestors(campaign, unit: Unit, *, include_self: bool) -> list[Unit]:
    """The units above ``unit`` in ``campaign``'s reporting tree (two queries)."""
    node = _line_node(campaign, unit)
    if node is None or not node.path:
        return []
    ids = node.ancestor_ids(include_self=include_self)
    return list(Unit.objects.filter(pk__in=ids).only("id", "path", "name"))


def line_role(user, *, campaign, unit: Unit, role: Role, proper: bool = False) -> bool:
    """``role`` over a unit at or above ``unit`` in the campaign's reporting tree
    (``proper``: strictly above)."""
    return any(
        has_role(user, anc, role)
        for anc in _line_ancestors(campaign, unit, include_self=not proper)
        if not (proper and anc.pk == unit.pk)
    )


def can_see_unit_reports(user, *, campaign, unit: Unit) -> bool:
    """Read ``unit``'s report and consolidation in ``campaign``: the administrative scope,
    or a unit in its reporting line."""
    if has_role(user, unit, Role.VIEWER):
        return True
    return line_role(user, campaign=campaign, unit=unit, role=Role.VIEWER)


def can_write_report(user, report) -> bool:
    """Fill in, submit and attach evidence: editors of the reporting unit itself
    (a leader above reviews; they do not write the unit's figures)."""
    return has_role_at(user, report.unit, Role.EDITOR)


def can_read_report(user, report) -> bool:
    return can_see_unit_reports(user, campaign=report.campaign, unit=report.unit)


def can_review_report(user, report, *, parent: Unit | None = None) -> bool:
    """Accept, return or reopen a submitted report: approvers of the unit above (or higher)
    in the administrative tree or in the campaign's reporting line."""
    if parent is None:
        parent = Unit.objects.get_parent(report.unit) if report.unit.depth > 1 else None
    if parent is not None and has_role(user, parent, Role.APPROVER):
        return True
    return line_role(
        user, campaign=report.campaign, unit=report.unit, role=Role.APPROVER, proper=True
    )


def can_review_children(user, unit: Unit) -> bool:
    """Review the reports of ``unit``'s direct children."""
    return has_role(user, unit, Role.APPROVER)


def can_remind(user, unit: Unit) -> bool:
    """Send reminders to the units below ``unit`` that have not reported."""
    return can_send_reminders(user, unit)


def can_adjust_line(user, *, campaign, node) -> bool:
    """Move a unit of the office's part of the reporting tree: approvers of a unit
    strictly above it in the line (the unit's own leaders cannot re-route themselves)."""
    if is_superuser(user):
        return True
    return line_role(user, campaign=campaign, unit=node.unit, role=Role.APPROVER, proper=True)


def can_adjust_part(user, *, campaign, unit: Unit) -> bool:
    """Re-route the units reporting to ``unit``: its approvers (or those of a unit above
    it in the administrative tree or in the campaign's reporting line)."""
    return has_role(user, unit, Role.APPROVER) or line_role(
        user, campaign=campaign, unit=unit, role=Role.APPROVER
    )
