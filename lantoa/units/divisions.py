"""The current administrative tree (since 1 July 2025): 34 provinces and 3,321 communes,
from the ``vietnam-provinces`` package, inserted in bulk with computed tree paths."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import F
from vietnam_provinces import Province, VietNamDivisionType, Ward

from lantoa.core.text import fold, nfc
from lantoa.history.services import history_record_many
from lantoa.units.models import Unit, UnitKind
from lantoa.units.services import unit_create

REFORM_START = date(2025, 7, 1)
ROOT_NAME = "Bộ Giáo dục và Đào tạo"


@dataclass
class DivisionsResult:
    provinces_created: int = 0
    provinces_existing: int = 0
    communes_created: int = 0
    communes_existing: int = 0
    created: list[Unit] = field(default_factory=list)


def province_name(province: Province) -> str:
    # "Thành phố Hà Nội" → "UBND Thành phố Hà Nội"; "Cao Bằng" → "UBND tỉnh Cao Bằng"
    if province.division_type == VietNamDivisionType.THANH_PHO_TRUNG_UONG:
        return f"UBND {province.name}"
    return f"UBND tỉnh {province.name}"


def province_place(province: Province) -> str:
    return province.name.removeprefix("Thành phố ")


def commune_name(ward: Ward) -> str:
    # "Phường Bồ Đề" → "UBND phường Bồ Đề", "Đặc khu Phú Quốc" → "UBND đặc khu Phú Quốc"
    first, _, rest = ward.name.partition(" ")
    if ward.division_type == VietNamDivisionType.DAC_KHU:
        return f"UBND đặc khu {ward.name.removeprefix('Đặc khu ')}"
    return f"UBND {first.lower()} {rest}"


def commune_place(ward: Ward) -> str:
    for prefix in ("Phường ", "Xã ", "Đặc khu "):
        if ward.name.startswith(prefix):
            return ward.name.removeprefix(prefix)
    return ward.name


def _new_unit(*, parent: Unit, step: int, name: str, code: str, place: str, **extra) -> Unit:
    name = nfc(name)
    return Unit(
        path=Unit._get_path(parent.path, parent.depth + 1, step),
        depth=parent.depth + 1,
        numchild=0,
        name=name,
        code=code,
        abbreviation="UBND",
        place_name=place,
        search_text=fold(f"{name} {code} UBND"),
        **extra,
    )


def _next_steps(parents: list[Unit]) -> dict[str, int]:
    """For each parent path, the step number after its last child (one query)."""
    if not parents:
        return {}
    depths = {p.depth + 1 for p in parents}
    last = defaultdict(int)
    rows = Unit.objects.filter(depth__in=depths).values_list("path", flat=True).order_by()
    wanted = {p.path for p in parents}
    for path in rows:
        parent_path = path[: -Unit.steplen]
        if parent_path in wanted:
            last[parent_path] = max(last[parent_path], Unit._str2int(path[-Unit.steplen :]))
    return {p: n + 1 for p, n in last.items()} | {p: 1 for p in wanted - set(last)}


@transaction.atomic
def divisions_import(*, actor=None) -> DivisionsResult:
    """Create the provinces (under the root) and communes (under their province) that
    are not there yet, matched by official code. Existing units are left as they are."""
    result = DivisionsResult()
    root = Unit.objects.filter(depth=1).order_by("path").first()
    if root is None:
        root = unit_create(
            parent=None, name=ROOT_NAME, kind=UnitKind.BO_GDDT, code="BGDDT", actor=actor
        )
    provinces = list(Province.iter_all())
    wards = list(Ward.iter_all())
    province_codes = [str(int(p.code)) for p in provinces]
    existing_provinces = set(
        Unit.objects.filter(code__in=province_codes)
        .exclude(kind=UnitKind.UBND_XA)
        .values_list("code", flat=True)
    )
    existing_communes = set(
        Unit.objects.filter(
            kind=UnitKind.UBND_XA, code__in=[str(int(w.code)) for w in wards]
        ).values_list("code", flat=True)
    )

    # Provinces.
    step = _next_steps([root])[root.path]
    new_provinces = []
    for province in provinces:
        code = str(int(province.code))
        if code in existing_provinces:
            result.provinces_existing += 1
            continue
        new_provinces.append(
            _new_unit(
                parent=root,
                step=step,
                name=province_name(province),
                code=code,
                place=province_place(province),
                kind=UnitKind.UBND_TINH,
            )
        )
        step += 1
    Unit.objects.bulk_create(new_provinces, batch_size=500)
    Unit.objects.filter(pk=root.pk).update(numchild=F("numchild") + len(new_provinces))
    result.provinces_created = len(new_provinces)

    # Communes, under their province (an existing one, e.g. the demo's Hà Nội, or new).
    by_code = {
        u.code: u
        for u in Unit.objects.filter(code__in=province_codes).exclude(kind=UnitKind.UBND_XA)
    }
    steps = _next_steps(list(by_code.values()))
    new_communes = []
    added = defaultdict(int)
    for ward in wards:
        code = str(int(ward.code))
        if code in existing_communes:
            result.communes_existing += 1
            continue
        parent = by_code[str(int(ward.province_code))]
        new_communes.append(
            _new_unit(
                parent=parent,
                step=steps[parent.path],
                name=commune_name(ward),
                code=code,
                place=commune_place(ward),
                kind=UnitKind.UBND_XA,
                valid_from=REFORM_START,
            )
        )
        steps[parent.path] += 1
        added[parent.pk] += 1
    Unit.objects.bulk_create(new_communes, batch_size=500)
    for parent_id, count in added.items():
        Unit.objects.filter(pk=parent_id).update(numchild=F("numchild") + count)
    result.communes_created = len(new_communes)

    created_paths = [u.path for u in new_provinces + new_communes]
    result.created = list(
        Unit.objects.filter(path__in=created_paths).only("id", "name", "code", "kind", "path")
    )
    history_record_many(
        actor=actor,
        objects=result.created,
        action="import_divisions",
        summary="Nhập danh mục hành chính: {name}",
    )
    return result
