"""Who may do what with accounts and memberships.

Each rule is a named predicate, decided here once: services call them and raise,
views, API handlers and templates only ask them to show or hide. Roles cover the
unit they are held on and its whole subtree (``has_role``); a few rules need the
role on the unit itself (``has_role_at``).
"""

from lantoa.accounts.models import ROLE_RANK, Role
from lantoa.accounts.selectors import (
    memberships_for_user,
    role_for_unit,
    user_has_role,
    user_has_role_at,
)

__all__ = [
    "Role",
    "ROLE_RANK",
    "can_manage_members",
    "has_role",
    "has_role_at",
    "is_superuser",
    "role_for_unit",
    "units_with_role",
]


def is_superuser(user) -> bool:
    return bool(getattr(user, "is_superuser", False))


def has_role(user, unit, role: Role) -> bool:
    """``role`` or higher over ``unit`` (held on it or on an ancestor); superusers always."""
    return unit is not None and user_has_role(user, unit, role)


def has_role_at(user, unit, role: Role) -> bool:
    """``role`` or higher held on ``unit`` itself, not inherited; superusers always."""
    return unit is not None and user_has_role_at(user, unit, role)


def units_with_role(user, role: Role) -> list:
    """The units of the user's own memberships where the user holds ``role`` or higher."""
    return [m.unit for m in memberships_for_user(user) if user_has_role(user, m.unit, role)]


def can_manage_members(user, unit) -> bool:
    """Add users, change roles and import users in ``unit``: its admins (or an ancestor's)."""
    return has_role(user, unit, Role.ADMIN)
