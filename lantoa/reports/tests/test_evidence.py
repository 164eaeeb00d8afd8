"""Evidence: photos re-encoded without metadata, files sniffed, size limits, http(s) links."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from lantoa.core.errors import Conflict, ValidationError
from lantoa.reports.models import Evidence, Report
from lantoa.reports.services import evidence_add, report_save, report_submit
from lantoa.reports.tests.factories import build_tree


@pytest.fixture
def setup(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    tree = build_tree()
    user = tree.users["a.editor"]
    report = report_save(
        report=Report(campaign=tree.campaign, unit=tree["a"], version=0), user=user, version=0
    )
    return tree, user, report


def _jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x013B] = "Nguyễn Văn A"  # Artist
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<document/>")
    return out.getvalue()


def test_photo_is_reencoded_without_metadata(setup):
    tree, user, report = setup
    raw = _jpeg_with_exif()
    assert b"CameraMaker" in raw
    evidence = evidence_add(
        report=report,
        user=user,
        upload=SimpleUploadedFile("khai-mac.jpg", raw),
        title="Lễ khai mạc",
    )
    assert evidence.kind == "photo"
    stored = evidence.file.read()
    assert b"CameraMaker" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert image.size == (64, 48)


def test_pdf_and_docx_accepted_when_they_are_what_they_say(setup):
    tree, user, report = setup
    pdf = evidence_add(
        report=report, user=user, upload=SimpleUploadedFile("kh.pdf", b"%PDF-1.7\n...")
    )
    docx = evidence_add(
        report=report, user=user, upload=SimpleUploadedFile("kh.docx", _docx()), directive=True
    )
    assert pdf.content_type == "application/pdf"
    assert docx.kind == "directive"


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("anh.jpg", b"%PDF-1.4 this is a pdf", "không phải là ảnh"),
        ("anh.png", None, "không phải là ảnh PNG"),
        ("kh.pdf", b"PK\x03\x04 zip", "không phải là PDF"),
        ("kh.docx", b"%PDF-1.4", "không phải là tài liệu Word"),
        ("virus.exe", b"MZ", "Chỉ nhận"),
    ],
)
def test_file_that_is_not_what_its_name_says(setup, name, data, message):
    tree, user, report = setup
    if data is None:
        data = _jpeg_with_exif()  # a JPEG named .png
    with pytest.raises(ValidationError, match=message):
        evidence_add(report=report, user=user, upload=SimpleUploadedFile(name, data))
    assert not Evidence.objects.exists()


def test_size_limits(setup):
    tree, user, report = setup
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError, match="10 MB"):
        evidence_add(report=report, user=user, upload=big)
    huge = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (20 * 1024 * 1024))
    with pytest.raises(ValidationError, match="20 MB"):
        evidence_add(report=report, user=user, upload=huge)
    assert not Evidence.objects.exists()


def test_links_must_be_http(setup):
    tree, user, report = setup
    for url in ("javascript:alert(1)", "ftp://example.org/x", "file:///etc/passwd", "example.org"):
        with pytest.raises(ValidationError, match="http"):
            evidence_add(report=report, user=user, url=url)
    link = evidence_add(
        report=report,
        user=user,
        url="https://longbien.hanoi.gov.vn/tin-tuc/tuan-le",
        title="Bài viết",
    )
    assert link.kind == "link"


def test_no_evidence_after_submission(setup):
    tree, user, report = setup
    report_submit(report=report, user=user)
    with pytest.raises(Conflict):
        evidence_add(
            report=Report.objects.get(pk=report.pk), user=user, url="https://example.org/a"
        )
