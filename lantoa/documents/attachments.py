"""Attachments of documents (phụ lục, biểu mẫu kèm theo): PDF, DOCX, XLSX, images.

A file is accepted by ``attachment_file_accept`` (content sniffed from its bytes, size
capped, images re-encoded without metadata) and stored through Django's storage API,
so the S3 backend works unchanged. Attachments of an issued document never change.
"""

from __future__ import annotations

import hashlib
import os

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from lantoa.core.errors import Conflict, NotFound, PermissionDeniedError
from lantoa.core.text import nfc
from lantoa.core.uploads import AcceptedUpload, Download, upload_accept
from lantoa.documents.models import Attachment, Document, DocumentState
from lantoa.documents.permissions import can_edit_document
from lantoa.history.services import history_record

MAX_PER_DOCUMENT = 30
KINDS = {"pdf", "docx", "xlsx", "image"}


def attachment_file_accept(upload) -> AcceptedUpload:
    """Check an uploaded file is what its name says, within the limits (core.uploads)."""
    if upload is None:
        raise ValidationError({"file": _("Chưa chọn tệp.")})
    return upload_accept(upload, kinds=KINDS)


def can_attach(user, document: Document) -> bool:
    return can_edit_document(user, document)


def _require_changeable(document: Document, user) -> None:
    if not can_attach(user, document):
        raise PermissionDeniedError(
            _("Chỉ chuyên viên của đơn vị soạn thảo mới được thêm, bớt tài liệu kèm theo.")
        )
    if document.state == DocumentState.ISSUED:
        raise Conflict(
            _("Văn bản %(ref)s đã ban hành: tài liệu kèm theo không thể thay đổi.")
            % {"ref": document.reference}
        )


@transaction.atomic
def attachment_add(*, document: Document, user, upload, title: str = "") -> Attachment:
    """Attach a file (after the existing ones) to a document that is not issued yet."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    _require_changeable(document, user)
    accepted = attachment_file_accept(upload)
    filename = os.path.basename(nfc(getattr(upload, "name", "") or "")) or accepted.name
    title = nfc(title) or os.path.splitext(filename)[0]
    if len(title) > 255:
        raise ValidationError({"title": _("Tên tài liệu quá dài (tối đa 255 ký tự).")})
    count = document.attachments.count()
    if count >= MAX_PER_DOCUMENT:
        raise ValidationError(
            {"file": _("Mỗi văn bản kèm theo tối đa %(n)s tệp.") % {"n": MAX_PER_DOCUMENT}}
        )
    last = document.attachments.aggregate(m=Max("position"))["m"]
    attachment = Attachment(
        document=document,
        title=title,
        filename=filename,
        content_type=accepted.content_type,
        size=accepted.size,
        sha256=hashlib.sha256(accepted.data).hexdigest(),
        position=0 if last is None else last + 1,
        uploaded_by=user if getattr(user, "pk", None) else None,
    )
    attachment.file.save(accepted.name, accepted.as_file(), save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    _refresh_search_text(document)
    history_record(
        actor=user,
        unit=document.issuer_unit,
        obj=document,
        action="attach",
        summary=_("Đính kèm: %(t)s") % {"t": title},
    )
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, user) -> None:
    document = Document.objects.select_for_update().get(pk=attachment.document_id)
    _require_changeable(document, user)
    name = attachment.file.name
    title = attachment.title
    attachment.delete()
    transaction.on_commit(lambda: attachment.file.storage.delete(name))
    _refresh_search_text(document)
    history_record(
        actor=user,
        unit=document.issuer_unit,
        obj=document,
        action="detach",
        summary=_("Bỏ tài liệu kèm theo: %(t)s") % {"t": title},
    )


def _refresh_search_text(document: Document) -> None:
    from lantoa.documents.services import search_text_for

    Document.objects.filter(pk=document.pk).update(search_text=search_text_for(document))


def attachments_for_document(document: Document) -> list[Attachment]:
    return list(document.attachments.all())


def attachment_get(document: Document, attachment_id) -> Attachment:
    """An attachment of a document the caller already sees (scope is the document's)."""
    try:
        return document.attachments.get(pk=int(attachment_id))
    except (Attachment.DoesNotExist, TypeError, ValueError):
        raise NotFound


def attachment_bytes(attachment: Attachment) -> bytes:
    with attachment.file.open("rb") as fh:
        return fh.read()


def attachment_download(user, attachment_id) -> Download:
    """The stored file of an attachment, for ``core:download`` (NotFound out of scope)."""
    from lantoa.documents.selectors import document_get_for_user

    attachment = Attachment.objects.filter(pk=attachment_id).only("document_id").first()
    if attachment is None:
        raise NotFound
    document = document_get_for_user(user, attachment.document_id)
    attachment = attachment_get(document, attachment_id)
    return Download(
        name=attachment.file.name,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
