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
