"""Exports built by the task worker (the national roll-up XLSX, the consolidated DOCX):
ask, follow, download. The synchronous ``/campaigns/{id}/rollup.xlsx`` and
``/consolidated.docx`` of API.md stay as they are."""

from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from lantoa.campaigns.selectors import campaign_get
from lantoa.core import error_codes
from lantoa.core.errors import Conflict
from lantoa.core.exports import export_download, export_get_for_user
from lantoa.core.models import ExportStatus
from lantoa.core.spreadsheets import XLSX_MIME
from lantoa.core.uploads import download_response
from lantoa.reports.export_jobs import report_export_request
from lantoa.reports.exports import DOCX_MIME
from lantoa.reports.selectors import report_unit_get_for_user

router = Router(tags=["exports"])


class ExportIn(Schema):
    kind: str
    campaign_id: int
    unit_id: int
    line: str | None = None


class ExportOut(Schema):
    id: int
    kind: str
    title: str
    status: str
    created_at: datetime
    finished_at: datetime | None
    download_url: str | None


def _out(job) -> dict:
    done = job.status == ExportStatus.DONE
    return {
        "id": job.pk,
        "kind": job.kind,
        "title": job.title,
        "status": job.status,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "download_url": reverse("api:export_file", args=[job.pk]) if done else None,
    }


@router.post("/exports", response={202: ExportOut})
def export_create(request, payload: ExportIn):
    """Queue an export for the worker: ``kind`` is ``rollup_xlsx`` (consolidated table) or
    ``consolidated_docx`` (consolidated report) of ``unit_id`` in ``campaign_id``, along
    ``line`` (``reporting``, default, or ``admin``). 202 with the job; poll
    ``GET /exports/{id}`` until ``status`` is ``done``, then fetch ``download_url``.
    A unit outside the caller's scope is 404."""
    campaign = campaign_get(payload.campaign_id)
    unit = report_unit_get_for_user(request.auth, campaign, payload.unit_id)
    job = report_export_request(
        user=request.auth, kind=payload.kind, campaign=campaign, unit=unit, line=payload.line
    )
    return Status(202, _out(job))


@router.get("/exports/{export_id}", response=ExportOut)
def export_detail(request, export_id: int):
    """The caller's own export: ``queued``, ``running``, ``done`` or ``failed``."""
    return _out(export_get_for_user(request.auth, export_id))


FILE_RESPONSES = {
    "200": {
        "description": "Tệp XLSX hoặc DOCX",
        "content": {
            XLSX_MIME: {"schema": {"type": "string", "format": "binary"}},
            DOCX_MIME: {"schema": {"type": "string", "format": "binary"}},
        },
    },
    "409": {
        "description": "Tệp chưa tạo xong",
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    },
}


@router.get(
    "/exports/{export_id}/file",
    url_name="export_file",
    openapi_extra={"responses": FILE_RESPONSES},
)
def export_file(request, export_id: int):
    """The finished file (409 while it is being built)."""
    job = export_get_for_user(request.auth, export_id)
    if job.status != ExportStatus.DONE:
        raise Conflict(
            _("Tệp xuất chưa tạo xong (trạng thái: %(s)s).") % {"s": job.get_status_display()},
            code=error_codes.EXPORT_NOT_READY,
        )
    return download_response(export_download(request.auth, job.pk))
