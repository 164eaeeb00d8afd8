"""Writes: save a report (version-checked), submit, accept, return, reopen.

Only editors of the report's own unit write it; approvers of an ancestor review
it. Every write validates everything first, then changes the report, its value
rows (``counted`` follows the state), a version snapshot and the history, in
one transaction.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from lantoa.accounts.selectors import user_has_role, user_has_role_at
from lantoa.campaigns.models import Indicator, IndicatorRule
from lantoa.core.errors import Conflict, NotFound, PermissionDeniedError
from lantoa.core.text import nfc
from lantoa.history.services import history_record
from lantoa.notifications.services import notify_units
from lantoa.reports.models import (
    BUDGET_SPONSOR,
    BUDGET_STATE,
    COUNTED_STATES,
    EDITABLE_STATES,
    Report,
    ReportState,
    ReportValue,
    ReportVersion,
)
from lantoa.reports.selectors import deadline_for_unit

MAX_VALUE = 10**15  # far above any real figure; keeps BigInteger sums safe


def parse_count(raw, *, label: str) -> int | None:
    """A non-negative integer from a form/API/Excel value; "" / None → None.

    Accepts 1.234.567 and 1 234 567 (Vietnamese thousands separators) and whole floats.
    """
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ValidationError(f"{label}: phải là số nguyên không âm.")
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float):
        if not raw.is_integer():
            raise ValidationError(f"{label}: phải là số nguyên (không có phần lẻ).")
        value = int(raw)
    else:
        text = str(raw).strip().replace("\u00a0", "").replace(" ", "")
        if text == "":
            return None
        if text.count(".") >= 1 and all(len(p) == 3 for p in text.split(".")[1:]):
            text = text.replace(".", "")
        if not text.lstrip("-").isdigit():
            raise ValidationError(f"{label}: «{raw}» không phải là số nguyên.")
        value = int(text)
    if value < 0:
        raise ValidationError(f"{label}: không được là số âm.")
    if value > MAX_VALUE:
        raise ValidationError(f"{label}: giá trị quá lớn.")
    return value


def validate_values(
    *, indicators: list[Indicator], rules: list[IndicatorRule], values: dict
) -> dict[str, int]:
    """Clean ``values`` {code: raw}; raise ValidationError naming every bad field and rule."""
    by_code = {i.code: i for i in indicators}
    errors: dict[str, list[str]] = {}
    clean: dict[str, int] = {}
    for code, raw in (values or {}).items():
        indicator = by_code.get(code)
        if indicator is None:
            errors.setdefault(code, []).append(f"Chỉ tiêu «{code}» không có trong bộ chỉ tiêu.")
            continue
        try:
            value = parse_count(raw, label=indicator.name)
        except ValidationError as exc:
            errors.setdefault(code, []).extend(exc.messages)
            continue
        if value is not None:
            clean[code] = value
    for rule in rules:
        left, right = clean.get(rule.left_code), clean.get(rule.right_code)
        if left is not None and left > (right or 0) and rule.left_code not in errors:
            left_name = by_code[rule.left_code].name if rule.left_code in by_code else ""
            errors.setdefault(rule.left_code, []).append(
                f"{rule.message} ({left_name}: {left} > {right or 0})."
            )
    if errors:
        raise ValidationError(errors)
    return clean


def _can_write(user, report: Report) -> bool:
    return user_has_role_at(user, report.unit, "editor")


def _can_review(user, report: Report) -> bool:
    parent = report.unit.get_parent()
    return parent is not None and user_has_role(user, parent, "approver")


def _snapshot(report: Report, values: dict[str, int]) -> dict:
    return {
        "state": report.state,
        "version": report.version,
        "values": values,
        "sections": report.sections,
        "budget_state": report.budget_state,
        "budget_sponsor": report.budget_sponsor,
    }


def _stored_values(report: Report) -> dict[str, int]:
    if report.pk is None:
        return {}
    return dict(ReportValue.objects.filter(report=report).values_list("indicator_code", "value"))


def _indicator_values(values: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in values.items() if k not in (BUDGET_STATE, BUDGET_SPONSOR)}


def _record_version(report: Report, *, action: str, user, values: dict, note: str = "") -> None:
    ReportVersion.objects.create(
        report=report,
        version=report.version,
        action=action,
        state=report.state,
        values=_indicator_values(values),
        sections=report.sections,
        budget_state=report.budget_state,
        budget_sponsor=report.budget_sponsor,
        note=note,
        actor=user if getattr(user, "pk", None) else None,
    )


def _lock(report: Report) -> Report:
    """Re-read the row under a lock (select_for_update on PostgreSQL; SQLite serialises)."""
    return Report.objects.select_for_update().select_related("campaign", "unit").get(pk=report.pk)


@transaction.atomic
def report_save(
    *,
    report: Report,
    user,
    version: int,
    values: dict | None = None,
    sections: dict | None = None,
    budget_state=None,
    budget_sponsor=None,
) -> Report:
    """Save a draft (or a returned report). ``version`` must be the one the user loaded."""
    if not _can_write(user, report):
        if user_has_role(user, report.unit, "viewer"):
            raise PermissionDeniedError(
                "Chỉ chuyên viên của chính đơn vị mới được nhập báo cáo của đơn vị."
            )
        raise NotFound
    campaign = report.campaign
    indicators = list(Indicator.objects.filter(campaign=campaign))
    rules = list(IndicatorRule.objects.filter(campaign=campaign))
    errors: dict[str, list[str]] = {}
    try:
        clean = validate_values(indicators=indicators, rules=rules, values=values or {})
    except ValidationError as exc:
        errors.update(exc.message_dict)
        clean = {}
    budgets = {}
    for field, raw, label in (
        ("budget_state", budget_state, "Kinh phí ngân sách nhà nước"),
        ("budget_sponsor", budget_sponsor, "Kinh phí xã hội hóa"),
    ):
        try:
            budgets[field] = parse_count(raw, label=label)
        except ValidationError as exc:
            errors.setdefault(field, []).extend(exc.messages)
    keys = {s["key"] for s in campaign.report_sections} or set()
    clean_sections = {}
    for key, text in (sections or {}).items():
        if keys and key not in keys:
            errors.setdefault("sections", []).append(f"Mục «{key}» không có trong mẫu báo cáo.")
            continue
        clean_sections[key] = nfc(str(text or "")).strip()
    try:
        version = int(version)
    except (TypeError, ValueError):
        errors.setdefault("version", []).append("Thiếu số phiên bản (version).")
    if errors:
        raise ValidationError(errors)

    if report.pk is None:
        if version != 0:
            raise Conflict("Báo cáo đã được người khác tạo. Vui lòng tải lại và nhập lại.")
        report.version = 0
        try:
            with transaction.atomic():
                report.save()
        except IntegrityError:
            raise Conflict(
                "Báo cáo vừa được người khác lưu trước. Dữ liệu bạn nhập chưa được lưu; "
                "vui lòng tải lại để xem bản mới nhất."
            )
    else:
        report = _lock(report)
    if report.state not in EDITABLE_STATES:
        raise Conflict(f"Báo cáo đang ở trạng thái «{report.get_state_display()}», không thể sửa.")
    # Compare-and-swap on the version so two concurrent saves cannot both win.
    updated = Report.objects.filter(pk=report.pk, version=version).update(
        version=version + 1, updated_at=timezone.now()
    )
    if not updated:
        raise Conflict(
            "Báo cáo đã được người khác sửa (phiên bản "
            f"{report.version}, bạn đang sửa phiên bản {version}). Dữ liệu bạn nhập chưa được "
            "lưu; hãy tải lại bản mới nhất rồi nhập lại."
        )
    before = _snapshot(report, _stored_values(report))
    report.version = version + 1
    report.sections = {**(report.sections or {}), **clean_sections}
    report.budget_state = budgets["budget_state"]
    report.budget_sponsor = budgets["budget_sponsor"]
    report.full_clean(exclude=["campaign", "unit"], validate_unique=False)
    report.save(
        update_fields=["version", "sections", "budget_state", "budget_sponsor", "updated_at"]
    )
    stored = {**clean}
    if report.budget_state is not None:
        stored[BUDGET_STATE] = report.budget_state
    if report.budget_sponsor is not None:
        stored[BUDGET_SPONSOR] = report.budget_sponsor
    ReportValue.objects.filter(report=report).delete()
    ReportValue.objects.bulk_create(
        ReportValue(
            report=report,
            campaign_id=report.campaign_id,
            unit_id=report.unit_id,
            indicator_code=code,
            value=value,
            counted=report.state in COUNTED_STATES,
        )
        for code, value in stored.items()
    )
    _record_version(report, action="save", user=user, values=stored)
    history_record(
        actor=user,
        unit=report.unit,
        obj=report,
        action="save",
        summary=f"Lưu báo cáo {report.campaign.year} (phiên bản {report.version})",
        before=before,
        after=_snapshot(report, stored),
    )
    return report


def _transition(
    report: Report,
    *,
    user,
    to_state: str,
    action: str,
    summary: str,
    note: str = "",
    **fields,
) -> Report:
    values = _stored_values(report)
    before = _snapshot(report, values)
    report.state = to_state
    report.version += 1
    for name, value in fields.items():
        setattr(report, name, value)
    report.save(update_fields=["state", "version", "updated_at", *fields])
    ReportValue.objects.filter(report=report).update(counted=to_state in COUNTED_STATES)
    _record_version(report, action=action, user=user, values=values, note=note)
    history_record(
        actor=user,
        unit=report.unit,
        obj=report,
        action=action,
        summary=summary,
        before=before,
        after=_snapshot(report, values),
    )
    return report


def on_time_for(*, submitted_at: datetime, due_on) -> bool | None:
    """On or before the deadline day, in Asia/Ho_Chi_Minh (the end of that day counts)."""
    if due_on is None:
        return None
    return timezone.localtime(submitted_at).date() <= due_on


@transaction.atomic
def report_submit(*, report: Report, user, now: datetime | None = None) -> Report:
    if not _can_write(user, report):
        raise (
            NotFound
            if not user_has_role(user, report.unit, "viewer")
            else PermissionDeniedError("Chỉ chuyên viên của chính đơn vị mới được gửi báo cáo.")
        )
    if report.pk is None:
        raise Conflict("Báo cáo chưa có nội dung: hãy lưu báo cáo trước khi gửi.")
    report = _lock(report)
    if report.state not in EDITABLE_STATES:
        raise Conflict(
            f"Báo cáo đang ở trạng thái «{report.get_state_display()}», không thể gửi lại."
        )
    now = now or timezone.now()
    due_on = deadline_for_unit(campaign=report.campaign, unit=report.unit)
    on_time = on_time_for(submitted_at=now, due_on=due_on)
    report = _transition(
        report,
        user=user,
        to_state=ReportState.SUBMITTED,
        action="submit",
        summary=f"Gửi báo cáo {report.campaign.year}"
        + ("" if on_time is not False else " (quá hạn)"),
        submitted_at=now,
        submitted_by=user,
        due_on=due_on,
        on_time=on_time,
        returned_reason="",
    )
    return report


def _review_check(user, report: Report) -> None:
    if report.pk is None or not _can_review(user, report):
        raise NotFound


def _report_url(report: Report) -> str:
    return reverse("reports:report", args=[report.campaign_id, report.unit_id])


@transaction.atomic
def report_accept(*, report: Report, user, now: datetime | None = None) -> Report:
    _review_check(user, report)
    report = _lock(report)
    if report.state != ReportState.SUBMITTED:
        raise Conflict(f"Chỉ tiếp nhận được báo cáo đã gửi (hiện: «{report.get_state_display()}»).")
    report = _transition(
        report,
        user=user,
        to_state=ReportState.ACCEPTED,
        action="accept",
        summary=f"Tiếp nhận báo cáo {report.campaign.year} của {report.unit.name}",
        accepted_at=now or timezone.now(),
        reviewed_by=user,
    )
    notify_units(
        units=[report.unit],
        kind="report_accepted",
        title=f"Báo cáo kết quả Tuần lễ {report.campaign.year} đã được tiếp nhận",
        body=f"Báo cáo của {report.unit.name} đã được cấp trên tiếp nhận.",
        url=_report_url(report),
    )
    return report


def _reason(reason: str) -> str:
    reason = nfc(reason or "").strip()
    if len(reason) < 5:
        raise ValidationError({"reason": "Vui lòng ghi rõ lý do (ít nhất 5 ký tự)."})
    return reason


@transaction.atomic
def report_return(*, report: Report, user, reason: str) -> Report:
    reason = _reason(reason)
    _review_check(user, report)
    report = _lock(report)
    if report.state != ReportState.SUBMITTED:
        raise Conflict(f"Chỉ trả lại được báo cáo đã gửi (hiện: «{report.get_state_display()}»).")
    report = _transition(
        report,
        user=user,
        to_state=ReportState.RETURNED,
        action="return",
        summary=f"Trả lại báo cáo {report.campaign.year} của {report.unit.name}: {reason}",
        note=reason,
        returned_reason=reason,
        reviewed_by=user,
    )
    notify_units(
        units=[report.unit],
        kind="report_returned",
        title=f"Báo cáo kết quả Tuần lễ {report.campaign.year} bị trả lại",
        body=f"Lý do: {reason}",
        url=_report_url(report),
    )
    return report


@transaction.atomic
def report_reopen(*, report: Report, user, reason: str) -> Report:
    reason = _reason(reason)
    _review_check(user, report)
    report = _lock(report)
    if report.state != ReportState.ACCEPTED:
        raise Conflict(
            f"Chỉ mở lại được báo cáo đã tiếp nhận (hiện: «{report.get_state_display()}»)."
        )
    report = _transition(
        report,
        user=user,
        to_state=ReportState.RETURNED,
        action="reopen",
        summary=f"Mở lại báo cáo {report.campaign.year} của {report.unit.name}: {reason}",
        note=reason,
        returned_reason=reason,
        accepted_at=None,
        reviewed_by=user,
    )
    notify_units(
        units=[report.unit],
        kind="report_reopened",
        title=f"Báo cáo kết quả Tuần lễ {report.campaign.year} được mở lại để sửa",
        body=f"Lý do: {reason}",
        url=_report_url(report),
    )
    return report
