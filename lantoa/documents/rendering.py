"""Official documents as DOCX in the layout of Decree 30/2020/NĐ-CP, Appendix I.

`render_docx` builds the file with python-docx; `docx_to_pdf` converts it with
LibreOffice when it is installed. Other apps (reports, honours) use these too.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import date
from pathlib import Path

from docx import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from lantoa.core.text import xml_safe

FONT = "Times New Roman"
LEFT_MM, RIGHT_MM = 68, 95  # header columns; the text width is 210 - 30 - 17 = 163 mm

KIND_NAMES = {
    "cong_van": "",
    "ke_hoach": "KẾ HOẠCH",
    "bao_cao": "BÁO CÁO",
    "quyet_dinh": "QUYẾT ĐỊNH",
    "thong_bao": "THÔNG BÁO",
    "huong_dan": "HƯỚNG DẪN",
}


@dataclass
class Signer:
    authority: str = ""  # "KT. CHỦ TỊCH", "TM. BAN CHỈ ĐẠO", "" …
    title: str = ""  # "PHÓ CHỦ TỊCH", "TRƯỞNG PHÒNG"
    name: str = ""


@dataclass
class Appendix:
    title: str  # "PHỤ LỤC ..." (rendered after a page break)
    paragraphs: list[str] = field(default_factory=list)
    table: list[list[str]] | None = None  # first row(s) = header
    header_rows: int = 1
    landscape: bool = False
    subtitle: str = ""  # italic line under the title, e.g. "(Kèm theo Công văn số …)"


@dataclass
class OfficialDocument:
    kind: str  # cong_van | ke_hoach | bao_cao | quyet_dinh | thong_bao | huong_dan
    issuer_name: str  # upper-cased by the renderer
    governing_body: str = ""  # upper line above the issuer, e.g. "UBND QUẬN LONG BIÊN"
    number: int | None = None  # None while a draft → "Số:      /KH-BCĐ" + "DỰ THẢO"
    symbol: str = ""  # "KH-BCĐ"
    place: str = ""
    issued_on: date | None = None
    subject: str = ""
    legal_bases: list[str] = field(default_factory=list)  # full "Căn cứ ..." sentences
    sections: list[tuple[str, str]] = field(default_factory=list)  # (heading, body)
    recipients: list[str] = field(default_factory=list)
    signer: Signer = field(default_factory=Signer)
    appendices: list[Appendix] = field(default_factory=list)
    draft: bool = False
    addressees: list[str] = field(default_factory=list)  # "Kính gửi:" (công văn)
    type_name: str = ""  # overrides the name derived from ``kind``
    attachments: list[str] = field(default_factory=list)  # titles of the files sent with it


def number_line(doc: OfficialDocument) -> str:
    number = f"{doc.number:02d}" if doc.number else "      "
    return f"Số: {number}/{doc.symbol}" if doc.symbol else f"Số: {number}"


def date_line(doc: OfficialDocument) -> str:
    place = doc.place or ""
    if doc.issued_on:
        d = doc.issued_on
        # Decree 30: a leading zero for days below 10 and months below 3.
        day = f"{d.day:02d}"
        month = f"{d.month:02d}" if d.month < 3 else str(d.month)
        when = f"ngày {day} tháng {month} năm {d.year}"
    else:
        when = "ngày      tháng      năm"
    return f"{place}, {when}" if place else when.capitalize()


# --- low-level helpers -------------------------------------------------------


def _set_run_font(run, size: float | None = None, *, bold=None, italic=None, underline=None):
    run.font.name = FONT
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    if italic is not None:
        run.font.italic = italic
    if underline is not None:
        run.font.underline = underline
    return run


def _para(
    container,
    text: str = "",
    *,
    size: float = 14,
    bold: bool = False,
    italic: bool = False,
    align=None,
    first_line_indent: float | None = None,
    space_before: float = 0,
    space_after: float = 0,
    line_spacing: float | None = None,
    paragraph=None,
):
    p = paragraph if paragraph is not None else container.add_paragraph()
    if align is not None:
        p.alignment = align
    fmt = p.paragraph_format
    fmt.space_before = Pt(space_before)
    fmt.space_after = Pt(space_after)
    if line_spacing:
        fmt.line_spacing = line_spacing
    if first_line_indent:
        fmt.first_line_indent = Mm(first_line_indent)
    if text:
        _set_run_font(p.add_run(text), size, bold=bold, italic=italic)
    return p


def _short_rule(container, *, width_mm: float, box_mm: float) -> None:
    """A short centred line: an empty, tiny paragraph with a bottom border, indented."""
    p = container.add_paragraph()
    p.paragraph_format.space_before = Pt(0)
    p.paragraph_format.space_after = Pt(2)
    p.paragraph_format.line_spacing = Pt(2)
    indent = max(0.0, (box_mm - width_mm) / 2)
    p.paragraph_format.left_indent = Mm(indent)
    p.paragraph_format.right_indent = Mm(indent)
    ppr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), "6")
    bottom.set(qn("w:space"), "1")
    bottom.set(qn("w:color"), "000000")
    borders.append(bottom)
    ppr.append(borders)


def _borderless(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def _bordered(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "4")
        el.set(qn("w:color"), "000000")
        borders.append(el)
    tbl_pr.append(borders)


def _set_widths(table, widths_mm: list[float]) -> None:
    table.autofit = False
    for column, w in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(w)
    for row in table.rows:
        for cell, w in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(w)


def _page_field(paragraph) -> None:
    run = paragraph.add_run()
    _set_run_font(run, 13)
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    text = OxmlElement("w:t")
    text.text = "2"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for el in (begin, instr, sep, text, end):
        run._r.append(el)


def _setup_section(section, *, landscape: bool = False) -> None:
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = Mm(20)
    section.bottom_margin = Mm(20)
    section.left_margin = Mm(30)
    section.right_margin = Mm(17)
    section.header_distance = Mm(10)


def _default_style(document) -> None:
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(14)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    style.paragraph_format.space_after = Pt(0)
    style.paragraph_format.space_before = Pt(0)


# --- the parts of a document ---------------------------------------------------


def _header(document, doc: OfficialDocument) -> None:
    table = document.add_table(rows=1, cols=2)
    _borderless(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _set_widths(table, [LEFT_MM, RIGHT_MM])
    left, right = table.rows[0].cells
    center = WD_ALIGN_PARAGRAPH.CENTER

    first = left.paragraphs[0]
    if doc.governing_body:
        _para(left, doc.governing_body.upper(), size=13, align=center, paragraph=first)
        _para(left, doc.issuer_name.upper(), size=13, bold=True, align=center)
    else:
        _para(left, doc.issuer_name.upper(), size=13, bold=True, align=center, paragraph=first)
    _short_rule(left, width_mm=25, box_mm=LEFT_MM)
    _para(left, number_line(doc), size=13, align=center, space_before=6)
    if doc.kind == "cong_van" and doc.subject:
        subject = doc.subject if doc.subject.startswith("V/v") else f"V/v {doc.subject}"
        _para(left, subject, size=12, align=center, space_before=4)

    _para(
        right,
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        size=12,
        bold=True,
        align=center,
        paragraph=right.paragraphs[0],
    )
    _para(right, "Độc lập - Tự do - Hạnh phúc", size=13, bold=True, align=center)
    _short_rule(right, width_mm=60, box_mm=RIGHT_MM)
    _para(right, date_line(doc), size=14, italic=True, align=center, space_before=6)


def _title(document, doc: OfficialDocument) -> None:
    center = WD_ALIGN_PARAGRAPH.CENTER
    if doc.draft:
        _para(document, "DỰ THẢO", size=14, bold=True, align=center, space_before=6)
    if doc.kind == "cong_van":
        if doc.addressees:
            if len(doc.addressees) == 1:
                _para(document, f"Kính gửi: {doc.addressees[0]}", align=center, space_before=12)
            else:
                _para(document, "Kính gửi:", align=center, space_before=12)
                for a in doc.addressees:
                    _para(document, f"- {a}", first_line_indent=40)
        return
    name = doc.type_name or KIND_NAMES.get(doc.kind, "")
    if name:
        _para(document, name.upper(), size=14, bold=True, align=center, space_before=18)
    if doc.subject:
        _para(document, doc.subject, size=14, bold=True, align=center)
        _short_rule(document, width_mm=40, box_mm=LEFT_MM + RIGHT_MM)


def _body(document, doc: OfficialDocument) -> None:
    justify = WD_ALIGN_PARAGRAPH.JUSTIFY
    first = True
    for basis in doc.legal_bases:
        _para(
            document,
            basis,
            align=justify,
            first_line_indent=10,
            space_before=12 if first else 0,
            space_after=6,
            line_spacing=1.15,
        )
        first = False
    for heading, body in doc.sections:
        if heading:
            _para(
                document,
                heading,
                bold=True,
                align=justify,
                first_line_indent=10,
                space_before=12 if first else 6,
                space_after=6,
            )
            first = False
        for line in (body or "").split("\n"):
            line = line.strip()
            if not line:
                continue
            _para(
                document,
                line,
                align=justify,
                first_line_indent=10,
                space_before=12 if first else 0,
                space_after=6,
                line_spacing=1.15,
            )
            first = False


def _attachment_list(document, doc: OfficialDocument) -> None:
    """ "Tài liệu kèm theo:" — the files delivered with the document, in order."""
    if not doc.attachments:
        return
    _para(document, "Tài liệu kèm theo:", size=13, bold=True, italic=True, space_before=6)
    for i, title in enumerate(doc.attachments, start=1):
        _para(document, f"{i}. {title}", size=13, italic=True, first_line_indent=10)


def _footer_block(document, doc: OfficialDocument) -> None:
    table = document.add_table(rows=1, cols=2)
    _borderless(table)
    _set_widths(table, [73, 90])
    left, right = table.rows[0].cells
    first = left.paragraphs[0]
    first.paragraph_format.space_before = Pt(12)
    _set_run_font(first.add_run("Nơi nhận:"), 12, bold=True, italic=True)
    for r in doc.recipients:
        text = r if r.startswith("-") else f"- {r}"
        _para(left, text, size=11)

    center = WD_ALIGN_PARAGRAPH.CENTER
    top = right.paragraphs[0]
    top.paragraph_format.space_before = Pt(12)
    top.alignment = center
    s = doc.signer
    lines = [x for x in (s.authority, s.title) if x]
    if lines:
        _set_run_font(top.add_run(lines[0].upper()), 14, bold=True)
        for extra in lines[1:]:
            _para(right, extra.upper(), size=14, bold=True, align=center)
    if s.name:
        for _ in range(4):
            _para(right, "", size=14)
        _para(right, s.name, size=14, bold=True, align=center)


def _page_numbers(section) -> None:
    section.different_first_page_header_footer = True
    header = section.header
    header.is_linked_to_previous = False
    p = header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(p)


def _appendix(document, appendix: Appendix) -> None:
    from docx.enum.section import WD_SECTION

    center = WD_ALIGN_PARAGRAPH.CENTER
    if appendix.landscape:
        section = document.add_section(WD_SECTION.NEW_PAGE)
        _setup_section(section, landscape=True)
        p = _para(document, appendix.title.upper(), bold=True, align=center)
    else:
        p = document.add_paragraph()
        p.add_run().add_break(WD_BREAK.PAGE)
        _para(document, appendix.title.upper(), bold=True, align=center, paragraph=p)
    if appendix.subtitle:
        _para(document, appendix.subtitle, size=13, italic=True, align=center, space_after=12)
    for text in appendix.paragraphs:
        _para(document, text, align=WD_ALIGN_PARAGRAPH.JUSTIFY, first_line_indent=10, space_after=6)
    if appendix.table:
        rows = appendix.table
        cols = max(len(r) for r in rows)
        table = document.add_table(rows=len(rows), cols=cols)
        _bordered(table)
        if cols > 2 and str(rows[0][0]).strip().upper() == "STT":
            width = (250 if appendix.landscape else 163) - 12
            _set_widths(table, [12, width * 0.5] + [width * 0.5 / (cols - 2)] * (cols - 2))
        for i, row in enumerate(rows):
            header = i < appendix.header_rows
            for j in range(cols):
                value = row[j] if j < len(row) else ""
                cell = table.rows[i].cells[j]
                _para(
                    cell,
                    str(value),
                    size=11 if not header else 11,
                    bold=header,
                    align=center if header else None,
                    paragraph=cell.paragraphs[0],
                )


def _xml_safe_deep(value):
    """Every string of a document, its sections, appendices and tables without the control
    characters XML cannot hold (pasted from Word: ``\\x01``, ``\\x0b``), which would make
    python-docx raise and the download fail for good."""
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, list | tuple):
        return type(value)(_xml_safe_deep(v) for v in value)
    if is_dataclass(value) and not isinstance(value, type):
        return replace(
            value, **{f.name: _xml_safe_deep(getattr(value, f.name)) for f in fields(value)}
        )
    return value


def render_docx(doc: OfficialDocument) -> bytes:
    doc = _xml_safe_deep(doc)
    document = DocxDocument()
    _default_style(document)
    section = document.sections[0]
    _setup_section(section)
    _page_numbers(section)
    document.core_properties.title = doc.subject or KIND_NAMES.get(doc.kind, "")
    document.core_properties.language = "vi-VN"

    _header(document, doc)
    _title(document, doc)
    _body(document, doc)
    _attachment_list(document, doc)
    _footer_block(document, doc)
    for appendix in doc.appendices:
        _appendix(document, appendix)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_available() -> bool:
    return _soffice() is not None


def docx_to_pdf(data: bytes) -> bytes | None:
    """Convert with LibreOffice (headless); None when it is not installed or fails."""
    binary = _soffice()
    if binary is None:
        return None
    with tempfile.TemporaryDirectory(prefix="lantoa-pdf-") as tmp:
        src = Path(tmp) / "document.docx"
        src.write_bytes(data)
        profile = Path(tmp) / "profile"
        try:
            subprocess.run(
                [
                    binary,
                    f"-env:UserInstallation=file://{profile}",
                    "--headless",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    tmp,
                    str(src),
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
        except (subprocess.SubprocessError, OSError):
            return None
        out = Path(tmp) / "document.pdf"
        return out.read_bytes() if out.exists() else None
