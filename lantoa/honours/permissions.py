"""Who may nominate, review nominations and draft honour decisions
(see ``lantoa.accounts.permissions``)."""

from lantoa.accounts.permissions import Role, has_role, has_role_at
from lantoa.units.models import Unit


def can_nominate(user, unit: Unit) -> bool:
    """Propose someone from ``unit`` for an honour: its editors."""
    return has_role(user, unit, Role.EDITOR)


def can_review_nomination(user, nomination) -> bool:
    """The approvers of the reviewing unit itself (not of a unit further up: they
    decide when the nomination reaches them)."""
    return has_role_at(user, nomination.reviewer_unit, Role.APPROVER)


def can_decide_honours(user, unit: Unit) -> bool:
    """Draft the honour decision (QĐ) for ``unit`` and see its review queue: its leaders."""
    return has_role(user, unit, Role.APPROVER)
