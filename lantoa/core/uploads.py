"""One pipeline for every uploaded file: check it, store it, serve it within scope.

Usage (a service accepting an attachment)::

    from lantoa.core.uploads import upload_accept

    accepted = upload_accept(upload, kinds={"image", "pdf", "docx"})  # ValidationError if not
    obj.file.save(accepted.name, accepted.as_file(), save=False)     # Django storage API
    obj.content_type, obj.size = accepted.content_type, accepted.size

or, without a model field, ``name = upload_store(accepted, folder="documents/12")`` which
returns the storage name (``default_storage``, so an S3 backend works as well as disk).

What ``upload_accept`` guarantees:

- the size is within ``LANTOA_MAX_IMAGE_BYTES`` (photos) or ``LANTOA_MAX_DOCUMENT_BYTES``;
  whole requests above ``LANTOA_MAX_REQUEST_BYTES`` are refused before their body is read
  (:class:`RequestSizeLimitMiddleware`);
- the content is what the name says, by magic bytes: ``%PDF-`` for PDF; a real OOXML zip
  with the part of its kind (``word/document.xml``…) for DOCX/XLSX/PPTX, without macros
  (no ``vbaProject.bin``, no macro-enabled content type), within an uncompressed-size and
  ratio cap (zip bombs); JPEG/PNG/WebP by Pillow's identification;
- images: the pixel count is checked from the header *before* decoding
  (``LANTOA_MAX_IMAGE_PIXELS``), then the image is decoded and re-encoded, which drops every
  metadata (EXIF GPS position, camera, author) and anything appended to the file;
- the stored name is a safe ASCII slug with the extension of the detected kind.

Serving: every stored file is downloaded through the one view ``core:download``
(``/tep/<owner>/<id>/``). An app registers, for its ``owner`` key, a resolver
``(user, id) -> Download`` that fetches the owning object through its scoped
``*_get_for_user`` selector and raises ``NotFound`` outside the user's scope (404)::

    download_register("activity-evidence", _activity_evidence_download)
    reverse("core:download", args=["activity-evidence", evidence.pk])
"""

import io
import os
import warnings
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

MB = 1024 * 1024

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

# kind → (extensions accepted in the name, content type, the part an OOXML zip must hold)
DOCUMENT_KINDS = {
    "pdf": ((".pdf",), PDF, None),
    "docx": ((".docx",), DOCX, "word/document.xml"),
    "xlsx": ((".xlsx",), XLSX, "xl/workbook.xml"),
    "pptx": ((".pptx",), PPTX, "ppt/presentation.xml"),
}
IMAGE_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
IMAGE_EXTENSION = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
KINDS = frozenset({"image", *DOCUMENT_KINDS})
OOXML_LABELS = {
    "docx": _lazy("tài liệu Word (.docx)"),
    "xlsx": _lazy("bảng tính Excel (.xlsx)"),
    "pptx": _lazy("bản trình chiếu PowerPoint (.pptx)"),
}

# Zip bombs: an OOXML file may expand at most this much, and to at most this many bytes.
ZIP_MAX_RATIO = 100
ZIP_MAX_UNCOMPRESSED = 200 * MB
ZIP_MAX_ENTRIES = 5000
MACRO_MARKERS = ("vbaproject.bin", "vbadata.xml", "activex")


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


@dataclass(frozen=True)
class AcceptedUpload:
    """A checked file: ``kind`` is "image" or a key of ``DOCUMENT_KINDS``."""

    kind: str
    name: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def is_image(self) -> bool:
        return self.kind == "image"

    def as_file(self) -> ContentFile:
        return ContentFile(self.data, name=self.name)


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError({"file": ValidationError(message, code=code)})


def _accepted_list(kinds: Iterable[str]) -> str:
    labels = {"image": _("ảnh JPG, PNG, WebP"), "pdf": "PDF", "docx": "Word (.docx)"}
    labels |= {"xlsx": "Excel (.xlsx)", "pptx": "PowerPoint (.pptx)"}
    return ", ".join(str(labels[k]) for k in sorted(kinds, key=list(labels).index))


def _safe_base(name: str) -> str:
    base = os.path.splitext(os.path.basename(name or ""))[0]
    return (slugify(base) or "tep")[:80]


def _read_capped(upload, limit: int, message: str) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise _refuse(message, "upload_too_large")
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _refuse(message, "upload_too_large")
    return data


def upload_accept(upload, *, kinds: Iterable[str]) -> AcceptedUpload:
    """Check an uploaded file (see the module docstring); raise ``ValidationError`` if not."""
    kinds = frozenset(kinds)
    unknown = kinds - KINDS
    if unknown:
        raise ValueError(f"unknown upload kinds: {sorted(unknown)}")
    if upload is None:
        raise _refuse(_("Hãy chọn một tệp."), "upload_missing")
    name = getattr(upload, "name", "") or ""
    ext = os.path.splitext(name)[1].lower()
    base = _safe_base(name)
    refused = _("Chỉ nhận %(kinds)s.") % {"kinds": _accepted_list(kinds)}
    if ext in IMAGE_FORMATS and "image" in kinds:
        limit = _limit("LANTOA_MAX_IMAGE_BYTES", 10 * MB)
        data = _read_capped(upload, limit, _("Ảnh vượt quá %(mb)s MB.") % {"mb": limit // MB})
        return _accept_image(data, base, IMAGE_FORMATS[ext], ext)
    for kind, (extensions, content_type, part) in DOCUMENT_KINDS.items():
        if kind in kinds and ext in extensions:
            limit = _limit("LANTOA_MAX_DOCUMENT_BYTES", 20 * MB)
            data = _read_capped(upload, limit, _("Tệp vượt quá %(mb)s MB.") % {"mb": limit // MB})
            if part is None:
                if not data.startswith(b"%PDF-"):
                    raise _refuse(_("Tệp không phải là PDF như tên của nó."), "upload_mismatch")
            else:
                ooxml_check(data, part=part, label=str(OOXML_LABELS[kind]))
            return AcceptedUpload(kind, f"{base}{extensions[0]}", content_type, data)
    raise _refuse(refused, "upload_kind")


def ooxml_check(data: bytes, *, part: str, label: str) -> None:
    """A real Office Open XML zip holding ``part``, without macros, not a zip bomb."""
    mismatch = _refuse(
        _("Tệp không phải là %(kind)s như tên của nó.") % {"kind": label}, "upload_mismatch"
    )
    if not data.startswith(b"PK\x03\x04"):
        raise mismatch
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > ZIP_MAX_ENTRIES:
                raise mismatch
            names = {e.filename.lower() for e in entries}
            total = sum(e.file_size for e in entries)
            packed = sum(e.compress_size for e in entries) or 1
            if total > ZIP_MAX_UNCOMPRESSED or total / packed > ZIP_MAX_RATIO:
                raise _refuse(
                    _("Tệp nén bất thường (dung lượng khi giải nén quá lớn)."), "upload_zip_bomb"
                )
            if "[content_types].xml" not in names or part not in names:
                raise mismatch
            types = archive.read("[Content_Types].xml")[:1_000_000].lower()
    except (zipfile.BadZipFile, ValueError, KeyError, OSError, EOFError, RuntimeError):
        raise mismatch
    if b"macroenabled" in types or any(m in n for n in names for m in MACRO_MARKERS):
        raise _refuse(
            _("Tệp chứa macro; chỉ nhận tệp không có macro (.docx, .xlsx, .pptx)."),
            "upload_macro",
        )


def _accept_image(data: bytes, base: str, expected: str, ext: str) -> AcceptedUpload:
    from PIL import Image, ImageOps, UnidentifiedImageError

    max_pixels = _limit("LANTOA_MAX_IMAGE_PIXELS", 40_000_000)
    not_image = _refuse(
        _("Tệp không phải là ảnh %(kind)s như tên của nó.") % {"kind": ext[1:].upper()},
        "upload_mismatch",
    )
    too_big = False
    try:
        # Image.open reads the header only: the size is known before any pixel is decoded.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[expected]) as probe:
                width, height = probe.size
    except Image.DecompressionBombError:
        too_big = True
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise not_image
    if too_big or width * height > max_pixels:
        raise _refuse(
            _("Ảnh có kích thước quá lớn (tối đa %(mp)s triệu điểm ảnh).")
            % {"mp": max_pixels // 1_000_000},
            "upload_pixels",
        )
    try:
        with Image.open(io.BytesIO(data), formats=[expected]) as image:
            image.load()
            image = ImageOps.exif_transpose(image)  # keep the orientation the camera meant
            keep_alpha = image.mode in ("RGBA", "LA", "P") and expected != "JPEG"
            mode = "RGBA" if keep_alpha else "RGB"
            pixels = image.convert(mode)
            clean = Image.new(mode, pixels.size)  # a fresh image: no info, no EXIF
            clean.paste(pixels)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise _refuse(_("Không đọc được ảnh."), "upload_unreadable") from exc
    out = io.BytesIO()
    if expected == "JPEG":
        clean.save(out, "JPEG", quality=88, optimize=True)
    else:
        clean.save(out, expected)
    return AcceptedUpload(
        "image", f"{base}{IMAGE_EXTENSION[expected]}", IMAGE_TYPES[expected], out.getvalue()
    )


def upload_store(accepted: AcceptedUpload, *, folder: str) -> str:
    """Save through ``default_storage``; returns the storage name (unique in ``folder``)."""
    return default_storage.save(f"{folder.strip('/')}/{accepted.name}", accepted.as_file())


def content_type_for(name: str) -> str:
    """The content type of a file this pipeline stored, from its extension."""
    ext = os.path.splitext(name or "")[1].lower()
    if ext in IMAGE_FORMATS:
        return IMAGE_TYPES[IMAGE_FORMATS[ext]]
    for extensions, content_type, _part in DOCUMENT_KINDS.values():
        if ext in extensions:
            return content_type
    return "application/octet-stream"


# --- serving ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Download:
    """A stored file the caller may read: its storage name and how to send it."""

    name: str
    filename: str = ""
    content_type: str = ""
    inline: bool = False


Resolver = Callable[[object, int], Download]
_RESOLVERS: dict[str, Resolver] = {}


def download_register(owner: str, resolver: Resolver) -> None:
    """Register how to find (within the user's scope) the file of an ``owner`` object."""
    _RESOLVERS[owner] = resolver


def download_resolver(owner: str) -> Resolver | None:
    return _RESOLVERS.get(owner)


def download_response(download: Download, *, storage=None):
    from django.http import FileResponse

    storage = storage or default_storage
    filename = download.filename or download.name.rsplit("/", 1)[-1]
    content_type = download.content_type or content_type_for(filename)
    inline = download.inline and content_type.startswith("image/")
    response = FileResponse(
        storage.open(download.name, "rb"),
        content_type=content_type,
        as_attachment=not inline,
        filename=filename,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- request size ---------------------------------------------------------------------------


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body exceeds ``LANTOA_MAX_REQUEST_BYTES`` (413)
    before anything reads it (Django's own limits apply while parsing, too late for files)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        limit = _limit("LANTOA_MAX_REQUEST_BYTES", 25 * MB)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return too_large_response(request, limit)
        return self.get_response(request)


def too_large_response(request: HttpRequest, limit: int) -> HttpResponse:
    detail = _("Yêu cầu quá lớn: tối đa %(mb)s MB.") % {"mb": limit // MB}
    if request.path.startswith("/api/"):
        from lantoa.core.problems import problem

        return problem(413, detail, code="request_too_large")
    response = HttpResponse(
        f"<!doctype html><html lang=vi><meta charset=utf-8><title>413</title><p>{detail}</p>",
        status=413,
    )
    return response


def download_view(request: HttpRequest, owner: str, pk: int):
    """The one view serving stored files; 404 unless the owner's resolver finds it in scope."""
    from django.contrib.auth.views import redirect_to_login
    from django.http import Http404

    from lantoa.core.errors import NotFound

    resolver = download_resolver(owner)
    if resolver is None or pk > 2**63 - 1:
        raise Http404
    try:
        download = resolver(request.user, pk)
    except NotFound:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise Http404
    return download_response(download)
