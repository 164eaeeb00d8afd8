"""Attachments: sniffed, ordered, listed in the DOCX, scoped downloads, frozen at issue."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document as DocxDocument
from openpyxl import Workbook

from lantoa.core.errors import Conflict, PermissionDeniedError
from lantoa.documents import output, services
from lantoa.documents.attachments import attachment_add
from lantoa.documents.models import Attachment
from lantoa.documents.tests.factories import district_plan, small_world

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def xlsx_bytes() -> bytes:
    wb = Workbook()
    wb.active["A1"] = "Mẫu tổng hợp"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def w():
    return small_world()


def test_attachments_in_order_listed_in_the_docx_and_searchable(w):
    plan = district_plan(w)
    cv = w.users["cv"]
    a1 = attachment_add(
        document=plan,
        user=cv,
        upload=SimpleUploadedFile("phu-luc.pdf", PDF_BYTES),
        title="Phụ lục I. Mẫu báo cáo kết quả",
    )
    a2 = attachment_add(
        document=plan, user=cv, upload=SimpleUploadedFile("bieu-mau.xlsx", xlsx_bytes())
    )
    assert [a.pk for a in plan.attachments.all()] == [a1.pk, a2.pk]
    assert (a1.position, a2.position) == (0, 1)
    assert a2.title == "bieu-mau" and a2.content_type.endswith("spreadsheetml.sheet")
    with a1.file.open("rb") as fh:
        assert fh.read() == PDF_BYTES
    text = [p.text for p in DocxDocument(io.BytesIO(output.document_docx(plan))).paragraphs]
    i = text.index("Tài liệu kèm theo:")
    assert text[i + 1 : i + 3] == ["1. Phụ lục I. Mẫu báo cáo kết quả", "2. bieu-mau"]
    from lantoa.documents.selectors import documents_list

    found = documents_list(user=cv, q="mau bao cao ket qua")
    assert plan in list(found)


@pytest.mark.parametrize(
    "name,data",
    [
        ("so-lieu.pdf", b"PK\x03\x04 not a pdf"),
        ("ke-hoach.docx", b"%PDF-1.4 a pdf renamed"),
        ("bang.xlsx", b"MZ\x90\x00 an exe"),
        ("bang.xlsm", b"PK\x03\x04"),
        ("anh.png", b"\xff\xd8\xff\xe0 jpeg bytes"),
        ("virus.exe", b"MZ\x90\x00"),
        ("rong.pdf", b""),
    ],
)
def test_content_must_match_the_name_and_nothing_is_stored(w, name, data):
    from django.core.exceptions import ValidationError

    plan = district_plan(w)
    with pytest.raises(ValidationError) as exc:
        attachment_add(document=plan, user=w.users["cv"], upload=SimpleUploadedFile(name, data))
    assert "file" in exc.value.message_dict
    assert not Attachment.objects.exists()


def test_only_authors_attach_and_issued_documents_are_frozen(w):
    plan = district_plan(w)
    with pytest.raises(PermissionDeniedError):
        attachment_add(
            document=plan, user=w.users["xa1"], upload=SimpleUploadedFile("a.pdf", PDF_BYTES)
        )
    attachment_add(document=plan, user=w.users["cv"], upload=SimpleUploadedFile("a.pdf", PDF_BYTES))
    services.document_submit(document=plan, user=w.users["cv"])
    services.document_approve(document=plan, user=w.users["leader"])
    services.document_issue(document=plan, user=w.users["leader"])
    with pytest.raises(Conflict):
        attachment_add(
            document=plan, user=w.users["cv"], upload=SimpleUploadedFile("b.pdf", PDF_BYTES)
        )
    assert plan.attachments.count() == 1


def test_api_upload_list_download_and_scope(w, api_as):
    plan = district_plan(w)
    api = api_as("cv")
    r = api.upload(
        f"/api/v1/documents/{plan.pk}/attachments",
        {"file": SimpleUploadedFile("phu-luc.pdf", PDF_BYTES)},
        {"title": "Phụ lục I"},
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["title"] == "Phụ lục I" and body["size"] == len(PDF_BYTES)
    listed = api.get(f"/api/v1/documents/{plan.pk}/attachments").json()
    assert [a["id"] for a in listed] == [body["id"]]
    file = api.get(body["url"])
    assert file.status_code == 200 and b"".join(file.streaming_content) == PDF_BYTES
    bad = api.upload(
        f"/api/v1/documents/{plan.pk}/attachments",
        {"file": SimpleUploadedFile("x.docx", b"%PDF-1.4")},
    )
    assert bad.status_code == 400 and bad["Content-Type"].startswith("application/problem+json")
    outsider = api_as("khac")
    assert outsider.get(f"/api/v1/documents/{plan.pk}/attachments").status_code == 404
    assert outsider.get(body["url"]).status_code == 404


def test_page_upload_and_download(w, client_as):
    plan = district_plan(w)
    client = client_as("cv")
    r = client.post(
        f"/van-ban/{plan.pk}/dinh-kem/",
        {"title": "Biểu mẫu", "file": SimpleUploadedFile("bm.xlsx", xlsx_bytes())},
    )
    assert r.status_code == 302
    a = plan.attachments.get()
    page = client.get(f"/van-ban/{plan.pk}/").content.decode()
    url = reverse("core:download", args=["document-attachment", a.pk])
    assert "Biểu mẫu" in page and url in page
    assert client.get(url).status_code == 200
    assert client_as("khac").get(url).status_code == 404
