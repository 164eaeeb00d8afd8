"""Who may organise activities, see registrants and record attendance
(see ``lantoa.accounts.permissions``)."""

from lantoa.accounts.permissions import Role, has_role, has_role_at
from lantoa.units.models import Unit


def can_create_activity(user, unit: Unit) -> bool:
    """Organise an activity (or publish a learning resource) for ``unit``."""
    return has_role(user, unit, Role.EDITOR)


def can_edit_activity(user, activity) -> bool:
    """Change, cancel, attach evidence to, move registrations of an activity."""
    return has_role(user, activity.unit, Role.EDITOR)


def can_see_registrations(user, activity) -> bool:
    """Registrants' personal data: members of the organising unit itself only."""
    return has_role_at(user, activity.unit, Role.VIEWER)


def can_record_attendance(user, activity) -> bool:
    return has_role_at(user, activity.unit, Role.EDITOR)
