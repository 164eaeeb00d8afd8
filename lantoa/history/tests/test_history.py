from datetime import date

import pytest

from lantoa.history.models import HistoryEntry
from lantoa.history.selectors import history_for_object, history_for_subtree
from lantoa.history.services import history_record, history_record_many
from lantoa.units.models import Unit, UnitKind
from lantoa.units.services import unit_create


@pytest.fixture
def tree(db):
    root = unit_create(parent=None, name="Bộ", kind=UnitKind.BO_GDDT)
    a = unit_create(parent=root, name="Tỉnh A", kind=UnitKind.UBND_TINH)
    root.refresh_from_db()
    b = unit_create(parent=root, name="Tỉnh B", kind=UnitKind.UBND_TINH)
    return root, a, b


def test_record_stores_json_safe_before_and_after(tree, django_user_model):
    _, a, _ = tree
    actor = django_user_model.objects.create(username="qt")
    entry = history_record(
        actor=actor,
        unit=a,
        obj=a,
        action="update",
        summary="Sửa",
        before={"valid_to": None},
        after={"valid_to": date(2025, 6, 30)},
    )
    entry = HistoryEntry.objects.get(pk=entry.pk)
    assert entry.after == {"valid_to": "2025-06-30"}
    assert entry.changes() == [("valid_to", None, "2025-06-30")]
    assert entry.actor == actor
    assert list(history_for_object(obj=a).filter(action="update")) == [entry]


def test_subtree_history_excludes_other_branches(tree):
    root, a, b = tree
    assert {e.unit_id for e in history_for_subtree(unit=a)} == {a.pk}
    assert {e.unit_id for e in history_for_subtree(unit=root)} == {root.pk, a.pk, b.pk}


def test_record_many_is_one_insert(tree, django_assert_num_queries):
    _, a, b = tree
    units = list(Unit.objects.filter(pk__in=[a.pk, b.pk]))
    with django_assert_num_queries(1):
        assert (
            history_record_many(actor=None, objects=units, action="import", summary="Nhập {name}")
            == 2
        )
    assert set(HistoryEntry.objects.filter(action="import").values_list("summary", flat=True)) == {
        "Nhập Tỉnh A",
        "Nhập Tỉnh B",
    }
