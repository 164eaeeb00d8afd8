from datetime import date, datetime
from decimal import Decimal

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from lantoa.accounts.models import Role
from lantoa.accounts.selectors import memberships_for_user, unit_get_for_user
from lantoa.accounts.services import (
    token_create,
    token_renew,
    token_revoke,
    tokens_for_user,
    user_logout_everywhere,
)
from lantoa.api.pagination import page_of
from lantoa.api.problems import problem
from lantoa.core.errors import NotFound
from lantoa.core.spreadsheets import XLSX_MIME
from lantoa.units import error_codes, services
from lantoa.units.exports import units_export_filename, units_export_xlsx
from lantoa.units.models import Unit, UnitKind, UnitSuccession
from lantoa.units.permissions import can_edit_unit, can_export_units
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


class TokenInfo(Schema):
    id: int
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    current: bool


@router.get("/auth/tokens", response=list[TokenInfo], tags=["auth"])
def auth_tokens(request):
    """The caller's valid tokens (never their value); ``current`` marks the one in use."""
    current = getattr(getattr(request.auth, "api_token", None), "pk", None)
    return [
        {
            "id": t.pk,
            "created_at": t.created_at,
            "expires_at": t.expires_at,
            "last_used_at": t.last_used_at,
            "current": t.pk == current,
        }
        for t in tokens_for_user(user=request.auth)
    ]


@router.delete("/auth/tokens/{token_id}", response={204: None}, tags=["auth"])
def auth_token_revoke(request, token_id: int):
    """Revoke one of the caller's tokens (another user's is 404)."""
    token_revoke(user=request.auth, token_id=token_id)
    return Status(204, None)


@router.post("/auth/token/renew", response={200: TokenOut}, tags=["auth"])
def auth_token_renew(request):
    """A fresh token with a full lifetime; the token used for this call is revoked."""
    token = getattr(request.auth, "api_token", None)
    if token is None:
        return problem(400, "Chỉ gia hạn được khi gọi bằng token (Authorization: Bearer …).")
    raw, new = token_renew(user=request.auth, token=token)
    return {"token": raw, "expires_at": timezone.localtime(new.expires_at)}


@router.post("/auth/logout-everywhere", response={204: None}, tags=["auth"])
def auth_logout_everywhere(request):
    """End every session of the caller and revoke every token, this one included."""
    user_logout_everywhere(user=request.auth)
    return Status(204, None)


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


class SuccessorOut(Schema):
    unit_id: int
    unit_name: str
    share: float | None = Field(
        None, description="Phần lịch sử đơn vị kế thừa nhận (0–1); null: toàn bộ cho đơn vị chính"
    )


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
    successor_id: int | None = Field(
        None, description="Đơn vị kế thừa chính (nhận toàn bộ lịch sử khi không có tỷ lệ)"
    )
    successors: list[SuccessorOut] = []
    version: int = Field(1, description="Gửi lại khi chuyển, sửa hoặc kết thúc đơn vị (409 khi cũ)")


class UnitPage(Schema):
    count: int
    items: list[UnitOut]
    next: str | None


def _successions_map(units: list[Unit]) -> dict[int, list[dict]]:
    """Successors of the closed units among ``units``, in one query."""
    closed = [u.pk for u in units if u.valid_to is not None]
    result: dict[int, list[dict]] = {}
    if not closed:
        return result
    for pred, pk, name, share in UnitSuccession.objects.filter(
        predecessor_id__in=closed
    ).values_list("predecessor_id", "successor_id", "successor__name", "share"):
        result.setdefault(pred, []).append(
            {"unit_id": pk, "unit_name": name, "share": None if share is None else float(share)}
        )
    return result


def _unit_out(unit: Unit, known: dict, successions: dict | None = None) -> dict:
    ancestors = unit_ancestors(unit, known)
    if successions is None:
        successions = _successions_map([unit])
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
        "successors": successions.get(unit.pk, []),
        "version": unit.version,
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
    successions = _successions_map(items)
    return {
        "count": count,
        "items": [_unit_out(u, known, successions) for u in items],
        "next": next_url,
    }


class RestructureOut(Schema):
    rows: int = Field(description="Số dòng của bảng đã áp dụng")
    moved: int = Field(description="Số đơn vị đã chuyển sang đơn vị cấp trên mới")
    closed: int = Field(description="Số đơn vị đã kết thúc hoạt động (sáp nhập, chia tách)")


class RowProblem(Schema):
    field: str
    row: int
    column: str
    message: str


class RestructureProblem(Schema):
    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[RowProblem] = []


# Before /units/{unit_id}: that path would take "restructure" as an id.
@router.post(
    "/units/restructure",
    response={200: RestructureOut, 400: RestructureProblem},
)
def units_restructure(request, unit_id: Form[int], file: File[UploadedFile] = None):
    """Bulk restructuring of ``unit_id``'s subtree from an .xlsx (or .csv) sheet, as the page
    "Tái cấu trúc đơn vị từ Excel": one row per unit — "Mã đơn vị", "Mã đơn vị cấp trên mới",
    "Mã đơn vị kế thừa", "Tỷ lệ", "Ngày kết thúc" — at most 20,000 rows.

    All or nothing: 400 ``unit_restructure_rows`` lists EVERY bad row in ``errors`` (unknown
    or duplicate codes, shares not summing to 1, cycles, closed parents…) and changes
    nothing; 400 ``sheet_too_many_rows`` and the other sheet codes for the file itself;
    404 unless the caller administers ``unit_id``. Past campaigns' totals never change."""
    from lantoa.core.spreadsheets import RowErrors
    from lantoa.units.restructuring import restructure_apply

    root = unit_get_for_user(request.auth, unit_id, role=Role.ADMIN)
    if file is None:
        return problem(400, "Chưa chọn tệp bảng tính.", code="upload_missing")
    try:
        applied = restructure_apply(root=root, upload=file, actor=request.auth)
    except RowErrors as exc:
        return problem(
            400,
            f"Tệp có {len(exc.errors)} lỗi, chưa áp dụng dòng nào.",
            code=error_codes.RESTRUCTURE_ROWS,
            errors=[
                {
                    "field": f"row {e.row}: {e.column}",
                    "row": e.row,
                    "column": e.column,
                    "message": e.message,
                }
                for e in exc.errors
            ],
        )
    return {"rows": applied.rows, "moved": len(applied.moved), "closed": len(applied.closed)}


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
    parent_id: int | None = Field(
        default=None, description="Không đổi được ở đây: chuyển đơn vị bằng POST /units/{id}/move"
    )
    version: int | None = Field(default=None, description="Phiên bản đã đọc (409 khi cũ)")


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
    """Change a unit's details. Its parent is not changed here: ``parent_id`` answers 400
    (code ``unit_parent_use_move``) pointing to ``POST /units/{id}/move``."""
    unit = _unit_for_ancestor_admin(request.auth, unit_id)
    data = payload.dict(exclude_unset=True)
    if "parent_id" in data:
        return problem(
            400,
            f"Không chuyển đơn vị bằng PATCH. Dùng POST /api/v1/units/{unit.pk}/move "
            '{"parent_id", "version"}.',
            errors=[{"field": "parent_id", "message": "Dùng POST /api/v1/units/{id}/move."}],
            code=error_codes.USE_MOVE,
        )
    if "successor_id" in data and data["successor_id"] is not None:
        data["successor"] = unit_get_for_user(request.auth, data.pop("successor_id"))
    elif "successor_id" in data:
        data.pop("successor_id")
        data["successor"] = None
    unit = services.unit_update(unit=unit, actor=request.auth, **data)
    return _unit_out(unit, ancestors_map([unit]))


class UnitMoveIn(Schema):
    parent_id: int
    version: int = Field(description="Phiên bản đơn vị đã đọc (GET /units/{id}); cũ → 409")


@router.post("/units/{unit_id}/move", response=UnitOut)
def unit_move(request, unit_id: int, payload: UnitMoveIn):
    """Move a unit (and its whole subtree) under a new parent; recorded in its history.

    400 ``unit_move_into_own_subtree``, ``unit_parent_closed``, ``unit_move_same_parent``,
    ``unit_move_root``; 404 outside the caller's admin scope; 409 ``unit_stale_version``.
    Past campaigns' totals do not change (their reporting trees are frozen)."""
    unit = _unit_for_ancestor_admin(request.auth, unit_id)
    new_parent = unit_get_for_user(request.auth, payload.parent_id, role=Role.ADMIN)
    unit = services.unit_move(
        unit=unit, new_parent=new_parent, version=payload.version, user=request.auth
    )
    return _unit_out(unit, ancestors_map([unit]))


class SuccessorIn(Schema):
    unit_id: int
    share: Decimal | None = Field(
        None, description="Phần lịch sử (0 < share ≤ 1), tổng bằng 1; bỏ trống cho mọi đơn vị"
    )


class UnitCloseIn(Schema):
    valid_to: date
    successors: list[SuccessorIn] = Field(
        default_factory=list,
        description="Sáp nhập: một đơn vị kế thừa; chia tách: nhiều, có tỷ lệ. Đơn vị đầu "
        "tiên (hoặc tỷ lệ lớn nhất) là đơn vị kế thừa chính.",
    )
    successor_id: int | None = Field(None, description="Dạng cũ: một đơn vị kế thừa")
    version: int | None = Field(None, description="Phiên bản đã đọc (409 khi cũ)")


@router.post("/units/{unit_id}/close", response=UnitOut)
def unit_close(request, unit_id: int, payload: UnitCloseIn):
    """End a unit (merger, split, dissolution): it stays in history and points to its
    successors. 400 ``unit_successor_invalid`` / ``unit_shares_invalid``; 409
    ``unit_already_closed`` / ``unit_stale_version``."""
    unit = _unit_for_ancestor_admin(request.auth, unit_id)
    pairs = [(unit_get_for_user(request.auth, s.unit_id), s.share) for s in payload.successors]
    if not pairs and payload.successor_id:
        pairs = [(unit_get_for_user(request.auth, payload.successor_id), None)]
    unit = services.unit_close(
        unit=unit,
        valid_to=payload.valid_to,
        successors=pairs,
        version=payload.version,
        actor=request.auth,
    )
    return _unit_out(unit, ancestors_map([unit]))


@router.get("/units/{unit_id}/export.xlsx")
def unit_export(request, unit_id: int):
    """The live units below ``unit_id`` in the unit import sheet's columns (code, name, kind,
    parent code, e-mail, address, ``edoc_code``): ``POST`` it back through the unit import.
    Admins of the unit or an ancestor (like the import); otherwise 404."""
    unit = unit_get_for_user(request.auth, unit_id)
    if not can_export_units(request.auth, unit):
        raise NotFound
    response = HttpResponse(units_export_xlsx(root=unit), content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="{units_export_filename(unit)}"'
    return response
