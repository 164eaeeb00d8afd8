"""Citizen and organiser flows in a real (headless) browser, on a phone-sized screen."""

import pytest

from lantoa.activities.models import Activity, Registration
from lantoa.honours.models import Nomination


@pytest.mark.browser
def test_citizen_finds_registers_and_organiser_records_attendance(
    browser_page, demo_live_server, browser_login
):
    page = browser_page
    page.goto(f"{demo_live_server.url}/")
    page.fill("#q", "tin hoc co ban")
    page.press("#q", "Enter")
    page.wait_for_url("**/cong-khai/lich/**")
    page.click("text=Tin học cơ bản cho người cao tuổi")
    page.wait_for_selector("#register")
    page.fill("#full_name", "Đinh Thị Thanh Xuân")
    page.fill("#phone", "0977 123 456")
    page.click("#register button.primary")
    # Without consent: refused, with a clear message, nothing written.
    page.wait_for_selector("div.error")
    assert "Nghị định 13/2023" in page.inner_text("div.error")
    assert not Registration.objects.filter(full_name="Đinh Thị Thanh Xuân").exists()
    page.check("input[name=consent]")
    page.click("#register button.primary")
    page.wait_for_selector("#registration-code")
    code = page.inner_text("#registration-code").strip()
    registration = Registration.objects.get(code=code)
    assert registration.phone == "0977123456"

    activity = Activity.objects.get(title="Tin học cơ bản cho người cao tuổi")
    organiser = browser_login("thcs.ngoclam")
    organiser.wait_for_url("**/tong-quan/")
    organiser.goto(f"{demo_live_server.url}/hoat-dong/{activity.pk}/")
    row = organiser.locator("#registrations tr", has_text="Đinh Thị Thanh Xuân")
    assert code in row.inner_text()
    row.locator("input[name=attended]").check()
    organiser.click("#save-attendance")
    organiser.wait_for_selector("text=Đã ghi nhận điểm danh")
    registration.refresh_from_db()
    assert registration.attended is True


@pytest.mark.browser
def test_approved_honour_appears_on_the_public_board(browser_page, demo_live_server, browser_login):
    nomination = Nomination.objects.get(nominee_name__startswith="Thầy Lê Minh Quân")
    page = browser_login("pgd.longbien")
    page.wait_for_url("**/tong-quan/")
    page.goto(f"{demo_live_server.url}/tuyen-duong/")
    card = page.locator("#to-review .card", has_text="Thầy Lê Minh Quân")
    card.locator("button.primary").click()
    page.wait_for_selector("text=Đã phê duyệt đề nghị")
    nomination.refresh_from_db()
    assert nomination.state == "approved"
    page.goto(f"{demo_live_server.url}/cong-khai/tuyen-duong/")
    assert "Thầy Lê Minh Quân" in page.inner_text("#honours")


@pytest.fixture
def phone(chromium, demo_live_server):
    context = chromium.new_context(
        locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", viewport={"width": 360, "height": 740}
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.mark.browser
def test_citizen_on_a_phone_finds_a_digital_skills_class_in_ha_noi(phone, demo_live_server):
    """360 px, from the home page: "ky nang so" + Hà Nội finds the demo digital-skills
    classes in a few taps; the ward picker fills without a reload; a registration error is
    on screen beside its field."""
    page, taps = phone, 0
    page.goto(f"{demo_live_server.url}/")
    page.fill("#q", "ky nang so")
    page.press("#q", "Enter")
    taps += 1
    page.wait_for_url("**/cong-khai/lich/**")
    url_before = page.url
    page.select_option("#province", label="Hà Nội")
    taps += 1
    # The commune picker fills in place (no navigation), current wards once each.
    page.wait_for_selector("#commune option:has-text('Phường Bồ Đề (Hà Nội)')", state="attached")
    assert page.url == url_before
    names = page.eval_on_selector_all("#commune option", "os => os.map(o => o.textContent)")
    assert len(names) == len(set(names)) and "Phường Ngọc Lâm (Hà Nội)" not in names
    page.click("form[role=search] button.primary")
    taps += 1
    page.wait_for_selector("#activities")
    cards = page.inner_text("#activities")
    assert "An toàn trên mạng cho cha mẹ học sinh" in cards
    assert "Bình dân học vụ số: cài đặt và dùng VNeID" in cards
    assert "Hà Nội" in cards and "Đức Trọng" not in cards
    assert taps <= 3

    page.click("text=Bình dân học vụ số: cài đặt và dùng VNeID")
    page.wait_for_selector("#register")
    page.fill("#full_name", "Đinh Thị Thanh Xuân")
    page.fill("#phone", "12345")
    page.click("#register button.primary")
    page.wait_for_selector("#phone-error")
    assert page.title().startswith("Lỗi:")
    assert page.get_attribute("#phone", "aria-invalid") == "true"
    # The answer opens at the form: the error is on screen, not above it.
    visible = page.evaluate(
        """() => { const r = document.querySelector('#register-errors').getBoundingClientRect();
                   return r.top >= 0 && r.top < window.innerHeight; }"""
    )
    assert visible
