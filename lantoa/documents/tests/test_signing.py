"""Signed PDFs (Decree 30 electronic layout) re-opened with pyHanko, and verification."""

import datetime as dt
import io
from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader, PdfWriter

from lantoa.documents import demo_pki, services, signing, verification
from lantoa.documents.attachments import attachment_add
from lantoa.documents.models import SignedFile
from lantoa.documents.rendering import pdf_available
from lantoa.documents.tests.factories import district_plan, small_world

pytestmark = pytest.mark.django_db


def blank_pdf(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def pki(settings, tmp_path):
    settings.LANTOA_SIGNING_KEYS_DIR = str(tmp_path / "keys")
    settings.LANTOA_TRUST_ROOTS_DIR = str(tmp_path / "trust")
    settings.LANTOA_SIGNING_PASSWORD = ""
    return tmp_path


@pytest.fixture
def w():
    return small_world()


def issue_plan(w, *, attach: bytes | None = None):
    plan = district_plan(w)
    if attach is not None:
        attachment_add(
            document=plan,
            user=w.users["cv"],
            upload=SimpleUploadedFile("phu-luc.pdf", attach),
            title="Phụ lục I. Mẫu báo cáo",
        )
    services.document_submit(document=plan, user=w.users["cv"])
    services.document_approve(document=plan, user=w.users["leader"])
    return services.document_issue(document=plan, user=w.users["leader"])


KEY_SECRET = "mat-khau"  # noqa: S105 - a throwaway test key


def keys_for(w, plan):
    demo_pki.demo_pki(
        [w.units["huyen"]],
        signer_names={w.units["huyen"].pk: plan.signer_name},
        password=KEY_SECRET,
    )


def rects(data: bytes) -> dict:
    reader = PdfReader(io.BytesIO(data))
    out = {}
    for index, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/FT") == "/Sig" or annot.get("/T"):
                out[str(annot["/T"])] = (index, [float(v) for v in annot["/Rect"]])
    return out


def test_signed_plan_two_valid_signatures_in_the_decree_30_places(w, pki):
    assert pdf_available(), "LibreOffice (soffice) is needed: ./test.sh installs it"
    plan = issue_plan(w)
    keys_for(w, plan)
    data = signing.document_signed_pdf(plan)
    # re-opened with pyHanko, against the demo CA only
    roots = verification.trust_roots()
    assert len(roots) == 1
    reader = PdfFileReader(io.BytesIO(data))
    sigs = {s.field_name: s for s in reader.embedded_signatures}
    assert list(sigs) == ["ChuKyNguoiKy", "ChuKyCoQuan"]
    for sig in sigs.values():
        status = validate_pdf_signature(sig, ValidationContext(trust_roots=roots))
        assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    signer_cert = sigs["ChuKyNguoiKy"].signer_cert.subject.native
    agency_cert = sigs["ChuKyCoQuan"].signer_cert.subject.native
    assert signer_cert["common_name"] == "Nguyễn Văn A"
    assert agency_cert["organization_name"] == "UBND huyện Mẫu"
    # positions: both on page 1; the seal covers about the left third of the signer's image
    boxes = rects(data)
    (p1, signer), (p2, agency) = boxes["ChuKyNguoiKy"], boxes["ChuKyCoQuan"]
    assert p1 == p2 == 0
    width = signer[2] - signer[0]
    seal_right = (agency[0] + agency[2]) / 2 + 34 * 72 / 25.4 / 2
    assert abs(seal_right - (signer[0] + width / 3)) < 2
    assert agency[0] < signer[0] < agency[2] < signer[2]
    assert signer[0] > 595 / 2 - 40  # the signer's column, on the right
    # the verification report: names, ISO 8601 time with +07:00
    reports = verification.verify_pdf(data)
    assert [r.valid for r in reports] == [True, True]
    assert reports[1].organisation == "UBND huyện Mẫu"
    for r in reports:
        assert r.signing_time.endswith("+07:00")
        assert datetime.fromisoformat(r.signing_time).utcoffset() == dt.timedelta(hours=7)
    # kept: the same bytes every time
    assert signing.document_signed_pdf(plan) == data
    assert SignedFile.objects.filter(document=plan).count() == 1
    # one byte changed: verification says so
    i = data.index(b"stream", len(data) // 10) + 20
    tampered = data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1 :]
    changed = verification.verify_pdf(tampered)
    assert any(r.changed_after_signing and not r.valid for r in changed)


def test_attached_pdf_signed_by_the_agency_top_right(w, pki):
    plan = issue_plan(w, attach=blank_pdf(2))
    keys_for(w, plan)
    attachment = plan.attachments.get()
    data = signing.attachment_signed_pdf(attachment)
    (page, rect) = rects(data)["ChuKyCoQuanPhuLuc"]
    assert page == 0 and rect[2] > 595 - 40 and rect[3] > 842 - 40
    (report,) = verification.verify_pdf(data)
    assert report.valid and report.organisation == "UBND huyện Mẫu"
    assert report.signing_time.endswith("+07:00")


def test_without_a_key_the_api_says_so_with_a_code(w, pki, api_as, client_as):
    plan = issue_plan(w)
    r = api_as("cv").get(f"/api/v1/documents/{plan.pk}/file", {"format": "pdf", "signed": "1"})
    assert r.status_code == 409 and r["Content-Type"].startswith("application/problem+json")
    assert r.json()["code"] == "signing_key_missing"
    page = client_as("cv").get(f"/van-ban/{plan.pk}/").content.decode()
    assert "Chưa cấu hình khóa ký số" in page
    assert not SignedFile.objects.exists()


def test_wrong_pkcs12_password_is_a_clear_error(w, pki):
    plan = issue_plan(w, attach=blank_pdf())
    keys_for(w, plan)
    (pki / "keys" / f"{signing.unit_key_name(w.units['huyen'])}.pass").write_text("sai")
    with pytest.raises(signing.SigningError) as exc:
        signing.attachment_signed_pdf(plan.attachments.get())
    assert exc.value.code == "signing_key_password" and "sai mật khẩu" in exc.value.detail
    assert not SignedFile.objects.exists()


def test_untrusted_and_expired_certificates(w, pki):
    plan = issue_plan(w, attach=blank_pdf())
    # an expired certificate of the demo CA
    ca = demo_pki.make_ca()
    (pki / "trust").mkdir()
    (pki / "trust" / "ca.pem").write_bytes(demo_pki.ca_pem(ca))
    now = dt.datetime.now(dt.UTC)
    old = demo_pki.issue_cert(
        ca,
        common="UBND huyện Mẫu",
        organisation="UBND huyện Mẫu",
        not_before=now - dt.timedelta(days=800),
        not_after=now - dt.timedelta(days=400),
    )
    from pyhanko.sign.signers import SimpleSigner

    signer = SimpleSigner.load_pkcs12_data(
        demo_pki.pkcs12_bytes(old, ca, b"x", "old"), other_certs=set(), passphrase=b"x"
    )
    keys = signing.UnitKeys(
        agency=signer, signer=signer, seal=signing.draw_seal("A"), signature=None
    )
    data = signing.sign_appendix_pdf(blank_pdf(), document=plan, keys=keys, when=signing.now_vn())
    (report,) = verification.verify_pdf(data)
    assert report.expired and not report.valid and "hết hạn" in report.message
    # a certificate from a CA nobody configured
    keys_for(w, plan)  # writes the demo CA into trust/ too: remove every root
    for path in (pki / "trust").iterdir():
        path.unlink()
    data = signing.attachment_signed_pdf(plan.attachments.get())
    (report,) = verification.verify_pdf(data)
    assert not report.trusted and not report.valid and not report.changed_after_signing
    assert "tin cậy" in report.message


@pytest.mark.parametrize(
    "data,code",
    [
        (b"%PDF-1.7\n garbage that is not a pdf", "corrupted"),
        (b"PK\x03\x04 a zip", "not_pdf"),
        (None, "unsigned"),
        ("encrypted", "encrypted"),
    ],
)
def test_bad_pdfs_are_clear_problems(api_as, w, data, code):
    if data is None:
        data = blank_pdf()
    elif data == "encrypted":
        writer = PdfWriter()
        writer.add_blank_page(595, 842)
        writer.encrypt("mat-khau")
        out = io.BytesIO()
        writer.write(out)
        data = out.getvalue()
    r = api_as("cv").upload(
        "/api/v1/signatures/verify", {"file": SimpleUploadedFile("x.pdf", data)}
    )
    assert r.status_code == 400, r.content
    body = r.json()
    assert body["code"] == code and body["detail"]


def test_verify_api_and_page(w, pki, api_as, client_as):
    plan = issue_plan(w, attach=blank_pdf())
    keys_for(w, plan)
    data = signing.attachment_signed_pdf(plan.attachments.get())
    r = api_as("cv").upload(
        "/api/v1/signatures/verify", {"file": SimpleUploadedFile("ky.pdf", data)}
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["valid"] is True and body["signatures"][0]["organisation"] == "UBND huyện Mẫu"
    page = client_as("xa1").post(
        "/van-ban/kiem-tra-chu-ky/", {"file": SimpleUploadedFile("ky.pdf", data)}
    )
    text = page.content.decode()
    assert page.status_code == 200 and "Chữ ký hợp lệ." in text and "+07:00" in text
    bad = client_as("xa1").post(
        "/van-ban/kiem-tra-chu-ky/", {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.4 junk")}
    )
    assert bad.status_code == 400 and "bị hỏng" in bad.content.decode()
