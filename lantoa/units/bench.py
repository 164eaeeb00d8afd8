# ruff: noqa: S608 — the floor is hand-written SQL; every value is a bound parameter
"""Benchmarks: subtree count and diacritic-free search on the national tree.

The tree: `import_divisions` (34 provinces, 3,321 communes, real names) plus about 50,000
schools and centres at scale 1.0, bulk-inserted with computed paths. Ours = the selectors
the pages and API call; floor = the same question in hand-written SQL on the same data.
"""

import time

from django.db import connection

from lantoa.accounts.models import User
from lantoa.core.bench import Row, best_of, same
from lantoa.core.text import fold
from lantoa.units.divisions import divisions_import
from lantoa.units.models import Unit, UnitKind, subtree_q
from lantoa.units.selectors import units_list

SCHOOLS = 50_000
SCHOOL_KINDS = [
    (UnitKind.TRUONG_MN, "Trường Mầm non"),
    (UnitKind.TRUONG_TH, "Trường Tiểu học"),
    (UnitKind.TRUONG_THCS, "Trường THCS"),
    (UnitKind.TT_HTCD, "Trung tâm học tập cộng đồng"),
]


def _national_tree(ctx) -> dict:
    if "units:national" in ctx.cache:
        return ctx.cache["units:national"]
    began = time.perf_counter()
    divisions_import()
    communes = list(
        Unit.objects.filter(kind=UnitKind.UBND_XA).only("id", "path", "depth", "place_name")
    )
    if not Unit.objects.filter(depth=4).exists():
        total = max(len(communes), int(SCHOOLS * ctx.scale))
        nodes, per_commune = [], {}
        for i in range(total):
            commune = communes[i % len(communes)]
            step = per_commune.get(commune.pk, 0) + 1
            per_commune[commune.pk] = step
            kind, label = SCHOOL_KINDS[i % len(SCHOOL_KINDS)]
            name = f"{label} {commune.place_name} số {step}"
            nodes.append(
                Unit(
                    path=Unit._get_path(commune.path, commune.depth + 1, step),
                    depth=commune.depth + 1,
                    numchild=0,
                    name=name,
                    kind=kind,
                    search_text=fold(name),
                )
            )
        Unit.objects.bulk_create(nodes, batch_size=2000)
        for commune in communes:
            Unit.objects.filter(pk=commune.pk).update(numchild=per_commune.get(commune.pk, 0))
    superuser = User.objects.filter(
        username="bench.admin"
    ).first() or User.objects.create_superuser("bench.admin", "bench@lantoa.local", None)
    world = {
        "hanoi": Unit.objects.get(code="1", kind=UnitKind.UBND_TINH),
        "superuser": superuser,
        "units": Unit.objects.count(),
    }
    ctx.out(f"  national tree: {world['units']:,} units in {time.perf_counter() - began:.1f} s")
    ctx.cache["units:national"] = world
    return world


def _count_sql(path: str) -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT COUNT(*) FROM units_unit WHERE path LIKE %s", [path + "%"])
        else:
            cursor.execute(
                "SELECT COUNT(*) FROM units_unit WHERE path >= %s AND path < %s",
                [path, path + "["],
            )
        return cursor.fetchone()[0]


def _search_sql(words: list[str], limit: int) -> list:
    where = " AND ".join("search_text LIKE %s" for _ in words)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, path, depth, numchild, name, kind, code FROM units_unit WHERE {where} "
            "ORDER BY path LIMIT %s",
            [f"%{w}%" for w in words] + [limit],
        )
        return cursor.fetchall()


def bench_subtree_and_search(ctx) -> list[Row]:
    world = _national_tree(ctx)
    rows = []
    root = Unit.objects.get(depth=1, code="BGDDT")
    for label, unit in (("nation", root), ("Hà Nội", world["hanoi"])):
        count = same(Unit.objects.subtree_of(unit).count(), _count_sql(unit.path), "count")
        rows.append(
            Row(
                f"units: subtree count, {label} ({count:,} units)",
                best_of(lambda unit=unit: Unit.objects.subtree_of(unit).count()),
                best_of(lambda unit=unit: _count_sql(unit.path)),
                # Sub-millisecond queries: the ORM's fixed cost dominates the ratio.
                target=2.0 if count > 10_000 else 4.0,
            )
        )
    superuser = world["superuser"]
    for q in ("bo de", "duc trong", "tieu hoc ba dinh"):
        words = fold(q).split()
        ours = list(units_list(user=superuser, q=q)[:50])
        # Every column the list shows, compared in full (not only the ids).
        same(
            [(u.pk, u.path, u.depth, u.numchild, u.name, u.kind, u.code) for u in ours],
            [tuple(r) for r in _search_sql(words, 50)],
            f"units search {q}",
        )
        rows.append(
            Row(
                f"units: search “{q}”, national ({len(ours)} of first 50)",
                best_of(lambda q=q: list(units_list(user=superuser, q=q)[:50])),
                best_of(lambda words=words: _search_sql(words, 50)),
                target=2.0,
            )
        )
    return rows


def district_build(*, parent: Unit, name: str, wards: int = 25, per_ward: int = 19) -> Unit:
    """A district of ``1 + wards + wards × per_ward`` units under ``parent`` (501 by default),
    bulk-inserted with computed paths."""
    parent = Unit.objects.get(pk=parent.pk)
    district = Unit.objects.add_child(parent, instance=Unit(name=name, kind=UnitKind.UBND_HUYEN))
    nodes = []
    for w in range(1, wards + 1):
        ward_path = Unit._get_path(district.path, district.depth + 1, w)
        label = f"UBND phường {name} {w}"
        nodes.append(
            Unit(
                path=ward_path,
                depth=district.depth + 1,
                numchild=per_ward,
                name=label,
                kind=UnitKind.UBND_XA,
                search_text=fold(label),
            )
        )
        for i in range(1, per_ward + 1):
            label = f"Trường Tiểu học {name} {w}-{i}"
            nodes.append(
                Unit(
                    path=Unit._get_path(ward_path, district.depth + 2, i),
                    depth=district.depth + 2,
                    numchild=0,
                    name=label,
                    kind=UnitKind.TRUONG_TH,
                    search_text=fold(label),
                )
            )
    Unit.objects.bulk_create(nodes, batch_size=2000)
    Unit.objects.filter(pk=district.pk).update(numchild=wards)
    return Unit.objects.get(pk=district.pk)


def _move_sql(old: str, new: str, depth_change: int) -> None:
    """The floor: one UPDATE rewriting the subtree's paths and depths, and the two parents'
    child counts (the tree stays valid for the next move)."""
    steplen = Unit.steplen
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE units_unit SET path = %s || SUBSTR(path, %s), depth = depth + %s "
            "WHERE path >= %s AND path < %s",
            [new, len(old) + 1, depth_change, old, old + "["],
        )
        cursor.execute(
            "UPDATE units_unit SET numchild = numchild - 1 WHERE path = %s", [old[:-steplen]]
        )
        cursor.execute(
            "UPDATE units_unit SET numchild = numchild + 1 WHERE path = %s", [new[:-steplen]]
        )


def bench_reparent_district(ctx) -> list[Row]:
    """Re-parent a district of 500 units (the 2025 reform): through ``unit_move`` (history,
    path copies, counts) and through a restructuring sheet, against one raw UPDATE."""
    import io

    from openpyxl import Workbook

    from lantoa.units.restructuring import units_restructure
    from lantoa.units.services import unit_move

    root = ctx.root("units.restructure", "Bộ (đo tái cấu trúc)")
    a = Unit.objects.add_child(
        Unit.objects.get(pk=root.pk),
        instance=Unit(name="Tỉnh A (đo)", kind=UnitKind.UBND_TINH, code="BENCH-RS-A"),
    )
    b = Unit.objects.add_child(
        Unit.objects.get(pk=root.pk),
        instance=Unit(name="Tỉnh B (đo)", kind=UnitKind.UBND_TINH, code="BENCH-RS-B"),
    )
    district = district_build(parent=a, name="Quận đo")
    Unit.objects.filter(pk=district.pk).update(code="BENCH-RS-D")
    size = Unit.objects.subtree_of(district).count()
    targets = [b, a]

    def ours():
        target = targets[0]
        targets.reverse()
        unit = Unit.objects.get(pk=district.pk)
        unit_move(unit=unit, new_parent=target, version=None)

    def sheet():
        target = targets[0]
        targets.reverse()
        wb = Workbook()
        wb.active.append(["Mã đơn vị", "Mã đơn vị cấp trên mới"])
        wb.active.append(["BENCH-RS-D", target.code])
        upload = io.BytesIO()
        wb.save(upload)
        upload.seek(0)
        upload.name = "tai-cau-truc.xlsx"
        units_restructure(root=Unit.objects.get(pk=root.pk), upload=upload)

    def floor():
        unit = Unit.objects.get(pk=district.pk)
        target = Unit.objects.get(pk=targets[0].pk)
        targets.reverse()
        last = (
            Unit.objects.filter(subtree_q(target.path), depth=target.depth + 1)
            .order_by("-path")
            .values_list("path", flat=True)
            .first()
        )
        step = int(last[-Unit.steplen :], 36) + 1 if last else 1
        new = Unit._get_path(target.path, target.depth + 1, step)
        _move_sql(unit.path, new, target.depth + 1 - unit.depth)

    def state() -> tuple:
        """Where the district stands: its path, every unit's place below it, the counts."""
        unit = Unit.objects.get(pk=district.pk)
        below = sorted(
            (pk, path[len(unit.path) :], depth - unit.depth)
            for pk, path, depth in Unit.objects.filter(subtree_q(unit.path)).values_list(
                "pk", "path", "depth"
            )
        )
        counts = list(Unit.objects.filter(pk__in=[a.pk, b.pk]).values_list("pk", "numchild"))
        return unit.path, unit.depth, below, sorted(counts)

    # Ours and the floor must leave the same tree: each moves the district there and back.
    ours()
    moved_by_ours = state()
    ours()
    floor()
    same(moved_by_ours, state(), "re-parented district (paths, depths, child counts)")
    floor()
    rows = [
        Row(
            f"units: re-parent a district ({size} units), unit_move",
            best_of(ours, repeat=4),
            best_of(floor, repeat=4),
            budget_ms=2000,
            scale=ctx.scale,
        ),
        Row(
            f"units: re-parent a district ({size} units), restructuring sheet",
            best_of(sheet, repeat=4),
            budget_ms=2000,
            scale=ctx.scale,
        ),
    ]
    return rows


BENCHMARKS = [bench_subtree_and_search, bench_reparent_district]
