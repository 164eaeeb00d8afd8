"""Issue 8: bulk restructuring from a real .xlsx (page, command, template), all or nothing
with every bad row listed; a district of 500 units re-parented in well under 2 s."""

import io
import time
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from lantoa.core.tests.sheets import xlsx
from lantoa.history.models import HistoryEntry
from lantoa.units.bench import district_build
from lantoa.units.models import Unit, UnitKind, UnitSuccession
from lantoa.units.restructuring import HEADERS, units_restructure

pytestmark = pytest.mark.django_db


def url(unit, suffix="") -> str:
    return f"/don-vi/{unit.pk}/tai-cau-truc/{suffix}"


def test_a_clean_sheet_moves_and_closes_through_the_page(demo, client_as):
    hanoi = demo["ubnd_hanoi"]
    closes = HistoryEntry.objects.filter(action="close").count()
    upload = xlsx(
        [
            HEADERS,
            ["HN-LB-THCS-NL", "130", "", "", ""],  # a school under the new Bồ Đề
            ["HN-LB-TH-GT", 130, "", "", ""],  # a number cell works too
            ["HN-LB-MN-HS", "", "130; 127", "0,6; 0,4", "30/06/2026"],  # a split
            ["HN-LB-TH-NT", "", "148", "", date(2026, 6, 30)],  # a merge, a date cell
        ]
    )
    response = client_as("admin").post(url(hanoi), {"file": upload})
    assert response.status_code == 302, response.content.decode()[-2000:]
    new_bode = Unit.objects.get(pk=demo["new_bode"].pk)
    for key in ("thcs_ngoclam", "th_giathuy"):
        assert Unit.objects.get(pk=demo[key].pk).path.startswith(new_bode.path)
    assert new_bode.numchild == 2
    hoasua = Unit.objects.get(pk=demo["mn_hoasua"].pk)
    assert hoasua.valid_to == date(2026, 6, 30) and hoasua.successor == new_bode
    shares = dict(
        UnitSuccession.objects.filter(predecessor=hoasua).values_list("successor__code", "share")
    )
    assert shares == {"130": Decimal("0.6"), "127": Decimal("0.4")}
    ngocthuy = Unit.objects.get(pk=demo["th_ngocthuy"].pk)
    assert ngocthuy.successor_id == demo["new_longbien"].pk
    assert HistoryEntry.objects.filter(action="move").count() == 2
    assert HistoryEntry.objects.filter(action="close").count() == closes + 2


def test_a_bad_sheet_lists_every_bad_row_and_changes_nothing(demo, client_as):
    hanoi = demo["ubnd_hanoi"]
    before = list(Unit.objects.values_list("pk", "path", "valid_to", "version"))
    successions = UnitSuccession.objects.count()
    entries = HistoryEntry.objects.count()
    upload = xlsx(
        [
            HEADERS,
            ["HN-LB-THCS-NL", "130", "", "", ""],  # fine on its own
            ["KHONG-CO", "130", "", "", ""],  # unknown code
            ["HN-LB-THCS-NL", "127", "", "", ""],  # duplicate row
            ["HN-LB-MN-HS", "", "130; 127", "0,5; 0,4", "30/06/2026"],  # shares sum to 0,9
            ["HN-SGDDT", "HN-LB-TH-GT", "", "", ""],  # cycle with the next row
            ["HN-LB-TH-GT", "HN-SGDDT", "", "", ""],
            ["HN-LB-TH-NT", "HN-LB-01", "", "", ""],  # closed parent
            ["HN-LB-PGD", "", "148", "", "30/06/2026"],  # already closed
            ["HN-LB-THCS-PL", "", "HN-LB-05", "", "31/02/2026"],  # closed successor, bad date
        ]
    )
    page = client_as("admin").post(url(hanoi), {"file": upload}).content.decode()
    expected = [
        "Dòng 3, cột “Mã đơn vị”: không tìm thấy đơn vị “KHONG-CO” trong phạm vi của bạn",
        "Dòng 4, cột “Mã đơn vị”: đơn vị “HN-LB-THCS-NL” đã có ở dòng 2 (mỗi đơn vị một dòng)",
        "Dòng 5, cột “Tỷ lệ”: tổng các tỷ lệ phải bằng 1 (đang là 0,9)",
        "Dòng 6, cột “Mã đơn vị cấp trên mới”: tạo vòng",
        "Dòng 7, cột “Mã đơn vị cấp trên mới”: tạo vòng",
        "Dòng 8, cột “Mã đơn vị cấp trên mới”: “UBND phường Bồ Đề” đã (hoặc sẽ) kết thúc",
        "Dòng 9, cột “Ngày kết thúc”: “Phòng Giáo dục và Đào tạo quận Long Biên” đã kết thúc",
        "Dòng 10, cột “Mã đơn vị kế thừa”: đơn vị kế thừa “UBND phường Giang Biên” đã (hoặc sẽ)",
        "Dòng 10, cột “Ngày kết thúc”: ngày “31/02/2026” không hợp lệ (dd/mm/yyyy)",
    ]
    for line in expected:
        assert line in page, line
    assert "Tệp có 9 lỗi, chưa nhập dòng nào" in page or "9 lỗi" in page
    assert list(Unit.objects.values_list("pk", "path", "valid_to", "version")) == before
    assert UnitSuccession.objects.count() == successions
    assert HistoryEntry.objects.count() == entries


def test_only_admins_restructure_and_codes_stay_in_scope(demo, client_as):
    assert client_as("so.hanoi").get(url(demo["ubnd_hanoi"])).status_code == 404
    assert client_as("pgd.longbien").get(url(demo["pgd_longbien"])).status_code == 404
    # Lâm Đồng's office is outside Long Biên: its code is unknown there.
    upload = xlsx([HEADERS, ["LD-DT-PGD", "HN-LB-THCS-NL", "", "", ""]])
    page = client_as("qt.longbien").post(url(demo["ubnd_longbien"]), {"file": upload})
    assert "không tìm thấy đơn vị “LD-DT-PGD”" in page.content.decode()


def test_template_downloads_with_the_headers(demo, client_as):
    response = client_as("admin").get(url(demo["ubnd_hanoi"], "mau.xlsx"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == HEADERS
    assert [c.value for c in sheet[3]] == ["HN-LB-04", None, "130; 127", "0,6; 0,4", "30/06/2025"]


def test_command_applies_or_lists_every_error(demo, tmp_path, capsys):
    good = tmp_path / "tot.xlsx"
    good.write_bytes(xlsx([HEADERS, ["HN-LB-THCS-NL", "130", "", "", ""]]).getvalue())
    call_command("restructure_units", str(good), root="1", user="admin")
    assert "Đã áp dụng 1 thay đổi." in capsys.readouterr().out
    bad = tmp_path / "loi.xlsx"
    bad.write_bytes(
        xlsx([HEADERS, ["KHONG-CO", "130", "", "", ""], ["HN-LB-TH-GT", "", "", "", ""]]).getvalue()
    )
    with pytest.raises(CommandError, match="Tệp có 2 lỗi, chưa áp dụng dòng nào."):
        call_command("restructure_units", str(bad), root="1", user="admin")
    err = capsys.readouterr().err
    assert "Dòng 2" in err and "Dòng 3" in err
    assert Unit.objects.get(pk=demo["th_giathuy"].pk).path.startswith(
        Unit.objects.get(pk=demo["pgd_longbien"].pk).path
    )


def test_reparenting_a_district_of_500_units_takes_under_two_seconds(db):
    root = Unit.objects.add_root(instance=Unit(name="Bộ", kind=UnitKind.BO_GDDT, code="R"))
    a = Unit.objects.add_child(
        root, instance=Unit(name="Tỉnh A", kind=UnitKind.UBND_TINH, code="A")
    )
    b = Unit.objects.add_child(
        Unit.objects.get(pk=root.pk),
        instance=Unit(name="Tỉnh B", kind=UnitKind.UBND_TINH, code="B"),
    )
    district = district_build(parent=a, name="Quận X")
    Unit.objects.filter(pk=district.pk).update(code="X")
    assert Unit.objects.subtree_of(district).count() == 501
    started = time.perf_counter()
    units_restructure(
        root=Unit.objects.get(pk=root.pk), upload=xlsx([HEADERS, ["X", "B", "", "", ""]])
    )
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0, elapsed
    b = Unit.objects.get(pk=b.pk)
    moved = Unit.objects.filter(path__startswith=b.path, depth__gt=b.depth)
    assert moved.count() == 501 and b.numchild == 1
    assert Unit.objects.get(pk=a.pk).numchild == 0
    assert set(moved.values_list("depth", flat=True)) == {3, 4, 5}
