"""edXML messages (QCVN 102:2016) between Lantoa and other e-office systems.

Lantoa's profile of the edXML envelope is written down as an XML Schema in
``docs/edxml/lantoa-edxml.xsd`` (and described in docs/documents.md); exported messages
validate against it and imports are checked against it before anything is stored.

- ``edxml_export(document)``: an issued document as one XML message: header (sender and
  recipients by their electronic identifier codes, number and notation, place and date,
  document type, subject, signer's competence/position/name, due date, recipient places,
  steering type, page count, the documents it cites) and the signed PDF and attachments
  as base64 parts, each with its SHA-256 digest.
- ``edxml_import(data=..., user=...)``: a message into the addressed units' inboxes as a
  received document (one transaction: all or nothing), linked to the documents it cites
  when Lantoa knows them. Refused with a clear message: malformed XML, unknown namespace,
  a header that does not follow the schema, unknown sender or recipient codes, a missing
  or tampered part (digest), an oversized part, a second import of the same message.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import uuid
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from lantoa.core.errors import Conflict, PermissionDeniedError
from lantoa.core.text import fold, nfc
from lantoa.documents.models import (
    Attachment,
    Delivery,
    Document,
    DocumentKind,
    DocumentRecipient,
    DocumentState,
    SignedFile,
)
from lantoa.documents.permissions import can_receive_message
from lantoa.units.models import Unit

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
E = f"{{{NS}}}"
SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "edxml" / "lantoa-edxml.xsd"
MAX_MESSAGE_BYTES = 60 * 1024 * 1024
MAX_PART_BYTES = 20 * 1024 * 1024
MAX_PARTS = 30

# edXML document types: 1 legal normative document, 2 administrative document.
TYPE_NAMES = {
    DocumentKind.CONG_VAN: "Công văn",
    DocumentKind.KE_HOACH: "Kế hoạch",
    DocumentKind.BAO_CAO: "Báo cáo",
    DocumentKind.QUYET_DINH: "Quyết định",
    DocumentKind.THONG_BAO: "Thông báo",
    DocumentKind.HUONG_DAN: "Hướng dẫn",
}
KIND_BY_NAME = {fold(v): k for k, v in TYPE_NAMES.items()}


class EdxmlError(Exception):
    """A message that cannot be imported (or a document that cannot be exported)."""

    def __init__(self, code: str, detail: str, status: int = 400):
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.status = status


@lru_cache(maxsize=1)
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def _el(parent, tag: str, text=None, **attrs):
    node = etree.SubElement(parent, E + tag, **attrs)
    if text is not None:
        node.text = str(text)
    return node


def _organ(parent, tag: str, unit: Unit):
    node = _el(parent, tag)
    _el(node, "OrganId", unit.edoc_code)
    _el(node, "OrganName", unit.name)
    _el(node, "OrganAdd", unit.address)
    _el(node, "Email", unit.email)
    return node


def _require_code(unit: Unit) -> None:
    if not unit.edoc_code:
        raise EdxmlError(
            "edoc_code_missing",
            _("Đơn vị “%(u)s” chưa có mã định danh điện tử: hãy bổ sung trước khi xuất edXML.")
            % {"u": unit.name},
            409,
        )


def edxml_export(document: Document) -> bytes:
    """The edXML message of an issued document, with the signed PDF and attachments."""
    from pypdf import PdfReader

    from lantoa.documents.attachments import attachment_bytes
    from lantoa.documents.selectors import legal_bases
    from lantoa.documents.signing import document_signed_pdf

    if not document.is_issued:
        raise EdxmlError("not_issued", _("Chỉ xuất edXML cho văn bản đã ban hành."), 409)
    issuer = document.issuer_unit
    _require_code(issuer)
    recipients = list(document.recipients.select_related("unit"))
    for r in recipients:
        if r.unit_id:
            _require_code(r.unit)
    signed = document_signed_pdf(document)
    pages = len(PdfReader(io.BytesIO(signed)).pages)

    root = etree.Element(E + "edXMLEnvelope", nsmap={"edXML": NS})
    header = _el(root, "edXMLHeader")
    message = _el(header, "MessageHeader")
    _organ(message, "From", issuer)
    for r in recipients:
        if r.unit_id:
            _organ(message, "To", r.unit)
    _el(message, "DocumentId", f"lantoa:{issuer.edoc_code}:{document.pk}:{uuid.uuid4().hex}")
    code = _el(message, "Code")
    _el(code, "CodeNumber", f"{document.number:02d}")
    _el(code, "CodeNotation", document.symbol)
    promulgation = _el(message, "PromulgationInfo")
    _el(promulgation, "Place", document.place or issuer.place_name)
    _el(promulgation, "PromulgationDate", document.issued_on.isoformat())
    doc_type = _el(message, "DocumentType")
    _el(doc_type, "Type", 2)
    _el(doc_type, "TypeName", TYPE_NAMES.get(document.kind, "Công văn"))
    _el(message, "Subject", document.subject)
    _el(message, "Content", "")
    signer = _el(message, "SignerInfo")
    _el(signer, "Competence", document.signer_authority)
    _el(signer, "Position", document.signer_title)
    _el(signer, "FullName", document.signer_name)
    if document.report_due_on:
        _el(message, "DueDate", document.report_due_on.isoformat())
    places = _el(message, "ToPlaces")
    for r in recipients:
        _el(places, "Place", r.label())
    other = _el(message, "OtherInfo")
    _el(other, "Priority", 0)
    _el(other, "SteeringType", 0)
    _el(other, "PageAmount", pages)
    for cited in legal_bases(document):
        if not cited.issuer_unit.edoc_code or cited.number is None:
            continue
        response = _el(message, "ResponseFor")
        _el(response, "OrganId", cited.issuer_unit.edoc_code)
        _el(response, "Code", cited.reference)
        _el(response, "PromulgationDate", cited.issued_on.isoformat())
    body = _el(root, "edXMLBody")
    manifest = _el(body, "Manifest")
    parts = [("vanban.pdf", "application/pdf", _("Văn bản (bản ký số)"), signed)]
    for a in document.attachments.all():
        parts.append((a.filename, a.content_type, a.title, attachment_bytes(a)))
    for i, (name, mime, title, data) in enumerate(parts, start=1):
        ref = _el(manifest, "Reference")
        _el(ref, "ContentId", f"part{i}")
        _el(ref, "ContentType", mime)
        _el(ref, "Description", title)
        _el(ref, "AttachmentName", name)
        _el(ref, "Digest", hashlib.sha256(data).hexdigest(), algorithm="sha256")
        _el(ref, "Size", len(data))
    attachments = _el(body, "Attachments")
    for i, (_name, _mime, _title, data) in enumerate(parts, start=1):
        _el(attachments, "AttachmentEncoded", base64.b64encode(data).decode(), contentId=f"part{i}")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# ---- import --------------------------------------------------------------------


@dataclass
class Part:
    content_id: str
    content_type: str
    title: str
    name: str
    data: bytes


def _text(node, path: str) -> str:
    found = node.find(path.replace("edXML:", E))
    return nfc(found.text or "") if found is not None and found.text else ""


def _parse(data: bytes):
    if len(data) > MAX_MESSAGE_BYTES:
        raise EdxmlError("too_large", _("Gói tin edXML vượt quá 60 MB."), 413)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise EdxmlError(
            "malformed", _("Gói tin edXML không phải XML hợp lệ: %(e)s") % {"e": exc.msg}
        )
    if etree.QName(root).namespace != NS:
        raise EdxmlError(
            "unknown_namespace",
            _("Không nhận dạng được không gian tên “%(ns)s”: cần %(ours)s (QCVN 102:2016).")
            % {"ns": etree.QName(root).namespace or "", "ours": NS},
        )
    validator = schema()
    if not validator.validate(root):
        error = validator.error_log.last_error
        raise EdxmlError(
            "malformed",
            _("Phong bì edXML sai cấu trúc (dòng %(line)s): %(e)s")
            % {"line": error.line, "e": error.message},
        )
    return root


def _parts(root) -> list[Part]:
    encoded = {
        node.get("contentId"): node.text or "" for node in root.iter(E + "AttachmentEncoded")
    }
    references = list(root.iter(E + "Reference"))
    if len(references) > MAX_PARTS:
        raise EdxmlError("too_many_parts", _("Gói tin có quá nhiều tệp đính kèm."))
    parts = []
    for ref in references:
        cid = _text(ref, "edXML:ContentId")
        name = _text(ref, "edXML:AttachmentName")
        if cid not in encoded:
            raise EdxmlError(
                "part_missing",
                _("Thiếu tệp đính kèm “%(n)s” (%(c)s) trong gói tin.") % {"n": name, "c": cid},
            )
        if len(encoded[cid]) > MAX_PART_BYTES * 4 // 3 + 4:
            raise EdxmlError("part_too_large", _("Tệp “%(n)s” vượt quá 20 MB.") % {"n": name}, 413)
        try:
            data = base64.b64decode("".join(encoded[cid].split()), validate=True)
        except (binascii.Error, ValueError):
            raise EdxmlError(
                "part_corrupted", _("Tệp “%(n)s” không giải mã được (base64).") % {"n": name}
            )
        digest = _text(ref, "edXML:Digest").lower()
        if hashlib.sha256(data).hexdigest() != digest:
            raise EdxmlError(
                "part_tampered",
                _("Tệp “%(n)s” đã bị thay đổi: mã băm SHA-256 không khớp.") % {"n": name},
            )
        parts.append(
            Part(cid, _text(ref, "edXML:ContentType"), _text(ref, "edXML:Description"), name, data)
        )
    if not parts or parts[0].content_type != "application/pdf":
        raise EdxmlError("part_missing", _("Gói tin thiếu văn bản PDF (phần đầu tiên)."))
    return parts


def _units_by_code(codes: list[str]) -> dict[str, Unit]:
    found: dict[str, Unit] = {}
    for unit in Unit.objects.filter(edoc_code__in=codes):
        found.setdefault(unit.edoc_code, unit)
    return found


def _date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise EdxmlError(
            "malformed", _("Ngày “%(v)s” không hợp lệ (%(f)s).") % {"v": value, "f": field}
        )


def edxml_import(*, data: bytes, user) -> Document:
    """Receive a message: a received document in the addressed units' inboxes."""
    from lantoa.documents.services import search_text_for
    from lantoa.documents.verification import VerificationError, verify_pdf

    root = _parse(data)
    header = root.find(f"{E}edXMLHeader/{E}MessageHeader")
    message_id = _text(header, "edXML:DocumentId")
    sender_code = _text(header, "edXML:From/edXML:OrganId")
    to_codes = [nfc(n.text or "") for n in header.findall(f"{E}To/{E}OrganId")]
    units = _units_by_code([sender_code, *to_codes])
    unknown = [c for c in [sender_code, *to_codes] if c not in units]
    if unknown:
        raise EdxmlError(
            "unknown_code",
            _("Mã định danh không có trong Lantoa: %(codes)s.") % {"codes": ", ".join(unknown)},
        )
    sender = units[sender_code]
    recipients = list(dict.fromkeys(units[c] for c in to_codes))
    if not can_receive_message(user, recipients):
        raise PermissionDeniedError(
            _("Chỉ văn thư, chuyên viên của đơn vị nhận mới được tiếp nhận gói tin này.")
        )
    if Document.objects.filter(external_id=message_id).exists():
        raise Conflict(_("Gói tin %(id)s đã được tiếp nhận trước đây.") % {"id": message_id})
    parts = _parts(root)
    number_text = _text(header, "edXML:Code/edXML:CodeNumber")
    try:
        number = int(number_text)
    except ValueError:
        raise EdxmlError("malformed", _("Số văn bản “%(n)s” không hợp lệ.") % {"n": number_text})
    issued_on = _date(
        _text(header, "edXML:PromulgationInfo/edXML:PromulgationDate"), "PromulgationDate"
    )
    due = _text(header, "edXML:DueDate")
    try:
        signatures = [r.as_dict() for r in verify_pdf(parts[0].data)]
    except VerificationError as exc:
        signatures = [{"valid": False, "message": exc.detail}]
    cited = []
    for response in header.findall(f"{E}ResponseFor"):
        code = _text(response, "edXML:Code")
        if "/" not in code:
            continue
        num, symbol = code.split("/", 1)
        when = _date(_text(response, "edXML:PromulgationDate"), "ResponseFor")
        match = Document.objects.filter(
            issuer_unit__edoc_code=_text(response, "edXML:OrganId"),
            number=int(num) if num.isdigit() else -1,
            symbol=symbol,
            issued_on=when,
            state=DocumentState.ISSUED,
            external_id="",
        ).first()
        if match is not None:
            cited.append(match)
    kind = KIND_BY_NAME.get(fold(_text(header, "edXML:DocumentType/edXML:TypeName")), "cong_van")
    from lantoa.core.uploads import upload_accept

    checked = []
    for part in parts[1:]:
        upload = ContentFile(part.data, name=part.name or "tep")
        try:
            checked.append((part, upload_accept(upload, kinds={"pdf", "docx", "xlsx", "image"})))
        except ValidationError:
            raise EdxmlError(
                "part_invalid",
                _("Tệp “%(n)s” không đúng định dạng như tên của nó.") % {"n": part.name},
            )
    try:
        with transaction.atomic():
            document = Document(
                kind=kind,
                state=DocumentState.ISSUED,
                issuer_unit=sender,
                drafting_unit=sender,
                year=issued_on.year,
                number=number,
                symbol=_text(header, "edXML:Code/edXML:CodeNotation"),
                issued_on=issued_on,
                place=_text(header, "edXML:PromulgationInfo/edXML:Place"),
                subject=_text(header, "edXML:Subject"),
                signer_authority=_text(header, "edXML:SignerInfo/edXML:Competence"),
                signer_title=_text(header, "edXML:SignerInfo/edXML:Position"),
                signer_name=_text(header, "edXML:SignerInfo/edXML:FullName"),
                report_due_on=_date(due, "DueDate") if due else None,
                area_path=sender.path,
                chain_ids=[],
                external_id=message_id,
                received_signatures=signatures,
                issued_at=timezone.now(),
                created_by=user if getattr(user, "pk", None) else None,
            )
            document.full_clean(exclude=["based_on", "sections", "chain_ids"])
            document.save()
            if cited:
                from lantoa.documents.services import _chain_for

                document.based_on.set(cited)
                document.chain_ids = _chain_for(cited)
            places = [p.text or "" for p in header.findall(f"{E}ToPlaces/{E}Place")]
            rows = [
                DocumentRecipient(document=document, unit=u, position=i)
                for i, u in enumerate(recipients)
            ]
            taken = {u.name for u in recipients}
            rows += [
                DocumentRecipient(document=document, text=nfc(p), position=len(rows) + j)
                for j, p in enumerate(places)
                if nfc(p) and nfc(p).rstrip(";.") not in taken
            ]
            DocumentRecipient.objects.bulk_create(rows)
            signed = SignedFile(
                document=document,
                sha256=hashlib.sha256(parts[0].data).hexdigest(),
                signed_at=timezone.now(),
            )
            signed.file.save(f"{document.pk}-nhan.pdf", ContentFile(parts[0].data), save=False)
            signed.save()
            for i, (part, accepted) in enumerate(checked):
                attachment = Attachment(
                    document=document,
                    title=part.title or part.name,
                    filename=part.name,
                    content_type=accepted.content_type,
                    size=accepted.size,
                    sha256=hashlib.sha256(accepted.data).hexdigest(),
                    position=i,
                )
                attachment.file.save(accepted.name, accepted.as_file(), save=False)
                attachment.save()
            document.search_text = search_text_for(document)
            document.save(update_fields=["search_text", "chain_ids"])
            now = timezone.now()
            Delivery.objects.bulk_create(
                [Delivery(document=document, unit=u, delivered_at=now) for u in recipients]
            )
    except IntegrityError:
        raise Conflict(_("Gói tin %(id)s đã được tiếp nhận trước đây.") % {"id": message_id})
    return document
