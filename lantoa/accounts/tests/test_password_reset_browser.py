"""The reset walk in Chromium on a 360 px phone, with axe-core on every reset page."""

import re

import pytest

from lantoa.accounts.models import User

# The 360 px phone and the axe-core run of the accessibility suite, shared.
from lantoa.core.tests.test_accessibility import _violations, phone  # noqa: F401

ADDRESS = "hieu.truong@giathuy.edu.vn"


@pytest.mark.browser
def test_reset_walk_on_a_phone(phone, demo_live_server, mailoutbox):  # noqa: F811
    User.objects.filter(username="th.giathuy").update(email=ADDRESS)
    base, page, found = demo_live_server.url, phone, {}
    page.goto(f"{base}/tai-khoan/dang-nhap/")
    page.click("#forgot-password")
    page.wait_for_url("**/tai-khoan/quen-mat-khau/")
    found["request"] = _violations(page)
    page.fill("#id_email", "khong-hop-le")
    page.click("button[type=submit]")
    page.wait_for_selector("#id_email_error")
    found["request error"] = _violations(page)
    page.fill("#id_email", ADDRESS)
    page.click("button[type=submit]")
    page.wait_for_selector("#reset-sent")
    found["sent"] = _violations(page)
    # Every control fits the phone's width: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    [message] = mailoutbox
    link = re.search(r"https?://[^/\s]+(/tai-khoan/dat-mat-khau/\S+/)", message.body).group(1)
    page.goto(base + link)
    page.wait_for_selector("#id_new_password1")
    found["new password"] = _violations(page)
    page.fill("#id_new_password1", "ngan")
    page.fill("#id_new_password2", "ngan")
    page.click("button[type=submit]")
    page.wait_for_selector("#id_new_password2_error")
    assert "cần ít nhất 8 ký tự" in page.inner_text("#id_new_password2_error")
    assert page.title().startswith("Lỗi:")
    found["new password error"] = _violations(page)
    page.fill("#id_new_password1", "Tuan-le-2027!")
    page.fill("#id_new_password2", "Tuan-le-2027!")
    page.click("button[type=submit]")
    page.wait_for_selector("#reset-complete")
    found["complete"] = _violations(page)
    page.goto(base + link)
    page.wait_for_selector("#link-invalid")
    found["used link"] = _violations(page)

    page.goto(f"{base}/tai-khoan/dang-nhap/")
    page.fill("#id_username", "th.giathuy")
    page.fill("#id_password", "Tuan-le-2027!")
    page.click("button[type=submit]")
    page.wait_for_url("**/tong-quan/")
    assert {k: v for k, v in found.items() if v} == {}
