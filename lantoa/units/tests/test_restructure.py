"""Issue 8, restructuring: move a unit (its subtree follows), close with several successors
(merge, split by share), nothing new under a closed unit."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from lantoa.core.errors import Conflict, NotFound
from lantoa.documents.models import Document
from lantoa.history.models import HistoryEntry
from lantoa.units import error_codes
from lantoa.units.models import Unit, UnitKind, UnitSuccession
from lantoa.units.services import unit_close, unit_create, unit_move

pytestmark = pytest.mark.django_db


def fresh(unit: Unit) -> Unit:
    return Unit.objects.get(pk=unit.pk)


def codes(exc) -> set[str]:
    return {e.code for errors in exc.value.error_dict.values() for e in errors}


def test_move_takes_the_subtree_and_records_before_and_after(demo):
    admin, school = demo.users["admin"], fresh(demo["th_giathuy"])
    branch = unit_create(parent=school, name="Điểm trường Gia Thụy 2", kind=UnitKind.OTHER)
    doc = Document.objects.create(
        kind="ke_hoach",
        issuer_unit=school,
        drafting_unit=school,
        subject="Kế hoạch của trường",
        area_path=school.path,
    )
    moved = unit_move(
        unit=school, new_parent=demo["new_bode"], version=fresh(school).version, user=admin
    )
    new_bode = fresh(demo["new_bode"])
    assert moved.path.startswith(new_bode.path) and moved.depth == new_bode.depth + 1
    branch = fresh(branch)
    assert branch.path.startswith(moved.path) and branch.depth == moved.depth + 1
    assert new_bode.numchild == 1
    assert fresh(demo["pgd_longbien"]).numchild == demo["pgd_longbien"].numchild - 1
    # A copy of the path elsewhere follows in the same transaction.
    assert Document.objects.get(pk=doc.pk).area_path == moved.path
    entry = HistoryEntry.objects.get(object_id=str(school.pk), action="move")
    assert entry.before["parent"] == "Phòng Giáo dục và Đào tạo quận Long Biên"
    assert entry.after == {"parent_id": new_bode.pk, "parent": new_bode.name, "path": moved.path}
    assert "→ UBND phường Bồ Đề" in entry.summary
    assert moved.version == school.version + 1


def test_move_refuses_own_subtree_closed_parent_root_and_same_parent(demo):
    admin = demo.users["admin"]
    hanoi = fresh(demo["ubnd_hanoi"])
    cases = [
        (hanoi, demo["so_hanoi"], error_codes.MOVE_INTO_OWN_SUBTREE, "trực thuộc nó"),
        (hanoi, hanoi, error_codes.MOVE_INTO_OWN_SUBTREE, "chính nó"),
        (demo["th_giathuy"], demo["ward_bode"], error_codes.PARENT_CLOSED, "30/06/2025"),
        (demo["so_hanoi"], demo["ubnd_hanoi"], error_codes.MOVE_SAME_PARENT, "đã trực thuộc"),
    ]
    paths = dict(Unit.objects.values_list("pk", "path"))
    for unit, parent, code, words in cases:
        unit = fresh(unit)
        with pytest.raises(ValidationError) as exc:
            unit_move(unit=unit, new_parent=parent, version=unit.version, user=admin)
        assert code in codes(exc), (unit.name, parent.name)
        assert words in exc.value.message_dict["parent_id"][0]
    assert dict(Unit.objects.values_list("pk", "path")) == paths
    assert not HistoryEntry.objects.filter(action="move").exists()


def test_move_root_is_refused(demo):
    root = fresh(demo["bo"])
    other = unit_create(parent=None, name="Cây khác", kind=UnitKind.OTHER)
    with pytest.raises(ValidationError) as exc:
        unit_move(unit=root, new_parent=other, version=root.version, user=demo.users["admin"])
    assert codes(exc) == {error_codes.MOVE_ROOT}


def test_move_with_a_stale_version_is_a_conflict(demo):
    school = fresh(demo["th_giathuy"])
    with pytest.raises(Conflict) as exc:
        unit_move(
            unit=school,
            new_parent=demo["new_bode"],
            version=school.version - 1 if school.version > 1 else school.version + 1,
            user=demo.users["admin"],
        )
    assert exc.value.code == error_codes.STALE_VERSION
    assert "vừa được người khác thay đổi" in exc.value.detail
    assert fresh(school).path == school.path


def test_move_outside_the_admin_scope_is_not_found(demo):
    # qt.longbien administers Long Biên, not the city: the new parent is out of its scope.
    school = fresh(demo["th_giathuy"])
    with pytest.raises(NotFound):
        unit_move(
            unit=school,
            new_parent=demo["new_bode"],
            version=school.version,
            user=demo.users["qt.longbien"],
        )
    # An editor of the school's office is no admin.
    with pytest.raises(NotFound):
        unit_move(
            unit=school,
            new_parent=demo["thcs_ngoclam"],
            version=school.version,
            user=demo.users["cv.longbien"],
        )
    assert fresh(school).path == school.path


def test_nothing_new_under_a_closed_unit(demo):
    with pytest.raises(ValidationError) as exc:
        unit_create(parent=fresh(demo["pgd_longbien"]), name="Trường mới", kind=UnitKind.TRUONG_TH)
    assert codes(exc) == {error_codes.PARENT_CLOSED}
    assert "đã kết thúc hoạt động từ 30/06/2025" in exc.value.message_dict["parent"][0]


def test_split_with_shares(demo):
    school = fresh(demo["thcs_ngoclam"])
    a = unit_create(parent=fresh(demo["new_bode"]), name="Trường A", kind=UnitKind.TRUONG_THCS)
    b = unit_create(parent=fresh(demo["new_bode"]), name="Trường B", kind=UnitKind.TRUONG_THCS)
    closed = unit_close(
        unit=school,
        valid_to=date(2026, 6, 30),
        successors=[(a, Decimal("0.4")), (b, Decimal("0.6"))],
        version=school.version,
        actor=demo.users["admin"],
    )
    assert closed.valid_to == date(2026, 6, 30)
    assert closed.successor == b  # the largest share is the primary successor
    shares = {s.successor_id: s.share for s in UnitSuccession.objects.filter(predecessor=school)}
    assert shares == {a.pk: Decimal("0.4"), b.pk: Decimal("0.6")}
    entry = HistoryEntry.objects.get(object_id=str(school.pk), action="close")
    assert entry.after["successors"] == [
        {"id": a.pk, "name": "Trường A", "share": "0.4"},
        {"id": b.pk, "name": "Trường B", "share": "0.6"},
    ]


@pytest.mark.parametrize(
    "shares, words",
    [
        (["0.5", "0.4"], "Tổng các tỷ lệ phải bằng 1 (đang là 0,9)"),
        (["0.5", None], "Nhập tỷ lệ cho mọi đơn vị kế thừa"),
        (["1.5", "-0.5"], "phải lớn hơn 0 và không quá 1"),
    ],
)
def test_bad_shares_change_nothing(demo, shares, words):
    school = fresh(demo["thcs_ngoclam"])
    pairs = [
        (fresh(demo["new_bode"]), None if shares[0] is None else Decimal(shares[0])),
        (fresh(demo["new_viethung"]), None if shares[1] is None else Decimal(shares[1])),
    ]
    with pytest.raises(ValidationError) as exc:
        unit_close(unit=school, valid_to=date(2026, 6, 30), successors=pairs)
    assert codes(exc) == {error_codes.SHARES_INVALID}
    assert any(words in m for m in exc.value.message_dict["successors"])
    assert fresh(school).valid_to is None
    assert not UnitSuccession.objects.filter(predecessor=school).exists()


def test_bad_successors_change_nothing(demo):
    school = fresh(demo["thcs_ngoclam"])
    for successor in (school, demo["ward_bode"]):
        with pytest.raises(ValidationError) as exc:
            unit_close(unit=school, valid_to=date(2026, 6, 30), successors=[(successor, None)])
        assert codes(exc) == {error_codes.SUCCESSOR_INVALID}
    with pytest.raises(ValidationError):
        unit_close(
            unit=school,
            valid_to=date(2026, 6, 30),
            successors=[(demo["new_bode"], None), (demo["new_bode"], None)],
        )
    assert fresh(school).valid_to is None


def test_single_successors_were_migrated_into_successions(demo):
    # The demo closes its units through the service; every closed unit with a successor
    # has that successor among its successions.
    closed = Unit.objects.filter(successor__isnull=False)
    assert closed.count() > 20
    for unit in closed:
        assert UnitSuccession.objects.filter(predecessor=unit, successor=unit.successor_id).exists()
