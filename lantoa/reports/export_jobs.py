"""The national exports, built by the task worker (``lantoa.core.exports``).

Each builder runs as the requesting user and checks scope again, like the view would.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from lantoa.campaigns.selectors import campaign_get
from lantoa.core.exports import export_request
from lantoa.core.models import ExportJob
from lantoa.core.spreadsheets import XLSX_MIME
from lantoa.reports import exports
from lantoa.reports.lines.selectors import LINE_ADMIN, LINE_REPORTING, LINES
from lantoa.reports.selectors import report_unit_get_for_user


def _scope(user, params: dict):
    campaign = campaign_get(params["campaign_id"])
    unit = report_unit_get_for_user(user, campaign, params["unit_id"])
    line = LINE_ADMIN if params.get("line") == LINE_ADMIN else LINE_REPORTING
    return campaign, unit, line


def rollup_xlsx_job(user, params: dict) -> tuple[bytes, str, str]:
    campaign, unit, line = _scope(user, params)
    data = exports.rollup_xlsx_bytes(campaign=campaign, unit=unit, line=line)
    return data, exports.rollup_filename(campaign, unit), XLSX_MIME


def consolidated_docx_job(user, params: dict) -> tuple[bytes, str, str]:
    campaign, unit, line = _scope(user, params)
    data = exports.consolidated_docx_bytes(campaign=campaign, unit=unit, line=line)
    return data, exports.consolidated_filename(campaign, unit), exports.DOCX_MIME


def runs_on_worker(unit) -> bool:
    """Exports of units this close to the root (the ministry: depth 1) go to the worker."""
    return unit.depth <= getattr(settings, "LANTOA_EXPORT_WORKER_DEPTH", 1)


EXPORT_FILENAMES = {
    "rollup_xlsx": exports.rollup_filename,
    "consolidated_docx": exports.consolidated_filename,
}


def report_export_request(*, user, kind: str, campaign, unit, line: str | None) -> ExportJob:
    """Queue the consolidated table (``rollup_xlsx``) or report (``consolidated_docx``) of
    ``unit`` (already fetched through ``report_unit_get_for_user``) for the worker."""
    errors = {}
    if kind not in EXPORT_FILENAMES:
        errors["kind"] = _("Loại tệp xuất chỉ nhận «rollup_xlsx» hoặc «consolidated_docx».")
    line = line or LINE_REPORTING
    if line not in LINES:
        errors["line"] = _("Tham số line chỉ nhận «reporting» (tuyến báo cáo) hoặc «admin».")
    if errors:
        raise ValidationError(errors)
    return export_request(
        user=user,
        kind=kind,
        title=EXPORT_FILENAMES[kind](campaign, unit),
        params={"campaign_id": campaign.pk, "unit_id": unit.pk, "line": line},
    )
