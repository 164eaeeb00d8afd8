"""Electronic documents API (API.md, Electronic documents): attachments, signed PDFs,
signature verification."""

import json

from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from lantoa.api.problems import problem
from lantoa.core.uploads import download_response
from lantoa.documents import attachments as attachment_services
from lantoa.documents import selectors

router = Router(tags=["electronic documents"])


def coded_problem(status: int, detail: str, code: str):
    """problem+json with a stable machine-readable ``code``."""
    response = problem(status, detail)
    body = json.loads(response.content)
    body["code"] = code
    response.content = json.dumps(body, ensure_ascii=False).encode()
    return response


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
