"""Nominations: a unit nominates, its ancestors' approvers approve up to the final level."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from lantoa.accounts.models import Role
from lantoa.campaigns.models import Campaign
from lantoa.core.errors import Conflict, NotFound, PermissionDeniedError
from lantoa.core.text import nfc
from lantoa.history.services import history_record
from lantoa.honours.models import Honour, Nomination, NominationState, NomineeKind
from lantoa.honours.permissions import can_decide_honours, can_nominate, can_review_nomination
from lantoa.honours.selectors import honours_approved_by
from lantoa.notifications.services import notify_units
from lantoa.units.models import Unit


@transaction.atomic
def nomination_create(
    *,
    user,
    campaign: Campaign,
    unit: Unit,
    nominee_kind: str,
    nominee_name: str,
    achievement: str,
    final_unit: Unit | None = None,
) -> Nomination:
    if not can_nominate(user, unit):
        raise NotFound
    parent = Unit.objects.get_parent(unit)
    errors = {}
    if parent is None:
        errors["unit_id"] = "Đơn vị cấp cao nhất không có cấp trên để xét duyệt."
    if nominee_kind not in NomineeKind.values:
        errors["nominee_kind"] = "Đối tượng phải là tập thể hoặc cá nhân."
    if not nfc(nominee_name):
        errors["nominee_name"] = "Vui lòng nhập tên tập thể, cá nhân được đề nghị."
    if not (achievement or "").strip():
        errors["achievement"] = "Vui lòng mô tả thành tích."
    if final_unit is not None and parent is not None:
        if final_unit.pk == unit.pk or not unit.in_subtree_of(final_unit):
            errors["final_unit_id"] = "Cấp phê duyệt cuối phải là một đơn vị cấp trên."
    if errors:
        raise ValidationError(errors)
    nomination = Nomination(
        campaign=campaign,
        unit=unit,
        nominee_kind=nominee_kind,
        nominee_name=nfc(nominee_name),
        achievement=achievement.strip(),
        reviewer_unit=parent,
        final_unit=final_unit or parent,
        created_by=user,
    )
    nomination.full_clean()
    nomination.save()
    history_record(
        actor=user, unit=unit, obj=nomination, action="nomination_create", summary=nominee_name
    )
    notify_units(
        units=[parent],
        kind="nomination",
        title=f"Đề nghị tuyên dương từ {unit.name}: {nomination.nominee_name}",
        url="/tuyen-duong/",
        min_role=Role.APPROVER,
        email_units=False,
    )
    return nomination


def _check_reviewer(user, nomination: Nomination) -> None:
    if nomination.state != NominationState.PENDING:
        raise Conflict("Đề nghị này đã được xử lý.")
    # The approver of the reviewing unit itself (not of a unit further up: they decide when
    # the nomination reaches them).
    if not can_review_nomination(user, nomination):
        raise PermissionDeniedError(
            f"Chỉ lãnh đạo {nomination.reviewer_unit.name} mới được xét duyệt đề nghị này."
        )


@transaction.atomic
def nomination_approve(*, user, nomination: Nomination) -> Nomination:
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    _check_reviewer(user, nomination)
    reviewer = nomination.reviewer_unit
    nomination.approvals = [
        *nomination.approvals,
        {
            "unit_id": reviewer.pk,
            "unit_name": reviewer.name,
            "by": user.username,
            "at": timezone.now().isoformat(),
        },
    ]
    if reviewer.pk == nomination.final_unit_id:
        nomination.state = NominationState.APPROVED
        nomination.decided_at = timezone.now()
        Honour.objects.create(
            campaign=nomination.campaign,
            nomination=nomination,
            unit=nomination.unit,
            approved_by_unit=reviewer,
            nominee_kind=nomination.nominee_kind,
            nominee_name=nomination.nominee_name,
            achievement=nomination.achievement,
            approved_on=timezone.localdate(),
        )
        notify_units(
            units=[nomination.unit],
            kind="nomination",
            title=f"Đề nghị tuyên dương «{nomination.nominee_name}» đã được phê duyệt",
            url="/tuyen-duong/",
            email_units=False,
        )
    else:
        nomination.reviewer_unit = Unit.objects.get_parent(reviewer)
        notify_units(
            units=[nomination.reviewer_unit],
            kind="nomination",
            title=f"Đề nghị tuyên dương cần xét duyệt: {nomination.nominee_name}",
            url="/tuyen-duong/",
            min_role=Role.APPROVER,
            email_units=False,
        )
    nomination.save()
    history_record(
        actor=user,
        unit=nomination.unit,
        obj=nomination,
        action="nomination_approve",
        summary=f"{reviewer.name}: {nomination.nominee_name}",
    )
    return nomination


@transaction.atomic
def nomination_decline(*, user, nomination: Nomination, reason: str) -> Nomination:
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    _check_reviewer(user, nomination)
    if not (reason or "").strip():
        raise ValidationError({"reason": "Vui lòng nêu lý do không phê duyệt."})
    nomination.state = NominationState.DECLINED
    nomination.reason = reason.strip()
    nomination.decided_at = timezone.now()
    nomination.save()
    history_record(
        actor=user,
        unit=nomination.unit,
        obj=nomination,
        action="nomination_decline",
        summary=reason[:200],
    )
    notify_units(
        units=[nomination.unit],
        kind="nomination",
        title=f"Đề nghị tuyên dương «{nomination.nominee_name}» không được phê duyệt",
        body=reason,
        url="/tuyen-duong/",
        email_units=False,
    )
    return nomination


@transaction.atomic
def decision_draft_create(*, user, campaign: Campaign, unit: Unit):
    """Draft the QĐ listing the honours ``unit`` approved, in the documents flow
    (draft → approval → issue with a number from the unit's register)."""
    from lantoa.documents.services import RecipientIn, document_create
    from lantoa.honours.decision import decision_document

    if not can_decide_honours(user, unit):
        raise NotFound
    official = decision_document(campaign=campaign, unit=unit)
    table = official.appendices[0].table
    if len(table) < 2:
        raise Conflict("Đơn vị chưa phê duyệt tuyên dương nào trong Tuần lễ này.")
    honoured_units = list(
        {h.unit_id: h.unit for h in honours_approved_by(campaign=campaign, unit=unit)}.values()
    )
    return document_create(
        user=user,
        kind="quyet_dinh",
        issuer_unit=unit,
        drafting_unit=unit,
        campaign=campaign,
        subject=official.subject,
        sections=[{"heading": heading, "body": body} for heading, body in official.sections]
        + [
            {
                "key": "appendix",
                "heading": official.appendices[0].title,
                "body": "",
                "subtitle": official.appendices[0].subtitle,
                "table": table,
            }
        ],
        extra_legal_bases=official.legal_bases,
        recipients=[RecipientIn(unit=u) for u in honoured_units] + [RecipientIn(text="Lưu: VT.")],
        place=unit.place_name,
    )
