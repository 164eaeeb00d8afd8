"""Who may change the unit tree (see ``lantoa.accounts.permissions``)."""

from lantoa.accounts.permissions import Role, has_role, is_superuser
from lantoa.units.models import Unit


def _parent(unit: Unit) -> Unit | None:
    if unit.depth <= 1:
        return None
    return Unit.objects.filter(path=unit.path[: -unit.steplen]).first()


def can_add_unit(user, parent: Unit | None) -> bool:
    """Add a unit under ``parent``: an admin of ``parent`` or of an ancestor; a new
    top-level unit: a superuser."""
    if parent is None:
        return is_superuser(user)
    return has_role(user, parent, Role.ADMIN)


def can_edit_unit(user, unit: Unit, *, parent: Unit | None = None) -> bool:
    """Change or close ``unit``: an admin of an ancestor (never the unit's own admin,
    who could otherwise rename or close the unit that grants the role). A top-level
    unit has no ancestor: only a superuser changes it."""
    if is_superuser(user):
        return True
    parent = parent if parent is not None else _parent(unit)
    return parent is not None and has_role(user, parent, Role.ADMIN)


def can_import_units(user, unit: Unit) -> bool:
    return has_role(user, unit, Role.ADMIN)


def can_export_units(user, unit: Unit) -> bool:
    """The subtree as an import sheet (with e-mail addresses): who may import there."""
    return can_import_units(user, unit)


def can_see_unit_history(user, unit: Unit) -> bool:
    return has_role(user, unit, Role.ADMIN)


def can_move_unit(user, unit: Unit, new_parent: Unit) -> bool:
    """Re-parent ``unit``: who may edit it (an admin above it) and add under ``new_parent``."""
    return can_edit_unit(user, unit) and can_add_unit(user, new_parent)


def can_close_unit(user, unit: Unit) -> bool:
    return can_edit_unit(user, unit)


def can_restructure(user, unit: Unit) -> bool:
    """Bulk restructuring (a sheet of moves and closures) within ``unit``'s subtree."""
    return has_role(user, unit, Role.ADMIN)
