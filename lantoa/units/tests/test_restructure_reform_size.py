"""A reform-sized restructuring sheet (10,000 rows: the 2025 reform formed 3,321 communes from
about 10,000): applied with a fixed number of queries in seconds, or refused listing every
bad row; the 20,000-row cap."""

import io
import time
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from lantoa.core.spreadsheets import RowErrors
from lantoa.core.text import fold
from lantoa.history.models import HistoryEntry
from lantoa.units.models import Unit, UnitKind, UnitSuccession
from lantoa.units.restructuring import HEADERS, MAX_ROWS, units_restructure

pytestmark = pytest.mark.django_db

OLD, NEW = 5_000, 1_700


def xlsx(rows) -> io.BytesIO:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "cai-cach.xlsx"
    return buffer


def _province(old: int = OLD, new: int = NEW, p: str = "") -> Unit:
    """A province with ``old`` communes (one school each) and ``new`` communes, bulk-built."""
    root = Unit.objects.add_root(instance=Unit(name="Bộ (cải cách)", kind=UnitKind.BO_GDDT))
    province = Unit.objects.add_child(
        root, instance=Unit(name="Tỉnh (cải cách)", kind=UnitKind.UBND_TINH, code=f"{p}T")
    )
    units = []

    def unit(path, depth, name, kind, code, numchild=0):
        units.append(
            Unit(
                path=path,
                depth=depth,
                numchild=numchild,
                name=name,
                kind=kind,
                code=code,
                search_text=fold(name),
            )
        )

    for i in range(old + new):
        path = Unit._get_path(province.path, 3, i + 1)
        if i < old:
            unit(path, 3, f"Xã cũ {i}", UnitKind.UBND_XA, f"{p}C{i}", 1)
            school = Unit._get_path(path, 4, 1)
            unit(school, 4, f"Trường xã cũ {i}", UnitKind.TRUONG_TH, f"{p}S{i}")
        else:
            unit(path, 3, f"Xã mới {i - old}", UnitKind.UBND_XA, f"{p}N{i - old}")
    Unit.objects.bulk_create(units, batch_size=5000)
    Unit.objects.filter(pk=province.pk).update(numchild=old + new)
    return Unit.objects.get(pk=province.pk)


def _reform_rows(old: int, new: int, p: str = "") -> list[list]:
    """Each old commune's school moves under a new commune; each old commune closes on
    30/06/2025 with that commune as successor (every tenth split 0,6 / 0,4)."""
    rows = [HEADERS]
    for i in range(old):
        rows.append([f"{p}S{i}", f"{p}N{i % new}", "", "", ""])
    for i in range(old):
        successors = f"{p}N{i % new}"
        if i % 10 == 0:
            successors += f"; {p}N{(i + 1) % new}"
        shares = "0,6; 0,4" if i % 10 == 0 else ""
        rows.append([f"{p}C{i}", "", successors, shares, "30/06/2025"])
    return rows


def test_a_ten_thousand_row_sheet_applies_in_seconds_with_fixed_queries():
    province = _province()
    sheet = _reform_rows(OLD, NEW)
    assert len(sheet) - 1 == 10_000
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as big:
        changed = units_restructure(root=province, upload=xlsx(sheet))
    elapsed = time.perf_counter() - started
    print(
        f"10,000-row restructuring sheet ({connection.vendor}): {elapsed:.2f} s, {len(big)} queries"
    )
    assert len(changed) == 10_000
    # Generous for a shared, loaded machine; measured figures are in docs/operations.md.
    assert elapsed < 60, elapsed
    new0 = Unit.objects.get(code="N0")
    assert Unit.objects.get(code="S0").path.startswith(new0.path)
    # N0 receives the schools of old communes 0, 1700, 3400.
    assert new0.numchild == len(range(0, OLD, NEW))
    assert Unit.objects.get(code="C1").numchild == 0
    assert Unit.objects.filter(code__startswith="C", valid_to=date(2025, 6, 30)).count() == OLD
    assert UnitSuccession.objects.filter(predecessor__code="C10").count() == 2
    assert HistoryEntry.objects.filter(action="move").count() == OLD
    assert HistoryEntry.objects.filter(action="close").count() == OLD
    # The same statements for a sheet of 20 rows: nothing is done per row.
    small = _province(old=10, new=3, p="x")
    with CaptureQueriesContext(connection) as few:
        units_restructure(root=small, upload=xlsx(_reform_rows(10, 3, p="x")))
    assert len(big) == len(few), [q["sql"][:80] for q in big.captured_queries]
    # The tree is still a valid materialised-path tree (treebeard's own check).
    assert Unit.objects.find_problems() == ([], [], [], [], [])


def test_a_big_sheet_with_bad_rows_lists_each_and_changes_nothing():
    province = _province()
    before = list(Unit.objects.values_list("pk", "path", "valid_to", "version"))
    sheet = _reform_rows(OLD, NEW)
    sheet[7] = ["KHONG-CO", "N1", "", "", ""]  # unknown code
    sheet[9000] = ["C4000", "", "N1; N2", "0,5; 0,4", "30/06/2025"]  # shares sum to 0,9
    sheet[9001] = ["C4000", "", "N1", "", "30/06/2025"]  # the same unit twice
    sheet.append(["C1", "N5", "", "", ""])  # C1 already has a row (it closes): duplicate
    with pytest.raises(RowErrors) as caught:
        units_restructure(root=province, upload=xlsx(sheet))
    rows = sorted({e.row for e in caught.value.errors})
    assert rows == [8, 9001, 9002, 10002]
    assert list(Unit.objects.values_list("pk", "path", "valid_to", "version")) == before
    assert not HistoryEntry.objects.filter(action__in=["move", "close"]).exists()


def test_the_cap_is_twenty_thousand_rows():
    province = _province(old=1, new=1)
    rows = [HEADERS] + [["S0", "N0", "", "", ""]] * (MAX_ROWS + 1)
    with pytest.raises(ValidationError, match="20.000 dòng"):
        units_restructure(root=province, upload=xlsx(rows))


def test_same_parent_root_and_end_before_start_rows_are_refused():
    province = _province(old=3, new=1)
    Unit.objects.filter(code="C2").update(valid_from=date(2025, 7, 1))
    sheet = [
        HEADERS,
        ["S0", "C0", "", "", ""],  # already there
        ["T", "", "N0", "", "30/06/2025"],  # the scope's own root
        ["C2", "", "N0", "", "30/06/2025"],  # ends before it began
        ["S1", "N0", "", "", ""],  # fine
    ]
    with pytest.raises(RowErrors) as caught:
        units_restructure(root=province, upload=xlsx(sheet))
    messages: dict[int, str] = {}
    for e in caught.value.errors:
        messages[e.row] = messages.get(e.row, "") + e.message + "; "
    assert set(messages) == {2, 3, 4}
    assert "đã trực thuộc" in messages[2]
    assert "không kết thúc được đơn vị gốc của phạm vi" in messages[3]
    assert "sau ngày bắt đầu hiệu lực (01/07/2025)" in messages[4]
