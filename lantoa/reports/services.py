"""Writes: save a report (version-checked), submit, accept, return, reopen.

Only editors of the report's own unit write it; approvers of an ancestor review
it. Every write validates everything first, then changes the report, its value
rows (``counted`` follows the state), a version snapshot and the history, in
one transaction.
"""

import functools
import json
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from lantoa.accounts.models import Role
from lantoa.campaigns.models import Campaign, Indicator, IndicatorRule, UnitOfMeasure
from lantoa.campaigns.permissions import can_edit_indicator_set
from lantoa.campaigns.selectors import indicator_set
from lantoa.core import prepared
from lantoa.core.bulk import json_rows
from lantoa.core.errors import Conflict, NotFound, PermissionDeniedError
from lantoa.core.text import nfc
from lantoa.history.services import history_record
from lantoa.notifications.services import notify_parent, notify_units
from lantoa.reports.evidence import clean_link, clean_upload
from lantoa.reports.lines.selectors import line_deadline_for_unit
from lantoa.reports.lines.services import (
    NODE_UNREAD,
    TREE_LOCK,
    contribution,
    report_node,
    reporting_totals_apply,
)
from lantoa.reports.models import (
    BUDGET_CODES,
    BUDGET_SPONSOR,
    BUDGET_STATE,
    COUNTED_STATES,
    EDITABLE_STATES,
    Evidence,
    EvidenceKind,
    Report,
    ReportState,
    ReportValue,
    ReportVersion,
)
from lantoa.reports.permissions import can_read_report, can_review_report, can_write_report
from lantoa.reports.selectors import report_stored_values

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


_can_write = can_write_report
_can_review = can_review_report


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
    return report_stored_values(report)


def _indicator_values(values: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in values.items() if k not in (BUDGET_STATE, BUDGET_SPONSOR)}


def _record_version(report: Report, *, action: str, user, values: dict, note: str = "") -> None:
    version = ReportVersion(
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
    prepared.insert([version])  # fixed text, prepared: every save and transition writes one


_LOCK_SQL = (
    "SELECT r.version, r.state, u.path, u.version{tree} FROM reports_report r "
    "JOIN campaigns_campaign c ON c.id = r.campaign_id JOIN units_unit u ON u.id = r.unit_id "
    "WHERE r.id = %s"
)


def _lock(report: Report) -> Report:
    """Lock the report's row for this transaction and return it as stored.

    The tree writers' lock and the campaign's and unit's rows are taken shared when the
    unit's node was seen in the reporting tree (``report_get_for_user``'s ``line_ready``):
    the tree is not rebuilt or updated (``campaign_tree_lock``) and the unit not moved while
    the report changes, yet the units of a campaign submit side by side (the campaign row
    locked for update made every submission in the country wait in one line).
    The object read by ``report_get_for_user`` is kept when its row has not changed since
    (same version, state and unit); otherwise the row is read again.
    """
    sql, params = _LOCK_SQL.format(tree=""), [report.pk]
    if connection.vendor == "postgresql":  # SQLite serialises writers
        # The tree writers' advisory lock (lines.services.campaign_tree_lock), shared, taken
        # before the rows as they take it before the reports they touch. A unit without a
        # node in the tree (created after it was built) rebuilds it in this transaction: it
        # takes that lock exclusively from the start (two sharers cannot both upgrade).
        shared = getattr(report, "line_ready", False)
        tree = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        sql = _LOCK_SQL.format(tree=f", {tree}(%s, CAST(r.campaign_id AS integer))")
        sql += " FOR SHARE OF c, u FOR UPDATE OF r" if shared else " FOR UPDATE OF c, u, r"
        params = [TREE_LOCK, report.pk]
    rows = prepared.fetchall(sql, params)  # by key: prepared once per session
    row = rows[0] if rows else None
    seen = (report.version, report.state, report.unit.path, report.unit.version)
    if row is not None and tuple(row[:4]) == seen and "campaign" in report._state.fields_cache:
        return report
    return Report.objects.select_related("campaign", "unit").get(pk=report.pk)


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
    keep: frozenset[str] | set[str] = frozenset(),
) -> Report:
    """Save a draft (or a returned report). ``version`` must be the one the user loaded.

    Fields named in ``keep`` ("values", "budget_state", "budget_sponsor") keep what is
    stored (the API's PUT without them); ``sections`` only ever update the keys given.
    """
    if not _can_write(user, report):
        if can_read_report(user, report):
            raise PermissionDeniedError(
                "Chỉ chuyên viên của chính đơn vị mới được nhập báo cáo của đơn vị."
            )
        raise NotFound
    campaign = report.campaign
    indicators, rules = indicator_set(campaign)
    errors: dict[str, list[str]] = {}
    if keep:
        stored_before = _stored_values(report)
        if "values" in keep:
            values = _indicator_values(stored_before)
        if "budget_state" in keep:
            budget_state = report.budget_state
        if "budget_sponsor" in keep:
            budget_sponsor = report.budget_sponsor
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

    stored = {**clean}
    for code, value in (
        (BUDGET_STATE, budgets["budget_state"]),
        (BUDGET_SPONSOR, budgets["budget_sponsor"]),
    ):
        if value is not None:
            stored[code] = value
    if report.pk is None:
        before, before_values = _snapshot(report, {}), {}
        _set(report, _edit(report, version=version, sections=clean_sections, budgets=budgets))
        _create(report, version=version)
    else:
        edit = _edit(report, version=version, sections=clean_sections, budgets=budgets)
        if not _swap(report, version=version, edit=edit):
            report = _claim(report, version=version, kept=bool(keep))
            edit = _edit(report, version=version, sections=clean_sections, budgets=budgets)
            Report.objects.filter(pk=report.pk).update(**edit)
        before_values = _stored_values(report)
        before = _snapshot(report, before_values)
        _set(report, edit)
    _values_write(report, before=before_values, after=stored)
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


def _edit(report: Report, *, version: int, sections: dict, budgets: dict) -> dict:
    """The columns a save from ``version`` writes (the budgets were checked by parse_count,
    the sections are cleaned text)."""
    return {
        "version": version + 1,
        "sections": {**(report.sections or {}), **sections},
        "budget_state": budgets["budget_state"],
        "budget_sponsor": budgets["budget_sponsor"],
        "updated_at": timezone.now(),
    }


def _set(report: Report, edit: dict) -> None:
    for name, value in edit.items():
        setattr(report, name, value)


def _swap(report: Report, *, version: int, edit: dict) -> bool:
    """Compare-and-swap: write ``edit`` if the row is still the ``version`` that was read
    (then the report as read, with its values, is the one replaced); one statement."""
    return (
        report.version == version
        and report.state in EDITABLE_STATES
        and Report.objects.filter(pk=report.pk, version=version, state__in=EDITABLE_STATES).update(
            **edit
        )
        == 1
    )


def _create(report: Report, *, version: int) -> None:
    """The first save of a unit's report (it is version 1 once saved)."""
    if version != 0:
        raise Conflict("Báo cáo đã được người khác tạo. Vui lòng tải lại và nhập lại.")
    try:
        # No savepoint: a unit saved first by someone else rolls the whole save back.
        with transaction.atomic(savepoint=False):
            prepared.insert([report])
    except IntegrityError:
        raise Conflict(
            "Báo cáo vừa được người khác lưu trước. Dữ liệu bạn nhập chưa được lưu; "
            "vui lòng tải lại để xem bản mới nhất."
        )
    report.stored_values = {}
    report.has_evidence = False


def _claim(report: Report, *, version: int, kept: bool = False) -> Report:
    """Lock a saved report whose compare-and-swap failed and say why: Conflict when its
    state locks it or someone saved another version meanwhile (two saves cannot both win);
    the row as stored when it is at ``version`` after all (``kept``: what the save keeps
    was read from an older row, the user reloads)."""
    fresh = _lock(report)
    if fresh.state not in EDITABLE_STATES:
        raise Conflict(f"Báo cáo đang ở trạng thái «{fresh.get_state_display()}», không thể sửa.")
    if fresh.version != version or (kept and fresh is not report):
        raise Conflict(_changed_message(fresh.version, version))
    return fresh


def _changed_message(stored: int, sent: int) -> str:
    return (
        "Báo cáo đã được người khác sửa (phiên bản "
        f"{stored}, bạn đang sửa phiên bản {sent}). Dữ liệu bạn nhập chưa được "
        "lưu; hãy tải lại bản mới nhất rồi nhập lại."
    )


@functools.cache
def _values_upsert_sql() -> str:
    """The value rows' upsert (made once, for this process's database)."""
    rows = json_rows([("code", "text"), ("value", "bigint")])
    return (
        f"INSERT INTO {ReportValue._meta.db_table} "  # noqa: S608 — our names
        "(report_id, campaign_id, unit_id, indicator_code, value, counted) "
        # WHERE: SQLite would read ON CONFLICT right after FROM as a join's ON.
        f"SELECT %s, %s, %s, m.code, m.value, %s FROM {rows} WHERE 1 = 1 "
        "ON CONFLICT (report_id, indicator_code) DO UPDATE "
        "SET value = excluded.value, counted = excluded.counted RETURNING 1"
    )


def _values_write(report: Report, *, before: dict[str, int], after: dict[str, int]) -> None:
    """Store ``after`` as the report's value rows, writing only what changed."""
    gone = [code for code in before if code not in after]
    if gone:
        ReportValue.objects.filter(report=report, indicator_code__in=gone).delete()
    changed = {code: v for code, v in after.items() if before.get(code) != v}
    if changed:
        # One upsert of every changed code (one JSON parameter), prepared once per session.
        prepared.fetchall(
            _values_upsert_sql(),
            [
                report.pk,
                report.campaign_id,
                report.unit_id,
                report.state in COUNTED_STATES,
                json.dumps([{"code": code, "value": value} for code, value in changed.items()]),
            ],
        )
    report.stored_values = dict(after)


def _transition(
    report: Report,
    *,
    user,
    to_state: str,
    action: str,
    summary: str,
    note: str = "",
    node=NODE_UNREAD,
    **fields,
) -> Report:
    values = _stored_values(report)
    before = _snapshot(report, values)
    if node is NODE_UNREAD:
        node = report_node(campaign_id=report.campaign_id, unit_id=report.unit_id)
    expected = bool(node and node.expected)
    counted_before = contribution(
        state=report.state, on_time=report.on_time, expected=expected, values=values
    )
    report.state = to_state
    report.version += 1
    for name, value in fields.items():
        setattr(report, name, value)
    prepared.update(report, ["state", "version", "updated_at", *fields])
    prepared.fetchall(_COUNTED_SQL, [to_state in COUNTED_STATES, report.pk])
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
    # The reporting tree's node totals move in the same transaction (zero staleness), last:
    # the ancestors' rows are shared by every report below them, so they stay locked only
    # for these statements and the commit (the caller writes its notices before).
    reporting_totals_apply(
        report=report,
        before=counted_before,
        after=contribution(
            state=report.state, on_time=report.on_time, expected=expected, values=values
        ),
        node=node,
    )
    return report


_COUNTED_SQL = (
    f"UPDATE {ReportValue._meta.db_table} SET counted = %s WHERE report_id = %s RETURNING 1"  # noqa: S608
)


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
            if not can_read_report(user, report)
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
    # Read after the lock: the tree cannot be rebuilt until this transaction ends.
    node = report_node(campaign_id=report.campaign_id, unit_id=report.unit_id)
    due_on = line_deadline_for_unit(campaign=report.campaign, unit=report.unit, node=node)
    on_time = on_time_for(submitted_at=now, due_on=due_on)
    # The reviewers above are told a report is waiting for them (before the transition,
    # which writes the totals shared with other reports last).
    notify_parent(
        unit=report.unit,
        kind="report_submitted",
        title=f"{report.unit.name} đã gửi báo cáo Tuần lễ {report.campaign.year}",
        body=f"Báo cáo của {report.unit.name} đang chờ tiếp nhận"
        + ("." if on_time is not False else " (gửi quá hạn)."),
        url=_report_url(report),
        min_role=Role.APPROVER,
    )
    return _transition(
        report,
        node=node,
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
    notify_units(
        units=[report.unit],
        kind="report_accepted",
        title=f"Báo cáo kết quả Tuần lễ {report.campaign.year} đã được tiếp nhận",
        body=f"Báo cáo của {report.unit.name} đã được cấp trên tiếp nhận.",
        url=_report_url(report),
    )
    return _transition(
        report,
        user=user,
        to_state=ReportState.ACCEPTED,
        action="accept",
        summary=f"Tiếp nhận báo cáo {report.campaign.year} của {report.unit.name}",
        accepted_at=now or timezone.now(),
        reviewed_by=user,
    )


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
    notify_units(
        units=[report.unit],
        kind="report_returned",
        title=f"Báo cáo kết quả Tuần lễ {report.campaign.year} bị trả lại",
        body=f"Lý do: {reason}",
        url=_report_url(report),
    )
    return _transition(
        report,
        user=user,
        to_state=ReportState.RETURNED,
        action="return",
        summary=f"Trả lại báo cáo {report.campaign.year} của {report.unit.name}: {reason}",
        note=reason,
        returned_reason=reason,
        reviewed_by=user,
    )


@transaction.atomic
def report_reopen(*, report: Report, user, reason: str) -> Report:
    reason = _reason(reason)
    _review_check(user, report)
    report = _lock(report)
    if report.state != ReportState.ACCEPTED:
        raise Conflict(
            f"Chỉ mở lại được báo cáo đã tiếp nhận (hiện: «{report.get_state_display()}»)."
        )
    notify_units(
        units=[report.unit],
        kind="report_reopened",
        title=f"Báo cáo kết quả Tuần lễ {report.campaign.year} được mở lại để sửa",
        body=f"Lý do: {reason}",
        url=_report_url(report),
    )
    return _transition(
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


# --- evidence ---------------------------------------------------------------------------------


def _writable_report(report: Report, user) -> Report:
    if not _can_write(user, report):
        if can_read_report(user, report):
            raise PermissionDeniedError("Chỉ chuyên viên của chính đơn vị mới được sửa báo cáo.")
        raise NotFound
    return report


@transaction.atomic
def evidence_add(
    *,
    report: Report,
    user,
    upload=None,
    url: str = "",
    title: str = "",
    directive: bool = False,
) -> Evidence:
    """Attach a photo, a PDF/DOCX file or an http(s) link (a report not yet locked)."""
    _writable_report(report, user)
    if upload is None and not url:
        raise ValidationError({"file": "Hãy chọn một tệp hoặc nhập một đường dẫn."})
    clean = clean_upload(upload) if upload is not None else None
    link = clean_link(url) if clean is None else ""
    title = nfc(title or "").strip()[:255]
    if report.pk is None:
        report.version = 1
        report.save()
        _record_version(report, action="create", user=user, values={})
    report = _lock(report)
    if report.state not in EDITABLE_STATES:
        raise Conflict(
            f"Báo cáo đang ở trạng thái «{report.get_state_display()}», không thể thêm minh chứng."
        )
    if clean is not None:
        kind = EvidenceKind.DIRECTIVE if directive else clean.kind
        evidence = Evidence(
            report=report,
            kind=kind,
            title=title or clean.content.name,
            content_type=clean.content_type,
            size=clean.size,
            uploaded_by=user,
        )
        evidence.file.save(clean.content.name, clean.content, save=False)
    else:
        evidence = Evidence(
            report=report, kind=EvidenceKind.LINK, url=link, title=title or link, uploaded_by=user
        )
    evidence.full_clean(exclude=["file"])
    evidence.save()
    history_record(
        actor=user,
        unit=report.unit,
        obj=report,
        action="evidence_add",
        summary=f"Thêm minh chứng: {evidence.title}",
        after={"evidence_id": evidence.pk, "kind": evidence.kind, "title": evidence.title},
    )
    return evidence


@transaction.atomic
def evidence_delete(*, evidence: Evidence, user) -> None:
    report = _writable_report(evidence.report, user)
    if report.state not in EDITABLE_STATES:
        raise Conflict("Báo cáo đã gửi hoặc đã được tiếp nhận, không thể xóa minh chứng.")
    history_record(
        actor=user,
        unit=report.unit,
        obj=report,
        action="evidence_delete",
        summary=f"Xóa minh chứng: {evidence.title}",
        before={"evidence_id": evidence.pk, "title": evidence.title},
    )
    stored = evidence.file.name
    evidence.delete()
    if stored:
        storage = evidence.file.storage
        transaction.on_commit(lambda: storage.delete(stored))


# --- Excel upload ---------------------------------------------------------------------------


def report_upload_excel(*, report: Report, user, upload, version: int) -> Report:
    """Fill the report from its filled-in Excel template; refused whole on any bad cell."""
    from lantoa.reports.excel import report_upload_parse

    _writable_report(report, user)
    if not report.is_editable:
        raise Conflict(
            f"Báo cáo đang ở trạng thái «{report.get_state_display()}», không thể nhập từ Excel."
        )
    parsed = report_upload_parse(
        upload=upload,
        report=report,
        indicators=list(Indicator.objects.filter(campaign=report.campaign)),
        rules=list(IndicatorRule.objects.filter(campaign=report.campaign)),
    )
    return report_save(report=report, user=user, version=version, **parsed)


# --- the campaign's indicator set -------------------------------------------------------------


def _owner_check(user, campaign) -> None:
    if not can_edit_indicator_set(user, campaign):
        raise NotFound


@transaction.atomic
def indicator_set_update(*, campaign, user, indicators: list[dict], rules: list[dict]) -> None:
    """Replace the campaign's indicators and rules (the owner unit, before the week starts).

    ``indicators``: [{code, name, group, unit_of_measure}] in display order;
    ``rules``: [{left_code, right_code, message}] meaning left ≤ right.
    """
    _owner_check(user, campaign)
    if timezone.localdate() >= campaign.starts_on:
        raise Conflict("Tuần lễ đã bắt đầu: không thể sửa bộ chỉ tiêu nữa.")
    if ReportValue.objects.filter(campaign=campaign).exists():
        raise Conflict("Đã có đơn vị nhập số liệu: không thể sửa bộ chỉ tiêu nữa.")
    errors: dict[str, list[str]] = {}
    codes: list[str] = []
    clean = []
    for n, item in enumerate(indicators, start=1):
        code = slugify(str(item.get("code", "")).strip()).replace("-", "_")
        name = nfc(str(item.get("name", ""))).strip()
        group = nfc(str(item.get("group", ""))).strip()
        uom = item.get("unit_of_measure") or UnitOfMeasure.COUNT
        if not code or not name:
            errors.setdefault(f"indicators.{n}", []).append(
                f"Dòng {n}: mã và tên chỉ tiêu là bắt buộc."
            )
            continue
        if code in codes or code in BUDGET_CODES:
            errors.setdefault(f"indicators.{n}", []).append(f"Dòng {n}: mã «{code}» bị trùng.")
            continue
        if uom not in UnitOfMeasure.values:
            errors.setdefault(f"indicators.{n}", []).append(
                f"Dòng {n}: đơn vị tính phải là «count» hoặc «vnd»."
            )
            continue
        codes.append(code)
        clean.append((code, name, group or "Khác", uom))
    if not clean:
        errors.setdefault("indicators", []).append("Bộ chỉ tiêu phải có ít nhất một chỉ tiêu.")
    clean_rules = []
    for n, rule in enumerate(rules, start=1):
        left, right = (
            str(rule.get("left_code", "")).strip(),
            str(rule.get("right_code", "")).strip(),
        )
        message = nfc(str(rule.get("message", ""))).strip()
        if left not in codes or right not in codes or left == right:
            errors.setdefault(f"rules.{n}", []).append(
                f"Quy tắc {n}: phải so sánh hai chỉ tiêu khác nhau có trong bộ chỉ tiêu."
            )
            continue
        clean_rules.append((left, right, message or f"{left} không được lớn hơn {right}"))
    if errors:
        raise ValidationError(errors)
    before = {
        "indicators": list(campaign.indicators.values("code", "name", "group", "unit_of_measure")),
        "rules": list(campaign.rules.values("left_code", "right_code", "message")),
    }
    Indicator.objects.filter(campaign=campaign).delete()
    IndicatorRule.objects.filter(campaign=campaign).delete()
    # A new updated_at is a new key for the cached set (campaigns.selectors.indicator_set).
    campaign.updated_at = timezone.now()
    Campaign.objects.filter(pk=campaign.pk).update(updated_at=campaign.updated_at)
    Indicator.objects.bulk_create(
        Indicator(campaign=campaign, code=c, name=n, group=g, unit_of_measure=u, position=i)
        for i, (c, n, g, u) in enumerate(clean)
    )
    IndicatorRule.objects.bulk_create(
        IndicatorRule(campaign=campaign, left_code=left, right_code=right, message=m)
        for left, right, m in clean_rules
    )
    history_record(
        actor=user,
        unit=campaign.owner_unit,
        obj=campaign,
        action="indicator_set_update",
        summary=f"Sửa bộ chỉ tiêu Tuần lễ {campaign.year} ({len(clean)} chỉ tiêu)",
        before=before,
        after={"indicators": [c[0] for c in clean], "rules": clean_rules},
    )
