"""In a browser: issue a plan with an attachment, download the signed PDF, verify it."""

import io

import pytest
from pypdf import PdfWriter

from lantoa.documents import services
from lantoa.documents.models import Document, DocumentState
from lantoa.units.models import Unit

pytestmark = pytest.mark.browser


def appendix_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_issue_with_attachment_download_signed_pdf_and_verify(
    browser_login, demo_live_server, tmp_path
):
    from lantoa.accounts.models import User

    base = demo_live_server.url
    pgd = Unit.objects.get(name="Phòng Giáo dục và Đào tạo quận Long Biên")
    author = User.objects.get(username="cv.longbien")
    draft = services.document_create(
        user=author,
        kind="ke_hoach",
        issuer_unit=pgd,
        drafting_unit=pgd,
        subject="Kế hoạch thử ký số",
        sections=[{"key": "purpose", "heading": "I. MỤC ĐÍCH", "body": "Thử ký số."}],
        signer={"authority": "", "title": "TRƯỞNG PHÒNG", "name": "Đỗ Minh Quân"},
    )
    attachment = tmp_path / "phu-luc.pdf"
    attachment.write_bytes(appendix_pdf())

    page = browser_login("cv.longbien")
    page.goto(f"{base}/van-ban/{draft.pk}/")
    page.fill("#attachment-form [name=title]", "Phụ lục I. Mẫu báo cáo")
    page.set_input_files("#attachment-form [name=file]", str(attachment))
    page.click("#attachment-form button[type=submit]")
    page.wait_for_selector("text=Đã đính kèm tài liệu.")
    assert "Phụ lục I. Mẫu báo cáo" in page.inner_text("ol.attachments")
    page.click("#submit-btn")
    page.wait_for_selector("text=Đã trình ký.")

    page.context.clear_cookies()
    page = browser_login("pgd.longbien")
    page.goto(f"{base}/van-ban/{draft.pk}/")
    page.click("#approve-btn")
    page.wait_for_selector("text=Đã phê duyệt.")
    page.click("#issue-btn")
    page.wait_for_selector("text=Đã ban hành và gửi đến nơi nhận.")
    doc = Document.objects.get(pk=draft.pk)
    assert doc.state == DocumentState.ISSUED

    with page.expect_download(timeout=60000) as info:
        page.click("#download-signed")
    signed = tmp_path / "ky-so.pdf"
    signed.write_bytes(open(info.value.path(), "rb").read())
    assert signed.read_bytes().startswith(b"%PDF-")

    page.goto(f"{base}/van-ban/kiem-tra-chu-ky/")
    page.set_input_files("#verify-form [name=file]", str(signed))
    page.click("#verify-form button[type=submit]")
    page.wait_for_selector("#signatures")
    rows = page.locator("#signatures tbody tr")
    assert rows.count() == 2
    text = page.inner_text("#signatures")
    assert "Đỗ Minh Quân" in text and "Phòng Giáo dục và Đào tạo quận Long Biên" in text
    assert text.count("Chữ ký hợp lệ.") == 2 and "+07:00" in text
