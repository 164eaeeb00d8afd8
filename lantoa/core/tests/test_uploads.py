"""The one upload pipeline: size before reading, content sniffing, pixel cap before decoding,
metadata stripped, one scoped download view (issue 9, "Input that hurts")."""

import io
import time
import tracemalloc
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from lantoa.core.uploads import upload_accept, upload_store

ALL = {"image", "pdf", "docx", "xlsx", "pptx"}


def _ooxml(part: str, *extra: str, types: str = "<Types/>") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr(part, "<x/>")
        for name in extra:
            z.writestr(name, "x")
    return out.getvalue()


def _png_bomb() -> bytes:
    """A small PNG declaring 12,000 × 12,000 pixels (144 million: below Pillow's own bomb
    error, so only our cap stands between it and a multi-gigabyte decode)."""
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, "PNG", optimize=True)
    return out.getvalue()


def _jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    exif[0x8825] = {1: "N"}  # GPS IFD
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue() + b"appended-secret"


def _refused(name: str, data: bytes, kinds=ALL) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        upload_accept(SimpleUploadedFile(name, data), kinds=kinds)
    return info.value


@pytest.mark.parametrize(
    "name,data,code",
    [
        ("bao-cao.docx", _ooxml("word/document.xml", "word/vbaProject.bin"), "upload_macro"),
        (
            "bao-cao.docx",
            _ooxml(
                "word/document.xml",
                types='<Types><Override ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>',
            ),
            "upload_macro",
        ),
        ("ke-hoach.pdf", _ooxml("word/document.xml"), "upload_mismatch"),
        ("cong-van.doc", b"MZ\x90\x00\x03" + b"\x00" * 100, "upload_kind"),
        ("cong-van.docx", b"MZ\x90\x00\x03" + b"\x00" * 100, "upload_mismatch"),
        ("bang.xlsx", _ooxml("word/document.xml"), "upload_mismatch"),
        ("anh.png", b"%PDF-1.7 not an image", "upload_mismatch"),
        ("virus.exe", b"MZ", "upload_kind"),
    ],
)
def test_files_that_are_not_what_their_name_says_are_refused(name, data, code):
    error = _refused(name, data)
    assert error.error_dict["file"][0].code == code
    assert error.messages[0]  # a Vietnamese sentence for the user


def test_real_office_files_and_pdf_are_accepted_with_safe_names():
    docx = upload_accept(
        SimpleUploadedFile("Kế hoạch 2025.docx", _ooxml("word/document.xml")), kinds=ALL
    )
    assert (docx.kind, docx.name) == ("docx", "ke-hoach-2025.docx")
    xlsx = upload_accept(SimpleUploadedFile("../../x.xlsx", _ooxml("xl/workbook.xml")), kinds=ALL)
    assert xlsx.name == "x.xlsx"
    pdf = upload_accept(SimpleUploadedFile("a.pdf", b"%PDF-1.7\n"), kinds={"pdf"})
    assert pdf.content_type == "application/pdf"


def test_zip_bomb_disguised_as_docx_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\0" * (50 * 1024 * 1024))
    assert len(out.getvalue()) < 100_000
    assert _refused("bom.docx", out.getvalue()).error_dict["file"][0].code == "upload_zip_bomb"


def test_png_bomb_is_refused_fast_with_bounded_memory():
    data = _png_bomb()
    assert len(data) < 700_000
    tracemalloc.start()
    started = time.perf_counter()
    error = _refused("bom.png", data)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert error.error_dict["file"][0].code == "upload_pixels"
    assert elapsed < 1.0
    assert peak < 20 * 1024 * 1024


def test_photo_metadata_and_trailing_bytes_are_stripped():
    accepted = upload_accept(SimpleUploadedFile("anh.jpeg", _jpeg_with_exif()), kinds={"image"})
    assert accepted.name == "anh.jpg" and accepted.content_type == "image/jpeg"
    assert b"CameraMaker" not in accepted.data and b"appended-secret" not in accepted.data
    with Image.open(io.BytesIO(accepted.data)) as image:
        assert not image.getexif() and image.size == (64, 48)


def test_size_is_checked_before_reading(settings):
    settings.LANTOA_MAX_DOCUMENT_BYTES = 1000

    class Unreadable(SimpleUploadedFile):
        def read(self, *args):
            raise AssertionError("read although the declared size is too big")

    upload = Unreadable("a.pdf", b"%PDF-" + b"0" * 2000)
    with pytest.raises(ValidationError, match="1000|0 MB"):
        upload_accept(upload, kinds={"pdf"})


def test_upload_store_goes_through_default_storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    accepted = upload_accept(SimpleUploadedFile("a.pdf", b"%PDF-1.7"), kinds={"pdf"})
    name = upload_store(accepted, folder="documents/12/")
    assert name.startswith("documents/12/a") and (tmp_path / name).read_bytes() == b"%PDF-1.7"


class _NeverRead(io.BytesIO):
    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


@pytest.mark.parametrize("path", ["/api/v1/activities/1/evidence", "/bao-cao/1/1/minh-chung/"])
def test_fifty_megabyte_body_is_refused_before_it_is_read(db, client, path):
    response = client.generic(
        "POST",
        path,
        b"",
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
        **{"wsgi.input": _NeverRead()},
    )
    assert response.status_code == 413
    if path.startswith("/api/"):
        body = response.json()
        assert body["status"] == 413 and body["code"] == "request_too_large"


# --- activity evidence: checked, and served by the one scoped view -------------------------


@pytest.fixture
def activity(demo, settings, tmp_path):
    from lantoa.activities.tests.factories import activity_make

    settings.MEDIA_ROOT = tmp_path
    return activity_make(demo)


def test_activity_evidence_is_content_checked(activity, api_as):
    api = api_as("thcs.ngoclam")
    url = f"/api/v1/activities/{activity.pk}/evidence"
    for name, data in [
        ("ke-hoach.pdf", _ooxml("word/document.xml")),
        ("cong-van.doc", b"MZ\x90\x00"),
        ("bao-cao.docx", _ooxml("word/document.xml", "word/vbaProject.bin")),
        ("bom.png", _png_bomb()),
    ]:
        response = api.upload(url, {"file": SimpleUploadedFile(name, data)})
        assert response.status_code == 400, (name, response.content)
    assert not activity.evidence.exists()


def test_activity_evidence_is_served_in_scope_only(activity, api_as, client_as):
    response = api_as("thcs.ngoclam").upload(
        f"/api/v1/activities/{activity.pk}/evidence",
        {"file": SimpleUploadedFile("ke-hoach.pdf", b"%PDF-1.7 ke hoach")},
    )
    assert response.status_code == 201, response.content
    evidence = activity.evidence.get()
    url = reverse("core:download", args=["activity-evidence", evidence.pk])
    assert response.json()["url"] == url
    page = client_as("thcs.ngoclam").get(reverse("activities:detail", args=[activity.pk]))
    assert url in page.content.decode()
    served = client_as("thcs.ngoclam").get(url)
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == b"%PDF-1.7 ke hoach"
    assert served["Content-Type"] == "application/pdf"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert client_as("phuong.phuloi").get(url).status_code == 404
    assert client_as("thcs.ngoclam").get(f"/tep/khong-co/{evidence.pk}/").status_code == 404
    huge = reverse("core:download", args=["activity-evidence", 2**64])
    assert client_as("thcs.ngoclam").get(huge).status_code == 404
