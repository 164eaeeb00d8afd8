"""Verify the signatures of a PDF (pyHanko): who signed, for which organisation, when,
whether the file changed after signing, whether the certificate chains to a trust root.

Trust roots are configuration: every ``.pem``/``.crt``/``.cer`` certificate in
``LANTOA_TRUST_ROOTS_DIR`` (default ``<data dir>/signing/trust``; the demo writes its CA
there). Nothing is fetched from the network (no OCSP/CRL): revocation is not checked.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_BYTES = 30 * 1024 * 1024


class VerificationError(Exception):
    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass
class SignatureReport:
    field: str
    signer: str
    organisation: str
    signing_time: str  # ISO 8601, +07:00
    intact: bool  # the signed bytes are unchanged
    changed_after_signing: bool
    trusted: bool
    expired: bool
    valid: bool
    message: str

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def trust_roots_dir() -> Path:
    return Path(
        getattr(settings, "LANTOA_TRUST_ROOTS_DIR", None)
        or Path(settings.DATA_DIR) / "signing" / "trust"
    )


def trust_roots() -> list:
    from asn1crypto import pem, x509

    roots = []
    folder = trust_roots_dir()
    if not folder.is_dir():
        return roots
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in (".pem", ".crt", ".cer"):
            continue
        data = path.read_bytes()
        if pem.detect(data):
            for _type, _headers, der in pem.unarmor(data, multiple=True):
                roots.append(x509.Certificate.load(der))
        else:
            roots.append(x509.Certificate.load(data))
    return roots


def _name_part(name, key: str) -> str:
    try:
        return str(name.native.get(key, "") or "")
    except Exception:
        return ""


def verify_pdf(data: bytes) -> list[SignatureReport]:
    """One report per signature; VerificationError for a file that cannot be checked."""
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    if not data or not data.lstrip()[:5].startswith(b"%PDF-"):
        raise VerificationError("not_pdf", _("Tệp không phải là PDF."))
    if len(data) > MAX_BYTES:
        raise VerificationError("too_large", _("Tệp PDF vượt quá 30 MB."))
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            raise VerificationError(
                "encrypted",
                _("Tệp PDF được mã hóa (đặt mật khẩu): không kiểm tra được chữ ký."),
            )
        signatures = list(reader.embedded_signatures)
    except VerificationError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        raise VerificationError(
            "corrupted", _("Tệp PDF bị hỏng hoặc không đọc được cấu trúc: không kiểm tra được.")
        )
    if not signatures:
        raise VerificationError("unsigned", _("Tệp PDF không có chữ ký số nào."))
    roots = trust_roots()
    reports = []
    for sig in signatures:
        context = ValidationContext(
            trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail"
        )
        try:
            status = validate_pdf_signature(sig, context)
        except Exception:
            reports.append(
                SignatureReport(
                    field=sig.field_name or "",
                    signer="",
                    organisation="",
                    signing_time="",
                    intact=False,
                    changed_after_signing=True,
                    trusted=False,
                    expired=False,
                    valid=False,
                    message=_("Chữ ký bị hỏng hoặc tài liệu đã bị thay đổi sau khi ký."),
                )
            )
            continue
        cert = status.signing_cert
        when: datetime | None = status.signer_reported_dt
        expired = False
        if cert is not None:
            not_after = cert["tbs_certificate"]["validity"]["not_after"].native
            not_before = cert["tbs_certificate"]["validity"]["not_before"].native
            moment = when or datetime.now(tz=VN)
            expired = not (not_before <= moment <= not_after)
        level = getattr(status, "modification_level", None)
        changed = (
            not status.intact
            or not status.valid
            or status.docmdp_ok is False
            or (level is not None and level.name in ("ANNOTATIONS", "OTHER"))
        )
        trusted = bool(status.trusted) and not expired
        if changed:
            message = _("Tài liệu đã bị thay đổi sau khi ký: chữ ký không còn giá trị.")
        elif expired:
            message = _("Chứng thư số đã hết hạn (hoặc chưa có hiệu lực) tại thời điểm ký.")
        elif not trusted:
            message = _("Chứng thư số không thuộc tổ chức cung cấp dịch vụ chứng thực tin cậy.")
        else:
            message = _("Chữ ký hợp lệ.")
        reports.append(
            SignatureReport(
                field=sig.field_name or "",
                signer=_name_part(cert.subject, "common_name") if cert else "",
                organisation=_name_part(cert.subject, "organization_name") if cert else "",
                signing_time=when.astimezone(VN).isoformat() if when else "",
                intact=bool(status.intact),
                changed_after_signing=changed,
                trusted=trusted,
                expired=expired,
                valid=not changed and trusted,
                message=message,
            )
        )
    return reports
