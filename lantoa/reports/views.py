"""Pages: my report (HTMX save with version check), review, completeness, consolidated table
with drill-down, versions compare, gathered highlights, the indicator set editor, downloads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from lantoa.accounts.permissions import Role, has_role
from lantoa.accounts.selectors import (
    unit_get_for_user,
)
from lantoa.campaigns.models import UnitOfMeasure
from lantoa.campaigns.permissions import can_edit_indicator_set
from lantoa.campaigns.selectors import (
    campaign_collecting,
    campaign_get,
    campaigns_list,
)
from lantoa.core.errors import Conflict, NotFound, PermissionDeniedError, error_messages
from lantoa.core.redirects import safe_next
from lantoa.core.spreadsheets import XLSX_MIME, RowErrors, xlsx_attachment
from lantoa.documents.rendering import docx_to_pdf, pdf_available
from lantoa.notifications.selectors import reminder_counts, reminder_history
from lantoa.reports import exports, services
from lantoa.reports.export_jobs import report_export_request, runs_on_worker
from lantoa.reports.forms import indicator_set_from_post
from lantoa.reports.lines import selectors as line_selectors
from lantoa.reports.lines import services as line_services
from lantoa.reports.lines.selectors import LINE_ADMIN, LINE_REPORTING, completeness_by_line
from lantoa.reports.lines.selectors import completeness as line_completeness
from lantoa.reports.lines.selectors import rollup as line_rollup
from lantoa.reports.models import BUDGET_SPONSOR, BUDGET_STATE, ReportState
from lantoa.reports.permissions import (
    can_adjust_part,
    can_remind,
    can_review_children,
    can_review_report,
    can_write_report,
)
from lantoa.reports.selectors import (
    evidence_for_report,
    evidence_get_for_user,
    highlights_for_unit,
    indicators_for,
    report_get_for_user,
    report_unit_get_for_user,
    report_values,
    report_version_get,
    report_versions,
    reports_list,
)
from lantoa.units.models import Unit
from lantoa.units.selectors import ancestors_map, unit_ancestors


def _campaign(campaign_id):
    return campaign_get(campaign_id)


def _unit(request, unit_id):
    return unit_get_for_user(request.user, unit_id)


def _report(request, campaign_id, unit_id):
    return report_get_for_user(request.user, campaign_id, unit_id)


def _home_unit(request):
    membership = getattr(request, "membership", None)
    return membership.unit if membership else None


@login_required
def index(request):
    campaign = campaign_collecting()
    if campaign is None:
        return render(request, "reports/index.html", {"campaigns": []})
    chosen = request.GET.get("campaign")
    if chosen:
        campaign = _campaign(chosen)
    unit = _home_unit(request)
    context = {"campaign": campaign, "campaigns": campaigns_list(), "unit": unit}
    if unit is not None:
        context["has_children"] = unit.numchild > 0
        # Along the reporting lines: the Sở GDĐT is a leaf administratively, yet
        # consolidates its whole province.
        completeness = line_completeness(campaign=campaign, unit=unit)
        context["completeness"] = (
            completeness if unit.numchild or completeness["expected"] else None
        )
        context["own"] = report_get_for_user(request.user, campaign.pk, unit.pk)
        context["can_edit_indicators"] = can_edit_indicator_set(request.user, campaign)
    return render(request, "reports/index.html", context)


# --- the report form ------------------------------------------------------------------------


def _form_context(
    request, report, *, posted=None, errors=None, conflict="", prefill=False, submit_error=""
):
    from lantoa.activities.selectors import activity_indicator_values

    indicators = indicators_for(report.campaign)
    stored = report_values(report)
    values = posted["values"] if posted else stored
    # Figures the unit's registered activities suggest; filled into the form only when the
    # user asks, and stored only when they save (the unit confirms them).
    suggested = (
        activity_indicator_values(campaign=report.campaign, unit=report.unit)
        if report.is_editable
        else {}
    )
    if prefill and not posted:
        values = {**values, **{c: v for c, v in suggested.items() if not values.get(c)}}
    sections = posted["sections"] if posted else (report.sections or {})
    groups: list[tuple[str, list]] = []
    for ind in indicators:
        if not groups or groups[-1][0] != ind.group:
            groups.append((ind.group, []))
        groups[-1][1].append(
            {
                "indicator": ind,
                "value": values.get(ind.code, ""),
                "suggested": suggested.get(ind.code),
            }
        )
    field_errors = {}
    codes = {ind.code for ind in indicators}
    for e in errors or []:
        field_errors.setdefault(e["field"], []).append(e["message"])
        # The summary links each message to its field.
        e["anchor"] = (
            f"v_{e['field']}"
            if e["field"] in codes
            else e["field"]
            if e["field"] in ("budget_state", "budget_sponsor")
            else ""
        )
    parent = Unit.objects.get_parent(report.unit)
    return {
        "report": report,
        "campaign": report.campaign,
        "unit": report.unit,
        "groups": groups,
        "sections": [
            {"key": s["key"], "heading": s["heading"], "body": sections.get(s["key"], "")}
            for s in report.campaign.report_sections
        ],
        "budget_state": posted["budget_state"] if posted else report.budget_state,
        "budget_sponsor": posted["budget_sponsor"] if posted else report.budget_sponsor,
        "errors": errors or [],
        "field_errors": field_errors,
        "conflict": conflict,
        "submit_error": submit_error,
        # Fields the user must look at: the summary links to them and they are marked.
        "invalid": sorted(field_errors),
        "suggested": suggested,
        "prefilled": prefill and bool(suggested) and not posted,
        "can_write": can_write_report(request.user, report),
        "can_review": parent is not None and can_review_report(request.user, report, parent=parent),
        "evidence": evidence_for_report(report),
        "versions": list(report_versions(report)[:20]) if report.pk else [],
        "states": ReportState,
        "budget_codes": (BUDGET_STATE, BUDGET_SPONSOR),
        # An office writing its own report sees what its units wrote, with their names.
        "highlights": _highlights(report),
    }


def _highlights(report) -> dict | None:
    """What the units reporting to an office wrote (the campaign's reporting tree: a Sở
    GDĐT, a leaf administratively, gathers its province's), while it writes its own."""
    if not report.is_editable:
        return None
    node = line_selectors.line_node(campaign=report.campaign, unit=report.unit)
    if not line_selectors.has_reporting_children(node):
        return None
    return highlights_for_unit(campaign=report.campaign, unit=report.unit, line=LINE_REPORTING)


@login_required
def report_page(request, campaign_id, unit_id):
    report = _report(request, campaign_id, unit_id)
    prefill = request.GET.get("tu_hoat_dong") == "1"
    context = _form_context(request, report, prefill=prefill)
    context["reminders"] = reminder_history(
        campaign=report.campaign, unit_ids=[report.unit_id]
    ).get(report.unit_id, [])
    return render(request, "reports/report.html", context)


def _posted(request) -> dict:
    return {
        "values": {
            key.removeprefix("v_"): value
            for key, value in request.POST.items()
            if key.startswith("v_")
        },
        "sections": {
            key.removeprefix("s_"): value
            for key, value in request.POST.items()
            if key.startswith("s_")
        },
        "budget_state": request.POST.get("budget_state", ""),
        "budget_sponsor": request.POST.get("budget_sponsor", ""),
    }


@login_required
@require_POST
def report_save(request, campaign_id, unit_id):
    report = _report(request, campaign_id, unit_id)
    posted = _posted(request)
    template = "reports/_form.html" if request.htmx else "reports/report.html"
    try:
        report = services.report_save(
            report=report,
            user=request.user,
            version=request.POST.get("version"),
            values=posted["values"],
            sections=posted["sections"],
            budget_state=posted["budget_state"],
            budget_sponsor=posted["budget_sponsor"],
        )
    except ValidationError as exc:
        errors = error_messages(exc)
        ctx = _form_context(request, report, posted=posted, errors=errors)
        ctx["submitting"] = request.POST.get("gui") == "1"
        return render(request, template, ctx, status=400 if not request.htmx else 200)
    except Conflict as exc:
        fresh = _report(request, campaign_id, unit_id)
        ctx = _form_context(request, fresh, posted=posted, conflict=exc.detail)
        ctx["stored_values"] = report_values(fresh)
        return render(request, template, ctx, status=409 if not request.htmx else 200)
    except PermissionDeniedError as exc:
        messages.error(request, exc.detail)
        return redirect("reports:report", report.campaign_id, report.unit_id)
    if request.POST.get("gui") == "1":
        # "Gửi báo cáo" in the form: what is on screen was saved just above, now submit it;
        # a refusal leaves the saved figures and says why where the user is.
        try:
            services.report_submit(report=report, user=request.user)
        except (Conflict, PermissionDeniedError) as exc:
            ctx = _form_context(request, report, submit_error=exc.detail)
            return render(request, template, ctx, status=409 if not request.htmx else 200)
        messages.success(request, _("Đã gửi báo cáo lên cấp trên."))
        url = reverse("reports:report", args=[report.campaign_id, report.unit_id])
        if request.htmx:
            return HttpResponseClientRedirect(url)
        return redirect(url)
    ctx = _form_context(request, report)
    ctx["saved"] = True
    if request.htmx:
        return render(request, template, ctx)
    messages.success(request, _("Đã lưu báo cáo (phiên bản %(v)s).") % {"v": report.version})
    return redirect("reports:report", report.campaign_id, report.unit_id)


def _transition(request, campaign_id, unit_id, action):
    report = _report(request, campaign_id, unit_id)
    try:
        if action == "submit":
            services.report_submit(report=report, user=request.user)
            messages.success(request, _("Đã gửi báo cáo lên cấp trên."))
        elif action == "accept":
            services.report_accept(report=report, user=request.user)
            messages.success(request, _("Đã tiếp nhận báo cáo."))
        elif action == "return":
            services.report_return(
                report=report, user=request.user, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("Đã trả lại báo cáo cho đơn vị."))
        elif action == "reopen":
            services.report_reopen(
                report=report, user=request.user, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("Đã mở lại báo cáo để đơn vị sửa."))
    except ValidationError as exc:
        messages.error(request, " ".join(e["message"] for e in error_messages(exc)))
    except (Conflict, PermissionDeniedError) as exc:
        messages.error(request, exc.detail)
    return redirect(safe_next(request, reverse("reports:report", args=[campaign_id, unit_id])))


@login_required
@require_POST
def report_submit(request, campaign_id, unit_id):
    return _transition(request, campaign_id, unit_id, "submit")


@login_required
@require_POST
def report_accept(request, campaign_id, unit_id):
    return _transition(request, campaign_id, unit_id, "accept")


@login_required
@require_POST
def report_return(request, campaign_id, unit_id):
    return _transition(request, campaign_id, unit_id, "return")


@login_required
@require_POST
def report_reopen(request, campaign_id, unit_id):
    return _transition(request, campaign_id, unit_id, "reopen")


@login_required
@require_POST
def evidence_add(request, campaign_id, unit_id):
    report = _report(request, campaign_id, unit_id)
    try:
        services.evidence_add(
            report=report,
            user=request.user,
            upload=request.FILES.get("file"),
            url=request.POST.get("url", ""),
            title=request.POST.get("title", ""),
            directive=request.POST.get("directive") == "on",
        )
        messages.success(request, _("Đã thêm minh chứng."))
    except ValidationError as exc:
        messages.error(request, " ".join(e["message"] for e in error_messages(exc)))
    except (Conflict, PermissionDeniedError) as exc:
        messages.error(request, exc.detail)
    return redirect(reverse("reports:report", args=[campaign_id, unit_id]) + "#minh-chung")


@login_required
@require_POST
def evidence_delete(request, evidence_id):
    try:
        evidence = evidence_get_for_user(request.user, evidence_id)
        report = evidence.report
        services.evidence_delete(evidence=evidence, user=request.user)
        messages.success(request, _("Đã xóa minh chứng."))
    except (Conflict, PermissionDeniedError) as exc:
        messages.error(request, exc.detail)
    return redirect(
        reverse("reports:report", args=[report.campaign_id, report.unit_id]) + "#minh-chung"
    )


@login_required
def report_template(request, campaign_id, unit_id):
    report = _report(request, campaign_id, unit_id)
    response = HttpResponse(exports.report_template_bytes(report), content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="{exports.template_filename(report)}"'
    return response


@login_required
@require_POST
def report_upload(request, campaign_id, unit_id):
    report = _report(request, campaign_id, unit_id)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Hãy chọn tệp Excel đã điền."))
        return redirect("reports:report", campaign_id, unit_id)
    try:
        report = services.report_upload_excel(
            report=report, user=request.user, upload=upload, version=request.POST.get("version")
        )
    except RowErrors as exc:
        ctx = _form_context(request, report)
        ctx["upload_errors"] = exc.errors
        return render(request, "reports/report.html", ctx, status=400)
    except ValidationError as exc:
        ctx = _form_context(request, report)
        ctx["upload_errors"] = [e["message"] for e in error_messages(exc)]
        return render(request, "reports/report.html", ctx, status=400)
    except (Conflict, PermissionDeniedError) as exc:
        messages.error(request, exc.detail)
        return redirect("reports:report", campaign_id, unit_id)
    messages.success(
        request, _("Đã nhập số liệu từ tệp Excel (phiên bản %(v)s).") % {"v": report.version}
    )
    return redirect("reports:report", campaign_id, unit_id)


@login_required
def report_versions_page(request, campaign_id, unit_id):
    report = _report(request, campaign_id, unit_id)
    versions = list(report_versions(report)) if report.pk else []
    compare = None
    a, b = request.GET.get("a"), request.GET.get("b")
    if report.pk and a and b:
        old, new = report_version_get(report, a), report_version_get(report, b)
        names = {i.code: i.name for i in indicators_for(report.campaign)}
        names.update(
            {
                BUDGET_STATE: _("Kinh phí ngân sách nhà nước"),
                BUDGET_SPONSOR: _("Kinh phí xã hội hóa"),
            }
        )
        old_values = {
            **old.values,
            BUDGET_STATE: old.budget_state,
            BUDGET_SPONSOR: old.budget_sponsor,
        }
        new_values = {
            **new.values,
            BUDGET_STATE: new.budget_state,
            BUDGET_SPONSOR: new.budget_sponsor,
        }
        value_rows = [
            {
                "name": names.get(code, code),
                "old": old_values.get(code),
                "new": new_values.get(code),
            }
            for code in names
            if old_values.get(code) != new_values.get(code)
        ]
        headings = {s["key"]: s["heading"] for s in report.campaign.report_sections}
        section_rows = [
            {
                "name": headings.get(k, k),
                "old": old.sections.get(k, ""),
                "new": new.sections.get(k, ""),
            }
            for k in headings
            if old.sections.get(k, "") != new.sections.get(k, "")
        ]
        compare = {"old": old, "new": new, "values": value_rows, "sections": section_rows}
    return render(
        request,
        "reports/versions.html",
        {
            "report": report,
            "campaign": report.campaign,
            "unit": report.unit,
            "versions": versions,
            "compare": compare,
        },
    )


# --- an office's views of its subtree -------------------------------------------------------


def _office(request, campaign_id, unit_id):
    """The campaign and the office whose consolidation is shown: in the user's scope or
    in the reporting line of a unit of it (decided by ``reports.permissions``); and the
    breadcrumbs above it, along the line shown (``?line=admin``: the administrative tree)."""
    campaign = _campaign(campaign_id)
    unit = report_unit_get_for_user(request.user, campaign, unit_id)
    if _line(request) == LINE_REPORTING:
        return campaign, unit, _line_crumbs(request.user, campaign, unit)
    known = ancestors_map([unit])
    return (
        campaign,
        unit,
        [a for a in unit_ancestors(unit, known) if has_role(request.user, a, Role.VIEWER)],
    )


def _line_crumbs(user, campaign, unit) -> list[Unit]:
    """``unit``'s ancestors in the campaign's reporting tree, from the first one the user
    works in (two queries): the Sở drills from itself to a ward to a school."""
    node = line_selectors.line_node(campaign=campaign, unit=unit)
    ids = node.ancestor_ids(include_self=False) if node is not None and node.path else []
    units = Unit.objects.in_bulk(ids)
    chain = [units[i] for i in ids if i in units]
    start = next((k for k, a in enumerate(chain) if has_role(user, a, Role.VIEWER)), len(chain))
    return chain[start:]


def _line(request) -> str:
    """``?line=admin`` shows the administrative tree; the reporting lines by default."""
    return LINE_ADMIN if request.GET.get("line") == LINE_ADMIN else LINE_REPORTING


@login_required
def review_list(request, campaign_id, unit_id):
    campaign, unit, ancestors = _office(request, campaign_id, unit_id)
    state = request.GET.get("state", "")
    if state not in ReportState.values:
        state = ""
    reports = list(
        reports_list(
            user=request.user, campaign=campaign, unit=unit, state=state, line=_line(request)
        ).exclude(unit=unit)[:500]
    )
    return render(
        request,
        "reports/review.html",
        {
            "campaign": campaign,
            "unit": unit,
            "ancestors": ancestors,
            "reports": reports,
            "state": state,
            "states": ReportState.choices,
            "can_review_children": can_review_children(request.user, unit),
        },
    )


BULK_MAX = 500


@login_required
@require_POST
def review_bulk(request, campaign_id, unit_id):
    """Accept or return several reports at once: each one still goes through its own
    service call (scope, state and role checked, history written); the answer says which
    went through and why the others did not."""
    campaign, unit, _a = _office(request, campaign_id, unit_id)
    action = request.POST.get("action")
    back = reverse("reports:review", args=[campaign.pk, unit.pk])
    ids = [v for v in request.POST.getlist("unit")[:BULK_MAX] if v.isdigit()]
    if action not in ("accept", "return") or not ids:
        messages.error(request, _("Hãy chọn ít nhất một báo cáo và một thao tác."))
        return redirect(back)
    reason = request.POST.get("reason", "")
    done, failed = [], []
    for child_id in dict.fromkeys(ids):
        try:
            report = report_get_for_user(request.user, campaign.pk, int(child_id))
        except NotFound:
            failed.append(_("Đơn vị #%(id)s: không tìm thấy báo cáo.") % {"id": child_id})
            continue
        try:
            if action == "accept":
                services.report_accept(report=report, user=request.user)
            else:
                services.report_return(report=report, user=request.user, reason=reason)
            done.append(report.unit.name)
        except NotFound:
            failed.append(_("Đơn vị #%(id)s: không tìm thấy báo cáo.") % {"id": child_id})
        except ValidationError as exc:
            text = " ".join(e["message"] for e in error_messages(exc))
            failed.append(f"{report.unit.name}: {text}")
        except (Conflict, PermissionDeniedError) as exc:
            failed.append(f"{report.unit.name}: {exc.detail}")
    if done:
        template = (
            _("Đã tiếp nhận %(n)s báo cáo: %(names)s.")
            if action == "accept"
            else _("Đã trả lại %(n)s báo cáo: %(names)s.")
        )
        messages.success(request, template % {"n": len(done), "names": ", ".join(done)})
    for text in failed:
        messages.error(request, text)
    return redirect(back)


MISSING_PER_PAGE = 100


def _completeness_with_page(campaign, unit, line: str, raw_page):
    """Completeness and one page of its missing units. Along the reporting lines only that
    page is read (the counts come from the node totals; a national office has thousands)."""
    if line == LINE_ADMIN:
        completeness = line_completeness(campaign=campaign, unit=unit, line=line)
        return completeness, Paginator(completeness["missing"], MISSING_PER_PAGE).get_page(raw_page)
    counts = completeness_by_line(campaign=campaign, unit=unit, missing_limit=0)
    paginator = Paginator(range(counts.get("missing_count", 0)), MISSING_PER_PAGE)
    number = paginator.get_page(raw_page).number
    completeness = completeness_by_line(
        campaign=campaign,
        unit=unit,
        missing_limit=MISSING_PER_PAGE,
        missing_offset=(number - 1) * MISSING_PER_PAGE,
    )
    return completeness, Page(completeness["missing"], number, paginator)


@login_required
def completeness_page(request, campaign_id, unit_id):
    campaign, unit, ancestors = _office(request, campaign_id, unit_id)
    line = _line(request)
    completeness, missing = _completeness_with_page(campaign, unit, line, request.GET.get("page"))
    page_ids = [m["unit_id"] for m in missing]
    reminded = reminder_counts(campaign=campaign, unit_ids=page_ids)
    expected = completeness["expected"]
    rate = round(completeness["submitted"] * 100 / expected, 1) if expected else None
    return render(
        request,
        "reports/completeness.html",
        {
            "campaign": campaign,
            "unit": unit,
            "ancestors": ancestors,
            "c": completeness,
            "missing": missing,
            "rate": rate,
            "reminded": reminded,
            "history": reminder_history(campaign=campaign, unit_ids=page_ids),
            "can_remind": can_remind(request.user, unit),
            "today": timezone.localdate(),
            "line": line,
            "line_q": "?line=admin" if line == LINE_ADMIN else "",
        },
    )


@login_required
def missing_xlsx(request, campaign_id, unit_id):
    """The completeness page's missing units (every page) as .xlsx, on the same line."""
    campaign = _campaign(campaign_id)
    unit = report_unit_get_for_user(request.user, campaign, unit_id)
    data = exports.missing_xlsx_file(campaign=campaign, unit=unit, line=_line(request))
    return xlsx_attachment(data, exports.missing_filename(campaign, unit))


@login_required
def rollup_page(request, campaign_id, unit_id):
    campaign, unit, ancestors = _office(request, campaign_id, unit_id)
    indicators = indicators_for(campaign)
    line = _line(request)
    rollup = line_rollup(campaign=campaign, unit=unit, line=line)
    groups: list[tuple[str, int]] = []
    for ind in indicators:
        if groups and groups[-1][0] == ind.group:
            groups[-1] = (ind.group, groups[-1][1] + 1)
        else:
            groups.append((ind.group, 1))
    codes = [i.code for i in indicators] + [BUDGET_STATE, BUDGET_SPONSOR]
    rows = [
        {**row, "cells": [(c, row["values"].get(c, 0)) for c in codes]} for row in rollup["rows"]
    ]
    # A drill-down (htmx) answers the whole page and swaps in #rollup: heading, breadcrumbs,
    # download links and table change together; the title and the URL follow.
    template = "reports/_rollup_partial.html" if request.htmx else "reports/rollup.html"
    return render(
        request,
        template,
        {
            "campaign": campaign,
            "unit": unit,
            "ancestors": ancestors,
            "indicators": indicators,
            "groups": groups,
            "rows": rows,
            "own": [(c, rollup["own"].get(c, 0)) for c in codes],
            "totals": [(c, rollup["totals"].get(c, 0)) for c in codes],
            "expected": sum(r["expected"] for r in rollup["rows"]),
            "submitted": sum(r["submitted"] for r in rollup["rows"]),
            "on_time": sum(r["on_time"] for r in rollup["rows"]),
            "highlights": highlights_for_unit(campaign=campaign, unit=unit, line=line),
            "pdf_available": pdf_available(),
            "line": line,
            "line_q": "?line=admin" if line == LINE_ADMIN else "",
        },
    )


def _export_on_worker(request, kind: str, campaign, unit):
    """National exports are built by the task worker; the user downloads them from
    "Tệp xuất" when ready instead of holding a web worker for the whole build."""
    job = report_export_request(
        user=request.user, kind=kind, campaign=campaign, unit=unit, line=_line(request)
    )
    messages.info(
        request,
        _("Tệp %(name)s đang được tạo; tải về ở trang này khi trạng thái là «đã xong».")
        % {"name": job.title},
    )
    return redirect("core:exports")


@login_required
def rollup_xlsx(request, campaign_id, unit_id):
    campaign, unit, _a = _office(request, campaign_id, unit_id)
    if runs_on_worker(unit):
        return _export_on_worker(request, "rollup_xlsx", campaign, unit)
    response = HttpResponse(
        exports.rollup_xlsx_bytes(campaign=campaign, unit=unit, line=_line(request)),
        content_type=XLSX_MIME,
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{exports.rollup_filename(campaign, unit)}"'
    )
    return response


@login_required
def consolidated_docx(request, campaign_id, unit_id):
    campaign, unit, _a = _office(request, campaign_id, unit_id)
    if runs_on_worker(unit):
        return _export_on_worker(request, "consolidated_docx", campaign, unit)
    response = HttpResponse(
        exports.consolidated_docx_bytes(campaign=campaign, unit=unit, line=_line(request)),
        content_type=exports.DOCX_MIME,
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{exports.consolidated_filename(campaign, unit)}"'
    )
    return response


@login_required
def consolidated_pdf(request, campaign_id, unit_id):
    campaign, unit, _a = _office(request, campaign_id, unit_id)
    data = docx_to_pdf(
        exports.consolidated_docx_bytes(campaign=campaign, unit=unit, line=_line(request))
    )
    if data is None:
        messages.error(
            request,
            _("Máy chủ chưa cài LibreOffice nên chưa xuất được PDF; hãy tải bản DOCX."),
        )
        return redirect("reports:rollup", campaign.pk, unit.pk)
    name = exports.consolidated_filename(campaign, unit).removesuffix(".docx") + ".pdf"
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- the indicator set ------------------------------------------------------------------------


@login_required
def indicator_set(request, campaign_id):
    campaign = _campaign(campaign_id)
    if not can_edit_indicator_set(request.user, campaign):
        raise Http404
    errors = []
    if request.method == "POST":
        indicators, rules = indicator_set_from_post(request.POST)
        try:
            services.indicator_set_update(
                campaign=campaign, user=request.user, indicators=indicators, rules=rules
            )
            messages.success(request, _("Đã lưu bộ chỉ tiêu."))
            return redirect("reports:indicators", campaign.pk)
        except ValidationError as exc:
            errors = error_messages(exc)
        except Conflict as exc:
            errors = [{"field": "", "message": exc.detail}]
    indicators = indicators_for(campaign)
    return render(
        request,
        "reports/indicators.html",
        {
            "campaign": campaign,
            "indicators": indicators,
            "rules": list(campaign.rules.all()),
            "errors": errors,
            "uoms": UnitOfMeasure.choices,
            "locked": timezone.localdate() >= campaign.starts_on,
            "blank_rows": range(len(indicators), len(indicators) + 3),
            "blank_rules": range(campaign.rules.count(), campaign.rules.count() + 2),
        },
    )


# --- the reporting lines ------------------------------------------------------------------


@login_required
def lines_page(request, campaign_id, unit_id):
    """Who reports to this office in the campaign, through whom, who was claimed by two
    plans; its approvers re-route a unit (with a reason) while the campaign is open."""
    campaign, unit, ancestors = _office(request, campaign_id, unit_id)
    errors: dict = {}
    if request.method == "POST":
        try:
            child = Unit.objects.get(pk=int(request.POST.get("unit_id", "")))
            target = Unit.objects.get(pk=int(request.POST.get("reports_to", "")))
        except (Unit.DoesNotExist, ValueError, TypeError):
            errors = {"reports_to": [_("Hãy chọn đơn vị và nơi nhận báo cáo.")]}
        else:
            try:
                line_services.reporting_parent_set(
                    campaign=campaign,
                    unit=child,
                    reports_to=target,
                    reason=request.POST.get("reason", ""),
                    user=request.user,
                )
            except ValidationError as exc:
                errors = exc.message_dict
            except Conflict as exc:
                messages.error(request, exc.detail)
                return redirect("reports:lines", campaign.pk, unit.pk)
            else:
                messages.success(
                    request,
                    _("Đã đổi tuyến báo cáo: %(unit)s báo cáo về %(to)s.")
                    % {"unit": child.name, "to": target.name},
                )
                return redirect("reports:lines", campaign.pk, unit.pk)
    part = line_selectors.reporting_part(campaign=campaign, unit=unit)
    targets = [{"unit_id": unit.pk, "unit_name": unit.name}] + [
        {"unit_id": c["unit_id"], "unit_name": c["unit_name"]} for c in part["children"]
    ]
    if part["parent"] is not None:
        targets.append({"unit_id": part["parent"].pk, "unit_name": part["parent"].name})
    return render(
        request,
        "reports/lines.html",
        {
            "campaign": campaign,
            "unit": unit,
            "ancestors": ancestors,
            "part": part,
            "targets": targets,
            "errors": errors,
            "posted": request.POST if errors else {},
            "can_adjust": not campaign.is_closed
            and can_adjust_part(request.user, campaign=campaign, unit=unit),
        },
        status=400 if errors else 200,
    )
