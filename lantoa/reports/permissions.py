"""Who may write, review and remind about result reports
(see ``lantoa.accounts.permissions``)."""

from lantoa.accounts.permissions import Role, has_role, has_role_at
from lantoa.units.models import Unit


def can_write_report(user, report) -> bool:
    """Fill in, submit and attach evidence: editors of the reporting unit itself
    (a leader above reviews; they do not write the unit's figures)."""
    return has_role_at(user, report.unit, Role.EDITOR)


def can_read_report(user, report) -> bool:
    return has_role(user, report.unit, Role.VIEWER)


def can_review_report(user, report, *, parent: Unit | None = None) -> bool:
    """Accept or return a submitted report: approvers of the unit above (or higher)."""
    if parent is None:
        parent = Unit.objects.get_parent(report.unit) if report.unit.depth > 1 else None
    return parent is not None and has_role(user, parent, Role.APPROVER)


def can_review_children(user, unit: Unit) -> bool:
    """Review the reports of ``unit``'s direct children."""
    return has_role(user, unit, Role.APPROVER)


def can_remind(user, unit: Unit) -> bool:
    """Send reminders to the units below ``unit`` that have not reported."""
    return has_role(user, unit, Role.EDITOR)
