# ruff: noqa: S608 — the floor is hand-written SQL; every value is a bound parameter
"""Benchmarks: subtree count and diacritic-free search on the national tree.

The tree: `import_divisions` (34 provinces, 3,321 communes, real names) plus about 50,000
schools and centres at scale 1.0, bulk-inserted with computed paths. Ours = the selectors
the pages and API call; floor = the same question in hand-written SQL on the same data.
"""

import time

from django.db import connection

from lantoa.accounts.models import User
from lantoa.core.bench import Row, best_of
from lantoa.core.text import fold
from lantoa.units.divisions import divisions_import
from lantoa.units.models import Unit, UnitKind
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
        count = Unit.objects.subtree_of(unit).count()
        assert count == _count_sql(unit.path)
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
        floor = _search_sql(words, 50)
        assert [u.pk for u in ours] == [r[0] for r in floor], q
        rows.append(
            Row(
                f"units: search “{q}”, national ({len(ours)} of first 50)",
                best_of(lambda q=q: list(units_list(user=superuser, q=q)[:50])),
                best_of(lambda words=words: _search_sql(words, 50)),
                target=2.0,
            )
        )
    return rows


BENCHMARKS = [bench_subtree_and_search]
