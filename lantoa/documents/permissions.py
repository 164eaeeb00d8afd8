"""Who may draft, consult, approve and read what about a document
(see ``lantoa.accounts.permissions``)."""

from functools import reduce
from operator import or_

from lantoa.accounts.permissions import Role, has_role, has_role_at, is_superuser, units_with_role
from lantoa.units.models import Unit, UnitKind, subtree_q


def _parent_path(unit: Unit) -> str | None:
    return unit.path[: -unit.steplen] if unit.depth > 1 else None


def _may_draft_from(home: Unit, issuer: Unit) -> bool:
    """From a unit where the user drafts: the unit itself, its parent (the education
    office drafts for the People's Committee, seed 003) or a steering committee directly
    under that parent (22/KH-BCĐ, seed 002) — never further."""
    if issuer.path == home.path:
        return True
    parent_path = _parent_path(home)
    if parent_path is None:
        return False
    if issuer.path == parent_path:
        return True
    return (
        issuer.kind == UnitKind.BCD_XHHT
        and issuer.depth == home.depth
        and issuer.path.startswith(parent_path)
    )


def can_draft_for(user, issuer: Unit | None) -> bool:
    """Start a draft in ``issuer``'s name."""
    if issuer is None:
        return False
    if is_superuser(user):
        return True
    return any(_may_draft_from(home, issuer) for home in units_with_role(user, Role.EDITOR))


def draftable_issuers(user) -> list[Unit]:
    """Every unit ``can_draft_for`` allows, in tree order (two queries at most)."""
    homes = units_with_role(user, Role.EDITOR)
    units = {u.pk: u for u in homes}
    parent_paths = {p for p in (_parent_path(u) for u in homes) if p}
    if parent_paths:
        for u in Unit.objects.filter(path__in=parent_paths):
            units[u.pk] = u
        committees = Unit.objects.filter(kind=UnitKind.BCD_XHHT).filter(
            reduce(or_, (subtree_q(p) for p in parent_paths))
        )
        for c in committees:
            if any(_may_draft_from(h, c) for h in homes):
                units[c.pk] = c
    return sorted(units.values(), key=lambda u: u.path)


def drafting_units(user) -> list[Unit]:
    """Units the user may name as the drafting unit: where the user is an editor."""
    return units_with_role(user, Role.EDITOR)


def is_author(user, document) -> bool:
    """An editor of the drafting unit or of the issuer."""
    return has_role(user, document.drafting_unit, Role.EDITOR) or has_role(
        user, document.issuer_unit, Role.EDITOR
    )


def can_edit_document(user, document) -> bool:
    """Change, send for consultation or submit a draft: an author who may also draft
    in the issuer's name (a draft written for a unit beyond reach stays stuck)."""
    return is_author(user, document) and can_draft_for(user, document.issuer_unit)


def can_approve(user, document) -> bool:
    """Approve, return and issue: the issuer's leaders (or a leader above them)."""
    return has_role(user, document.issuer_unit, Role.APPROVER)


def can_see_versions(user, document) -> bool:
    """Earlier draft versions and the document's history: authors and the issuer's approvers."""
    return is_author(user, document) or can_approve(user, document)


def can_see_deliveries(user, document) -> bool:
    """Read receipts of every recipient: authors and the issuer's approvers."""
    return can_see_versions(user, document)


def can_respond_consultation(user, unit: Unit) -> bool:
    """Answer a consultation for ``unit``: its own editors."""
    return has_role_at(user, unit, Role.EDITOR)


def can_update_assignment(user, unit: Unit) -> bool:
    return has_role(user, unit, Role.EDITOR)


def can_manage_signers(user, unit: Unit) -> bool:
    """Keep the unit's list of signers (authority, title, name): its leaders."""
    return has_role(user, unit, Role.APPROVER)


def can_set_issuer_rule(user, unit: Unit) -> bool:
    """Whether drafts need a second person to approve: the unit's leaders."""
    return has_role(user, unit, Role.APPROVER)


def can_receive_message(user, units) -> bool:
    """Receive an edXML message: a clerk or staff member of one of the addressed units."""
    return any(has_role(user, u, Role.EDITOR) for u in units)
