"""A school fills in and submits; the office returns it with a reason; the school fixes and
resubmits; the office accepts — and the district table and the province total change at once."""

import pytest

from lantoa.demo.world import load_world
from lantoa.reports.selectors import rollup_for_unit


def _num(text: str) -> int:
    return int(text.strip().replace(".", "") or 0)


def _switch(page, browser_login, username):
    page.context.clear_cookies()
    return browser_login(username)


@pytest.mark.browser
def test_report_review_cycle_in_the_browser(browser_login, demo_live_server):
    world = load_world()
    campaign = world.campaigns[2023]
    school, pgd, hanoi = (
        world.units["th_giathuy"],
        world.units["pgd_longbien"],
        world.units["ubnd_hanoi"],
    )
    base = demo_live_server.url
    before = rollup_for_unit(campaign=campaign, unit=hanoi)["totals"].get("lop_hoc", 0)

    def district_row_lop(page) -> int:
        page.goto(f"{base}/bao-cao/{campaign.pk}/{pgd.pk}/tong-hop/")
        cell = page.locator(f'tr[data-unit="{school.pk}"] td[data-code="lop_hoc"]')
        return _num(cell.inner_text())

    def province_total_lop(page) -> int:
        page.goto(f"{base}/bao-cao/{campaign.pk}/{hanoi.pk}/tong-hop/")
        return _num(page.locator('#rollup-total th[data-code="lop_hoc"]').inner_text())

    # 1. The school fills in (HTMX save) and submits.
    page = browser_login("th.giathuy")
    page.wait_for_url("**/tong-quan/")
    page.goto(f"{base}/bao-cao/{campaign.pk}/{school.pk}/")
    page.fill("#v_lop_hoc", "4")
    page.fill("#v_nguoi_hoc", "120")
    page.fill("#s_ket_qua", "120 phụ huynh học kỹ năng số cùng con.")
    page.click("#save-report")
    page.wait_for_selector("text=Đã lưu (phiên bản")
    page.click("#submit-report")
    page.wait_for_selector("text=Đã gửi báo cáo lên cấp trên.")

    # The district table and the province total include it at once.
    page = _switch(page, browser_login, "bo.gddt")
    page.wait_for_url("**/tong-quan/")
    assert province_total_lop(page) == before + 4
    page = _switch(page, browser_login, "pgd.longbien")
    page.wait_for_url("**/tong-quan/")
    assert district_row_lop(page) == 4

    # 2. The office returns it with a reason.
    page.goto(f"{base}/bao-cao/{campaign.pk}/{school.pk}/")
    page.fill("#reason", "Thiếu ảnh lễ khai mạc; số lớp chưa khớp danh sách.")
    page.click("#return-report")
    page.wait_for_selector("text=Đã trả lại báo cáo cho đơn vị.")
    assert district_row_lop(page) == 0

    # 3. The school sees the reason, fixes and resubmits.
    page = _switch(page, browser_login, "th.giathuy")
    page.wait_for_url("**/tong-quan/")
    page.goto(f"{base}/bao-cao/{campaign.pk}/{school.pk}/")
    assert "Thiếu ảnh lễ khai mạc" in page.inner_text("main")
    page.fill("#v_lop_hoc", "5")
    page.click("#save-report")
    page.wait_for_selector("text=Đã lưu (phiên bản")
    page.click("#submit-report")
    page.wait_for_selector("text=Đã gửi báo cáo lên cấp trên.")

    # 4. The office accepts; the figures stay in the roll-up.
    page = _switch(page, browser_login, "pgd.longbien")
    page.wait_for_url("**/tong-quan/")
    page.goto(f"{base}/bao-cao/{campaign.pk}/{school.pk}/")
    page.click("#accept-report")
    page.wait_for_selector("text=Đã tiếp nhận báo cáo.")
    assert district_row_lop(page) == 5
    page = _switch(page, browser_login, "bo.gddt")
    page.wait_for_url("**/tong-quan/")
    assert province_total_lop(page) == before + 5
