"""Scope: a membership covers its unit and the whole subtree below it.

Every object a user touches is fetched through a ``*_get_for_user`` selector
built on these functions, so pages and API cannot forget the scope. Outside
the scope the answer is ``NotFound`` (404), never 403.
"""

from functools import reduce
from operator import or_

from django.db.models import F, Q

from lantoa.accounts.models import ROLE_RANK, Membership, Role
from lantoa.core import prepared
from lantoa.core.errors import NotFound
from lantoa.units.models import Unit, subtree_q


def _in_order(memberships) -> list[Membership]:
    # Units still in operation first, then closed ones; each group by tree order.
    return sorted(memberships, key=lambda m: (m.unit.valid_to is not None, m.unit.path))


def memberships_for_user(user) -> list[Membership]:
    """Active memberships, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_lantoa_memberships", None)
    if cached is None:
        cached = _in_order(
            Membership.objects.filter(user=user, is_active=True).select_related("unit").order_by()
        )
        user._lantoa_memberships = cached
    return cached


@prepared.compiled
def _memberships_for_token(digest: str, now):
    return (
        Membership.objects.filter(
            is_active=True,
            user__is_active=True,
            user__api_tokens__digest=digest,
            user__api_tokens__expires_at__gt=now,
        )
        .select_related("user", "unit")
        .annotate(
            token_id=F("user__api_tokens__id"),
            token_expires_at=F("user__api_tokens__expires_at"),
            token_last_used_at=F("user__api_tokens__last_used_at"),
        )
        .order_by()
    )


def memberships_for_token(*, digest: str, now) -> list[Membership]:
    """The active memberships of the active user holding the valid token ``digest``, with
    the user and the units, in one query (the API's every request: compiled once and
    prepared, ``prepared.compiled``); each row carries the token's ``token_id``,
    ``token_expires_at`` and ``token_last_used_at``, and the user keeps the list for
    ``memberships_for_user``. Empty for a user without one."""
    rows = _memberships_for_token(digest, now)
    if rows:
        user = rows[0].user
        for m in rows:
            m.user = user  # one user object, holding the list
        user._lantoa_memberships = _in_order(rows)
    return rows


def scope_q(user, field: str = "path") -> Q:
    """Q selecting rows whose unit path (``field``) is inside the user's scope."""
    if getattr(user, "is_superuser", False):
        return Q()
    memberships = memberships_for_user(user)
    if not memberships:
        return Q(pk__in=[])
    return reduce(or_, (subtree_q(m.unit.path, field) for m in memberships))


def units_for_user(user):
    return Unit.objects.filter(scope_q(user))


def role_for_unit(user, unit: Unit) -> str | None:
    """Highest role the user holds over ``unit`` (through it or any ancestor)."""
    if getattr(user, "is_superuser", False):
        return Role.ADMIN
    best = None
    for m in memberships_for_user(user):
        if unit.path.startswith(m.unit.path) and (
            best is None or ROLE_RANK[m.role] > ROLE_RANK[best]
        ):
            best = m.role
    return best


def user_has_role(user, unit: Unit, role: str) -> bool:
    current = role_for_unit(user, unit)
    return current is not None and ROLE_RANK[current] >= ROLE_RANK[role]


def user_has_role_at(user, unit: Unit, role: str) -> bool:
    """Role held on the unit itself (not inherited): writing a unit's own report."""
    if getattr(user, "is_superuser", False):
        return True
    return any(
        m.unit_id == unit.pk and ROLE_RANK[m.role] >= ROLE_RANK[role]
        for m in memberships_for_user(user)
    )


def unit_get_for_user(user, unit_id, *, role: str | None = None) -> Unit:
    try:
        unit = Unit.objects.filter(scope_q(user)).get(pk=int(unit_id))
    except (Unit.DoesNotExist, ValueError, TypeError):
        raise NotFound
    if role and not user_has_role(user, unit, role):
        raise NotFound
    return unit


def active_membership(request) -> Membership | None:
    memberships = memberships_for_user(request.user)
    if not memberships:
        return None
    wanted = request.session.get("membership_id")
    for m in memberships:
        if m.pk == wanted:
            return m
    return memberships[0]


def members_of_subtree(*, unit: Unit):
    return (
        Membership.objects.filter(subtree_q(unit.path, "unit__path"))
        .select_related("user", "unit")
        .order_by("unit__path", "user__username")
    )
