"""Bulk restructuring from a sheet (the 2025 reform formed 3,321 communes from about 10,000):
each row moves a unit under a new parent and/or closes it with its successors and shares.

All or nothing: every row is checked against the tree as it will stand after the whole
sheet (unknown or ambiguous codes, duplicate rows, cycles, closed parents, shares that do
not sum to 1 …) and every bad row is listed; only a clean sheet is applied, in one
transaction, through ``unit_move`` and ``unit_close``.
"""

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from lantoa.core.bulk import insert_rows, json_rows, update_rows
from lantoa.core.errors import NotFound
from lantoa.core.spreadsheets import RowError, RowErrors, SheetLimits, read_table
from lantoa.history.services import history_record_rows
from lantoa.units.models import Unit, UnitSuccession
from lantoa.units.paths import path_copies_remap, units_moved
from lantoa.units.permissions import can_restructure
from lantoa.units.services import SHARE_TOLERANCE, _primary, _snapshot

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


# A reform-sized sheet: the 2025 reform formed 3,321 communes from about 10,000 (one row
# per old commune, plus the schools and centres moved with them).
MAX_ROWS = 20_000
SHEET_LIMITS = SheetLimits(max_rows=MAX_ROWS)


def restructure_check(*, root: Unit, rows: list[dict]) -> list[Row]:
    """The sheet's rows as planned changes; RowErrors listing every bad row otherwise."""
    return _check(root=root, rows=rows)[0]


def _check(*, root: Unit, rows: list[dict]) -> tuple[list[Row], list[Unit]]:
    """(planned changes, every unit of ``root``'s subtree) read in one query; RowErrors
    listing every bad row otherwise."""
    units = list(
        root.subtree().only(
            "id", "name", "code", "kind", "path", "depth", "valid_from", "valid_to", "numchild"
        )
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
        if plan.valid_to and unit.pk == root.pk:
            errors.append(
                RowError(
                    number,
                    COL["valid_to"],
                    _("không kết thúc được đơn vị gốc của phạm vi (“%(name)s”)")
                    % {"name": root.name},
                )
            )
        if plan.valid_to and unit.valid_from and plan.valid_to < unit.valid_from:
            errors.append(
                RowError(
                    number,
                    COL["valid_to"],
                    _("ngày kết thúc phải sau ngày bắt đầu hiệu lực (%(day)s)")
                    % {"day": f"{unit.valid_from:%d/%m/%Y}"},
                )
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
            if by_path.get(plan.unit.path[: -plan.unit.steplen]) is parent:
                errors.append(
                    RowError(
                        plan.number,
                        COL["parent_code"],
                        _("“%(name)s” đã trực thuộc “%(parent)s”")
                        % {"name": plan.unit.name, "parent": parent.name},
                    )
                )
            elif parent.valid_to is not None or parent.pk in closing:
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
    return plans, units


def units_restructure(*, root: Unit, upload, actor=None) -> list[Unit]:
    """Apply a restructuring sheet within ``root``'s subtree: all rows or none; returns the
    units changed (a unit moved and closed counts twice)."""
    return restructure_apply(root=root, upload=upload, actor=actor).changed


@dataclass
class Applied:
    moved: list[Unit]
    closed: list[Unit]
    rows: int

    @property
    def changed(self) -> list[Unit]:
        return self.moved + self.closed


def restructure_apply(*, root: Unit, upload, actor=None) -> Applied:
    """Check the whole sheet, then apply it with a fixed number of statements whatever its
    size (no query per row): the final tree is computed in memory, written in two UPDATEs
    (every changed path to a unique placeholder, then to its final value), child counts
    and versions in one each, path copies, history, successions in one insert each."""
    if actor is not None and not can_restructure(actor, root):
        raise NotFound
    rows = read_table(
        upload,
        columns=COLUMNS,
        optional={"successor_codes", "shares", "valid_to"},
        limits=SHEET_LIMITS,
    )
    with transaction.atomic():
        root = Unit.objects.select_for_update().get(pk=root.pk)
        plans, units = _check(root=root, rows=rows)
        moved = _apply_moves(root, units, [p for p in plans if p.parent is not None], actor)
        closed = _apply_closes([p for p in plans if p.valid_to is not None], actor)
    return Applied(moved=moved, closed=closed, rows=len(plans))


def _final_tree(root: Unit, units: list[Unit], new_parent: dict[int, int]) -> dict[int, tuple]:
    """(path, depth, parent id) of every unit of ``root``'s subtree once the moves are made
    (in memory: the check has refused cycles, so every unit is reached from ``root``)."""
    steplen = Unit.steplen
    by_path = {u.path: u for u in units}
    children: dict[int, list[Unit]] = defaultdict(list)
    next_step: dict[int, int] = defaultdict(lambda: 1)
    for u in units:
        if u.pk == root.pk:
            continue
        parent = by_path[u.path[:-steplen]]
        next_step[parent.pk] = max(next_step[parent.pk], int(u.path[-steplen:], 36) + 1)
        children[new_parent.get(u.pk, parent.pk)].append(u)
    final = {root.pk: (root.path, root.depth, None)}
    stack = [root.pk]
    while stack:
        parent_pk = stack.pop()
        parent_path, parent_depth, _grand = final[parent_pk]
        for child in sorted(children[parent_pk], key=lambda u: u.path):
            if child.pk in new_parent:  # moved in: the next free step, as a last child
                path = Unit._get_path(parent_path, parent_depth + 1, next_step[parent_pk])
                next_step[parent_pk] += 1
            else:
                path = parent_path + child.path[-steplen:]
            final[child.pk] = (path, parent_depth + 1, parent_pk)
            stack.append(child.pk)
    return final


def _write(rows: list[dict], assignments: str) -> None:
    update_rows(Unit, rows, assignments)


def _apply_moves(root: Unit, units: list[Unit], plans: list[Row], actor) -> list[Unit]:
    if not plans:
        return []
    new_parent = {p.unit.pk: p.parent.pk for p in plans}
    final = _final_tree(root, units, new_parent)
    by_pk = {u.pk: u for u in units}
    by_path = {u.path: u for u in units}
    changed = [u for u in units if final[u.pk][:2] != (u.path, u.depth)]
    # Every changed path first to a unique placeholder: no final path meets a current one.
    _write([{"id": u.pk} for u in changed], "path = '~' || units_unit.id")
    _write(
        [{"id": u.pk, "path": final[u.pk][0], "depth": final[u.pk][1]} for u in changed],
        "path = m.path, depth = m.depth",
    )
    old_parent = {p.unit.pk: by_path[p.unit.path[: -Unit.steplen]] for p in plans}
    counts: dict[int, int] = defaultdict(int)
    for _path, _depth, parent_pk in final.values():
        counts[parent_pk] += 1
    parents = {u.pk for u in old_parent.values()} | set(new_parent.values())
    _write([{"id": pk, "numchild": counts[pk]} for pk in sorted(parents)], "numchild = m.numchild")
    _write([{"id": pk} for pk in sorted(new_parent)], "version = version + 1")
    path_copies_remap({u.path: final[u.pk][0] for u in changed})
    history_record_rows(
        actor=actor,
        rows=[
            _move_entry(p.unit, old_parent[p.unit.pk], by_pk[new_parent[p.unit.pk]], final)
            for p in plans
        ],
    )
    units_moved([p.unit.pk for p in plans], old_paths={u.pk: u.path for u in changed})
    return [p.unit for p in plans]


def _move_entry(unit: Unit, old: Unit, new: Unit, final: dict[int, tuple]) -> tuple:
    """The history row ``unit_move`` writes for one move."""
    return (
        unit,
        unit,
        "move",
        f"Chuyển đơn vị {unit.name}: {old.name} → {new.name}",
        {"parent_id": old.pk, "parent": old.name, "path": unit.path},
        {"parent_id": new.pk, "parent": new.name, "path": final[unit.pk][0]},
    )


def _apply_closes(plans: list[Row], actor) -> list[Unit]:
    """Close the units with their successors (as ``unit_close``), in one statement each."""
    if not plans:
        return []
    # The ids as one JSON parameter (in_bulk and __in would split them by 999 on SQLite).
    ids = json.dumps([{"id": p.unit.pk} for p in plans])
    ids_sql = f"SELECT m.id FROM {json_rows([('id', 'bigint')])}"  # noqa: S608 — constant
    units = {
        u.pk: u
        for u in Unit.objects.select_related("successor").filter(pk__in=RawSQL(ids_sql, [ids]))  # noqa: S611
    }
    now = timezone.now()
    rows, entries, successions = [], [], []
    for plan in plans:
        unit = units[plan.unit.pk]
        before = _snapshot(unit)
        pairs = list(zip(plan.successors, plan.shares, strict=True))
        unit.valid_to = plan.valid_to
        unit.successor = _primary(pairs)
        unit.version += 1
        rows.append({"id": unit.pk, "valid_to": unit.valid_to, "successor_id": unit.successor_id})
        successions += [
            {
                "created_at": now,
                "updated_at": now,
                "predecessor_id": unit.pk,
                "successor_id": s.pk,
                "share": x,
            }
            for s, x in pairs
        ]
        after = _snapshot(unit)
        after["successors"] = [
            {"id": s.pk, "name": s.name, "share": None if x is None else str(x)} for s, x in pairs
        ]
        entries.append(
            (unit, unit, "close", f"Kết thúc hoạt động đơn vị {unit.name}", before, after)
        )
    _write(rows, "valid_to = m.valid_to, successor_id = m.successor_id, version = version + 1")
    UnitSuccession.objects.filter(predecessor__in=RawSQL(ids_sql, [ids])).delete()  # noqa: S611
    insert_rows(UnitSuccession, successions)
    history_record_rows(actor=actor, rows=entries)
    return [units[p.unit.pk] for p in plans]
