"""Reports (API.md § Reports): read/write with version, transitions, evidence, roll-up,
completeness, the consolidated table as .xlsx and the consolidated report as .docx."""

import json
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from lantoa.api.pagination import page_of
from lantoa.api.problems import problem
from lantoa.campaigns.selectors import campaign_get
from lantoa.core.spreadsheets import XLSX_MIME, xlsx_attachment
from lantoa.documents.rendering import docx_to_pdf, pdf_available
from lantoa.notifications.selectors import reminder_history
from lantoa.reports import exports, services
from lantoa.reports.lines import selectors as line_selectors
from lantoa.reports.lines import services as line_services
from lantoa.reports.lines.selectors import LINE_REPORTING, LINES
from lantoa.reports.lines.selectors import rollup as line_rollup
from lantoa.reports.models import ReportState
from lantoa.reports.selectors import (
    evidence_for_report,
    report_get_for_user,
    report_unit_get_for_user,
    report_values,
    reports_list,
)
from lantoa.units.models import Unit

router = Router(tags=["reports"])


class ReportListItem(Schema):
    id: int
    campaign_id: int
    unit_id: int
    unit_name: str
    state: str
    version: int
    submitted_at: datetime | None
    on_time: bool | None
    accepted_at: datetime | None


class ReportPage(Schema):
    count: int
    items: list[ReportListItem]
    next: str | None


class SectionOut(Schema):
    key: str
    heading: str
    body: str


class EvidenceOut(Schema):
    id: int
    kind: str
    title: str
    url: str
    file_url: str | None
    content_type: str
    size: int
    created_at: datetime


class ReportOut(Schema):
    campaign_id: int
    unit_id: int
    unit_name: str
    state: str
    version: int
    values: dict[str, int]
    budget_state: int | None
    budget_sponsor: int | None
    sections: list[SectionOut]
    due_on: date | None
    submitted_at: datetime | None
    on_time: bool | None
    accepted_at: datetime | None
    returned_reason: str
    evidence: list[EvidenceOut]


class SectionIn(Schema):
    key: str
    body: str = ""


class ReportIn(Schema):
    version: int
    values: dict[str, Any] = {}
    sections: list[SectionIn] | dict[str, str] | None = None
    budget_state: Any = None
    budget_sponsor: Any = None


class ReasonIn(Schema):
    reason: str


class RollupRow(Schema):
    unit_id: int
    unit_name: str
    unit_code: str
    values: dict[str, int]
    expected: int
    submitted: int
    on_time: int


class RollupOut(Schema):
    unit_id: int
    line: str
    own: dict[str, int]
    totals: dict[str, int]
    rows: list[RollupRow]


class MissingOut(Schema):
    unit_id: int
    unit_name: str
    due_on: date | None


class CompletenessOut(Schema):
    line: str
    expected: int
    submitted: int
    on_time: int
    accepted: int
    missing: list[MissingOut]  # one page of them (``page``, ``page_size``), in tree order
    missing_count: int
    page: int
    page_size: int
    next: str | None


class LineChildOut(Schema):
    unit_id: int
    unit_name: str
    unit_kind: str
    claimed_by: str
    contested_by: str
    moved: bool
    due_on: date | None
    expected: int
    submitted: int
    via: int | None


class LineViaOut(Schema):
    unit_id: int
    unit_name: str
    via_unit_id: int | None
    via_unit_name: str
    claimed_by: str


class ReportingTreeOut(Schema):
    campaign_id: int
    unit_id: int
    unit_name: str
    reports_to: int | None
    frozen: bool
    children: list[LineChildOut]
    via: list[LineViaOut]


class ReportingParentIn(Schema):
    reports_to: int
    reason: str


def _list_item(r) -> dict:
    return {
        "id": r.pk,
        "campaign_id": r.campaign_id,
        "unit_id": r.unit_id,
        "unit_name": r.unit.name,
        "state": r.state,
        "version": r.version,
        "submitted_at": r.submitted_at,
        "on_time": r.on_time,
        "accepted_at": r.accepted_at,
    }


def evidence_out(e) -> dict:
    return {
        "id": e.pk,
        "kind": e.kind,
        "title": e.title,
        "url": e.url,
        "file_url": reverse("core:download", args=["report-evidence", e.pk]) if e.file else None,
        "content_type": e.content_type,
        "size": e.size,
        "created_at": e.created_at,
    }


def report_out(report) -> dict:
    sections = report.sections or {}
    return {
        "campaign_id": report.campaign_id,
        "unit_id": report.unit_id,
        "unit_name": report.unit.name,
        "state": report.state,
        "version": report.version,
        "values": report_values(report),
        "budget_state": report.budget_state,
        "budget_sponsor": report.budget_sponsor,
        "sections": [
            {"key": s["key"], "heading": s["heading"], "body": sections.get(s["key"], "")}
            for s in report.campaign.report_sections
        ],
        "due_on": report.due_on,
        "submitted_at": report.submitted_at,
        "on_time": report.on_time,
        "accepted_at": report.accepted_at,
        "returned_reason": report.returned_reason,
        "evidence": [evidence_out(e) for e in evidence_for_report(report)],
    }


@router.get("/campaigns/{campaign_id}/reports", response=ReportPage)
def campaign_reports(
    request,
    campaign_id: int,
    unit: int | None = None,
    state: str = "",
    page: int = 1,
    page_size: int = 50,
    line: str | None = None,
):
    """With ``unit``: the reports of its subtree along ``line`` (reporting by default)."""
    line = _line(line)
    campaign = campaign_get(campaign_id)
    scope_unit = (
        report_unit_get_for_user(request.auth, campaign, unit) if unit is not None else None
    )
    if state and state not in ReportState.values:
        raise ValidationError({"state": "Trạng thái phải là: " + ", ".join(ReportState.values)})
    items, count, next_url = page_of(
        request,
        reports_list(user=request.auth, campaign=campaign, unit=scope_unit, state=state, line=line),
        page=page,
        page_size=page_size,
    )
    return {"count": count, "items": [_list_item(r) for r in items], "next": next_url}


@router.get("/reports/{campaign_id}/{unit_id}", response=ReportOut)
def report_detail(request, campaign_id: int, unit_id: int):
    return report_out(report_get_for_user(request.auth, campaign_id, unit_id))


class ReminderEmailOut(Schema):
    to: str
    status: str
    status_label: str
    sent_at: datetime | None


class ReminderOut(Schema):
    id: int
    sent_at: datetime
    sent_by: str
    kind: str
    kind_label: str
    delivery: str
    delivery_label: str
    in_app: int
    emails: list[ReminderEmailOut]


@router.get("/reports/{campaign_id}/{unit_id}/reminders", response=list[ReminderOut])
def report_reminders(request, campaign_id: int, unit_id: int):
    """Every reminder (đôn đốc) sent to the unit for this Week, newest first: when, by whom
    (or the daily job), its channels — ``in_app``: how many users got the notice; ``emails``:
    each address (masked) with its delivery status (queued, sending, sent, failed)."""
    campaign = campaign_get(campaign_id)
    unit = report_unit_get_for_user(request.auth, campaign, unit_id)
    return reminder_history(campaign=campaign, unit_ids=[unit.pk]).get(unit.pk, [])


@router.put(
    "/reports/{campaign_id}/{unit_id}",
    response=ReportOut,
    summary="Lưu báo cáo (bản nháp hoặc bị trả lại)",
    description=(
        "`version` là phiên bản đã tải (409 nếu đã cũ hoặc báo cáo đã khóa). "
        "Trường nào **không gửi** thì giữ nguyên giá trị đang lưu: `values`, `budget_state`, "
        "`budget_sponsor`; `sections` chỉ cập nhật các mục được gửi. Trường gửi với `null` "
        "(kinh phí) thì xóa giá trị đó; `values` được gửi thì thay toàn bộ bộ số liệu."
    ),
)
def report_put(request, campaign_id: int, unit_id: int, payload: ReportIn):
    report = report_get_for_user(request.auth, campaign_id, unit_id)
    sections = payload.sections
    if isinstance(sections, list):
        sections = {s.key: s.body for s in sections}
    sent = payload.model_fields_set
    report = services.report_save(
        report=report,
        user=request.auth,
        version=payload.version,
        values=payload.values,
        sections=sections,
        budget_state=payload.budget_state,
        budget_sponsor=payload.budget_sponsor,
        keep={f for f in ("values", "budget_state", "budget_sponsor") if f not in sent},
    )
    return report_out(report)


@router.post("/reports/{campaign_id}/{unit_id}/submit", response=ReportOut)
def report_submit(request, campaign_id: int, unit_id: int):
    report = report_get_for_user(request.auth, campaign_id, unit_id)
    return report_out(services.report_submit(report=report, user=request.auth))


@router.post("/reports/{campaign_id}/{unit_id}/accept", response=ReportOut)
def report_accept(request, campaign_id: int, unit_id: int):
    report = report_get_for_user(request.auth, campaign_id, unit_id)
    return report_out(services.report_accept(report=report, user=request.auth))


@router.post("/reports/{campaign_id}/{unit_id}/return", response=ReportOut)
def report_return(request, campaign_id: int, unit_id: int, payload: ReasonIn):
    report = report_get_for_user(request.auth, campaign_id, unit_id)
    return report_out(
        services.report_return(report=report, user=request.auth, reason=payload.reason)
    )


@router.post("/reports/{campaign_id}/{unit_id}/reopen", response=ReportOut)
def report_reopen(request, campaign_id: int, unit_id: int, payload: ReasonIn):
    report = report_get_for_user(request.auth, campaign_id, unit_id)
    return report_out(
        services.report_reopen(report=report, user=request.auth, reason=payload.reason)
    )


_EVIDENCE_BODY = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "title": {"type": "string"},
                        "directive": {"type": "boolean"},
                    },
                    "required": ["file"],
                }
            },
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"url": {"type": "string"}, "title": {"type": "string"}},
                    "required": ["url"],
                }
            },
        }
    }
}


@router.post(
    "/reports/{campaign_id}/{unit_id}/evidence",
    response={201: EvidenceOut},
    openapi_extra=_EVIDENCE_BODY,
)
def report_evidence(request, campaign_id: int, unit_id: int):
    report = report_get_for_user(request.auth, campaign_id, unit_id)
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": "Thiếu tệp (trường «file»)."})
        evidence = services.evidence_add(
            report=report,
            user=request.auth,
            upload=upload,
            title=request.POST.get("title", ""),
            directive=request.POST.get("directive", "") in ("1", "true", "on"),
        )
    else:
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            raise ValidationError("Nội dung JSON không hợp lệ.")
        if not isinstance(data, dict):
            raise ValidationError('Nội dung JSON phải là một đối tượng {"url", "title"}.')
        evidence = services.evidence_add(
            report=report,
            user=request.auth,
            url=str(data.get("url") or ""),
            title=str(data.get("title") or ""),
        )
    return Status(201, evidence_out(evidence))


@router.get("/reports/{campaign_id}/{unit_id}/template.xlsx")
def report_template(request, campaign_id: int, unit_id: int):
    """The unit's report as an Excel template to fill in offline."""
    report = report_get_for_user(request.auth, campaign_id, unit_id)
    return _download(
        exports.report_template_bytes(report), XLSX_MIME, exports.template_filename(report)
    )


@router.post(
    "/reports/{campaign_id}/{unit_id}/upload",
    response=ReportOut,
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "version": {"type": "integer"},
                        },
                        "required": ["file", "version"],
                    }
                }
            }
        }
    },
)
def report_upload(request, campaign_id: int, unit_id: int):
    """Fill the report from its filled-in Excel template (refused whole on any bad cell)."""
    report = report_get_for_user(request.auth, campaign_id, unit_id)
    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationError({"file": "Thiếu tệp Excel (trường «file»)."})
    report = services.report_upload_excel(
        report=report, user=request.auth, upload=upload, version=request.POST.get("version")
    )
    return report_out(report)


LINE_DOC = "line: reporting (default, the campaign's reporting tree) or admin"


def _campaign_and_unit(request, campaign_id: int, unit: int | None):
    campaign = campaign_get(campaign_id)
    if unit is None:
        raise ValidationError({"unit": "Thiếu tham số unit (mã đơn vị)."})
    return campaign, report_unit_get_for_user(request.auth, campaign, unit)


def _line(line: str | None) -> str:
    line = line or LINE_REPORTING
    if line not in LINES:
        raise ValidationError(
            {"line": _("Tham số line chỉ nhận «reporting» (tuyến báo cáo) hoặc «admin».")}
        )
    return line


@router.get("/campaigns/{campaign_id}/rollup", response=RollupOut, description=LINE_DOC)
def campaign_rollup(request, campaign_id: int, unit: int | None = None, line: str | None = None):
    line = _line(line)
    campaign, scope_unit = _campaign_and_unit(request, campaign_id, unit)
    return line_rollup(campaign=campaign, unit=scope_unit, line=line)


@router.get("/campaigns/{campaign_id}/completeness", response=CompletenessOut, description=LINE_DOC)
def campaign_completeness(
    request,
    campaign_id: int,
    unit: int | None = None,
    line: str | None = None,
    page: int = 1,
    page_size: int = 200,
):
    """Counts of the whole subtree; the missing units one page at a time (at most 1,000)."""
    line = _line(line)
    campaign, scope_unit = _campaign_and_unit(request, campaign_id, unit)
    result = line_selectors.completeness_page(
        campaign=campaign, unit=scope_unit, line=line, page=page, page_size=page_size
    )
    result["next"] = None
    if result["page"] * result["page_size"] < result["missing_count"]:
        params = request.GET.copy()
        params["page"] = result["page"] + 1
        params["page_size"] = result["page_size"]
        result["next"] = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
    return result


def _tree_out(campaign, unit) -> dict:
    part = line_selectors.reporting_part(campaign=campaign, unit=unit)
    node = part["node"]
    return {
        "campaign_id": campaign.pk,
        "unit_id": unit.pk,
        "unit_name": unit.name,
        "reports_to": node.parent_unit_id if node else None,
        "frozen": campaign.is_closed,
        "children": part["children"],
        "via": part["via"],
    }


@router.get("/campaigns/{campaign_id}/reporting-tree", response=ReportingTreeOut)
def campaign_reporting_tree(request, campaign_id: int, unit: int | None = None):
    """The units reporting to ``unit`` in the campaign (with counts of their reporting
    subtree, the plan that set it), and the units it addressed that report via another."""
    campaign, scope_unit = _campaign_and_unit(request, campaign_id, unit)
    return _tree_out(campaign, scope_unit)


@router.put("/campaigns/{campaign_id}/reporting-tree/{unit_id}", response=ReportingTreeOut)
def campaign_reporting_parent(request, campaign_id: int, unit_id: int, payload: ReportingParentIn):
    """Make ``unit_id`` report to ``reports_to`` in this campaign (with a reason, in the
    history); refused with 409 once the campaign is closed (its tree is frozen)."""
    campaign, unit = _campaign_and_unit(request, campaign_id, unit_id)
    target = Unit.objects.filter(pk=payload.reports_to).first()
    if target is None:
        raise ValidationError({"reports_to": _("Không tìm thấy đơn vị nhận báo cáo.")})
    line_services.reporting_parent_set(
        campaign=campaign, unit=unit, reports_to=target, reason=payload.reason, user=request.auth
    )
    return _tree_out(campaign, unit)


def _download(data: bytes, mime: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get("/campaigns/{campaign_id}/rollup.xlsx")
def campaign_rollup_xlsx(
    request, campaign_id: int, unit: int | None = None, line: str | None = None
):
    line = _line(line)
    campaign, scope_unit = _campaign_and_unit(request, campaign_id, unit)
    return _download(
        exports.rollup_xlsx_bytes(campaign=campaign, unit=scope_unit, line=line),
        XLSX_MIME,
        exports.rollup_filename(campaign, scope_unit),
    )


@router.get("/campaigns/{campaign_id}/missing.xlsx", description=LINE_DOC)
def campaign_missing_xlsx(
    request, campaign_id: int, unit: int | None = None, line: str | None = None
):
    """The units below ``unit`` that have not reported (``completeness``'s ``missing``, every
    row), with due date, overdue flag and the reminders that reached each unit."""
    line = _line(line)
    campaign, scope_unit = _campaign_and_unit(request, campaign_id, unit)
    return xlsx_attachment(
        exports.missing_xlsx_file(campaign=campaign, unit=scope_unit, line=line),
        exports.missing_filename(campaign, scope_unit),
    )


@router.get("/campaigns/{campaign_id}/consolidated.docx")
def campaign_consolidated_docx(
    request, campaign_id: int, unit: int | None = None, line: str | None = None
):
    line = _line(line)
    campaign, scope_unit = _campaign_and_unit(request, campaign_id, unit)
    return _download(
        exports.consolidated_docx_bytes(campaign=campaign, unit=scope_unit, line=line),
        exports.DOCX_MIME,
        exports.consolidated_filename(campaign, scope_unit),
    )


@router.get("/campaigns/{campaign_id}/consolidated.pdf")
def campaign_consolidated_pdf(
    request, campaign_id: int, unit: int | None = None, line: str | None = None
):
    """The consolidated report as PDF (LibreOffice on the server; 501 when it is absent)."""
    line = _line(line)
    campaign, scope_unit = _campaign_and_unit(request, campaign_id, unit)
    if not pdf_available():
        return problem(
            501, "Máy chủ chưa cài LibreOffice nên chưa xuất được PDF; hãy tải bản DOCX."
        )
    data = docx_to_pdf(
        exports.consolidated_docx_bytes(campaign=campaign, unit=scope_unit, line=line)
    )
    if data is None:
        return problem(503, "Không chuyển được báo cáo sang PDF; hãy tải bản DOCX.")
    name = exports.consolidated_filename(campaign, scope_unit).removesuffix(".docx") + ".pdf"
    return _download(data, "application/pdf", name)
