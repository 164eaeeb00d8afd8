from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from lantoa.core.errors import Conflict, NotFound
from lantoa.core.spreadsheets import RowError, RowErrors, read_table
from lantoa.core.text import nfc
from lantoa.history.services import history_record
from lantoa.units import error_codes
from lantoa.units.models import Unit, UnitKind, UnitSuccession, same_code_space_q
from lantoa.units.paths import path_copies_move, units_moved
from lantoa.units.permissions import (
    can_add_unit,
    can_close_unit,
    can_edit_unit,
    can_move_unit,
)

# The unit's own descriptive fields: what the edit form shows and an edit may change.
DESCRIPTIVE_FIELDS = (
    "name",
    "kind",
    "code",
    "edoc_code",
    "abbreviation",
    "governing_body",
    "place_name",
    "email",
    "address",
    "valid_from",
    "valid_to",
)
TRACKED = [*DESCRIPTIVE_FIELDS, "successor_id"]


def _snapshot(unit: Unit) -> dict:
    snapshot = {f: getattr(unit, f) for f in TRACKED}
    # The successor's name too, so the history reads without looking ids up.
    snapshot["successor"] = unit.successor.name if unit.successor_id else None
    return snapshot


def _validate(unit: Unit) -> None:
    errors = {}
    if not nfc(unit.name):
        errors["name"] = _("Tên đơn vị không được để trống.")
    if unit.kind not in UnitKind.values:
        errors["kind"] = _("Loại đơn vị không hợp lệ.")
    if (
        unit.code
        and Unit.objects.filter(same_code_space_q(unit.kind), code=unit.code)
        .exclude(pk=unit.pk)
        .exists()
    ):
        errors["code"] = _("Mã “%(code)s” đã được dùng cho đơn vị khác.") % {"code": unit.code}
    if unit.successor_id and unit.path and unit.successor.path.startswith(unit.path):
        errors["successor"] = _(
            "Đơn vị kế thừa không thể là chính đơn vị này hoặc một đơn vị trực thuộc nó."
        )
    if unit.valid_from and unit.valid_to and unit.valid_to < unit.valid_from:
        errors["valid_to"] = _("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.")
    if errors:
        raise ValidationError(errors)


# What an edit may change; the tree position (path, depth), the search key and the
# timestamps are the service's own.
UPDATABLE = {*DESCRIPTIVE_FIELDS, "successor"}


@transaction.atomic
def unit_create(*, parent: Unit | None, actor=None, **fields) -> Unit:
    if actor is not None and not can_add_unit(actor, parent):
        raise NotFound
    unknown = set(fields) - UPDATABLE
    if unknown:
        raise ValidationError({f: _("Không sửa được trường này.") for f in sorted(unknown)})
    unit = Unit(**fields)
    _validate(unit)
    if parent is not None:
        _check_parent_open(parent)
    unit = (
        Unit.objects.add_child(parent, instance=unit)
        if parent
        else Unit.objects.add_root(instance=unit)
    )
    history_record(
        actor=actor,
        unit=unit,
        obj=unit,
        action="create",
        summary=f"Tạo đơn vị {unit.name}",
        after=_snapshot(unit),
    )
    return unit


@transaction.atomic
def unit_update(*, unit: Unit, actor=None, version: int | None = None, **fields) -> Unit:
    unknown = set(fields) - UPDATABLE
    if unknown:
        raise ValidationError({f: _("Không sửa được trường này.") for f in sorted(unknown)})
    if actor is not None and not can_edit_unit(actor, unit):
        raise NotFound
    _check_version(unit, version)
    before = _snapshot(unit)
    for key, value in fields.items():
        setattr(unit, key, value)
    _validate(unit)
    unit.version += 1
    unit.save()
    if "successor" in fields and unit.successor_id != before["successor_id"]:
        # A successor chosen on the edit form replaces the successions (whole history).
        UnitSuccession.objects.filter(predecessor=unit).delete()
        if unit.successor_id:
            UnitSuccession.objects.create(predecessor=unit, successor_id=unit.successor_id)
    history_record(
        actor=actor,
        unit=unit,
        obj=unit,
        action="update",
        summary=f"Sửa đơn vị {unit.name}",
        before=before,
        after=_snapshot(unit),
    )
    return unit


def _check_parent_open(parent: Unit) -> None:
    if parent.is_closed:
        raise ValidationError(
            {
                "parent": ValidationError(
                    _(
                        "Đơn vị cấp trên “%(name)s” đã kết thúc hoạt động từ %(day)s; "
                        "không thể đặt đơn vị mới dưới đơn vị này."
                    )
                    % {"name": parent.name, "day": f"{parent.valid_to:%d/%m/%Y}"},
                    code=error_codes.PARENT_CLOSED,
                )
            }
        )


def _check_version(unit: Unit, version: int | None) -> None:
    if version is not None and version != unit.version:
        raise Conflict(
            _(
                "Thông tin đơn vị “%(name)s” vừa được người khác thay đổi (phiên bản %(now)s, "
                "bạn gửi phiên bản %(sent)s). Vui lòng tải lại trang rồi thực hiện lại."
            )
            % {"name": unit.name, "now": unit.version, "sent": version},
            code=error_codes.STALE_VERSION,
        )


def _parent_of(unit: Unit) -> Unit | None:
    if unit.depth <= 1:
        return None
    return Unit.objects.filter(path=unit.path[: -unit.steplen]).first()


def unit_move_errors(*, unit: Unit, new_parent: Unit, current_parent: Unit | None) -> list:
    """Why ``unit`` may not go under ``new_parent`` ([] when it may): shared with bulk sheets."""
    if current_parent is None:
        return [
            ValidationError(
                _("Không thể chuyển đơn vị gốc của cây đơn vị."), code=error_codes.MOVE_ROOT
            )
        ]
    if new_parent.path.startswith(unit.path):
        return [
            ValidationError(
                _(
                    "Không thể chuyển “%(name)s” vào chính nó hoặc một đơn vị trực thuộc nó "
                    "(“%(parent)s”)."
                )
                % {"name": unit.name, "parent": new_parent.name},
                code=error_codes.MOVE_INTO_OWN_SUBTREE,
            )
        ]
    if new_parent.is_closed:
        return [
            ValidationError(
                _(
                    "Đơn vị cấp trên “%(name)s” đã kết thúc hoạt động từ %(day)s; "
                    "không thể chuyển đơn vị vào đó."
                )
                % {"name": new_parent.name, "day": f"{new_parent.valid_to:%d/%m/%Y}"},
                code=error_codes.PARENT_CLOSED,
            )
        ]
    if current_parent.pk == new_parent.pk:
        return [
            ValidationError(
                _("“%(name)s” đã trực thuộc “%(parent)s”.")
                % {"name": unit.name, "parent": new_parent.name},
                code=error_codes.MOVE_SAME_PARENT,
            )
        ]
    return []


@transaction.atomic
def unit_move(*, unit: Unit, new_parent: Unit, version: int | None, user=None) -> Unit:
    """Re-parent ``unit``; its whole subtree follows (one set-based path rewrite).

    Past campaigns keep their totals: their reporting trees are frozen per campaign; open
    campaigns' trees are updated for the moved subtree (``paths.units_moved``).
    """
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    new_parent = Unit.objects.get(pk=new_parent.pk)
    if user is not None and not can_move_unit(user, unit, new_parent):
        raise NotFound
    _check_version(unit, version)
    current_parent = _parent_of(unit)
    errors = unit_move_errors(unit=unit, new_parent=new_parent, current_parent=current_parent)
    if errors:
        raise ValidationError({"parent_id": errors})
    old_path = unit.path
    Unit.objects.move(unit, new_parent, pos="last-child")
    unit = Unit.objects.get(pk=unit.pk)
    path_copies_move(old_path=old_path, new_path=unit.path)
    # Open campaigns' reporting trees follow (their moved part only); closed ones are frozen.
    units_moved([unit.pk], old_paths={unit.pk: old_path})
    Unit.objects.filter(pk=unit.pk).update(version=F("version") + 1)
    unit.version += 1
    history_record(
        actor=user,
        unit=unit,
        obj=unit,
        action="move",
        summary=f"Chuyển đơn vị {unit.name}: {current_parent.name} → {new_parent.name}",
        before={"parent_id": current_parent.pk, "parent": current_parent.name, "path": old_path},
        after={"parent_id": new_parent.pk, "parent": new_parent.name, "path": unit.path},
    )
    return unit


SHARE_TOLERANCE = Decimal("0.001")


def successions_errors(
    *, unit: Unit, successors: Sequence[tuple[Unit, Decimal | None]]
) -> list[ValidationError]:
    """Why these successors cannot take over ``unit`` ([] when they can)."""
    errors: list[ValidationError] = []

    def add(message: str, code: str) -> None:
        errors.append(ValidationError(message, code=code))

    seen: set[int] = set()
    for successor, share in successors:
        if successor.pk in seen:
            add(
                _("Đơn vị kế thừa “%(name)s” được nêu hai lần.") % {"name": successor.name},
                error_codes.SUCCESSOR_INVALID,
            )
        seen.add(successor.pk)
        if successor.path.startswith(unit.path):
            add(
                _(
                    "Đơn vị kế thừa “%(name)s” không thể là chính đơn vị này hoặc một đơn vị "
                    "trực thuộc nó."
                )
                % {"name": successor.name},
                error_codes.SUCCESSOR_INVALID,
            )
        elif successor.is_closed:
            add(
                _("Đơn vị kế thừa “%(name)s” đã kết thúc hoạt động.") % {"name": successor.name},
                error_codes.SUCCESSOR_INVALID,
            )
        if share is not None and not (0 < share <= 1):
            add(
                _("Tỷ lệ của “%(name)s” phải lớn hơn 0 và không quá 1 (ví dụ 0,4).")
                % {"name": successor.name},
                error_codes.SHARES_INVALID,
            )
    shares = [share for _unit, share in successors]
    given = [share for share in shares if share is not None]
    if given and len(given) != len(shares):
        add(
            _("Nhập tỷ lệ cho mọi đơn vị kế thừa, hoặc để trống tất cả."),
            error_codes.SHARES_INVALID,
        )
    elif given and abs(sum(given) - 1) > SHARE_TOLERANCE:
        add(
            _("Tổng các tỷ lệ phải bằng 1 (đang là %(total)s).")
            % {"total": f"{sum(given):.3f}".rstrip("0").rstrip(".").replace(".", ",")},
            error_codes.SHARES_INVALID,
        )
    return errors


def _primary(successors: Sequence[tuple[Unit, Decimal | None]]) -> Unit | None:
    """The successor that takes the whole history when there are no shares: the first one
    listed, or the largest share (the first of equals)."""
    if not successors:
        return None
    best = successors[0]
    for pair in successors[1:]:
        if pair[1] is not None and best[1] is not None and pair[1] > best[1]:
            best = pair
    return best[0]


@transaction.atomic
def unit_close(
    *,
    unit: Unit,
    valid_to: date,
    successors: Sequence[tuple[Unit, Decimal | None]] | None = None,
    successor: Unit | None = None,
    version: int | None = None,
    actor=None,
) -> Unit:
    """End ``unit`` on ``valid_to``, with its successors: merge (many units → one) or split
    (one → many, by share). ``successor`` is the one-successor shorthand."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if actor is not None and not can_close_unit(actor, unit):
        raise NotFound
    _check_version(unit, version)
    if unit.valid_to is not None:
        raise Conflict(
            _(
                "Đơn vị đã kết thúc hoạt động từ %(day)s; "
                "sửa ngày kết thúc bằng chức năng sửa thông tin đơn vị."
            )
            % {"day": f"{unit.valid_to:%d/%m/%Y}"},
            code=error_codes.ALREADY_CLOSED,
        )
    pairs = list(successors or [])
    if successor is not None and not pairs:
        pairs = [(successor, None)]
    current = Unit.objects.in_bulk([s.pk for s, _share in pairs])  # fresh validity dates
    pairs = [(current[s.pk], None if share is None else Decimal(share)) for s, share in pairs]
    errors = successions_errors(unit=unit, successors=pairs)
    if errors:
        raise ValidationError({"successors": errors})
    before = _snapshot(unit)
    unit.valid_to = valid_to
    unit.successor = _primary(pairs)
    _validate(unit)
    unit.version += 1
    unit.save()
    UnitSuccession.objects.filter(predecessor=unit).delete()
    UnitSuccession.objects.bulk_create(
        [UnitSuccession(predecessor=unit, successor=s, share=share) for s, share in pairs]
    )
    after = _snapshot(unit)
    after["successors"] = [
        {"id": s.pk, "name": s.name, "share": None if share is None else str(share)}
        for s, share in pairs
    ]
    history_record(
        actor=actor,
        unit=unit,
        obj=unit,
        action="close",
        summary=f"Kết thúc hoạt động đơn vị {unit.name}",
        before=before,
        after=after,
    )
    return unit


def unit_successions(*, unit: Unit) -> list[UnitSuccession]:
    return list(UnitSuccession.objects.filter(predecessor=unit).select_related("successor"))


IMPORT_COLUMNS = {
    "code": ["Mã", "ma don vi", "code"],
    "name": ["Tên", "ten don vi", "name"],
    "kind": ["Loại", "loai don vi", "kind"],
    "parent_code": ["Mã đơn vị cấp trên", "ma cap tren", "parent_code", "parent code"],
    "email": ["Thư điện tử", "email"],
    "address": ["Địa chỉ", "address"],
    "edoc_code": ["Mã định danh", "ma dinh danh dien tu", "edoc_code"],
}
# The import sheet's headers (each column's first name above): the template and the export
# are written with them, so an export is read back by ``units_import`` as it is.
IMPORT_HEADERS = [names[0] for names in IMPORT_COLUMNS.values()]
_KIND_BY_LABEL = {}


def _kind_of(value: str) -> str | None:
    from lantoa.core.text import fold

    if not _KIND_BY_LABEL:
        for kind in UnitKind:
            _KIND_BY_LABEL[fold(kind.value)] = kind.value
            _KIND_BY_LABEL[fold(str(kind.label))] = kind.value
    return _KIND_BY_LABEL.get(fold(value))


def units_import(*, root: Unit, upload, actor=None) -> list[Unit]:
    """Import units under ``root``'s subtree. Any bad row: nothing is imported, every error listed."""
    rows = read_table(upload, columns=IMPORT_COLUMNS, optional={"email", "address", "edoc_code"})
    errors: list[RowError] = []
    subtree_codes: dict[str, int | None] = {}
    closed: dict[str, str] = {}  # code → name of units that have ended (no new children)
    for code, pk, name, valid_to in (
        root.subtree().exclude(code="").values_list("code", "pk", "name", "valid_to")
    ):
        # A commune and a province may share a code: such a parent code is ambiguous.
        subtree_codes[code] = None if code in subtree_codes else pk
        if valid_to is not None:
            closed[code] = name
    all_codes = set(Unit.objects.exclude(code="").values_list("code", flat=True))
    new_codes: dict[str, dict] = {}
    for row in rows:
        code = str(row["code"]).strip()
        if isinstance(row["code"], float) and row["code"].is_integer():
            code = str(int(row["code"]))
        row["code"] = code
        pc = row["parent_code"]
        row["parent_code"] = (
            str(int(pc)) if isinstance(pc, float) and pc.is_integer() else str(pc).strip()
        )
        if not code:
            errors.append(RowError(row["_row"], "Mã", _("không được để trống")))
        elif code in all_codes or code in new_codes:
            errors.append(
                RowError(row["_row"], "Mã", _("mã “%(code)s” đã tồn tại") % {"code": code})
            )
        else:
            new_codes[code] = row
        if not str(row["name"]).strip():
            errors.append(RowError(row["_row"], "Tên", _("không được để trống")))
        kind = _kind_of(str(row["kind"]))
        if not kind:
            errors.append(
                RowError(
                    row["_row"],
                    "Loại",
                    _("loại đơn vị “%(kind)s” không hợp lệ") % {"kind": row["kind"]},
                )
            )
        row["kind"] = kind
        if not row["parent_code"]:
            errors.append(RowError(row["_row"], "Mã đơn vị cấp trên", _("không được để trống")))
        elif row["parent_code"] in subtree_codes and subtree_codes[row["parent_code"]] is None:
            errors.append(
                RowError(
                    row["_row"],
                    "Mã đơn vị cấp trên",
                    _("mã “%(code)s” trùng ở nhiều đơn vị (một tỉnh và một xã)")
                    % {"code": row["parent_code"]},
                )
            )
        elif row["parent_code"] in closed:
            errors.append(
                RowError(
                    row["_row"],
                    "Mã đơn vị cấp trên",
                    _("“%(name)s” đã kết thúc hoạt động, không thể đặt đơn vị mới dưới đơn vị này")
                    % {"name": closed[row["parent_code"]]},
                )
            )
        elif (
            row["parent_code"] not in subtree_codes
            and row["parent_code"] not in new_codes
            and row["parent_code"] != root.code
        ):
            errors.append(
                RowError(
                    row["_row"],
                    "Mã đơn vị cấp trên",
                    _("không tìm thấy đơn vị “%(code)s” trong phạm vi của bạn")
                    % {"code": row["parent_code"]},
                )
            )
        email = str(row.get("email") or "").strip()
        if email and "@" not in email:
            errors.append(RowError(row["_row"], "Thư điện tử", _("địa chỉ không hợp lệ")))
    if errors:
        raise RowErrors(errors)
    created: list[Unit] = []
    with transaction.atomic():
        by_code = {c: Unit.objects.get(pk=pk) for c, pk in subtree_codes.items() if pk}
        if root.code:
            by_code[root.code] = root
        pending = list(new_codes.values())
        while pending:
            progressed = False
            for row in list(pending):
                parent = by_code.get(row["parent_code"])
                if parent is None:
                    continue
                parent.refresh_from_db()
                unit = unit_create(
                    parent=parent,
                    actor=actor,
                    code=row["code"],
                    name=nfc(str(row["name"])),
                    kind=row["kind"],
                    email=str(row.get("email") or ""),
                    address=str(row.get("address") or ""),
                    edoc_code=str(row.get("edoc_code") or "").strip(),
                )
                by_code[unit.code] = unit
                created.append(unit)
                pending.remove(row)
                progressed = True
            if not progressed:
                raise RowErrors(
                    [
                        RowError(r["_row"], "Mã đơn vị cấp trên", _("tham chiếu vòng"))
                        for r in pending
                    ]
                )
    return created
