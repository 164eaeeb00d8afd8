"""Attachments of documents (phụ lục, biểu mẫu kèm theo): PDF, DOCX, XLSX, images.

A file is accepted by ``attachment_file_accept`` (content sniffed from its bytes, size
capped, images re-encoded without metadata) and stored through Django's storage API,
so the S3 backend works unchanged. Attachments of an issued document never change.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from lantoa.accounts.selectors import user_has_role
from lantoa.core.errors import Conflict, NotFound, PermissionDeniedError
from lantoa.core.text import fold, nfc
from lantoa.documents.models import Attachment, Document, DocumentState
from lantoa.history.services import history_record

MB = 1024 * 1024
MAX_BYTES = 20 * MB
MAX_PER_DOCUMENT = 30
MAX_PIXELS = 40_000_000
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMAGE_TYPES = {
    ".jpg": ("JPEG", "image/jpeg"),
    ".jpeg": ("JPEG", "image/jpeg"),
    ".png": ("PNG", "image/png"),
}
ALLOWED = _("Chỉ nhận tệp PDF, Word (.docx), Excel (.xlsx) hoặc ảnh JPG, PNG, tối đa 20 MB.")


@dataclass
class AcceptedFile:
    name: str
    content: bytes
    content_type: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def _ooxml_kind(data: bytes) -> str:
    """``docx``/``xlsx`` for a real Office Open XML package without macros, else ""."""
    if not data.startswith(b"PK\x03\x04"):
        return ""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if sum(i.file_size for i in archive.infolist()) > 20 * MAX_BYTES:
                return ""
    except (zipfile.BadZipFile, ValueError, OSError):
        return ""
    if "[Content_Types].xml" not in names or any(n.lower().endswith(".bin") for n in names):
        return ""
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return ""


def _clean_image(data: bytes, expected: str) -> bytes:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format != expected:
                raise ValidationError({"file": _("Nội dung tệp không khớp với tên tệp.")})
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise ValidationError({"file": _("Ảnh quá lớn (quá 40 triệu điểm ảnh).")})
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)
            out = io.BytesIO()
            if expected == "JPEG":
                image.convert("RGB").save(out, "JPEG", quality=90)
            else:
                image.save(out, "PNG")
            return out.getvalue()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError({"file": _("Nội dung tệp không khớp với tên tệp.")})


def attachment_file_accept(upload) -> AcceptedFile:
    """Check an uploaded file is what its name says, within the limits."""
    if upload is None:
        raise ValidationError({"file": _("Chưa chọn tệp.")})
    name = os.path.basename(nfc(getattr(upload, "name", "") or "")) or "tep"
    ext = os.path.splitext(name)[1].lower()
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError({"file": _("Tệp vượt quá 20 MB.")})
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationError({"file": _("Tệp vượt quá 20 MB.")})
    if not data:
        raise ValidationError({"file": _("Tệp rỗng.")})
    if ext == ".pdf":
        if not data.startswith(b"%PDF-"):
            raise ValidationError({"file": _("Nội dung tệp không phải PDF như tên tệp.")})
        return AcceptedFile(name, data, PDF)
    if ext in (".docx", ".xlsx"):
        if _ooxml_kind(data) != ext[1:]:
            raise ValidationError(
                {"file": _("Nội dung tệp không khớp với tên tệp (%(ext)s).") % {"ext": ext}}
            )
        return AcceptedFile(name, data, DOCX if ext == ".docx" else XLSX)
    if ext in IMAGE_TYPES:
        fmt, mime = IMAGE_TYPES[ext]
        return AcceptedFile(name, _clean_image(data, fmt), mime)
    raise ValidationError({"file": ALLOWED})


def _storage_name(name: str) -> str:
    base, ext = os.path.splitext(name)
    return f"{fold(base).replace(' ', '-')[:80] or 'tep'}{ext.lower()}"


def can_attach(user, document: Document) -> bool:
    return any(
        user_has_role(user, u, "editor") for u in (document.drafting_unit, document.issuer_unit)
    )


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
    title = nfc(title) or os.path.splitext(accepted.name)[0]
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
        filename=accepted.name,
        content_type=accepted.content_type,
        size=len(accepted.content),
        sha256=accepted.sha256,
        position=0 if last is None else last + 1,
        uploaded_by=user if getattr(user, "pk", None) else None,
    )
    attachment.file.save(_storage_name(accepted.name), ContentFile(accepted.content), save=False)
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
