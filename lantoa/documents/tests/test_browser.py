"""The whole cascade in a browser: write a plan based on a received dispatch, send it for
comments, answer as a ward, submit, approve, issue, find it in a school's inbox, download it."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from docx import Document as DocxDocument

from lantoa.documents.models import Document, DocumentState

pytestmark = pytest.mark.browser


def relogin(page, browser_login, username):
    page.context.clear_cookies()
    return browser_login(username)


SCHOOL = "Trường THCS Thạch Bàn"


def _school_of_2023():
    """A secondary school under Phòng GDĐT Long Biên as the tree stood in 2023 (the demo's
    2025 reform moved Long Biên's own schools under the new wards), with an editor."""
    from lantoa.accounts.models import Role, User
    from lantoa.accounts.services import membership_set
    from lantoa.conftest import DEMO_PASSWORD
    from lantoa.demo.world import load_world
    from lantoa.units.models import Unit, UnitKind

    office = Unit.objects.get(pk=load_world().units["pgd_longbien"].pk)
    # Rows as they stood then: the service refuses new units under a closed parent today.
    school = Unit.objects.add_child(
        office, instance=Unit(name=SCHOOL, kind=UnitKind.TRUONG_THCS, code="HN-LB-THCS-TB")
    )
    user = User.objects.create_user("thcs.thachban", password=DEMO_PASSWORD, full_name="Thạch")
    membership_set(user=user, unit=school, role=Role.EDITOR)


def test_plan_cascade_in_the_browser(browser_login, demo_live_server):
    base = demo_live_server.url
    _school_of_2023()
    page = browser_login("cv.longbien")

    # the department's dispatch is in the office's inbox, unread, with its chain
    page.goto(f"{base}/van-ban/")
    row = page.locator("tr", has_text="3442/SGDĐT-GDĐT-ĐH").first
    assert "chưa đọc" in row.inner_text()
    assert "4864/BGDĐT-GDĐT" in row.inner_text()
    row.get_by_role("link", name="3442/SGDĐT-GDĐT-ĐH").click()
    page.get_by_role("link", name="Xây dựng kế hoạch căn cứ văn bản này").click()

    # the district committee issues; the office drafts
    page.select_option("#id_issuer", label="UBND quận Long Biên")
    page.click("#issuer-switch-btn")
    page.wait_for_selector("text=Căn cứ văn bản 3442/SGDĐT-GDĐT-ĐH")
    assert page.input_value("#id_subject").startswith("Tổ chức “Tuần lễ")
    assert page.input_value("#id_report_due_on") == "13/10/2023"  # day first, never the locale
    assert page.is_checked("label:has-text('UBND phường Bồ Đề') input")
    page.check(f"label:has-text('{SCHOOL}') input[name=recipient_units]")
    page.fill("[name=section_body_0]", "Đẩy mạnh phong trào học tập suốt đời trên địa bàn quận.")
    page.select_option("[name=duty_target_0]", label="Tất cả: Trường THCS")
    page.fill("[name=duty_text_0]", "Tổ chức lễ phát động vào giờ chào cờ.")
    page.fill("[name=signer_authority]", "KT. CHỦ TỊCH")
    page.fill("[name=signer_title]", "PHÓ CHỦ TỊCH")
    page.fill("[name=signer_name]", "Nguyễn Văn Lâm")
    page.get_by_role("button", name="Lưu dự thảo").click()
    page.wait_for_selector("text=Đã lưu dự thảo.")
    doc = Document.objects.filter(state=DocumentState.DRAFT).latest("id")
    assert doc.issuer_unit.name == "UBND quận Long Biên"
    assert doc.drafting_unit.name == "Phòng Giáo dục và Đào tạo quận Long Biên"
    detail = f"{base}/van-ban/{doc.pk}/"
    assert "3442/SGDĐT-GDĐT-ĐH" in page.inner_text(".chain")

    # send for comments to one ward
    page.click("summary:has-text('Gửi lấy ý kiến')")
    page.check("#consult-form label:has-text('UBND phường Bồ Đề') input")
    page.fill("#id_due_on", (timezone.localdate() + timedelta(days=7)).strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Gửi lấy ý kiến").click()
    page.wait_for_selector("text=Đã gửi dự thảo lấy ý kiến.")
    assert "Chưa trả lời" in page.inner_text("#consultation")

    # the ward answers (HTMX swaps the table in place)
    page = relogin(page, browser_login, "phuong.bode")
    page.goto(detail)
    page.check("input[name=answer][value=comment]")
    page.fill("textarea[name=comment]", "Đề nghị bổ sung lịch khai mạc tại Trung tâm HTCĐ phường.")
    page.get_by_role("button", name="Gửi ý kiến").click()
    page.wait_for_selector("#consultation >> text=Đã gửi ý kiến góp ý.")
    assert "Đề nghị bổ sung lịch khai mạc" in page.inner_text("#consultation")
    assert page.locator("#consultation form").count() == 0

    # the author submits, the leader approves and issues
    page = relogin(page, browser_login, "cv.longbien")
    page.goto(detail)
    page.click("#submit-btn")
    page.wait_for_selector("text=Đã trình ký.")
    page = relogin(page, browser_login, "pgd.longbien")
    page.goto(detail)
    page.click("#approve-btn")
    page.wait_for_selector("text=Đã phê duyệt.")
    page.click("#issue-btn")
    page.wait_for_selector("text=Đã ban hành và gửi đến nơi nhận.")
    doc.refresh_from_db()
    assert doc.state == DocumentState.ISSUED and doc.symbol == "KH-UBND"
    assert doc.reference in page.inner_text("h1")

    # a school finds it in its inbox, unread first, and downloads the DOCX
    page = relogin(page, browser_login, "thcs.thachban")
    page.goto(f"{base}/van-ban/")
    first = page.locator("table.inbox tbody tr").first
    assert doc.reference in first.inner_text() and "chưa đọc" in first.inner_text()
    first.get_by_role("link", name=doc.reference).click()
    with page.expect_download() as info:
        page.click("#download-docx")
    data = open(info.value.path(), "rb").read()
    opened = DocxDocument(io.BytesIO(data))
    left = [p.text for p in opened.tables[0].rows[0].cells[0].paragraphs if p.text]
    assert f"Số: {doc.reference}" in left
    texts = [p.text for p in opened.paragraphs]
    assert "KẾ HOẠCH" in texts
    assert any("3442/SGDĐT-GDĐT-ĐH" in t for t in texts)
    # the school's read receipt reached the issuer
    assert doc.deliveries.get(unit__name=SCHOOL).read_at is not None
    page.goto(f"{base}/van-ban/?tab=tasks")
    assert "Tổ chức lễ phát động vào giờ chào cờ." in page.inner_text("main")


def test_document_search_filters_as_you_type(browser_login, demo_live_server):
    page = browser_login("pgd.longbien")
    page.goto(f"{demo_live_server.url}/van-ban/?tab=list")
    assert page.locator("#doc-list tbody tr").count() >= 3
    page.fill("input[name=q]", "22/kh-bcd")  # no diacritics, any case
    page.wait_for_function(
        "document.querySelectorAll('#doc-list tbody tr').length === 1", timeout=5000
    )
    assert "22/KH-BCĐ" in page.inner_text("#doc-list")
