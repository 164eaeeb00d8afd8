"""Decree 30/2020 layout rules, checked by reopening the DOCX with python-docx."""

import io
from datetime import date

import pytest
from docx import Document as DocxDocument
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from lantoa.documents.rendering import (
    Appendix,
    OfficialDocument,
    Signer,
    docx_to_pdf,
    pdf_available,
    render_docx,
)


def plan(**overrides) -> OfficialDocument:
    fields = dict(
        kind="ke_hoach",
        issuer_name="Ban Chỉ đạo xây dựng xã hội học tập quận Long Biên",
        governing_body="UBND quận Long Biên",
        number=22,
        symbol="KH-BCĐ",
        place="Long Biên",
        issued_on=date(2023, 9, 22),
        subject="Tổ chức “Tuần lễ hưởng ứng học tập suốt đời” năm 2023",
        legal_bases=[
            "Căn cứ Công văn số 4864/BGDĐT-GDĐT ngày 08/9/2023 của Bộ Giáo dục và Đào tạo;"
        ],
        sections=[("1. Mục đích, yêu cầu", "a) Đẩy mạnh phong trào học tập.\nb) Thiết thực.")],
        recipients=["Sở GD&ĐT Hà Nội;", "UBND các phường;", "Lưu: VT."],
        signer=Signer("KT. TRƯỞNG BAN", "PHÓ TRƯỞNG BAN THƯỜNG TRỰC", "Vũ Thị Thu Hà"),
    )
    fields.update(overrides)
    return OfficialDocument(**fields)


def reopen(doc: OfficialDocument):
    return DocxDocument(io.BytesIO(render_docx(doc)))


def cell_lines(cell) -> list[str]:
    return [p.text for p in cell.paragraphs if p.text]


def runs_with(document_or_cell, text):
    for p in document_or_cell.paragraphs:
        if text in p.text:
            return p, [r for r in p.runs if r.text]
    raise AssertionError(f"{text!r} not found")


def test_page_is_a4_portrait_with_decree_margins():
    section = reopen(plan()).sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(1)
    assert abs(section.page_height - Mm(297)) < Mm(1)
    assert section.page_width < section.page_height
    assert Mm(20) <= section.top_margin <= Mm(25)
    assert Mm(20) <= section.bottom_margin <= Mm(25)
    assert Mm(30) <= section.left_margin <= Mm(35)
    assert Mm(15) <= section.right_margin <= Mm(20)


def test_every_run_is_times_new_roman_including_east_asian():
    d = reopen(plan())
    style_fonts = d.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert style_fonts.get(qn("w:eastAsia")) == "Times New Roman"
    body = d.element.body
    runs = body.iter(qn("w:r"))
    count = 0
    for r in runs:
        if not "".join(t.text or "" for t in r.iter(qn("w:t"))):
            continue
        fonts = r.find(qn("w:rPr")).find(qn("w:rFonts"))
        assert fonts.get(qn("w:ascii")) == "Times New Roman"
        assert fonts.get(qn("w:hAnsi")) == "Times New Roman"
        assert fonts.get(qn("w:eastAsia")) == "Times New Roman"
        count += 1
    assert count > 10


def test_header_is_a_borderless_two_column_table():
    d = reopen(plan())
    header = d.tables[0]
    assert len(header.columns) == 2
    borders = header._tbl.tblPr.find(qn("w:tblBorders"))
    assert {b.get(qn("w:val")) for b in borders} == {"nil"}
    left, right = header.rows[0].cells
    assert cell_lines(left) == [
        "UBND QUẬN LONG BIÊN",
        "BAN CHỈ ĐẠO XÂY DỰNG XÃ HỘI HỌC TẬP QUẬN LONG BIÊN",
        "Số: 22/KH-BCĐ",
    ]
    _, issuer_runs = runs_with(left, "BAN CHỈ ĐẠO")
    assert all(r.bold for r in issuer_runs)
    lines = cell_lines(right)
    assert lines[0] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert lines[1] == "Độc lập - Tự do - Hạnh phúc"
    assert lines[2] == "Long Biên, ngày 22 tháng 9 năm 2023"
    _, national = runs_with(right, "CỘNG HÒA")
    assert all(r.bold for r in national) and Pt(12) <= national[0].font.size <= Pt(13)
    _, motto = runs_with(right, "Độc lập")
    assert all(r.bold for r in motto) and Pt(13) <= motto[0].font.size <= Pt(14)
    _, when = runs_with(right, "ngày 22")
    assert all(r.italic for r in when)
    # the short lines under the issuer and the motto
    for cell in (left, right):
        assert any(p._p.find(qn("w:pPr")).find(qn("w:pBdr")) is not None for p in cell.paragraphs)


def test_type_name_and_subject_are_bold_and_centred():
    d = reopen(plan())
    p, runs = runs_with(d, "KẾ HOẠCH")
    assert p.text == "KẾ HOẠCH" and all(r.bold for r in runs)
    assert p.alignment == 1  # centre
    p, runs = runs_with(d, "Tổ chức “Tuần lễ")
    assert all(r.bold for r in runs) and p.alignment == 1


def test_body_is_13_to_14_pt_justified_with_first_line_indent():
    d = reopen(plan())
    p, runs = runs_with(d, "Căn cứ Công văn số 4864")
    assert Pt(13) <= runs[0].font.size <= Pt(14)
    assert p.alignment == 3  # justify
    assert p.paragraph_format.first_line_indent > 0
    p, runs = runs_with(d, "a) Đẩy mạnh")
    assert Pt(13) <= runs[0].font.size <= Pt(14) and p.alignment == 3


def test_recipients_and_signer_block():
    d = reopen(plan())
    block = d.tables[-1]
    borders = block._tbl.tblPr.find(qn("w:tblBorders"))
    assert {b.get(qn("w:val")) for b in borders} == {"nil"}
    left, right = block.rows[0].cells
    p, runs = runs_with(left, "Nơi nhận:")
    assert runs[0].bold and runs[0].italic and runs[0].font.size == Pt(12)
    _, item = runs_with(left, "UBND các phường")
    assert item[0].font.size == Pt(11)
    assert cell_lines(left)[1:] == ["- Sở GD&ĐT Hà Nội;", "- UBND các phường;", "- Lưu: VT."]
    assert cell_lines(right) == ["KT. TRƯỞNG BAN", "PHÓ TRƯỞNG BAN THƯỜNG TRỰC", "Vũ Thị Thu Hà"]
    for text in cell_lines(right):
        _, runs = runs_with(right, text)
        assert all(r.bold for r in runs)


def test_page_numbers_top_centre_from_page_two():
    d = reopen(plan())
    section = d.sections[0]
    assert section.different_first_page_header_footer
    assert not any(p.text for p in section.first_page_header.paragraphs)
    header_xml = section.header._element.xml
    assert "PAGE" in header_xml
    assert section.header.paragraphs[0].alignment == 1


def test_draft_has_blank_number_and_marking():
    d = reopen(plan(number=None, issued_on=None, draft=True))
    left = d.tables[0].rows[0].cells[0]
    number = [t for t in cell_lines(left) if t.startswith("Số:")][0]
    assert number.startswith("Số:") and number.endswith("/KH-BCĐ") and "22" not in number
    assert any(p.text == "DỰ THẢO" for p in d.paragraphs)
    assert "ngày      tháng" in cell_lines(d.tables[0].rows[0].cells[1])[2]


def test_cong_van_has_subject_under_number_and_no_type_name():
    d = reopen(
        plan(
            kind="cong_van",
            issuer_name="Sở Giáo dục và Đào tạo",
            governing_body="UBND thành phố Hà Nội",
            number=3270,
            symbol="SGDĐT-GDTX-CN",
            place="Hà Nội",
            issued_on=date(2021, 9, 15),
            subject="V/v tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021",
            addressees=[
                "Ủy ban nhân dân quận, huyện, thị xã;",
                "Thủ trưởng các đơn vị trực thuộc.",
            ],
        )
    )
    left = d.tables[0].rows[0].cells[0]
    lines = cell_lines(left)
    assert lines[2] == "Số: 3270/SGDĐT-GDTX-CN"
    assert lines[3] == "V/v tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021"
    assert not any(p.text in ("CÔNG VĂN", "KẾ HOẠCH") for p in d.paragraphs)
    assert any(p.text == "Kính gửi:" for p in d.paragraphs)
    assert cell_lines(d.tables[0].rows[0].cells[1])[2] == "Hà Nội, ngày 15 tháng 9 năm 2021"


def test_small_numbers_and_early_dates_get_leading_zeros():
    d = reopen(plan(number=3, issued_on=date(2027, 2, 5)))
    assert "Số: 03/KH-BCĐ" in cell_lines(d.tables[0].rows[0].cells[0])
    assert cell_lines(d.tables[0].rows[0].cells[1])[2] == "Long Biên, ngày 05 tháng 02 năm 2027"


def test_appendix_after_a_page_break_with_table():
    d = reopen(
        plan(
            appendices=[
                Appendix(
                    "Phụ lục",
                    paragraphs=["I. TỔ CHỨC TRIỂN KHAI TUẦN LỄ"],
                    table=[["STT", "Nội dung", "Số lượng"], ["1", "Lớp học", "12"]],
                    landscape=True,
                )
            ]
        )
    )
    assert len(d.sections) == 2
    assert d.sections[1].page_width > d.sections[1].page_height
    assert any(p.text == "PHỤ LỤC" for p in d.paragraphs)
    table = d.tables[-1]
    assert [c.text for c in table.rows[0].cells] == ["STT", "Nội dung", "Số lượng"]
    assert table.rows[1].cells[2].text == "12"


@pytest.mark.skipif(not pdf_available(), reason="LibreOffice is not installed")
def test_pdf_through_libreoffice():
    pdf = docx_to_pdf(render_docx(plan()))
    assert pdf is not None and pdf.startswith(b"%PDF")
