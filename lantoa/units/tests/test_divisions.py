import io
import time
from datetime import date

import pytest
from django.core.management import call_command

from lantoa.history.models import HistoryEntry
from lantoa.units.models import Unit, UnitKind
from lantoa.units.services import unit_create


def assert_tree_is_consistent():
    """numchild matches the real children and every node's parent exists."""
    paths = dict(Unit.objects.values_list("path", "numchild"))
    children = {}
    for path in paths:
        if len(path) > Unit.steplen:
            parent = path[: -Unit.steplen]
            assert parent in paths, path
            children[parent] = children.get(parent, 0) + 1
    for path, numchild in paths.items():
        assert numchild == children.get(path, 0), path
    depths = Unit.objects.values_list("path", "depth")
    assert all(len(p) == d * Unit.steplen for p, d in depths)


@pytest.mark.django_db
def test_import_on_an_empty_database():
    out = io.StringIO()
    started = time.perf_counter()
    call_command("import_divisions", stdout=out)
    assert time.perf_counter() - started < 30
    assert "Tỉnh/thành phố: 34 mới, 0 đã có." in out.getvalue()
    assert "Xã/phường/đặc khu: 3.321 mới, 0 đã có." in out.getvalue()
    assert Unit.objects.filter(depth=1).get().name == "Bộ Giáo dục và Đào tạo"
    assert Unit.objects.filter(kind=UnitKind.UBND_TINH, depth=2).count() == 34
    assert Unit.objects.filter(kind=UnitKind.UBND_XA, depth=3).count() == 3321
    hanoi = Unit.objects.get(code="1")
    assert hanoi.name == "UBND Thành phố Hà Nội" and hanoi.place_name == "Hà Nội"
    assert Unit.objects.get(code="20").name == "UBND tỉnh Lạng Sơn"
    bode = Unit.objects.get(code="130")
    assert bode.name == "UBND phường Bồ Đề" and bode.place_name == "Bồ Đề"
    assert bode.in_subtree_of(hanoi)
    assert bode.valid_from == date(2025, 7, 1)
    ductrong = Unit.objects.get(code="24958")
    assert ductrong.name == "UBND xã Đức Trọng"
    assert ductrong.in_subtree_of(Unit.objects.get(code="68"))
    assert Unit.objects.filter(name__startswith="UBND đặc khu").count() == 13
    # Search keys are there (bulk inserts skip save()).
    assert Unit.objects.filter(search_text__contains="bo de", code="130").exists()
    assert_tree_is_consistent()
    # Communes have their own code space: "4" is Cao Bằng and phường Ba Đình.
    assert Unit.objects.get(code="4", kind=UnitKind.UBND_TINH).name == "UBND tỉnh Cao Bằng"
    assert Unit.objects.get(code="4", kind=UnitKind.UBND_XA).name == "UBND phường Ba Đình"
    assert HistoryEntry.objects.filter(action="import_divisions").count() == 34 + 3321


@pytest.mark.django_db
def test_second_run_changes_nothing():
    call_command("import_divisions", stdout=io.StringIO())
    before = list(Unit.objects.values_list("id", "path", "numchild", "name", "updated_at"))
    out = io.StringIO()
    call_command("import_divisions", stdout=out)
    assert "Tỉnh/thành phố: 0 mới, 34 đã có." in out.getvalue()
    assert "Xã/phường/đặc khu: 0 mới, 3.321 đã có." in out.getvalue()
    assert list(Unit.objects.values_list("id", "path", "numchild", "name", "updated_at")) == before


@pytest.mark.django_db
def test_import_matches_the_demo_codes(demo):
    before = Unit.objects.count()
    out = io.StringIO()
    call_command("import_divisions", stdout=out)
    # Demo provinces 1, 20, 68, 79 are current ones (74 Bình Dương merged into 79);
    # its 2025 wards 127, 130, 136, 148 and xã Đức Trọng 24958 are matched too.
    assert "Tỉnh/thành phố: 30 mới, 4 đã có." in out.getvalue()
    assert "Xã/phường/đặc khu: 3.316 mới, 5 đã có." in out.getvalue()
    assert Unit.objects.count() == before + 30 + 3316
    assert Unit.objects.filter(code="1").count() == 1
    assert Unit.objects.get(code="130").pk == demo["new_bode"].pk
    hanoi = Unit.objects.get(pk=demo["ubnd_hanoi"].pk)
    hanoi_communes = hanoi.subtree().filter(kind=UnitKind.UBND_XA, valid_from=date(2025, 7, 1))
    assert hanoi_communes.count() == 126
    assert hanoi.subtree().filter(code="HN-LB-01").exists()  # the historical wards stay
    assert_tree_is_consistent()
    # The tree keeps working with treebeard after the bulk insert.
    commune = Unit.objects.get(code="4", kind=UnitKind.UBND_XA)  # phường Ba Đình
    child = unit_create(
        parent=commune, name="Trung tâm học tập cộng đồng phường Ba Đình", kind=UnitKind.TT_HTCD
    )
    assert child.in_subtree_of(commune)
    assert_tree_is_consistent()
    # The 34 current provinces plus the demo's Bình Dương (closed in 2025).
    assert Unit.objects.filter(depth=2).count() == 34 + 1
