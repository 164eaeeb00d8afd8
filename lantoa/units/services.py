from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lantoa.core.errors import Conflict, NotFound
from lantoa.core.spreadsheets import RowError, RowErrors, read_table
from lantoa.core.text import nfc
from lantoa.history.services import history_record
from lantoa.units.models import Unit, UnitKind, same_code_space_q
from lantoa.units.permissions import can_add_unit, can_edit_unit

TRACKED = [
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
    "successor_id",
]


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
UPDATABLE = {
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
    "successor",
}


@transaction.atomic
def unit_create(*, parent: Unit | None, actor=None, **fields) -> Unit:
    if actor is not None and not can_add_unit(actor, parent):
        raise NotFound
    unknown = set(fields) - UPDATABLE
    if unknown:
        raise ValidationError({f: _("Không sửa được trường này.") for f in sorted(unknown)})
    unit = Unit(**fields)
    _validate(unit)
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
def unit_update(*, unit: Unit, actor=None, **fields) -> Unit:
    unknown = set(fields) - UPDATABLE
    if unknown:
        raise ValidationError({f: _("Không sửa được trường này.") for f in sorted(unknown)})
    if actor is not None and not can_edit_unit(actor, unit):
        raise NotFound
    before = _snapshot(unit)
    for key, value in fields.items():
        setattr(unit, key, value)
    _validate(unit)
    unit.save()
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


@transaction.atomic
def unit_close(*, unit: Unit, valid_to: date, successor: Unit | None = None, actor=None) -> Unit:
    if unit.valid_to is not None:
        raise Conflict(
            _(
                "Đơn vị đã kết thúc hoạt động từ %(day)s; "
                "sửa ngày kết thúc bằng chức năng sửa thông tin đơn vị."
            )
            % {"day": f"{unit.valid_to:%d/%m/%Y}"}
        )
    return unit_update(unit=unit, actor=actor, valid_to=valid_to, successor=successor)


IMPORT_COLUMNS = {
    "code": ["Mã", "ma don vi", "code"],
    "name": ["Tên", "ten don vi", "name"],
    "kind": ["Loại", "loai don vi", "kind"],
    "parent_code": ["Mã đơn vị cấp trên", "ma cap tren", "parent_code", "parent code"],
    "email": ["Thư điện tử", "email"],
    "address": ["Địa chỉ", "address"],
    "edoc_code": ["Mã định danh", "ma dinh danh dien tu", "edoc_code"],
}
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
    for code, pk in root.subtree().exclude(code="").values_list("code", "pk"):
        # A commune and a province may share a code: such a parent code is ambiguous.
        subtree_codes[code] = None if code in subtree_codes else pk
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
