from datetime import date

import pytest
from django.core.exceptions import ValidationError

from lantoa.core.errors import Conflict
from lantoa.history.models import HistoryEntry
from lantoa.units.models import Unit, UnitKind
from lantoa.units.services import unit_close, unit_create, unit_update


@pytest.fixture
def tree(db):
    root = unit_create(parent=None, name="Bộ Giáo dục và Đào tạo", kind=UnitKind.BO_GDDT)
    province = unit_create(parent=root, name="UBND tỉnh A", kind=UnitKind.UBND_TINH, code="99")
    root.refresh_from_db()
    other = unit_create(parent=root, name="UBND tỉnh B", kind=UnitKind.UBND_TINH, code="98")
    province.refresh_from_db()
    district = unit_create(parent=province, name="UBND huyện C", kind=UnitKind.UBND_HUYEN)
    return root, province, other, district


def test_create_records_history(tree):
    _, province, _, district = tree
    entry = HistoryEntry.objects.get(object_type="unit", object_id=str(district.pk))
    assert entry.action == "create"
    assert entry.after["name"] == "UBND huyện C"
    assert district.path.startswith(province.path)


def test_create_rejects_duplicate_code_and_empty_name(tree):
    _, province, _, _ = tree
    with pytest.raises(ValidationError) as exc:
        unit_create(parent=province, name="  ", kind=UnitKind.SO_GDDT, code="98")
    assert set(exc.value.message_dict) == {"name", "code"}
    assert "đã được dùng" in exc.value.message_dict["code"][0]
    assert Unit.objects.count() == 4


def test_update_records_before_and_after(tree):
    _, _, _, district = tree
    unit_update(unit=district, name="UBND thị xã C", email="c@example.vn")
    entry = HistoryEntry.objects.filter(object_id=str(district.pk), action="update").get()
    assert ("name", "UBND huyện C", "UBND thị xã C") in entry.changes()
    assert ("email", "", "c@example.vn") in entry.changes()
    assert Unit.objects.get(pk=district.pk).search_text.startswith("ubnd thi xa c")


def test_update_rejects_end_before_start(tree):
    _, _, _, district = tree
    with pytest.raises(ValidationError) as exc:
        unit_update(unit=district, valid_from=date(2020, 1, 1), valid_to=date(2019, 1, 1))
    assert "valid_to" in exc.value.message_dict
    assert Unit.objects.get(pk=district.pk).valid_from is None


def test_close_with_successor_keeps_the_unit_in_history(tree):
    _, province, other, district = tree
    unit_close(unit=district, valid_to=date(2025, 6, 30), successor=other)
    district = Unit.objects.get(pk=district.pk)
    assert district.valid_to == date(2025, 6, 30)
    assert district.successor == other
    assert list(other.predecessors.all()) == [district]
    assert district.is_active_on(date(2025, 6, 30))
    assert not district.is_active_on(date(2025, 7, 1))
    assert district not in Unit.objects.active_on(date(2025, 7, 1))
    entry = HistoryEntry.objects.filter(object_id=str(district.pk), action="close").get()
    assert ("valid_to", None, "2025-06-30") in entry.changes()
    assert ("successor_id", None, other.pk) in entry.changes()


def test_close_twice_is_a_conflict(tree):
    _, _, other, district = tree
    unit_close(unit=district, valid_to=date(2025, 6, 30), successor=other)
    with pytest.raises(Conflict) as exc:
        unit_close(unit=Unit.objects.get(pk=district.pk), valid_to=date(2025, 7, 30))
    assert "30/06/2025" in exc.value.detail


def test_communes_have_their_own_code_space(tree):
    _, province, _, _ = tree
    commune = unit_create(parent=province, name="UBND xã D", kind=UnitKind.UBND_XA, code="98")
    assert commune.code == "98"
    with pytest.raises(ValidationError):
        unit_create(parent=province, name="UBND xã E", kind=UnitKind.UBND_XA, code="98")


def test_successor_cannot_be_inside_the_closed_unit(tree):
    _, province, _, district = tree
    province.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        unit_close(unit=province, valid_to=date(2025, 6, 30), successor=district)
    assert "successors" in exc.value.message_dict
    assert Unit.objects.get(pk=province.pk).valid_to is None
