"""POST /exports → 202 job, GET /exports/{id}, GET /exports/{id}/file: built by the worker,
scoped to the requester, problem+json on bad input; API.md's direct downloads unchanged."""

import io

import pytest
from docx import Document as DocxDocument
from openpyxl import load_workbook

from lantoa.core.models import ExportJob, ExportStatus

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_rollup_xlsx_export_is_queued_then_downloaded(
    demo, api_as, django_capture_on_commit_callbacks
):
    campaign, bo = demo.campaigns[2023], demo.units["bo"]
    api = api_as("bo.gddt")
    payload = {"kind": "rollup_xlsx", "campaign_id": campaign.pk, "unit_id": bo.pk}
    with django_capture_on_commit_callbacks(execute=True):  # the worker runs at commit
        created = api.post("/api/v1/exports", payload)
    assert created.status_code == 202
    job = created.json()
    # The answer is given before the worker ran: queued, no download yet.
    assert job["status"] == "queued" and job["download_url"] is None
    assert job["kind"] == "rollup_xlsx" and job["title"].endswith(".xlsx")
    detail = api.get(f"/api/v1/exports/{job['id']}").json()
    assert detail["status"] == "done" and detail["finished_at"]
    assert detail["download_url"] == f"/api/v1/exports/{job['id']}/file"
    response = api.get(detail["download_url"])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(_body(response))).active
    assert sheet["A2"].value.endswith(bo.name)
    # The direct download of API.md answers the same table.
    direct = api.get(f"/api/v1/campaigns/{campaign.pk}/rollup.xlsx", {"unit": bo.pk})
    assert direct.status_code == 200
    assert load_workbook(io.BytesIO(direct.content)).active["A2"].value == sheet["A2"].value


def test_consolidated_docx_export_along_the_admin_line(
    demo, api_as, django_capture_on_commit_callbacks
):
    campaign, pgd = demo.campaigns[2023], demo.units["pgd_longbien"]
    api = api_as("pgd.longbien")
    payload = {
        "kind": "consolidated_docx",
        "campaign_id": campaign.pk,
        "unit_id": pgd.pk,
        "line": "admin",
    }
    with django_capture_on_commit_callbacks(execute=True):
        job = api.post("/api/v1/exports", payload).json()
    stored = ExportJob.objects.get(pk=job["id"])
    assert stored.params["line"] == "admin" and stored.status == ExportStatus.DONE
    body = _body(api.get(f"/api/v1/exports/{job['id']}/file"))
    assert any(p.text.strip() for p in DocxDocument(io.BytesIO(body)).paragraphs)


def test_file_before_it_is_built_is_409(demo, api_as):
    campaign, bo = demo.campaigns[2023], demo.units["bo"]
    api = api_as("bo.gddt")
    payload = {"kind": "rollup_xlsx", "campaign_id": campaign.pk, "unit_id": bo.pk}
    job = api.post("/api/v1/exports", payload).json()  # never committed: stays queued
    response = api.get(f"/api/v1/exports/{job['id']}/file")
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "export_not_ready"
    assert "chưa tạo xong" in response.json()["detail"]


def test_exports_are_scoped(demo, api_as, django_capture_on_commit_callbacks):
    campaign, bo, pgd = demo.campaigns[2023], demo.units["bo"], demo.units["pgd_longbien"]
    # A unit outside the caller's scope: 404, nothing stored.
    outside = api_as("pgd.thudaumot").post(
        "/api/v1/exports", {"kind": "rollup_xlsx", "campaign_id": campaign.pk, "unit_id": pgd.pk}
    )
    assert outside.status_code == 404 and outside["Content-Type"] == "application/problem+json"
    unknown = api_as("bo.gddt").post(
        "/api/v1/exports", {"kind": "rollup_xlsx", "campaign_id": 999999, "unit_id": bo.pk}
    )
    assert unknown.status_code == 404
    assert not ExportJob.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        job = (
            api_as("bo.gddt")
            .post(
                "/api/v1/exports",
                {"kind": "rollup_xlsx", "campaign_id": campaign.pk, "unit_id": bo.pk},
            )
            .json()
        )
    # Someone else's job and file are not found, even for a user who sees the same units.
    other = api_as("admin")
    assert other.get(f"/api/v1/exports/{job['id']}").status_code == 404
    assert other.get(f"/api/v1/exports/{job['id']}/file").status_code == 404
    assert api_as("bo.gddt").get("/api/v1/exports/999999").status_code == 404


def test_bad_input_is_a_problem_and_stores_nothing(demo, api_as):
    campaign, bo = demo.campaigns[2023], demo.units["bo"]
    api = api_as("bo.gddt")
    bad = api.post(
        "/api/v1/exports",
        {"kind": "pdf", "campaign_id": campaign.pk, "unit_id": bo.pk, "line": "x"},
    )
    assert bad.status_code == 400 and bad["Content-Type"] == "application/problem+json"
    errors = {e["field"]: e["message"] for e in bad.json()["errors"]}
    assert set(errors) == {"kind", "line"}
    assert "rollup_xlsx" in errors["kind"] and "admin" in errors["line"]
    missing = api.post("/api/v1/exports", {"kind": "rollup_xlsx"})
    assert missing.status_code == 400
    assert not ExportJob.objects.exists()


def test_exports_are_in_the_openapi_schema(db, client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "202" in paths["/api/v1/exports"]["post"]["responses"]
    assert "409" in paths["/api/v1/exports/{export_id}/file"]["get"]["responses"]
    assert "get" in paths["/api/v1/exports/{export_id}"]
