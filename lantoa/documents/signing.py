"""Digitally signed PDFs in the electronic layout of Decree 30/2020 (Appendix I, II), PAdES.

Keys come from configuration, never from code:

- ``LANTOA_SIGNING_KEYS_DIR`` (default ``<data dir>/signing/keys``) holds, per issuing unit
  (named by its code, or ``unit-<id>`` when it has none): ``<code>.p12`` — the agency's
  (organisation) key and certificate; optionally ``<code>.signer.p12`` — the signer's
  personal key (else the agency key signs both); optionally ``<code>.seal.png`` (the red
  seal) and ``<code>.signature.png`` (the signer's signature image). Missing images are
  drawn (a red seal with the agency's name; the signer's name in italics).
- The PKCS#12 password: ``LANTOA_SIGNING_PASSWORD_<CODE>`` (code upper-cased, other
  characters as ``_``), else the file ``<code>.pass`` beside the key, else
  ``LANTOA_SIGNING_PASSWORD``.

The signed PDF of an issued document carries two signatures: the signer's, its image at the
signature position of the signer block; then the agency's, the red seal overlapping about
a third of the signer's image on the left, with the agency's name and the signing time in
ISO 8601 with the +07:00 offset. Each PDF attachment is signed by the agency at the top
right of its first page with the document's number and symbol and the time (Times New
Roman 10 italic, or the closest serif italic installed). The signed files are made once
and kept (``SignedFile``): every download returns the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lantoa.documents.models import Attachment, Document, SignedFile
from lantoa.units.models import Unit

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PT_PER_MM = 72 / 25.4
FONT_CANDIDATES = {
    "italic": [
        "Times New Roman Italic.ttf",
        "timesi.ttf",
        "LiberationSerif-Italic.ttf",
        "Tinos-Italic.ttf",
        "DejaVuSerif-Italic.ttf",
    ],
    "bold": [
        "Times New Roman Bold.ttf",
        "timesbd.ttf",
        "LiberationSerif-Bold.ttf",
        "Tinos-Bold.ttf",
        "DejaVuSerif-Bold.ttf",
    ],
}
FONT_DIRS = ["/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".fonts")]


class SigningError(Exception):
    """Signing is not possible; ``code`` is stable for the API (problem+json)."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail


# ---- configuration ---------------------------------------------------------------


def keys_dir() -> Path:
    return Path(
        getattr(settings, "LANTOA_SIGNING_KEYS_DIR", None)
        or Path(settings.DATA_DIR) / "signing" / "keys"
    )


def unit_key_name(unit: Unit) -> str:
    code = re.sub(r"[^A-Za-z0-9._-]", "_", unit.code or "")
    return code or f"unit-{unit.pk}"


def _password(name: str) -> bytes | None:
    env = "LANTOA_SIGNING_PASSWORD_" + re.sub(r"[^A-Z0-9]", "_", name.upper())
    if os.environ.get(env):
        return os.environ[env].encode()
    file = keys_dir() / f"{name}.pass"
    if file.exists():
        return file.read_text().strip().encode()
    value = os.environ.get("LANTOA_SIGNING_PASSWORD") or getattr(
        settings, "LANTOA_SIGNING_PASSWORD", ""
    )
    return value.encode() if value else None


def signing_configured(unit: Unit) -> bool:
    return (keys_dir() / f"{unit_key_name(unit)}.p12").exists()


def load_pkcs12(path: Path, password: bytes | None):
    """A pyHanko signer from a PKCS#12 file; a clear error for a wrong password."""
    from pyhanko.sign.signers import SimpleSigner

    try:
        data = path.read_bytes()
    except OSError:
        raise SigningError(
            "signing_key_missing",
            _("Chưa cấu hình khóa ký số cho đơn vị (không đọc được %(f)s).") % {"f": path.name},
        )
    try:
        return SimpleSigner.load_pkcs12_data(data, other_certs=set(), passphrase=password)
    except Exception:
        raise SigningError(
            "signing_key_password",
            _("Không mở được khóa ký số %(f)s: sai mật khẩu hoặc tệp PKCS#12 bị hỏng.")
            % {"f": path.name},
        )


@dataclass
class UnitKeys:
    agency: object  # pyhanko SimpleSigner
    signer: object
    seal: object  # PIL image
    signature: object | None  # PIL image


def unit_keys(unit: Unit, *, signer_name: str = "") -> UnitKeys:
    name = unit_key_name(unit)
    folder = keys_dir()
    agency_path = folder / f"{name}.p12"
    if not agency_path.exists():
        raise SigningError(
            "signing_key_missing",
            _(
                "Chưa cấu hình khóa ký số cho %(unit)s: văn bản chỉ có bản PDF chưa ký. "
                "Quản trị hệ thống đặt tệp %(file)s vào thư mục khóa ký số."
            )
            % {"unit": unit.name, "file": agency_path.name},
        )
    agency = load_pkcs12(agency_path, _password(name))
    signer_path = folder / f"{name}.signer.p12"
    signer = (
        load_pkcs12(signer_path, _password(f"{name}.signer")) if signer_path.exists() else agency
    )
    seal_path = folder / f"{name}.seal.png"
    signature_path = folder / f"{name}.signature.png"
    from PIL import Image

    seal = Image.open(seal_path).convert("RGBA") if seal_path.exists() else draw_seal(unit.name)
    signature = (
        Image.open(signature_path).convert("RGBA")
        if signature_path.exists()
        else (draw_signature(signer_name) if signer_name else None)
    )
    return UnitKeys(agency=agency, signer=signer, seal=seal, signature=signature)


# ---- images ----------------------------------------------------------------------


def find_font(style: str) -> str | None:
    for candidate in FONT_CANDIDATES[style]:
        for root in FONT_DIRS:
            for dirpath, _dirs, files in os.walk(root):
                if candidate in files:
                    return os.path.join(dirpath, candidate)
    return None


def _font(style: str, size: int):
    from PIL import ImageFont

    path = find_font(style)
    return ImageFont.truetype(path, size) if path else ImageFont.load_default(size)


def draw_seal(agency_name: str, size: int = 600):
    """A red round seal: two rings, the agency's name inside, a star in the centre."""
    from PIL import Image, ImageDraw

    red = (220, 20, 30, 255)
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    w = size // 60
    draw.ellipse((w, w, size - w, size - w), outline=red, width=w * 2)
    inner = size // 7
    draw.ellipse((inner, inner, size - inner, size - inner), outline=red, width=w)
    c = size / 2
    import math

    star = []
    for i in range(10):
        r = size / 9 if i % 2 == 0 else size / 22
        a = -math.pi / 2 + i * math.pi / 5
        star.append((c + r * math.cos(a), c + r * math.sin(a)))
    draw.polygon(star, fill=red)
    words = agency_name.upper().split()
    lines, line = [], ""
    for word in words:
        if len(line) + len(word) + 1 > 16 and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    font = _font("bold", size // 16)
    top = c + size / 8
    for i, text in enumerate(lines[:3]):
        box = draw.textbbox((0, 0), text, font=font)
        draw.text((c - (box[2] - box[0]) / 2, top + i * size / 14), text, font=font, fill=red)
    return image


def draw_signature(name: str, width: int = 900, height: int = 300):
    """The signer's name as a blue handwritten-looking line (when no image is configured)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    font = _font("italic", height // 3)
    box = draw.textbbox((0, 0), name, font=font)
    x = (width - (box[2] - box[0])) / 2
    draw.text((x, height / 3), name, font=font, fill=(20, 40, 160, 255))
    draw.line(
        (x, height * 0.8, x + box[2] - box[0], height * 0.72), fill=(20, 40, 160, 255), width=4
    )
    return image


def draw_text_block(lines: list[str], *, width_pt: float, size_pt: float = 10, scale: int = 4):
    """Lines of Times New Roman 10 italic (black) on a transparent background."""
    from PIL import Image, ImageDraw

    font = _font("italic", int(size_pt * scale))
    line_h = int(size_pt * scale * 1.25)
    image = Image.new(
        "RGBA", (int(width_pt * scale), line_h * len(lines) + scale * 2), (0, 0, 0, 0)
    )
    draw = ImageDraw.Draw(image)
    for i, text in enumerate(lines):
        draw.text((scale, i * line_h), text, font=font, fill=(0, 0, 0, 255))
    return image


def agency_stamp_image(seal, agency_name: str, when: str, *, seal_pt: float):
    """The agency's signature appearance: the seal, and under it name and ISO time."""
    from PIL import Image

    scale = 4
    text = draw_text_block([agency_name, when], width_pt=seal_pt * 1.9, size_pt=7, scale=scale)
    seal_px = int(seal_pt * scale)
    canvas = Image.new("RGBA", (max(seal_px, text.width), seal_px + text.height), (0, 0, 0, 0))
    canvas.alpha_composite(seal.resize((seal_px, seal_px)), ((canvas.width - seal_px) // 2, 0))
    canvas.alpha_composite(text, (0, seal_px))
    return canvas


# ---- positions in the PDF ---------------------------------------------------------


@dataclass
class Line:
    page: int
    text: str
    x: float
    y: float


def pdf_lines(data: bytes) -> list[Line]:
    """Text lines with their baseline position (points from the bottom left)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    out: list[Line] = []
    for index, page in enumerate(reader.pages):
        chunks: list[tuple[float, float, str]] = []

        def visit(text, cm, tm, _font, _size, chunks=chunks):
            if not text.strip():
                return
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            chunks.append((round(y, 1), x, text))

        page.extract_text(visitor_text=visit)
        rows: dict[float, list[tuple[float, str]]] = {}
        for y, x, text in chunks:
            key = next((k for k in rows if abs(k - y) < 2), y)
            rows.setdefault(key, []).append((x, text))
        for y, parts in rows.items():
            parts.sort()
            text = " ".join(" ".join(t.split()) for _x, t in parts)
            out.append(Line(index, " ".join(text.split()), parts[0][0], y))
    return out


def signer_position(data: bytes, *, title: str, name: str) -> tuple[int, float, float, float]:
    """(page, centre x, baseline of the title, baseline of the name) of the signer block."""
    lines = pdf_lines(data)
    name = " ".join(name.split())
    title = " ".join(title.upper().split())
    for line in lines:
        if name and line.text.endswith(name):
            above = [
                x
                for x in lines
                if x.page == line.page and x.y > line.y and title and title in x.text
            ]
            title_y = min((x.y for x in above), default=line.y + 80)
            centre = line.x + _text_width_guess(name) / 2
            return line.page, centre, title_y, line.y
    # no name in the text: under the last title line, or the bottom right of the last page
    titles = [x for x in lines if title and title in x.text]
    if titles:
        t = titles[-1]
        return t.page, t.x + _text_width_guess(title) / 2, t.y, t.y - 80
    last = max((x.page for x in lines), default=0)
    return last, 430, 200, 120


def _text_width_guess(text: str, size: float = 14) -> float:
    return len(text) * size * 0.5


# ---- signing ---------------------------------------------------------------------


def now_vn() -> datetime:
    return timezone.now().astimezone(VN).replace(microsecond=0)


def _sign(data: bytes, *, signer, field: str, page: int, box, image, name: str, reason: str):
    from pyhanko.pdf_utils.images import PdfImage
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import StaticStampStyle

    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    style = StaticStampStyle(border_width=0, background=PdfImage(image), background_opacity=1)
    meta = signers.PdfSignatureMetadata(
        field_name=field, name=name, reason=reason, location="Việt Nam", md_algorithm="sha256"
    )
    out = signers.PdfSigner(
        meta,
        signer,
        stamp_style=style,
        new_field_spec=fields.SigFieldSpec(
            sig_field_name=field, on_page=page, box=tuple(int(v) for v in box)
        ),
    ).sign_pdf(writer)
    return out.getvalue()


def sign_document_pdf(pdf: bytes, *, document: Document, keys: UnitKeys, when: datetime) -> bytes:
    """The signer's signature at the signature position, then the agency's seal overlapping
    the left third of it."""
    page, centre, title_y, name_y = signer_position(
        pdf, title=document.signer_title, name=document.signer_name
    )
    top = title_y - 6
    bottom = name_y + 16
    if top - bottom < 30:
        top, bottom = name_y + 70, name_y + 16
    width = 150
    signer_box = (centre - width / 2, bottom, centre + width / 2, top)
    signature = keys.signature or draw_signature(document.signer_name or document.signer_title)
    signed = _sign(
        pdf,
        signer=keys.signer,
        field="ChuKyNguoiKy",
        page=page,
        box=signer_box,
        image=signature,
        name=document.signer_name or None,
        reason=_("Ký ban hành %(ref)s") % {"ref": document.reference},
    )
    seal_pt = 34 * PT_PER_MM
    stamp = agency_stamp_image(
        keys.seal, document.issuer_unit.name, when.isoformat(), seal_pt=seal_pt
    )
    w_pt, h_pt = stamp.width / 4, stamp.height / 4
    # the seal's right edge covers the left third of the signer's image
    seal_cx = signer_box[0] + width / 3 - seal_pt / 2
    seal_top = (signer_box[1] + signer_box[3]) / 2 + seal_pt / 2
    agency_box = (seal_cx - w_pt / 2, seal_top - h_pt, seal_cx + w_pt / 2, seal_top)
    return _sign(
        signed,
        signer=keys.agency,
        field="ChuKyCoQuan",
        page=page,
        box=agency_box,
        image=stamp,
        name=document.issuer_unit.name,
        reason=_("Cơ quan ban hành %(ref)s") % {"ref": document.reference},
    )


def sign_appendix_pdf(pdf: bytes, *, document: Document, keys: UnitKeys, when: datetime) -> bytes:
    """An attached PDF signed by the agency at the top right of its first page, with the
    document's number and symbol and the time (Times New Roman 10 italic)."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(pdf))
        box = reader.pages[0].mediabox
        width, height = float(box.width), float(box.height)
    except Exception:
        raise SigningError("attachment_unreadable", _("Tệp PDF kèm theo bị hỏng, không ký được."))
    lines = [f"{document.issuer_unit.name}", f"Số: {document.reference}", when.isoformat()]
    image = draw_text_block(lines, width_pt=62 * PT_PER_MM, size_pt=10)
    w_pt, h_pt = image.width / 4, image.height / 4
    margin = 8 * PT_PER_MM
    stamp_box = (width - margin - w_pt, height - margin - h_pt, width - margin, height - margin)
    return _sign(
        pdf,
        signer=keys.agency,
        field="ChuKyCoQuanPhuLuc",
        page=0,
        box=stamp_box,
        image=image,
        name=document.issuer_unit.name,
        reason=_("Phụ lục kèm theo %(ref)s") % {"ref": document.reference},
    )


def _stored(document: Document, attachment: Attachment | None) -> SignedFile | None:
    return SignedFile.objects.filter(document=document, attachment=attachment).first()


def _read(signed: SignedFile) -> bytes:
    with signed.file.open("rb") as fh:
        return fh.read()


def _keep(document: Document, attachment: Attachment | None, data: bytes, when) -> bytes:
    name = f"{document.pk}-{attachment.pk if attachment else 'vb'}.pdf"
    record = SignedFile(
        document=document,
        attachment=attachment,
        sha256=hashlib.sha256(data).hexdigest(),
        signed_at=when,
    )
    record.file.save(name, ContentFile(data), save=False)
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        record.file.delete(save=False)
        existing = _stored(document, attachment)
        return _read(existing) if existing else data
    return data


def _require_issued(document: Document) -> None:
    if not document.is_issued:
        raise SigningError("not_issued", _("Chỉ văn bản đã ban hành mới có bản PDF ký số."))


def document_signed_pdf(document: Document) -> bytes:
    """The signed PDF of an issued document (made on first request, then kept)."""
    _require_issued(document)
    existing = _stored(document, None)
    if existing is not None:
        return _read(existing)
    keys = unit_keys(document.issuer_unit, signer_name=document.signer_name)
    from lantoa.documents.output import document_pdf
    from lantoa.documents.rendering import pdf_available

    pdf = document_pdf(document) if pdf_available() else None
    if pdf is None:
        raise SigningError(
            "pdf_unavailable",
            _("Máy chủ chưa cài LibreOffice nên chưa xuất được PDF; hãy tải bản DOCX."),
        )
    when = now_vn()
    return _keep(
        document, None, sign_document_pdf(pdf, document=document, keys=keys, when=when), when
    )


def attachment_signed_pdf(attachment: Attachment) -> bytes:
    """A PDF attachment of an issued document, signed by the agency (made once, kept)."""
    document = attachment.document
    _require_issued(document)
    if not attachment.is_pdf:
        raise SigningError("not_pdf", _("Chỉ ký số được tài liệu kèm theo dạng PDF."))
    existing = _stored(document, attachment)
    if existing is not None:
        return _read(existing)
    keys = unit_keys(document.issuer_unit, signer_name=document.signer_name)
    with attachment.file.open("rb") as fh:
        pdf = fh.read()
    when = now_vn()
    return _keep(
        document, attachment, sign_appendix_pdf(pdf, document=document, keys=keys, when=when), when
    )
