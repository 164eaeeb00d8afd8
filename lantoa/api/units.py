from datetime import date, datetime

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from lantoa.accounts.models import Role
from lantoa.accounts.selectors import memberships_for_user, unit_get_for_user
from lantoa.accounts.services import token_create
from lantoa.api.pagination import page_of
from lantoa.api.problems import problem
from lantoa.core.errors import NotFound
from lantoa.units import services
from lantoa.units.models import Unit, UnitKind
from lantoa.units.permissions import can_edit_unit
from lantoa.units.selectors import ancestors_map, unit_ancestors, units_list

router = Router(tags=["units"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    expires_at: datetime


@router.post("/auth/token", auth=None, response={200: TokenOut}, tags=["auth"])
def auth_token(request, payload: TokenIn):
    # The fifth failure locks the account at this address: that answer and every
    # later one is 429 (AxesMiddleware → accounts.views.locked_out) for
    # AXES_COOLOFF_TIME, even with the right password.
    credentials = {"username": payload.username}
    if AxesProxyHandler.is_locked(request, credentials):
        return problem(429, "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút.")
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        return problem(401, "Tên đăng nhập hoặc mật khẩu không đúng.")
    raw, token = token_create(user=user)
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    return {"token": raw, "expires_at": timezone.localtime(token.expires_at)}


class MembershipOut(Schema):
    unit_id: int
    unit_name: str
    role: str


class MeOut(Schema):
    username: str
    full_name: str
    memberships: list[MembershipOut]


@router.get("/me", response=MeOut, tags=["auth"])
def me(request):
    user = request.auth
    return {
        "username": user.username,
        "full_name": user.full_name,
        "memberships": [
            {"unit_id": m.unit_id, "unit_name": m.unit.name, "role": m.role}
            for m in memberships_for_user(user)
        ],
    }


class AncestorOut(Schema):
    id: int
    name: str


class UnitOut(Schema):
    id: int
    code: str
    edoc_code: str = ""
    name: str
    kind: str
    parent_id: int | None
    ancestors: list[AncestorOut]
    children_count: int
    valid_from: date | None = None
    valid_to: date | None = None
    successor_id: int | None = None


class UnitPage(Schema):
    count: int
    items: list[UnitOut]
    next: str | None


def _unit_out(unit: Unit, known: dict) -> dict:
    ancestors = unit_ancestors(unit, known)
    return {
        "id": unit.pk,
        "code": unit.code,
        "edoc_code": unit.edoc_code,
        "name": unit.name,
        "kind": unit.kind,
        "parent_id": ancestors[-1].pk if ancestors else None,
        "ancestors": [{"id": a.pk, "name": a.name} for a in ancestors],
        "children_count": unit.numchild,
        "valid_from": unit.valid_from,
        "valid_to": unit.valid_to,
        "successor_id": unit.successor_id,
    }


@router.get("/units", response=UnitPage)
def units(
    request,
    q: str = "",
    parent: int | None = None,
    kind: str = "",
    page: int = 1,
    page_size: int = 50,
):
    items, count, next_url = page_of(
        request,
        units_list(user=request.auth, q=q, parent_id=parent, kind=kind),
        page=page,
        page_size=page_size,
    )
    known = ancestors_map(items)
    return {"count": count, "items": [_unit_out(u, known) for u in items], "next": next_url}


@router.get("/units/{unit_id}", response=UnitOut)
def unit_detail(request, unit_id: int):
    unit = unit_get_for_user(request.auth, unit_id)
    return _unit_out(unit, ancestors_map([unit]))


class UnitIn(Schema):
    parent_id: int
    name: str
    kind: UnitKind
    code: str = ""
    edoc_code: str = ""
    abbreviation: str = ""
    email: str = ""
    address: str = ""
    valid_from: date | None = None


class UnitPatch(Schema):
    name: str | None = None
    kind: UnitKind | None = None
    code: str | None = None
    edoc_code: str | None = None
    abbreviation: str | None = None
    email: str | None = None
    address: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    successor_id: int | None = Field(default=None)


@router.post("/units", response={201: UnitOut})
def unit_create(request, payload: UnitIn):
    parent = unit_get_for_user(request.auth, payload.parent_id, role=Role.ADMIN)
    data = payload.dict(exclude={"parent_id"})
    unit = services.unit_create(parent=parent, actor=request.auth, **data)
    return Status(201, _unit_out(unit, ancestors_map([unit])))


def _unit_for_ancestor_admin(user, unit_id: int) -> Unit:
    """Only an admin of an ancestor may change a unit (not the unit's own admin)."""
    unit = unit_get_for_user(user, unit_id)
    if not can_edit_unit(user, unit):
        raise NotFound
    return unit


@router.patch("/units/{unit_id}", response=UnitOut)
def unit_patch(request, unit_id: int, payload: UnitPatch):
    unit = _unit_for_ancestor_admin(request.auth, unit_id)
    data = payload.dict(exclude_unset=True)
    if "successor_id" in data and data["successor_id"] is not None:
        data["successor"] = unit_get_for_user(request.auth, data.pop("successor_id"))
    elif "successor_id" in data:
        data.pop("successor_id")
        data["successor"] = None
    unit = services.unit_update(unit=unit, actor=request.auth, **data)
    return _unit_out(unit, ancestors_map([unit]))


class UnitCloseIn(Schema):
    valid_to: date
    successor_id: int | None = None


@router.post("/units/{unit_id}/close", response=UnitOut)
def unit_close(request, unit_id: int, payload: UnitCloseIn):
    """End a unit (merger, dissolution): it stays in history and points to its successor."""
    unit = _unit_for_ancestor_admin(request.auth, unit_id)
    successor = (
        unit_get_for_user(request.auth, payload.successor_id) if payload.successor_id else None
    )
    unit = services.unit_close(
        unit=unit, valid_to=payload.valid_to, successor=successor, actor=request.auth
    )
    return _unit_out(unit, ancestors_map([unit]))
