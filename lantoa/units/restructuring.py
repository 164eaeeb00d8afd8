"""Bulk restructuring from a sheet (the 2025 reform formed 3,321 communes from about 10,000):
each row moves a unit under a new parent and/or closes it with its successors and shares.

All or nothing: every row is checked against the tree as it will stand after the whole
sheet (unknown or ambiguous codes, duplicate rows, cycles, closed parents, shares that do
not sum to 1 …) and every bad row is listed; only a clean sheet is applied, in one
transaction, through ``unit_move`` and ``unit_close``.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lantoa.core.errors import Conflict, NotFound
from lantoa.core.spreadsheets import RowError, RowErrors, read_table
from lantoa.units.models import Unit
from lantoa.units.permissions import can_restructure
from lantoa.units.services import SHARE_TOLERANCE, unit_close, unit_move

COLUMNS = {
    "code": ["Mã đơn vị", "ma", "code"],
    "parent_code": ["Mã đơn vị cấp trên mới", "ma cap tren moi", "new_parent_code"],
    "successor_codes": ["Mã đơn vị kế thừa", "ma ke thua", "successor_codes"],
    "shares": ["Tỷ lệ", "ty le", "shares"],
    "valid_to": ["Ngày kết thúc", "ngay ket thuc", "valid_to"],
}
HEADERS = [spellings[0] for spellings in COLUMNS.values()]
COL = {key: spellings[0] for key, spellings in COLUMNS.items()}


@dataclass
class Row:
    number: int
    unit: Unit
    parent: Unit | None = None
    successors: list[Unit] = field(default_factory=list)
    shares: list[Decimal | None] = field(default_factory=list)
    valid_to: date | None = None


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _split(value) -> list[str]:
    return [part.strip() for part in re.split(r"[;\n]", _text(value)) if part.strip()]


def _share(text: str) -> Decimal:
    text = text.replace(" ", "")
    percent = text.endswith("%")
    value = Decimal(text.rstrip("%").replace(",", "."))
    return value / 100 if percent else value


def _day(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    text = _text(value)
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def restructure_check(*, root: Unit, rows: list[dict]) -> list[Row]:
    """The sheet's rows as planned changes; RowErrors listing every bad row otherwise."""
    units = list(
        root.subtree().only("id", "name", "code", "kind", "path", "depth", "valid_to", "numchild")
    )
    by_path = {u.path: u for u in units}
    by_code: dict[str, list[Unit]] = {}
    for u in units:
        if u.code:
            by_code.setdefault(u.code, []).append(u)
    errors: list[RowError] = []

    def find(code: str, number: int, column: str) -> Unit | None:
        found = by_code.get(code, [])
        if not found:
            errors.append(
                RowError(
                    number,
                    column,
                    _("không tìm thấy đơn vị “%(code)s” trong phạm vi của bạn") % {"code": code},
                )
            )
            return None
        if len(found) > 1:
            errors.append(
                RowError(
                    number,
                    column,
                    _("mã “%(code)s” trùng ở nhiều đơn vị (một tỉnh và một xã)") % {"code": code},
                )
            )
            return None
        return found[0]

    plans: list[Row] = []
    seen: dict[int, int] = {}
    for raw in rows:
        number = raw["_row"]
        code = _text(raw["code"])
        if not code:
            errors.append(RowError(number, COL["code"], _("không được để trống")))
            continue
        unit = find(code, number, COL["code"])
        if unit is None:
            continue
        if unit.pk in seen:
            errors.append(
                RowError(
                    number,
                    COL["code"],
                    _("đơn vị “%(code)s” đã có ở dòng %(row)s (mỗi đơn vị một dòng)")
                    % {"code": code, "row": seen[unit.pk]},
                )
            )
            continue
        seen[unit.pk] = number
        plan = Row(number=number, unit=unit)
        parent_code = _text(raw.get("parent_code", ""))
        if parent_code:
            plan.parent = find(parent_code, number, COL["parent_code"])
            if plan.parent is not None and unit.pk == root.pk:
                errors.append(
                    RowError(
                        number,
                        COL["parent_code"],
                        _("không chuyển được đơn vị gốc của phạm vi (“%(name)s”)")
                        % {"name": root.name},
                    )
                )
                plan.parent = None
        for successor_code in _split(raw.get("successor_codes", "")):
            successor = find(successor_code, number, COL["successor_codes"])
            if successor is not None:
                plan.successors.append(successor)
        share_texts = _split(raw.get("shares", ""))
        try:
            plan.shares = [_share(t) for t in share_texts]
        except (InvalidOperation, ValueError):
            errors.append(
                RowError(
                    number,
                    COL["shares"],
                    _("tỷ lệ “%(value)s” không phải là số (ví dụ 0,4; 0,6)")
                    % {"value": _text(raw.get("shares", ""))},
                )
            )
            plan.shares = []
        if plan.shares and len(plan.shares) != len(_split(raw.get("successor_codes", ""))):
            errors.append(
                RowError(
                    number,
                    COL["shares"],
                    _("có %(shares)s tỷ lệ cho %(successors)s đơn vị kế thừa")
                    % {
                        "shares": len(plan.shares),
                        "successors": len(_split(raw.get("successor_codes", ""))),
                    },
                )
            )
        elif plan.shares:
            if any(not (0 < s <= 1) for s in plan.shares):
                errors.append(
                    RowError(number, COL["shares"], _("mỗi tỷ lệ phải lớn hơn 0 và không quá 1"))
                )
            elif abs(sum(plan.shares) - 1) > SHARE_TOLERANCE:
                total = f"{sum(plan.shares):.3f}".rstrip("0").rstrip(".").replace(".", ",")
                errors.append(
                    RowError(
                        number,
                        COL["shares"],
                        _("tổng các tỷ lệ phải bằng 1 (đang là %(total)s)") % {"total": total},
                    )
                )
        if not plan.shares:
            plan.shares = [None] * len(plan.successors)
        valid_to = raw.get("valid_to", "")
        if _text(valid_to):
            try:
                plan.valid_to = _day(valid_to)
            except ValueError:
                errors.append(
                    RowError(
                        number,
                        COL["valid_to"],
                        _("ngày “%(value)s” không hợp lệ (dd/mm/yyyy)")
                        % {"value": _text(valid_to)},
                    )
                )
        elif _split(raw.get("successor_codes", "")):
            errors.append(
                RowError(number, COL["valid_to"], _("cần ngày kết thúc khi có đơn vị kế thừa"))
            )
        if plan.valid_to and unit.valid_to:
            errors.append(
                RowError(
                    number,
                    COL["valid_to"],
                    _("“%(name)s” đã kết thúc hoạt động từ %(day)s")
                    % {"name": unit.name, "day": f"{unit.valid_to:%d/%m/%Y}"},
                )
            )
        if not parent_code and not _text(valid_to) and not share_texts:
            if not _split(raw.get("successor_codes", "")):
                errors.append(
                    RowError(
                        number,
                        COL["parent_code"],
                        _("dòng không có thay đổi (cần đơn vị cấp trên mới hoặc ngày kết thúc)"),
                    )
                )
        plans.append(plan)

    # The tree as it will stand: closed units (already, or by this sheet) take nothing new.
    closing = {p.unit.pk for p in plans if p.valid_to}
    new_parent = {p.unit.pk: p.parent for p in plans if p.parent is not None}

    def parent_after(unit: Unit) -> Unit | None:
        if unit.pk in new_parent:
            return new_parent[unit.pk]
        return by_path.get(unit.path[: -unit.steplen]) if unit.depth > 1 else None

    for plan in plans:
        if plan.parent is not None:
            parent = plan.parent
            if parent.valid_to is not None or parent.pk in closing:
                errors.append(
                    RowError(
                        plan.number,
                        COL["parent_code"],
                        _("“%(name)s” đã (hoặc sẽ) kết thúc hoạt động, không nhận đơn vị mới")
                        % {"name": parent.name},
                    )
                )
            else:
                # Walk up from the new parent in the final tree: meeting the unit is a cycle.
                step, hops = parent, 0
                while step is not None and hops <= len(units):
                    if step.pk == plan.unit.pk:
                        errors.append(
                            RowError(
                                plan.number,
                                COL["parent_code"],
                                _(
                                    "tạo vòng: “%(parent)s” nằm trong “%(name)s” "
                                    "(sau khi áp dụng cả bảng)"
                                )
                                % {"parent": parent.name, "name": plan.unit.name},
                            )
                        )
                        break
                    step, hops = parent_after(step), hops + 1
        for successor in plan.successors:
            if successor.pk == plan.unit.pk or successor.path.startswith(plan.unit.path):
                errors.append(
                    RowError(
                        plan.number,
                        COL["successor_codes"],
                        _("“%(name)s” không thể kế thừa chính nó hoặc đơn vị trực thuộc nó")
                        % {"name": successor.name},
                    )
                )
            elif successor.valid_to is not None or successor.pk in closing:
                errors.append(
                    RowError(
                        plan.number,
                        COL["successor_codes"],
                        _("đơn vị kế thừa “%(name)s” đã (hoặc sẽ) kết thúc hoạt động")
                        % {"name": successor.name},
                    )
                )
        if len({s.pk for s in plan.successors}) != len(plan.successors):
            errors.append(
                RowError(
                    plan.number, COL["successor_codes"], _("một đơn vị kế thừa được nêu hai lần")
                )
            )
    if errors:
        raise RowErrors(sorted(errors, key=lambda e: e.row))
    return plans


def units_restructure(*, root: Unit, upload, actor=None) -> list[Unit]:
    """Apply a restructuring sheet within ``root``'s subtree: all rows or none."""
    if actor is not None and not can_restructure(actor, root):
        raise NotFound
    rows = read_table(upload, columns=COLUMNS, optional={"successor_codes", "shares", "valid_to"})
    plans = restructure_check(root=root, rows=rows)
    changed: list[Unit] = []
    with transaction.atomic():
        # A unit goes under its new parent once that parent is no longer inside it (the
        # sheet may first take the parent out): the final tree has no cycle, so this ends.
        pending = [plan for plan in plans if plan.parent is not None]
        while pending:
            paths = dict(
                Unit.objects.filter(
                    pk__in={p.unit.pk for p in pending} | {p.parent.pk for p in pending}
                ).values_list("pk", "path")
            )
            ready = [p for p in pending if not paths[p.parent.pk].startswith(paths[p.unit.pk])]
            if not ready:
                raise RowErrors(
                    [RowError(p.number, COL["parent_code"], _("tạo vòng")) for p in pending]
                )
            for plan in ready:
                unit = Unit.objects.get(pk=plan.unit.pk)
                _apply(plan, COL["parent_code"], lambda u=unit, p=plan: _move(u, p, actor))
                changed.append(unit)
            pending = [p for p in pending if p not in ready]
        for plan in plans:
            if plan.valid_to is None:
                continue
            unit = Unit.objects.get(pk=plan.unit.pk)
            pairs = list(zip(plan.successors, plan.shares, strict=True))
            _apply(
                plan,
                COL["successor_codes"],
                lambda u=unit, p=plan, s=pairs: unit_close(
                    unit=u, valid_to=p.valid_to, successors=s, actor=actor
                ),
            )
            changed.append(unit)
    return changed


def _move(unit: Unit, plan: Row, actor) -> Unit:
    return unit_move(
        unit=unit,
        new_parent=Unit.objects.get(pk=plan.parent.pk),
        version=None,
        user=actor,
    )


def _apply(plan: Row, column: str, action) -> None:
    """A rule only the services know (e.g. a permission) still names the row; the whole
    transaction is rolled back."""
    try:
        action()
    except ValidationError as exc:
        raise RowErrors([RowError(plan.number, column, m) for m in exc.messages])
    except Conflict as exc:
        raise RowErrors([RowError(plan.number, column, exc.detail)])
    except NotFound:
        raise RowErrors([RowError(plan.number, column, _("ngoài phạm vi quản trị của bạn"))])
