"""National exports run on the task worker: the page stores a job, the worker builds the
file, the requesting user (only) downloads it from "Tệp xuất"."""

import io

import pytest
from django.urls import reverse
from docx import Document as DocxDocument
from openpyxl import load_workbook

from lantoa.core.models import ExportJob, ExportStatus

pytestmark = pytest.mark.django_db


def test_national_rollup_xlsx_is_built_by_the_worker(
    demo, client_as, django_capture_on_commit_callbacks
):
    campaign, bo = demo.campaigns[2023], demo.units["bo"]
    client = client_as("bo.gddt")
    with django_capture_on_commit_callbacks(execute=True):  # the worker runs at commit in tests
        response = client.get(reverse("reports:rollup_xlsx", args=[campaign.pk, bo.pk]))
    assert response.status_code == 302 and response.url == reverse("core:exports")
    job = ExportJob.objects.get()
    assert job.status == ExportStatus.DONE and job.kind == "rollup_xlsx"
    page = client.get(reverse("core:exports")).content.decode()
    assert job.title in page and "đã xong" in page
    download = client.get(reverse("core:download", args=["export", job.pk]))
    assert download.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert workbook.active["A2"].value.endswith(bo.name)
    # Someone else's export is not found, even for a user who sees the same units.
    other = client_as("admin")
    assert other.get(reverse("core:download", args=["export", job.pk])).status_code == 404


def test_national_consolidated_docx_on_the_worker_and_regional_exports_stay_direct(
    demo, client_as, django_capture_on_commit_callbacks
):
    campaign, bo, pgd = demo.campaigns[2023], demo.units["bo"], demo.units["pgd_longbien"]
    client = client_as("bo.gddt")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("reports:consolidated_docx", args=[campaign.pk, bo.pk]))
    assert response.status_code == 302
    job = ExportJob.objects.get(kind="consolidated_docx")
    body = b"".join(client.get(reverse("core:download", args=["export", job.pk])).streaming_content)
    assert DocxDocument(io.BytesIO(body)).paragraphs
    # A district's export is small: still answered directly.
    direct = client.get(reverse("reports:rollup_xlsx", args=[campaign.pk, pgd.pk]))
    assert direct.status_code == 200 and direct.content[:2] == b"PK"
    assert ExportJob.objects.count() == 1


def test_old_exports_are_deleted_with_their_files(
    demo, client_as, django_capture_on_commit_callbacks, settings
):
    from datetime import timedelta

    from django.core.files.storage import default_storage
    from django.utils import timezone

    from lantoa.core.exports import exports_purge

    campaign, bo = demo.campaigns[2023], demo.units["bo"]
    with django_capture_on_commit_callbacks(execute=True):
        client_as("bo.gddt").get(reverse("reports:rollup_xlsx", args=[campaign.pk, bo.pk]))
    job = ExportJob.objects.get()
    assert default_storage.exists(job.file)
    assert exports_purge() == 0
    ExportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - timedelta(days=settings.LANTOA_EXPORT_RETENTION_DAYS + 1)
    )
    assert exports_purge() == 1
    assert not default_storage.exists(job.file) and not ExportJob.objects.exists()
