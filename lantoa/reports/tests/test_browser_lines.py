"""so.hanoi downloads Hà Nội's "Mẫu tổng hợp": one row per office reporting to the Sở (the
Phòng GDĐT with its schools, the GDNN-GDTX centre), and the total equal to the sum of the
schools', the centre's and the offices' own figures."""

import io

import pytest
from openpyxl import load_workbook

from lantoa.demo.world import load_world
from lantoa.reports.models import ReportValue


@pytest.mark.browser
def test_so_hanoi_downloads_the_consolidated_workbook(browser_login, demo_live_server):
    world = load_world()
    campaign = world.campaigns[2023]
    so, pgd, gdnn = (world.units[k] for k in ("so_hanoi", "pgd_longbien", "gdnn_longbien"))
    page = browser_login("so.hanoi")
    page.wait_for_url("**/tong-quan/")
    page.goto(f"{demo_live_server.url}/bao-cao/{campaign.pk}/{so.pk}/tong-hop/")
    assert "tuyến báo cáo" in page.inner_text("#line-switch")
    rows = page.locator("#rollup-table tbody tr[data-unit]")
    # The Sở's dispatch addressed the district's education office and its GDNN-GDTX centre.
    assert [rows.nth(i).get_attribute("data-unit") for i in range(rows.count())] == [
        str(pgd.pk),
        str(gdnn.pk),
    ]
    with page.expect_download() as info:
        page.click("text=Tải Mẫu tổng hợp (Excel)")
    data = open(info.value.path(), "rb").read()  # noqa: SIM115 — read at once
    ws = load_workbook(io.BytesIO(data)).active
    table = [r for r in ws.iter_rows(min_row=7, values_only=True) if any(r)]
    *units, own, total = table
    assert [r[2] for r in units] == [pgd.name, gdnn.name]  # one row per Phòng GDĐT / centre
    assert own[2].endswith(so.name) and total[2] == "TỔNG CỘNG"
    header = [c.value for c in ws[6]]
    col = header.index("Lớp học, khóa học")  # indicator lop_hoc
    # The office and its schools as they reported in 2023 (the 2025 reform has since moved
    # the schools under the new wards; 2023's reporting tree is frozen), then the centre.
    office_units = [
        world.units[k]
        for k in (
            "pgd_longbien",
            "thcs_ngoclam",
            "th_giathuy",
            "mn_hoasua",
            "th_ngocthuy",
            "thcs_phucloi",
        )
    ]

    def classes(units) -> int:
        return sum(
            ReportValue.objects.filter(
                unit__in=units, campaign=campaign, counted=True, indicator_code="lop_hoc"
            ).values_list("value", flat=True)
        )

    schools, centre = classes(office_units), classes([gdnn])
    assert schools > 0 and centre > 0
    assert (units[0][col], units[1][col]) == (schools, centre)
    assert total[col] == schools + centre + (own[col] or 0)
