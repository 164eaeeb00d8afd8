import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lantoa.units.models import Unit
from lantoa.units.selectors import units_list


def names(qs) -> list[str]:
    return [u.name for u in qs]


@pytest.mark.django_db
def test_search_without_diacritics_finds_bo_de(demo):
    found = names(units_list(user=demo.users["admin"], q="bo de"))
    assert "UBND phường Bồ Đề" in found
    assert "Trung tâm học tập cộng đồng phường Bồ Đề" in found
    # Both the pre-2025 ward and its 2025 successor carry the name.
    assert found.count("UBND phường Bồ Đề") == 2


@pytest.mark.django_db
def test_search_duc_trong_finds_the_district_office_and_the_new_commune(demo):
    found = names(units_list(user=demo.users["admin"], q="DUC  trong"))
    assert set(found) == {"Phòng Giáo dục và Đào tạo huyện Đức Trọng", "UBND xã Đức Trọng"}


@pytest.mark.django_db
def test_search_is_limited_to_the_scope(demo):
    # phuong.bode sees its own ward and centre, not the 2025 ward of the same name.
    found = list(units_list(user=demo.users["phuong.bode"], q="bo de"))
    assert {u.pk for u in found} == {demo["ward_bode"].pk, demo["htcd_bode"].pk}
    assert list(units_list(user=demo.users["thcs.ngoclam"], q="bo de")) == []


@pytest.mark.django_db
def test_search_by_code_and_kind(demo):
    assert names(units_list(user=demo.users["admin"], q="24958")) == ["UBND xã Đức Trọng"]
    schools = names(units_list(user=demo.users["pgd.longbien"], kind="truong_thcs"))
    assert schools == ["Trường THCS Ngọc Lâm", "Trường THCS Phúc Lợi"]


@pytest.mark.django_db
def test_parent_filter_returns_direct_children_only(demo):
    children = list(units_list(user=demo.users["admin"], parent_id=demo["pgd_ductrong"].pk))
    assert len(children) == 5
    assert all(u.depth == demo["pgd_ductrong"].depth + 1 for u in children)


@pytest.mark.django_db
def test_subtree_of_a_province_is_one_query(demo):
    hanoi = Unit.objects.get(pk=demo["ubnd_hanoi"].pk)
    with CaptureQueriesContext(connection) as ctx:
        count = hanoi.subtree().count()
    assert len(ctx.captured_queries) == 1
    # Hà Nội, Sở, quận Long Biên + BCĐ, PGD, GDNN, 5 schools, 4 new wards, 14 wards + 14 HTCĐ
    assert count == 1 + 1 + 1 + 3 + 5 + 4 + 28
    assert not hanoi.subtree().filter(pk=demo["ubnd_langson"].pk).exists()
