"""Evidence files: check that a file is what its name says, within the size limits, and
re-encode photos so no metadata (GPS position, camera, author) leaves with them."""

import io
import os
import zipfile
from dataclasses import dataclass
from urllib.parse import urlparse

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

MB = 1024 * 1024
IMAGE_MAX = 10 * MB
DOCUMENT_MAX = 20 * MB
IMAGE_EXTENSIONS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}
DOCUMENT_EXTENSIONS = {".pdf", ".docx"}
MAX_PIXELS = 40_000_000  # refuse decompression bombs well before Pillow's own limit


@dataclass
class CleanFile:
    kind: str  # photo | file
    content: ContentFile
    content_type: str
    size: int


def _name_parts(name: str) -> tuple[str, str]:
    base, ext = os.path.splitext(os.path.basename(name or ""))
    return base or "tep", ext.lower()


def clean_upload(upload) -> CleanFile:
    """Validate an uploaded evidence file; photos come back re-encoded without metadata."""
    base, ext = _name_parts(getattr(upload, "name", ""))
    size = getattr(upload, "size", None)
    if ext in IMAGE_EXTENSIONS:
        if size is not None and size > IMAGE_MAX:
            raise ValidationError({"file": "Ảnh vượt quá 10 MB."})
        data = upload.read(IMAGE_MAX + 1)
        if len(data) > IMAGE_MAX:
            raise ValidationError({"file": "Ảnh vượt quá 10 MB."})
        return _clean_image(data, base, ext)
    if ext in DOCUMENT_EXTENSIONS:
        if size is not None and size > DOCUMENT_MAX:
            raise ValidationError({"file": "Tệp vượt quá 20 MB."})
        data = upload.read(DOCUMENT_MAX + 1)
        if len(data) > DOCUMENT_MAX:
            raise ValidationError({"file": "Tệp vượt quá 20 MB."})
        if ext == ".pdf" and not data.startswith(b"%PDF-"):
            raise ValidationError({"file": "Tệp không phải là PDF như tên của nó."})
        if ext == ".docx" and not _is_docx(data):
            raise ValidationError(
                {"file": "Tệp không phải là tài liệu Word (.docx) như tên của nó."}
            )
        mime = (
            "application/pdf"
            if ext == ".pdf"
            else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )
        return CleanFile("file", ContentFile(data, name=f"{base}{ext}"), mime, len(data))
    raise ValidationError(
        {"file": "Chỉ nhận ảnh (JPG, PNG, WEBP, tối đa 10 MB) hoặc tệp PDF, DOCX (tối đa 20 MB)."}
    )


def _is_docx(data: bytes) -> bool:
    if not data.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return False
    return "word/document.xml" in names and "[Content_Types].xml" in names


def _clean_image(data: bytes, base: str, ext: str) -> CleanFile:
    expected = IMAGE_EXTENSIONS[ext]
    try:
        with Image.open(io.BytesIO(data)) as probe:
            actual = probe.format
            width, height = probe.size
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError({"file": "Tệp không phải là ảnh như tên của nó."})
    if actual != expected:
        raise ValidationError({"file": f"Tệp không phải là ảnh {ext[1:].upper()} như tên của nó."})
    if width * height > MAX_PIXELS:
        raise ValidationError({"file": "Ảnh có kích thước quá lớn."})
    try:
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)  # keep the orientation the camera meant
            mode = "RGBA" if image.mode in ("RGBA", "LA", "P") and expected != "JPEG" else "RGB"
            pixels = image.convert(mode)
            clean = Image.new(mode, pixels.size)
            clean.paste(pixels)
    except (OSError, ValueError) as exc:
        raise ValidationError({"file": "Không đọc được ảnh."}) from exc
    out = io.BytesIO()
    if expected == "JPEG":
        clean.save(out, "JPEG", quality=88, optimize=True)
    else:
        clean.save(out, expected)
    body = out.getvalue()
    mime = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}[expected]
    return CleanFile("photo", ContentFile(body, name=f"{base}{ext}"), mime, len(body))


def clean_link(url: str) -> str:
    url = (url or "").strip()
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValidationError({"url": "Đường dẫn phải bắt đầu bằng http:// hoặc https://."})
    if len(url) > 1000:
        raise ValidationError({"url": "Đường dẫn quá dài."})
    return url
