"""Evidence files: checked by the one upload pipeline (``lantoa.core.uploads``): a file
must be what its name says, within the size limits; photos are re-encoded so no metadata
(GPS position, camera, author) leaves with them."""

from dataclasses import dataclass
from urllib.parse import urlparse

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from lantoa.core.uploads import upload_accept

EVIDENCE_KINDS = frozenset({"image", "pdf", "docx"})


@dataclass
class CleanFile:
    kind: str  # photo | file
    content: ContentFile
    content_type: str
    size: int


def clean_upload(upload) -> CleanFile:
    """Validate an uploaded evidence file; photos come back re-encoded without metadata."""
    accepted = upload_accept(upload, kinds=EVIDENCE_KINDS)
    kind = "photo" if accepted.is_image else "file"
    return CleanFile(kind, accepted.as_file(), accepted.content_type, accepted.size)


def clean_link(url: str) -> str:
    url = (url or "").strip()
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValidationError({"url": "Đường dẫn phải bắt đầu bằng http:// hoặc https://."})
    if len(url) > 1000:
        raise ValidationError({"url": "Đường dẫn quá dài."})
    return url
