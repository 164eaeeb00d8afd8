"""A stored Document → the Decree 30 DOCX (or PDF) of `rendering`."""

from __future__ import annotations

import re
from datetime import date

from lantoa.documents.models import Document, DocumentKind, DocumentRecipient
from lantoa.documents.rendering import (
    Appendix,
    OfficialDocument,
    Signer,
    docx_to_pdf,
    render_docx,
)
from lantoa.documents.selectors import assignment_label, legal_bases

KIND_WORDS = {
    DocumentKind.CONG_VAN: "Công văn",
    DocumentKind.KE_HOACH: "Kế hoạch",
    DocumentKind.BAO_CAO: "Báo cáo",
    DocumentKind.QUYET_DINH: "Quyết định",
    DocumentKind.THONG_BAO: "Thông báo",
    DocumentKind.HUONG_DAN: "Hướng dẫn",
}


def short_date(d: date | None) -> str:
    """08/9/2023 — the way documents cite each other (leading zero on months below 3)."""
    if not d:
        return ""
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return f"{d.day:02d}/{month}/{d.year}"


def citation(doc: Document) -> str:
    """ "Công văn số 4864/BGDĐT-GDĐT ngày 08/9/2023 của Bộ Giáo dục và Đào tạo về việc …"."""
    subject = doc.subject.strip()
    if subject.lower().startswith("v/v"):
        subject = "về việc " + subject[3:].strip()
    elif subject:
        subject = "về việc " + subject[0].lower() + subject[1:]
    parts = [f"{KIND_WORDS.get(doc.kind, 'Văn bản')} số {doc.reference}"]
    if doc.issued_on:
        parts.append(f"ngày {short_date(doc.issued_on)}")
    parts.append(f"của {doc.issuer_unit.name}")
    if subject:
        parts.append(subject)
    return " ".join(parts)


def legal_basis_sentences(document: Document, chain: list[Document] | None = None) -> list[str]:
    chain = legal_bases(document) if chain is None else chain
    sentences = [f"Căn cứ {citation(d)};" for d in chain]
    sentences += [
        b if b.lower().startswith("căn cứ") else f"Căn cứ {b}" for b in document.extra_legal_bases
    ]
    return sentences


def reporting_sentence(document: Document, recipients: list[DocumentRecipient]) -> str:
    """The plan's reporting regime in words: "Các đơn vị báo cáo kết quả thực hiện về Sở
    Giáo dục và Đào tạo Hà Nội trước ngày 22/10/2027." (empty when nobody reports under it)."""
    if not document.sets_reporting_line or not any(r.unit_id and r.reports for r in recipients):
        return ""
    due = f" trước ngày {document.report_due_on:%d/%m/%Y}" if document.report_due_on else ""
    return f"Các đơn vị báo cáo kết quả thực hiện về {document.reports_to.name}{due}."


def _with_reporting(out: list[tuple[str, str, str]], sentence: str) -> list[tuple[str, str]]:
    """The sentence opens the "reporting" section, else closes "organisation" (after the
    duties), else is a section of its own."""
    keys = [key for _h, _b, key in out]
    if sentence and "reporting" in keys:
        i = keys.index("reporting")
        heading, body, key = out[i]
        out[i] = (heading, f"{sentence}\n{body}" if body.strip() else sentence, key)
    elif sentence and "organisation" in keys:
        i = keys.index("organisation")
        heading, body, key = out[i]
        out[i] = (heading, f"{body}\n{sentence}" if body.strip() else sentence, key)
    elif sentence:
        out.append(("Chế độ báo cáo", sentence, "reporting"))
    return [(heading, body) for heading, body, _k in out]


def _sections(document: Document, reporting: str = "") -> list[tuple[str, str]]:
    sections = [
        (s.get("heading", ""), s.get("body", ""), s.get("key", "")) for s in document.sections
    ]
    assignments = list(document.assignments.select_related("unit"))
    duty_lines = []
    for i, a in enumerate(assignments, start=1):
        title = a.heading or assignment_label(a)
        # Headings copied from the seeds carry their own numbering ("5.3. Các trường học").
        numbered = re.match(r"^\s*\d+(\.\d+)*\.?\s", title)
        duty_lines.append(title if numbered else f"{i}. {title}")
        duty_lines.extend(line for line in a.text.split("\n") if line.strip())
        if a.due_on:
            duty_lines.append(f"Thời hạn: trước ngày {a.due_on:%d/%m/%Y}.")
    out = []
    placed = False
    for heading, body, key in sections:
        if key == "appendix":
            continue
        if key == "organisation" and duty_lines:
            body = "\n".join([body, *duty_lines]) if body.strip() else "\n".join(duty_lines)
            placed = True
        out.append((heading, body, key))
    if duty_lines and not placed:
        out.append(("TỔ CHỨC THỰC HIỆN", "\n".join(duty_lines), "organisation"))
    return _with_reporting(out, reporting)


def official_document(document: Document) -> OfficialDocument:
    issuer = document.issuer_unit
    listed = list(document.recipients.select_related("unit"))
    recipients = [r.listed_label() for r in listed]
    recipients = [r if r.rstrip().endswith((";", ".")) else f"{r};" for r in recipients]
    appendices = [
        Appendix(
            title=s.get("heading", "Phụ lục"),
            subtitle=s.get("subtitle", ""),
            paragraphs=[x for x in s.get("body", "").split("\n") if x.strip()],
            table=s.get("table"),
            landscape=bool(s.get("landscape")),
        )
        for s in document.sections
        if s.get("key") == "appendix"
    ]
    return OfficialDocument(
        kind=document.kind,
        issuer_name=issuer.name,
        governing_body=issuer.governing_body,
        number=document.number,
        symbol=document.symbol or _draft_symbol(document),
        place=document.place or issuer.place_name,
        issued_on=document.issued_on,
        subject=document.subject,
        legal_bases=legal_basis_sentences(document),
        sections=[s for s in _sections(document, reporting_sentence(document, listed)) if s],
        recipients=recipients,
        signer=Signer(document.signer_authority, document.signer_title, document.signer_name),
        appendices=appendices,
        draft=not document.is_issued,
        addressees=list(document.addressees),
        attachments=[a.title for a in document.attachments.all()],
    )


def _draft_symbol(document: Document) -> str:
    from lantoa.documents.services import symbol_for

    return symbol_for(
        kind=document.kind, issuer=document.issuer_unit, suffix=document.symbol_suffix
    )


def document_docx(document: Document) -> bytes:
    return render_docx(official_document(document))


def document_pdf(document: Document) -> bytes | None:
    return docx_to_pdf(document_docx(document))


def document_filename(document: Document, ext: str) -> str:
    from lantoa.core.text import fold

    ref = document.reference.replace("/", "-") if document.reference else "du-thao"
    return f"{fold(ref).replace(' ', '-')}-{document.pk}.{ext}"
