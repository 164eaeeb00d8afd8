"""A school fills in and submits; the office returns it with a reason; the school fixes and
resubmits; the office accepts — and the district table and the province total change at once."""

import pytest

from lantoa.demo.world import load_world
from lantoa.reports.lines.selectors import rollup_by_line


def _num(text: str) -> int:
    """A figure; "—" (the unit has no report in the table) counts as 0."""
    text = text.strip()
    return 0 if text == "—" else int(text.replace(".", "") or 0)


def _switch(page, browser_login, username):
    page.context.clear_cookies()
    return browser_login(username)


@pytest.mark.browser
def test_report_review_cycle_in_the_browser(browser_login, demo_live_server):
    world = load_world()
    campaign = world.campaigns[2023]
    # The province's education figures are consolidated by its Sở GDĐT (reporting lines).
    school, pgd, hanoi = (
        world.units["th_giathuy"],
        world.units["pgd_longbien"],
        world.units["so_hanoi"],
    )
    base = demo_live_server.url
    before = rollup_by_line(campaign=campaign, unit=hanoi)["totals"].get("lop_hoc", 0)

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


@pytest.fixture
def phone(chromium, demo_live_server):
    """A 360 px phone, logged out."""
    context = chromium.new_context(
        locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", viewport={"width": 360, "height": 740}
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def _in_view(page, selector) -> bool:
    return page.evaluate(
        """s => { const r = document.querySelector(s).getBoundingClientRect();
                  return r.top >= 0 && r.bottom <= window.innerHeight; }""",
        selector,
    )


@pytest.mark.browser
def test_school_on_a_phone_cannot_lose_its_edits(phone, demo_live_server):
    """360 px: a bad figure + «Gửi báo cáo» is refused where the thumb is (focus on the
    summary, field marked, nothing sent); fixing it and tapping «Gửi báo cáo» without «Lưu»
    stores the new values and submits. Few taps."""
    from lantoa.reports.models import Report

    world = load_world()
    campaign, school = world.campaigns[2023], world.units["th_giathuy"]
    base, page, taps = demo_live_server.url, phone, 0
    page.goto(f"{base}/tai-khoan/dang-nhap/")
    page.fill("#id_username", "th.giathuy")
    page.fill("#id_password", "hoctapsuotdoi")
    page.click("button[type=submit]")
    taps += 1
    page.wait_for_url("**/tong-quan/")
    page.goto(f"{base}/bao-cao/{campaign.pk}/{school.pk}/")

    # The save bar with both buttons is on screen at once (sticky), Lưu and Gửi look different.
    page.fill("#v_lop_hoc", "-1")
    page.fill("#s_ket_qua", "Lớp kỹ năng số cho phụ huynh.")
    assert "thay đổi chưa lưu" in page.inner_text("[data-save-state]")
    assert _in_view(page, "#submit-report") and _in_view(page, "#save-report")
    styles = page.evaluate(
        """() => ['#save-report', '#submit-report'].map(
            s => getComputedStyle(document.querySelector(s)).backgroundColor)"""
    )
    assert styles[0] != styles[1]
    page.click("#submit-report")
    taps += 1
    page.wait_for_selector("#form-summary")
    # The summary takes the focus once htmx has settled the new form (times out otherwise).
    page.wait_for_function("document.activeElement && document.activeElement.id === 'form-summary'")
    assert _in_view(page, "#form-summary")
    assert "Báo cáo chưa được gửi." in page.inner_text("#form-summary")
    assert page.get_attribute("#v_lop_hoc", "aria-invalid") == "true"
    report = Report.objects.get(campaign=campaign, unit=school)
    assert report.state != "submitted"
    assert report.sections.get("ket_qua") != "Lớp kỹ năng số cho phụ huynh."

    # The summary links to the field; fix it and send straight away.
    page.click("#form-summary a[href='#v_lop_hoc']")
    taps += 1
    page.fill("#v_lop_hoc", "8")
    page.click("#submit-report")
    taps += 1
    page.wait_for_selector("text=Đã gửi báo cáo lên cấp trên.")
    report.refresh_from_db()
    assert report.state == "submitted"
    assert report.sections["ket_qua"] == "Lớp kỹ năng số cho phụ huynh."
    assert report.values.get(indicator_code="lop_hoc").value == 8
    assert taps <= 4


@pytest.mark.browser
def test_save_then_submit_card_is_at_hand_and_leaving_warns(phone, demo_live_server):
    world = load_world()
    campaign, school = world.campaigns[2023], world.units["th_giathuy"]
    base, page = demo_live_server.url, phone
    page.goto(f"{base}/tai-khoan/dang-nhap/")
    page.fill("#id_username", "th.giathuy")
    page.fill("#id_password", "hoctapsuotdoi")
    page.click("button[type=submit]")
    page.wait_for_url("**/tong-quan/")
    page.goto(f"{base}/bao-cao/{campaign.pk}/{school.pk}/")
    page.fill("#v_nguoi_hoc", "150")
    # Leaving with an unsaved change asks first (the dialog is dismissed: we stay).
    dialogs = []
    page.once("dialog", lambda d: (dialogs.append(d.type), d.dismiss()))
    page.click("a.brand")
    for _ in range(50):
        if dialogs:
            break
        page.wait_for_timeout(100)
    assert dialogs == ["beforeunload"]
    assert "/bao-cao/" in page.url
    page.click("#save-report")
    page.wait_for_selector("text=Đã lưu (phiên bản")
    # Right after the save, without a reload, «Gửi báo cáo» is on screen.
    assert _in_view(page, "#submit-report") and _in_view(page, "[data-save-state]")
    # Saved: leaving no longer asks.
    page.click("a.brand")
    page.wait_for_url("**/")


@pytest.mark.browser
def test_office_on_a_phone_drills_down_and_downloads_in_few_taps(phone, demo_live_server):
    """360 px: the header folds under «Trình đơn»; the review list is one card per report;
    a drill-down changes heading, breadcrumbs and the «Tải Mẫu tổng hợp (Excel)» link
    together, in three taps from the overview."""
    world = load_world()
    campaign, pgd, school = (
        world.campaigns[2023],
        world.units["pgd_longbien"],
        world.units["thcs_ngoclam"],
    )
    base, page, taps = demo_live_server.url, phone, 0
    page.goto(f"{base}/tai-khoan/dang-nhap/")
    page.fill("#id_username", "pgd.longbien")
    page.fill("#id_password", "hoctapsuotdoi")
    page.click("button[type=submit]")
    page.wait_for_url("**/tong-quan/")
    # The folded header is a thin bar; the menu opens on one tap.
    assert page.locator("#topbar").bounding_box()["height"] < 80
    assert not page.locator("#mainnav").is_visible()
    page.click(".menu-button")
    assert page.get_attribute(".menu-button", "aria-expanded") == "true"
    assert page.locator("#mainnav").is_visible()
    page.click(".menu-button")

    # The review list: no sideways scrolling, each cell labelled.
    page.goto(f"{base}/bao-cao/{campaign.pk}/{pgd.pk}/xet-duyet/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    head = page.locator("#review-table thead").bounding_box()
    assert head["x"] + head["width"] <= 0  # headings only for screen readers
    first = page.locator("#review-table tbody td").first
    assert "Đơn vị" in first.evaluate("td => getComputedStyle(td, '::before').content")

    page.goto(f"{base}/bao-cao/{campaign.pk}/{pgd.pk}/tong-hop/")
    download = page.get_by_role("link", name="Tải Mẫu tổng hợp (Excel)")
    assert f"/{pgd.pk}/" in download.get_attribute("href")
    page.click(f'tr[data-unit="{school.pk}"] a')
    taps += 1
    page.wait_for_selector(f"h1:has-text('{school.name}')")
    assert page.url.endswith(f"/bao-cao/{campaign.pk}/{school.pk}/tong-hop/")
    assert school.name in page.title()
    assert f"/{school.pk}/" in download.get_attribute("href")
    assert page.locator("#rollup p.muted a", has_text=pgd.name).count() == 1  # crumbs
    with page.expect_download() as info:
        download.click()
        taps += 1
    assert info.value.suggested_filename.endswith(".xlsx")
    assert taps <= 3
