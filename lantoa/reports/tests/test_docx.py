"""The consolidated report (Decree 30, kind BC) reopened with python-docx."""

import io

import pytest
from docx import Document
from docx.shared import Mm

from lantoa.reports.exports import consolidated_docx_bytes
from lantoa.reports.tests.factories import build_tree, put_report


@pytest.fixture
def tree(db):
    t = build_tree()
    t["phong"].abbreviation = "PGDĐT"
    t["phong"].governing_body = "UBND HUYỆN THỬ"
    t["phong"].place_name = "Thử"
    t["phong"].save()
    put_report(t, "a", "submitted", {"lop_hoc": 1200, "nguoi_hoc": 3400})
    put_report(t, "b", "accepted", {"lop_hoc": 34, "nguoi_hoc": 1000})
    report = put_report(t, "phong", "draft", {"lop_hoc": 1})
    report.sections = {
        "ket_qua": "Các trường tổ chức tốt lễ khai mạc.",
        "de_xuat": "Bổ sung kinh phí.",
    }
    report.save()
    return t


def _text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


def test_consolidated_docx_layout_and_numbers(tree):
    doc = Document(io.BytesIO(consolidated_docx_bytes(campaign=tree.campaign, unit=tree["phong"])))
    section = doc.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(1) and abs(section.page_height - Mm(297)) < Mm(1)
    assert Mm(20) <= section.top_margin <= Mm(25) and Mm(30) <= section.left_margin <= Mm(35)
    assert Mm(15) <= section.right_margin <= Mm(20)
    text = _text(doc)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "/BC-PGDĐT" in text
    assert "BÁO CÁO" in text
    assert "Kết quả tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2023" in text
    # Numbers from the roll-up (submitted + accepted only; the office's own draft excluded).
    assert "Lớp học, khóa học: 1.234" in text
    assert "Người học: 4.400" in text
    assert "Số đơn vị phải báo cáo: 2; đã báo cáo: 2 (100,0%)" in text
    # The office's narrative.
    assert "Các trường tổ chức tốt lễ khai mạc." in text
    assert "PHỤ LỤC I" in text and "PHỤ LỤC II" in text
    assert "Trường TH A" in text and "Tổng cộng" in text
    fonts = {r.font.name for p in doc.paragraphs for r in p.runs if r.font.name}
    assert fonts <= {"Times New Roman"}
    # The appendix with the per-unit table is landscape.
    assert any(s.page_width > s.page_height for s in doc.sections)


def test_consolidated_report_as_pdf_page_and_api(demo, client_as, api_as):
    """LibreOffice is part of the machine (README); the PDF is really converted."""
    import shutil

    assert shutil.which("soffice"), "LibreOffice (libreoffice-writer) is needed for PDF output"
    campaign, unit = demo.campaigns[2023], demo.units["pgd_longbien"]
    page = client_as("pgd.longbien").get(f"/bao-cao/{campaign.pk}/{unit.pk}/bao-cao-tong-hop.pdf")
    assert page.status_code == 200 and page["Content-Type"] == "application/pdf"
    assert page.content.startswith(b"%PDF")
    api = api_as("pgd.longbien").get(
        f"/api/v1/campaigns/{campaign.pk}/consolidated.pdf", {"unit": unit.pk}
    )
    assert api.status_code == 200 and api.content.startswith(b"%PDF")
    # Outside the scope: 404, like anything else.
    assert (
        api_as("pgd.thudaumot")
        .get(f"/api/v1/campaigns/{campaign.pk}/consolidated.pdf", {"unit": unit.pk})
        .status_code
        == 404
    )


def test_consolidated_pdf_without_libreoffice_says_so(demo, client_as, api_as, monkeypatch):
    campaign, unit = demo.campaigns[2023], demo.units["pgd_longbien"]
    monkeypatch.setenv("PATH", "/nonexistent")  # a server without LibreOffice
    response = api_as("pgd.longbien").get(
        f"/api/v1/campaigns/{campaign.pk}/consolidated.pdf", {"unit": unit.pk}
    )
    assert response.status_code == 501
    assert response["Content-Type"] == "application/problem+json"
    assert "LibreOffice" in response.json()["detail"]
    client = client_as("pgd.longbien")
    page = client.get(f"/bao-cao/{campaign.pk}/{unit.pk}/tong-hop/")
    assert "Bản PDF cần LibreOffice" in page.content.decode()
    follow = client.get(f"/bao-cao/{campaign.pk}/{unit.pk}/bao-cao-tong-hop.pdf", follow=True)
    assert "chưa cài LibreOffice" in follow.content.decode()
