"""Electronic documents API (API.md, Electronic documents): attachments, signed PDFs,
signature verification."""

from django.http import HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from lantoa.api.problems import problem
from lantoa.core.uploads import download_response
from lantoa.documents import attachments as attachment_services
from lantoa.documents import edxml, output, selectors, signing, verification

router = Router(tags=["electronic documents"])


def coded_problem(status: int, detail: str, code: str):
    """problem+json with a stable machine-readable ``code``."""
    return problem(status, detail, code=code)


class AttachmentOut(Schema):
    id: int
    title: str
    filename: str
    content_type: str
    size: int
    sha256: str
    position: int
    url: str


def attachment_out(a) -> dict:
    return {
        "id": a.pk,
        "title": a.title,
        "filename": a.filename,
        "content_type": a.content_type,
        "size": a.size,
        "sha256": a.sha256,
        "position": a.position,
        "url": f"/api/v1/documents/{a.document_id}/attachments/{a.pk}/file",
    }


@router.get("/documents/{document_id}/attachments", response=list[AttachmentOut])
def attachments(request, document_id: int):
    document = selectors.document_get_for_user(request.auth, document_id)
    return [attachment_out(a) for a in attachment_services.attachments_for_document(document)]


@router.post("/documents/{document_id}/attachments", response={201: AttachmentOut})
def attachment_add(
    request, document_id: int, file: File[UploadedFile] = None, title: Form[str] = ""
):
    """Attach a file (PDF, DOCX, XLSX, JPG, PNG; 20 MB) to a document not yet issued."""
    document = selectors.document_get_for_user(request.auth, document_id)
    attachment = attachment_services.attachment_add(
        document=document, user=request.auth, upload=file, title=title
    )
    return Status(201, attachment_out(attachment))


@router.get("/documents/{document_id}/attachments/{attachment_id}/file")
def attachment_file(request, document_id: int, attachment_id: int):
    document = selectors.document_get_for_user(request.auth, document_id)
    attachment_services.attachment_get(document, attachment_id)
    return download_response(attachment_services.attachment_download(request.auth, attachment_id))


@router.delete("/documents/{document_id}/attachments/{attachment_id}", response={204: None})
def attachment_remove(request, document_id: int, attachment_id: int):
    document = selectors.document_get_for_user(request.auth, document_id)
    attachment = attachment_services.attachment_get(document, attachment_id)
    attachment_services.attachment_remove(attachment=attachment, user=request.auth)
    return Status(204, None)


SIGNING_STATUS = {
    "signing_key_missing": 409,
    "not_issued": 409,
    "not_pdf": 409,
    "pdf_unavailable": 501,
    "signing_key_password": 503,
    "attachment_unreadable": 422,
}


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def signed_pdf_response(document):
    try:
        data = signing.document_signed_pdf(document)
    except signing.SigningError as exc:
        return coded_problem(SIGNING_STATUS.get(exc.code, 409), exc.detail, exc.code)
    return _pdf(data, output.document_filename(document, "pdf").replace(".pdf", "-ky-so.pdf"))


@router.get("/documents/{document_id}/attachments/{attachment_id}/signed")
def attachment_signed(request, document_id: int, attachment_id: int):
    """A PDF attachment of an issued document, signed by the issuing agency."""
    document = selectors.document_get_for_user(request.auth, document_id)
    attachment = attachment_services.attachment_get(document, attachment_id)
    try:
        data = signing.attachment_signed_pdf(attachment)
    except signing.SigningError as exc:
        return coded_problem(SIGNING_STATUS.get(exc.code, 409), exc.detail, exc.code)
    return _pdf(data, attachment.filename)


class SignatureOut(Schema):
    field: str
    signer: str
    organisation: str
    signing_time: str
    intact: bool
    changed_after_signing: bool
    trusted: bool
    expired: bool
    valid: bool
    message: str


class VerifyOut(Schema):
    valid: bool
    signatures: list[SignatureOut]


@router.post("/signatures/verify", response=VerifyOut)
def signatures_verify(request, file: File[UploadedFile] = None):
    """Check every signature of a PDF: signer, organisation, time (ISO 8601, +07:00),
    changed after signing, chained to a configured trust root."""
    if file is None:
        return coded_problem(400, "Chưa chọn tệp PDF cần kiểm tra.", "file_missing")
    if file.size and file.size > verification.MAX_BYTES:
        return coded_problem(413, "Tệp PDF vượt quá 30 MB.", "too_large")
    try:
        reports = verification.verify_pdf(file.read(verification.MAX_BYTES + 1))
    except verification.VerificationError as exc:
        return coded_problem(400 if exc.code != "too_large" else 413, exc.detail, exc.code)
    return {
        "valid": all(r.valid for r in reports),
        "signatures": [r.as_dict() for r in reports],
    }


def edxml_response(document):
    try:
        data = edxml.edxml_export(document)
    except signing.SigningError as exc:
        return coded_problem(SIGNING_STATUS.get(exc.code, 409), exc.detail, exc.code)
    except edxml.EdxmlError as exc:
        return coded_problem(exc.status, exc.detail, exc.code)
    response = HttpResponse(data, content_type="application/xml; charset=utf-8")
    name = output.document_filename(document, "edxml.xml")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class ImportedOut(Schema):
    id: int
    number: int | None
    symbol: str
    issued_on: str
    subject: str
    issuer_name: str
    recipient_unit_ids: list[int]


@router.post("/documents/import", response={201: ImportedOut})
def documents_import(request, file: File[UploadedFile] = None):
    """Receive an edXML message (QCVN 102:2016) into the addressed units' inboxes."""
    if file is None:
        return coded_problem(400, "Chưa chọn gói tin edXML.", "file_missing")
    if file.size and file.size > edxml.MAX_MESSAGE_BYTES:
        return coded_problem(413, "Gói tin edXML vượt quá 60 MB.", "too_large")
    try:
        document = edxml.edxml_import(data=file.read(), user=request.auth)
    except edxml.EdxmlError as exc:
        return coded_problem(exc.status, exc.detail, exc.code)
    return Status(
        201,
        {
            "id": document.pk,
            "number": document.number,
            "symbol": document.symbol,
            "issued_on": document.issued_on.isoformat(),
            "subject": document.subject,
            "issuer_name": document.issuer_unit.name,
            "recipient_unit_ids": [
                r.unit_id for r in document.recipients.all() if r.unit_id is not None
            ],
        },
    )


def _register_response(request, kind: str, year: int, unit: int | None):
    from django.utils import timezone

    from lantoa.accounts.selectors import memberships_for_user, unit_get_for_user
    from lantoa.documents import registers

    if not 1990 <= year <= 2100:
        return coded_problem(400, "Năm không hợp lệ (1990–2100).", "invalid_year")
    if unit is not None:
        target = unit_get_for_user(request.auth, unit)
    else:
        memberships = memberships_for_user(request.auth)
        if not memberships:
            return coded_problem(400, "Hãy chọn đơn vị (tham số unit).", "unit_missing")
        target = memberships[0].unit
    build = registers.outgoing_register if kind == "outgoing" else registers.incoming_register
    register = build(unit=target, year=year or timezone.localdate().year)
    response = HttpResponse(
        registers.register_xlsx(register),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{registers.register_filename(register)}"'
    )
    return response


@router.get("/registers/outgoing.xlsx")
def register_outgoing(request, year: int, unit: int | None = None):
    """Sổ đăng ký văn bản đi (Decree 30, Appendix IV) of ``unit`` (default: the caller's
    first unit) for ``year``."""
    return _register_response(request, "outgoing", year, unit)


@router.get("/registers/incoming.xlsx")
def register_incoming(request, year: int, unit: int | None = None):
    """Sổ đăng ký văn bản đến (Decree 30, Appendix IV): what reached the unit's inbox."""
    return _register_response(request, "incoming", year, unit)


# ---- signers (người ký) of a unit ---------------------------------------------------------


class SignerOut(Schema):
    id: int
    authority: str
    title: str
    name: str
    position: int
    active: bool


class SignerIn(Schema):
    authority: str = ""
    title: str
    name: str
    active: bool = True


class SignerPatch(Schema):
    authority: str | None = None
    title: str | None = None
    name: str | None = None
    active: bool | None = None


def signer_out(s) -> dict:
    return {
        "id": s.pk,
        "authority": s.authority,
        "title": s.title,
        "name": s.name,
        "position": s.position,
        "active": s.active,
    }


def _signer_unit(request, unit_id: int):
    from lantoa.accounts.selectors import unit_get_for_user

    return unit_get_for_user(request.auth, unit_id)


@router.get("/units/{unit_id}/signers", response=list[SignerOut])
def unit_signers(request, unit_id: int, active: bool | None = None):
    """The unit's signers in order (a draft picks one); ``active=true`` only those signing."""
    from lantoa.documents import signers

    unit = _signer_unit(request, unit_id)
    rows = signers.signers_for_unit(unit, active_only=False)
    return [signer_out(s) for s in rows if active is None or s.active == active]


@router.post("/units/{unit_id}/signers", response={201: SignerOut})
def unit_signer_add(request, unit_id: int, payload: SignerIn):
    """Add a signer: the unit's leaders (approvers) and admins (403 otherwise)."""
    from lantoa.documents import signers

    unit = _signer_unit(request, unit_id)
    signer = signers.unit_signer_save(unit=unit, user=request.auth, **payload.dict())
    return Status(201, signer_out(signer))


@router.patch("/units/{unit_id}/signers/{signer_id}", response=SignerOut)
def unit_signer_change(request, unit_id: int, signer_id: int, payload: SignerPatch):
    """Change a signer (omitted fields stay); ``"active": false`` stops it being offered."""
    from lantoa.documents import signers

    unit = _signer_unit(request, unit_id)
    signer = signers.signer_get(unit, signer_id)
    current = {f: getattr(signer, f) for f in ("authority", "title", "name", "active")}
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    saved = signers.unit_signer_save(
        unit=unit, user=request.auth, signer=signer, **(current | changes)
    )
    return signer_out(saved)
