"""edXML (QCVN 102:2016): export validates against docs/edxml/lantoa-edxml.xsd; export →
import round trip into a second unit's inbox; every bad message refused, nothing stored."""

import base64
import hashlib
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from lxml import etree

from lantoa.documents import edxml, services, signing
from lantoa.documents.attachments import attachment_add
from lantoa.documents.models import Delivery, Document, SignedFile
from lantoa.documents.tests.factories import district_plan, issued, small_world
from lantoa.documents.tests.test_signing import blank_pdf, keys_for, pki  # noqa: F401

pytestmark = pytest.mark.django_db
CODES = {
    "bo": "000.00.00.G12",
    "huyen": "000.00.15.H99",
    "xa1": "000.01.15.H99",
    "xa2": "000.02.15.H99",
    "school": "000.03.15.H99",
}


@pytest.fixture
def w():
    w = small_world()
    for key, code in CODES.items():
        w.units[key].edoc_code = code
        w.units[key].save(update_fields=["edoc_code"])
    return w


def issue_plan(w, *, real_pdf: bool):
    top = issued(w)
    plan = district_plan(w, based_on=[top])
    attachment_add(
        document=plan,
        user=w.users["cv"],
        upload=SimpleUploadedFile("phu-luc.pdf", blank_pdf(2)),
        title="Phụ lục I. Mẫu báo cáo",
    )
    services.document_submit(document=plan, user=w.users["cv"])
    services.document_approve(document=plan, user=w.users["leader"])
    plan = services.document_issue(document=plan, user=w.users["leader"])
    keys_for(w, plan)
    if not real_pdf:
        # a stored signed copy (signed for real, on a blank page: no LibreOffice needed)
        keys = signing.unit_keys(plan.issuer_unit, signer_name=plan.signer_name)
        data = signing.sign_appendix_pdf(
            blank_pdf(), document=plan, keys=keys, when=signing.now_vn()
        )
        record = SignedFile(
            document=plan, sha256=hashlib.sha256(data).hexdigest(), signed_at=signing.now_vn()
        )
        record.file.save("t.pdf", ContentFile(data), save=False)
        record.save()
    return top, plan


def test_export_validates_and_round_trips_into_a_second_units_inbox(w, pki, api_as):  # noqa: F811
    top, plan = issue_plan(w, real_pdf=True)
    r = api_as("cv").get(f"/api/v1/documents/{plan.pk}/file", {"format": "edxml"})
    assert r.status_code == 200, r.content
    message = r.content
    root = etree.fromstring(message)
    edxml.schema().assertValid(root)
    ns = {"e": edxml.NS}
    assert root.findtext("e:edXMLHeader/e:MessageHeader/e:From/e:OrganId", namespaces=ns) == (
        "000.00.15.H99"
    )
    pages = int(root.findtext(".//e:OtherInfo/e:PageAmount", namespaces=ns))
    assert pages >= 1
    # the school's clerk receives it (a second unit; the district issued it)
    before = Document.objects.count()
    r = api_as("school").upload(
        "/api/v1/documents/import", {"file": SimpleUploadedFile("vb.xml", message)}
    )
    assert r.status_code == 201, r.content
    got = Document.objects.get(pk=r.json()["id"])
    assert Document.objects.count() == before + 1
    assert (got.number, got.symbol, got.issued_on, got.subject) == (
        plan.number,
        plan.symbol,
        plan.issued_on,
        plan.subject,
    )
    assert (got.signer_authority, got.signer_title, got.signer_name) == (
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Nguyễn Văn A",
    )
    assert got.issuer_unit == w.units["huyen"] and got.is_received and got.is_issued
    assert [r.unit for r in got.recipients.all() if r.unit_id] == [
        w.units["xa1"],
        w.units["xa2"],
        w.units["school"],
    ]
    assert "Lưu: VT." in [r.text for r in got.recipients.all()]
    assert set(Delivery.objects.filter(document=got).values_list("unit_id", flat=True)) == {
        w.units[k].pk for k in ("xa1", "xa2", "school")
    }
    original = plan.attachments.get()
    received = got.attachments.get()
    with original.file.open("rb") as a, received.file.open("rb") as b:
        assert a.read() == b.read()
    assert received.title == "Phụ lục I. Mẫu báo cáo"
    # the signed PDF arrives unchanged and its signatures are checked
    assert signing.document_signed_pdf(got) == signing.document_signed_pdf(plan)
    assert [s["valid"] for s in got.received_signatures] == [True, True]
    # linked into the legal-basis chain, usable as "based on" for a new plan
    assert list(got.based_on.all()) == [top]
    assert got.chain_ids == [top.pk]
    page = api_as("school").get(f"/api/v1/documents/{got.pk}").json()
    assert [b["id"] for b in page["legal_bases"]] == [top.pk]
    # the same message twice: refused
    again = api_as("school").upload(
        "/api/v1/documents/import", {"file": SimpleUploadedFile("vb.xml", message)}
    )
    assert again.status_code == 409
    assert Document.objects.count() == before + 1


def _message(w, plan) -> bytes:
    return edxml.edxml_export(plan)


def _tamper(message: bytes, fn) -> bytes:
    root = etree.fromstring(message)
    fn(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _q(tag):
    return f"{{{edxml.NS}}}{tag}"


def _flip_part(root):
    node = list(root.iter(_q("AttachmentEncoded")))[1]
    data = bytearray(base64.b64decode(node.text))
    data[10] ^= 1
    node.text = base64.b64encode(bytes(data)).decode()


def _drop_part(root):
    node = list(root.iter(_q("AttachmentEncoded")))[1]
    node.getparent().remove(node)


def _unknown_recipient(root):
    next(root.iter(_q("To"))).find(_q("OrganId")).text = "999.99.99.Z99"


def _no_subject(root):
    node = next(root.iter(_q("Subject")))
    node.getparent().remove(node)


@pytest.mark.parametrize(
    "make,code",
    [
        (lambda m: b"<edXML:edXMLEnvelope xmlns:edXML='x'><oops>", "malformed"),
        (lambda m: m.replace(edxml.NS.encode(), b"urn:other:namespace"), "unknown_namespace"),
        (lambda m: _tamper(m, _no_subject), "malformed"),
        (lambda m: _tamper(m, _unknown_recipient), "unknown_code"),
        (lambda m: _tamper(m, _flip_part), "part_tampered"),
        (lambda m: _tamper(m, _drop_part), "part_missing"),
    ],
)
def test_bad_messages_are_refused_and_nothing_is_stored(w, pki, api_as, make, code):  # noqa: F811
    _top, plan = issue_plan(w, real_pdf=False)
    message = make(_message(w, plan))
    before = (Document.objects.count(), Delivery.objects.count(), SignedFile.objects.count())
    r = api_as("school").upload(
        "/api/v1/documents/import", {"file": SimpleUploadedFile("vb.xml", message)}
    )
    assert r.status_code == 400, r.content
    assert r["Content-Type"].startswith("application/problem+json")
    body = r.json()
    assert body["code"] == code and body["detail"]
    after = (Document.objects.count(), Delivery.objects.count(), SignedFile.objects.count())
    assert after == before


def test_oversized_part_and_outsiders(w, pki, api_as, client_as, monkeypatch):  # noqa: F811
    _top, plan = issue_plan(w, real_pdf=False)
    message = _message(w, plan)
    monkeypatch.setattr(edxml, "MAX_PART_BYTES", 100)
    r = api_as("school").upload(
        "/api/v1/documents/import", {"file": SimpleUploadedFile("vb.xml", message)}
    )
    assert r.status_code == 413 and r.json()["code"] == "part_too_large"
    monkeypatch.undo()
    # a unit the message is not addressed to cannot receive it
    r = api_as("khac").upload(
        "/api/v1/documents/import", {"file": SimpleUploadedFile("vb.xml", message)}
    )
    assert r.status_code == 403
    # the page: received into the inbox
    page = client_as("xa1").post(
        "/van-ban/tiep-nhan-edxml/", {"file": SimpleUploadedFile("vb.xml", message)}
    )
    assert page.status_code == 302
    got = Document.objects.get(external_id__startswith="lantoa:")
    inbox = client_as("xa1").get("/van-ban/").content.decode()
    assert got.subject in inbox
    # the stored copy here is signed by the agency only, on a blank page: valid
    assert "edXML: chữ ký số hợp lệ" in inbox


def test_export_needs_identifier_codes(w, pki, api_as):  # noqa: F811
    _top, plan = issue_plan(w, real_pdf=False)
    w.units["xa2"].edoc_code = ""
    w.units["xa2"].save(update_fields=["edoc_code"])
    r = api_as("cv").get(f"/api/v1/documents/{plan.pk}/file", {"format": "edxml"})
    assert r.status_code == 409 and r.json()["code"] == "edoc_code_missing"
    assert "UBND xã Hai" in r.json()["detail"]


def test_unit_import_reads_the_identifier_code(w):
    from openpyxl import Workbook

    from lantoa.units.services import units_import

    wb = Workbook()
    ws = wb.active
    ws.append(["Mã", "Tên", "Loại", "Mã đơn vị cấp trên", "Mã định danh"])
    w.units["huyen"].code = "H99"
    w.units["huyen"].save(update_fields=["code"])
    ws.append(["X3", "UBND xã Ba", "ubnd_xa", "H99", "000.04.15.H99"])
    out = io.BytesIO()
    wb.save(out)
    (unit,) = units_import(
        root=w.units["huyen"], upload=SimpleUploadedFile("u.xlsx", out.getvalue())
    )
    assert unit.edoc_code == "000.04.15.H99"
