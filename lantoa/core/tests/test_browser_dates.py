"""The dd/mm/yyyy typing mask (core.dates + static/forms.js) in Chromium on a 360 px phone:
"2102023" and "02/10/2023" both show 02/10/2023 and store 2 October 2023; "31/02/2023" is
refused with a Vietnamese message beside the field and nothing stored changes."""

from datetime import date

import pytest

from lantoa.documents.models import Document, DocumentState

pytestmark = pytest.mark.browser


def type_date(page, selector: str, text: str) -> str:
    field = page.locator(selector)
    field.fill("")
    field.press_sequentially(text, delay=20)
    field.press("Tab")  # leave the field, as a thumb tapping the next one does
    return field.input_value()


def test_plan_dates_typed_on_a_phone(browser_login, demo_live_server):
    page = browser_login("cv.longbien")
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{demo_live_server.url}/van-ban/moi/")
    page.fill("#id_subject", "Kế hoạch thử ô ngày")
    assert type_date(page, "#id_report_due_on", "2102023") == "02/10/2023"
    assert type_date(page, "#id_starts_on", "02/10/2023") == "02/10/2023"
    assert type_date(page, "#id_ends_on", "09102023") == "09/10/2023"
    page.get_by_role("button", name="Lưu dự thảo").click()
    page.wait_for_selector("text=Đã lưu dự thảo.")
    doc = Document.objects.filter(state=DocumentState.DRAFT, subject="Kế hoạch thử ô ngày").get()
    assert doc.report_due_on == date(2023, 10, 2)
    assert doc.starts_on == date(2023, 10, 2) and doc.ends_on == date(2023, 10, 9)

    # A day that does not exist: refused beside the field, in Vietnamese; nothing changes.
    page.goto(f"{demo_live_server.url}/van-ban/{doc.pk}/sua/")
    assert page.input_value("#id_report_due_on") == "02/10/2023"
    assert type_date(page, "#id_report_due_on", "31/02/2023") == "31/02/2023"
    page.get_by_role("button", name="Lưu dự thảo").click()
    error = page.locator("#err_report_due_on")
    error.wait_for()
    assert "31/02/2023" in error.inner_text() and "không hợp lệ" in error.inner_text()
    field = page.locator("#id_report_due_on")
    assert field.get_attribute("aria-invalid") == "true"
    assert field.get_attribute("aria-describedby") == "err_report_due_on"
    assert field.input_value() == "31/02/2023"  # what the user typed stays to be corrected
    box, near = field.bounding_box(), error.bounding_box()
    assert near["y"] - (box["y"] + box["height"]) < 60  # right under the field, not far away
    assert near["x"] + near["width"] <= 360  # on the phone's screen
    doc.refresh_from_db()
    assert doc.report_due_on == date(2023, 10, 2)
