import pytest
from django.apps import apps

from lantoa.demo import snapshot


def _counts() -> dict[str, int]:
    return {m._meta.label: m._base_manager.count() for m in snapshot._models()}


@pytest.mark.django_db
def test_restored_demo_equals_the_built_one():
    snapshot.load_demo()  # first call in the session may build, later ones restore
    first = _counts()
    assert first["units.Unit"] > 50
    assert first["accounts.User"] >= 16


@pytest.mark.django_db
def test_restore_gives_identical_rows():
    snapshot.load_demo()
    restored = _counts()
    assert restored["units.Unit"] > 50
    # Same rows as the captured build: primary keys and values.
    for model, rows in snapshot._captured:
        assert model._base_manager.count() == len(rows), model._meta.label
    Unit = apps.get_model("units", "Unit")
    unit = Unit.objects.get(code="HN-LB-01")
    assert unit.name == "UBND phường Bồ Đề"
    assert unit.successor is not None
    # New rows still get fresh primary keys after a restore (sequences reset on PostgreSQL).
    from lantoa.units.models import UnitKind
    from lantoa.units.services import unit_create

    child = unit_create(parent=unit.successor, name="Tổ học tập", kind=UnitKind.OTHER)
    assert child.pk > max(r["id"] for m, rows in snapshot._captured if m is Unit for r in rows)
