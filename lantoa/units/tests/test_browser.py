"""The foundation in a real headless Chromium (Debian's chromium, via Playwright)."""

import pytest

pytestmark = pytest.mark.browser

NO_PAGE_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def test_school_user_sees_the_school_and_a_foreign_ward_is_404(browser_login, demo_live_server):
    from lantoa.demo.world import load_world

    world = load_world()
    page = browser_login("thcs.ngoclam")
    page.wait_for_url(f"{demo_live_server.url}/tong-quan/")
    assert page.get_by_role("link", name="Trường THCS Ngọc Lâm").first.is_visible()
    page.get_by_role("link", name="Trường THCS Ngọc Lâm").first.click()
    page.wait_for_url(f"**/don-vi/{world['thcs_ngoclam'].pk}/")
    assert page.locator("h1").inner_text() == "Trường THCS Ngọc Lâm"

    response = page.goto(f"{demo_live_server.url}/don-vi/{world['ward_bode'].pk}/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Không tìm thấy trang"
    assert "UBND phường Bồ Đề" not in page.content()

    # A 360 px phone: no page is wider than the screen.
    page.set_viewport_size({"width": 360, "height": 740})
    for path in ("/tong-quan/", f"/don-vi/{world['thcs_ngoclam'].pk}/", "/don-vi/?q=ngoc+lam"):
        page.goto(demo_live_server.url + path)
        assert page.evaluate(NO_PAGE_SCROLL), path


def test_search_without_diacritics_as_the_district_office(browser_login, demo_live_server):
    page = browser_login("pgd.longbien")
    page.wait_for_url(f"{demo_live_server.url}/tong-quan/")
    page.click(".menu-button")  # on a phone the menu is folded under «Trình đơn»
    page.get_by_role("link", name="Tìm đơn vị").click()
    page.fill("#q", "bo de")
    result = page.locator("#results").get_by_role("link", name="UBND phường Bồ Đề")
    result.wait_for()  # HTMX fills the results while typing
    result.click()
    page.wait_for_url("**/don-vi/*/")
    assert page.locator("h1").inner_text() == "UBND phường Bồ Đề"
    assert "Đơn vị đã kết thúc hoạt động từ 30/06/2025" in page.content()
    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    assert page.evaluate(NO_PAGE_SCROLL)


def test_wrong_password_shows_the_vietnamese_error(browser_login, demo_live_server):
    page = browser_login("thcs.ngoclam", "mat-khau-sai")
    error = page.get_by_role("alert")
    error.wait_for()
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in error.inner_text()
    assert page.url.endswith("/tai-khoan/dang-nhap/")
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate(NO_PAGE_SCROLL)


def test_admin_pages_fit_a_phone(browser_login, demo_live_server):
    from lantoa.demo.world import load_world

    world = load_world()
    page = browser_login("qt.longbien")
    page.wait_for_url(f"{demo_live_server.url}/tong-quan/")
    page.set_viewport_size({"width": 360, "height": 740})
    district = world["ubnd_longbien"].pk
    for path in (
        f"/don-vi/{district}/",
        f"/don-vi/{district}/lich-su/",
        f"/don-vi/{district}/nhap/",
        f"/don-vi/{world['ward_bode'].pk}/sua/",
        f"/tai-khoan/don-vi/{district}/nguoi-dung/",
        f"/tai-khoan/don-vi/{district}/nguoi-dung/them/",
    ):
        response = page.goto(demo_live_server.url + path)
        assert response.status == 200, path
        assert page.evaluate(NO_PAGE_SCROLL), path
