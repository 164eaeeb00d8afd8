"""The national exports, built by the task worker (``lantoa.core.exports``).

Each builder runs as the requesting user and checks scope again, like the view would.
"""

from django.conf import settings

from lantoa.campaigns.selectors import campaign_get
from lantoa.core.spreadsheets import XLSX_MIME
from lantoa.reports import exports
from lantoa.reports.lines.selectors import LINE_ADMIN, LINE_REPORTING
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
