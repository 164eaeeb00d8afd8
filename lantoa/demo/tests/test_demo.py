import io
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from lantoa.accounts.models import Membership, User
from lantoa.demo.management.commands.demo import STEPS
from lantoa.units.models import Unit, UnitKind, UnitSuccession
from lantoa.units.services import unit_create


def row_counts() -> dict[str, int]:
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label not in ("sessions", "axes", "contenttypes", "auth")
    }


@pytest.mark.django_db
def test_demo_builds_the_tree_and_accounts_of_demo_md(demo):
    assert Unit.objects.filter(depth=1).count() == 1
    assert demo["bo"].name == "Bộ Giáo dục và Đào tạo"
    provinces = dict(Unit.objects.filter(kind=UnitKind.UBND_TINH).values_list("code", "name"))
    assert provinces["1"] == "UBND Thành phố Hà Nội"
    assert provinces["20"] == "UBND tỉnh Lạng Sơn"
    assert provinces["74"] == "UBND tỉnh Bình Dương"
    assert provinces["68"] == "UBND tỉnh Lâm Đồng"
    wards = Unit.objects.subtree_of(demo["ubnd_longbien"]).filter(kind=UnitKind.UBND_XA)
    assert wards.count() == 14
    assert all(w.successor_id and str(w.valid_to) == "2025-06-30" for w in wards)
    # The 2025 reform is applied: Long Biên's community learning centres (live) and its
    # schools now sit under the four new wards; nothing live is left under the district.
    centres = Unit.objects.filter(kind=UnitKind.TT_HTCD, code__startswith="HN-LB-")
    assert centres.count() == 14
    new_wards = [demo[k] for k in ("new_longbien", "new_bode", "new_viethung", "new_phucloi")]
    assert all(any(c.in_subtree_of(w) for w in new_wards) for c in centres)
    assert all(c.get_depth() == demo["new_bode"].depth + 1 for c in centres)
    assert not any(c.valid_to for c in centres)
    assert demo["thcs_ngoclam"].in_subtree_of(demo["new_bode"])
    assert demo["thcs_phucloi"].in_subtree_of(demo["new_phucloi"])
    assert not Unit.objects.subtree_of(demo["ubnd_longbien"]).filter(valid_to=None).exists()
    # Gia Thụy was split between the new Bồ Đề and Việt Hưng.
    shares = dict(
        UnitSuccession.objects.filter(predecessor__code="HN-LB-04").values_list(
            "successor__code", "share"
        )
    )
    assert shares == {"130": Decimal("0.6"), "127": Decimal("0.4")}
    assert demo["ubnd_binhduong"].successor == demo["ubnd_hcm"]
    assert demo["pgd_ductrong"].successor == demo["xa_ductrong"]
    usernames = set(User.objects.values_list("username", flat=True))
    assert {"admin", "bo.gddt", "pgd.longbien", "thcs.ngoclam", "pgd.ductrong"} <= usernames
    assert {"ubnd.hanoi", "phuongmoi.bode"} <= usernames
    roles = {
        (m.user.username, m.unit_id, m.role)
        for m in Membership.objects.filter(user__username__in=["ubnd.hanoi", "phuongmoi.bode"])
    }
    assert roles == {
        ("ubnd.hanoi", demo["ubnd_hanoi"].pk, "approver"),
        ("phuongmoi.bode", demo["new_bode"].pk, "approver"),
    }
    assert User.objects.get(username="thcs.ngoclam").check_password("hoctapsuotdoi")


@pytest.mark.django_db
def test_demo_twice_changes_nothing(demo):
    before = row_counts()
    names = list(Unit.objects.values_list("path", "name", "updated_at"))
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert row_counts() == before
    assert list(Unit.objects.values_list("path", "name", "updated_at")) == names
    assert "Dữ liệu mẫu đã sẵn sàng." in out.getvalue()


@pytest.mark.django_db
def test_demo_refuses_a_database_with_real_data():
    unit_create(parent=None, name="Bộ Giáo dục và Đào tạo", kind=UnitKind.BO_GDDT)
    with pytest.raises(CommandError, match="không phải dữ liệu mẫu. Dùng --force"):
        call_command("demo", verbosity=0)
    assert Unit.objects.count() == 1
    out = io.StringIO()
    call_command("demo", "--auto", stdout=out)
    assert "không nạp dữ liệu mẫu" in out.getvalue()
    assert Unit.objects.count() == 1


@pytest.mark.django_db
def test_demo_accounts_table(demo):
    out = io.StringIO()
    call_command("demo", "--accounts", stdout=out)
    text = out.getvalue()
    assert "Mật khẩu của mọi tài khoản mẫu: hoctapsuotdoi" in text
    assert "thcs.ngoclam" in text and "Trường THCS Ngọc Lâm" in text
    assert "pgd.ductrong" in text and "Phòng Giáo dục và Đào tạo huyện Đức Trọng" in text
    assert "ubnd.hanoi" in text and "UBND Thành phố Hà Nội" in text
    assert "UBND phường Bồ Đề (từ 01/07/2025)" in text.split("phuongmoi.bode")[1]
    assert "UBND phường Bồ Đề (đến 30/06/2025)" in text.split("phuong.bode")[1]


@pytest.mark.django_db
def test_demo_with_force_after_import_divisions_reuses_the_official_units():
    call_command("import_divisions", stdout=io.StringIO())
    imported = Unit.objects.count()
    with pytest.raises(CommandError):
        call_command("demo", verbosity=0)
    out = io.StringIO()
    call_command("demo", "--force", stdout=out)
    # One line per step, each naming a different step (documents and its signing keys).
    loaded = [line for line in out.getvalue().splitlines() if line.startswith("Đã nạp: ")]
    assert len(loaded) == len(set(loaded)) == len(STEPS)
    assert {"Đã nạp: documents", "Đã nạp: documents.demo_pki", "Đã nạp: reform"} <= set(loaded)
    assert Unit.objects.filter(depth=1).count() == 1
    hanoi = Unit.objects.get(code="1", kind=UnitKind.UBND_TINH)
    assert hanoi.name == "UBND Thành phố Hà Nội"
    assert Unit.objects.filter(code="130", kind=UnitKind.UBND_XA).count() == 1
    bode_old = Unit.objects.get(code="HN-LB-01")
    assert bode_old.successor.code == "130"
    assert bode_old.in_subtree_of(hanoi)
    # The demo's own units: 81 minus the ministry, 4 current provinces and 5 communes.
    assert Unit.objects.count() == imported + 81 - 10
    before = Unit.objects.count()
    call_command("demo", verbosity=0)
    assert Unit.objects.count() == before
