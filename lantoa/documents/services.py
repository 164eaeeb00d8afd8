"""Writes for documents: draft → consultation → submitted → approved/returned → issued."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lantoa.accounts.permissions import Role, has_role
from lantoa.accounts.selectors import memberships_for_user
from lantoa.campaigns.models import Campaign, ReportingDeadline
from lantoa.core.error_codes import REPORT_TO_INVALID
from lantoa.core.errors import Conflict, NotFound, PermissionDeniedError
from lantoa.core.text import fold, nfc
from lantoa.documents.models import (
    EDITABLE_STATES,
    KIND_SYMBOLS,
    Assignment,
    AssignmentProgress,
    AssignmentStatus,
    Consultation,
    ConsultationAnswer,
    ConsultationResponse,
    Delivery,
    Document,
    DocumentKind,
    DocumentRecipient,
    DocumentState,
    DocumentVersion,
    EventForm,
    IssuerSetting,
    Register,
)
from lantoa.documents.permissions import (
    can_approve,
    can_draft_for,
    can_edit_document,
    can_respond_consultation,
    can_set_issuer_rule,
    can_update_assignment,
)
from lantoa.history.services import history_record
from lantoa.notifications.services import notify_units
from lantoa.units.models import Unit, UnitKind

# Bodies that act for their parent's whole area (a district steering committee plans
# for the district; a provincial department directs the province's districts).
ACTS_FOR_PARENT = {UnitKind.BCD_XHHT, UnitKind.SO_GDDT, UnitKind.SO_KHAC}


@dataclass
class RecipientIn:
    unit: Unit | None = None
    text: str = ""
    reports: bool = True


@dataclass
class AssignmentIn:
    text: str
    unit: Unit | None = None
    unit_kind: str = ""
    due_on: date | None = None
    heading: str = ""


def fmt_date(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def _parent(unit: Unit) -> Unit | None:
    if unit.depth <= 1:
        return None
    return Unit.objects.filter(path=unit.path[: -unit.steplen]).first()


def document_area(issuer: Unit) -> Unit:
    """The unit whose subtree the issuer's documents govern."""
    if issuer.kind in ACTS_FOR_PARENT:
        return _parent(issuer) or issuer
    return issuer


def _reach_root_path(area: Unit) -> str:
    """Recipients and consulted units stay within the province (the ministry reaches all)."""
    steplen = area.steplen
    return area.path[: 2 * steplen] if area.depth >= 2 else area.path


def unit_in_reach(*, area: Unit, issuer: Unit, unit: Unit) -> bool:
    return unit.path.startswith(_reach_root_path(area)) or issuer.path.startswith(unit.path)


def reference_of(document: Document) -> str:
    return document.reference or _("dự thảo")


def symbol_for(*, kind: str, issuer: Unit, suffix: str = "") -> str:
    parts = [KIND_SYMBOLS.get(kind, ""), issuer.abbreviation, suffix]
    return "-".join(p for p in parts if p)


def search_text_for(document: Document) -> str:
    """Folded number, symbol, subject, body and attachment titles (diacritic-free search)."""
    parts = [document.reference, document.symbol, document.subject, document.theme]
    parts += [f"{s.get('heading', '')} {s.get('body', '')}" for s in document.sections or []]
    if document.pk:
        parts += list(document.attachments.values_list("title", flat=True))
    return fold(" ".join(p for p in parts if p))


_search_text = search_text_for


# ---- validation --------------------------------------------------------------


def _clean_sections(sections: Iterable) -> list[dict]:
    cleaned = []
    for s in sections or []:
        if isinstance(s, dict):
            heading, body, key = s.get("heading", ""), s.get("body", ""), s.get("key", "")
        else:
            heading, body = s
            key = ""
        heading, body = nfc(heading or ""), nfc(body or "").replace("\r\n", "\n")
        if heading or body.strip():
            section = {"key": key or "", "heading": heading, "body": body}
            if isinstance(s, dict) and key == "appendix":
                # an appendix may carry a subtitle and a table (e.g. the report template)
                for extra in ("subtitle", "table", "landscape"):
                    if s.get(extra):
                        section[extra] = s[extra]
            cleaned.append(section)
    return cleaned


def _validate(
    *,
    kind: str,
    subject: str,
    issuer: Unit | None,
    drafting_unit: Unit | None,
    based_on: Sequence[Document],
    recipients: Sequence[RecipientIn],
    assignments: Sequence[AssignmentIn],
    report_due_on: date | None,
    starts_on: date | None,
    ends_on: date | None,
    event_form: str,
    report_to_unit: Unit | None = None,
    campaign: Campaign | None = None,
) -> None:
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if kind not in DocumentKind.values:
        add("kind", _("Loại văn bản không hợp lệ."))
    if not nfc(subject):
        add("subject", _("Trích yếu (tên văn bản) không được để trống."))
    if issuer is None:
        add("issuer_unit_id", _("Chưa chọn cơ quan ban hành."))
    if drafting_unit is None:
        add("drafting_unit_id", _("Chưa chọn đơn vị soạn thảo."))
    if issuer is not None and drafting_unit is not None:
        parent = _parent(issuer)
        home = parent.path if parent else issuer.path
        if not drafting_unit.path.startswith(home):
            add(
                "drafting_unit_id",
                _("Đơn vị soạn thảo phải là cơ quan ban hành hoặc đơn vị cùng cấp, trực thuộc."),
            )
    if event_form and event_form not in EventForm.values:
        add("event_form", _("Hình thức tổ chức không hợp lệ."))
    if starts_on and ends_on and ends_on < starts_on:
        add("ends_on", _("Ngày kết thúc phải sau ngày bắt đầu."))
    for parent_doc in based_on:
        if parent_doc.state != DocumentState.ISSUED:
            add("based_on", _("Chỉ có thể căn cứ vào văn bản đã ban hành."))
        elif (
            report_due_on and parent_doc.report_due_on and report_due_on > parent_doc.report_due_on
        ):
            add(
                "report_due_on",
                _(
                    "Hạn báo cáo %(due)s muộn hơn hạn báo cáo %(parent_due)s của văn bản cấp trên "
                    "%(ref)s: hãy chọn ngày sớm hơn để kịp tổng hợp."
                )
                % {
                    "due": fmt_date(report_due_on),
                    "parent_due": fmt_date(parent_doc.report_due_on),
                    "ref": parent_doc.reference,
                },
            )
    if issuer is not None:
        area = document_area(issuer)
        for r in recipients:
            if r.unit is None and not nfc(r.text):
                add("recipients", _("Nơi nhận phải là một đơn vị hoặc một dòng chữ."))
            elif r.unit is not None and not unit_in_reach(area=area, issuer=issuer, unit=r.unit):
                add(
                    "recipients",
                    _("Đơn vị nhận “%(name)s” nằm ngoài phạm vi của cơ quan ban hành.")
                    % {"name": r.unit.name},
                )
        for a in assignments:
            if not nfc(a.text):
                add("assignments", _("Nội dung nhiệm vụ không được để trống."))
            if (a.unit is None) == (not a.unit_kind):
                add("assignments", _("Mỗi nhiệm vụ giao cho một đơn vị hoặc một loại đơn vị."))
            elif a.unit is not None and not a.unit.path.startswith(area.path):
                add(
                    "assignments",
                    _("“%(name)s” không thuộc địa bàn của cơ quan ban hành.")
                    % {"name": a.unit.name},
                )
            elif a.unit_kind and a.unit_kind not in UnitKind.values:
                add("assignments", _("Loại đơn vị không hợp lệ."))
            if a.due_on and report_due_on is None:
                pass
        for message in _report_to_errors(
            issuer=issuer, area=area, unit=report_to_unit, recipients=recipients, campaign=campaign
        ):
            add("report_to_unit_id", ValidationError(message, code=REPORT_TO_INVALID))
    if errors:
        raise ValidationError(errors)


def _report_to_errors(
    *,
    issuer: Unit,
    area: Unit,
    unit: Unit | None,
    recipients: Sequence[RecipientIn],
    campaign: Campaign | None,
) -> list[str]:
    """What is wrong with "báo cáo về" ``unit`` (None: the issuer, always fine)."""
    if unit is None:
        return []
    name = {"name": unit.name}
    if not unit_in_reach(area=area, issuer=issuer, unit=unit):
        return [_("Đơn vị nhận báo cáo “%(name)s” nằm ngoài phạm vi của cơ quan ban hành.") % name]
    if campaign is not None and not (
        (unit.valid_from is None or unit.valid_from <= campaign.ends_on)
        and (unit.valid_to is None or unit.valid_to >= campaign.starts_on)
    ):
        return [
            _(
                "“%(name)s” không hoạt động trong thời gian Tuần lễ %(year)s, không thể nhận báo cáo."
            )
            % {**name, "year": campaign.year}
        ]
    if any(r.unit is not None and r.unit.pk == unit.pk and r.reports for r in recipients):
        return [
            _(
                "“%(name)s” vừa là nơi nhận báo cáo vừa là đơn vị phải báo cáo theo văn bản: "
                "hãy đánh dấu đơn vị này “để biết” hoặc chọn nơi nhận báo cáo khác."
            )
            % name
        ]
    return []


def _chain_for(based_on: Sequence[Document]) -> list[int]:
    ids: list[int] = []
    for parent in based_on:
        for pk in [*parent.chain_ids, parent.pk]:
            if pk not in ids:
                ids.append(pk)
    return ids


def _recipients_light(document: Document) -> list[DocumentRecipient]:
    return list(
        document.recipients.select_related("unit").only(
            "id",
            "document_id",
            "text",
            "position",
            "reports",
            "unit__id",
            "unit__name",
            "unit__email",
        )
    )


def _snapshot(document: Document, recipients: list[DocumentRecipient] | None = None) -> dict:
    recipients = _recipients_light(document) if recipients is None else recipients
    return {
        "kind": document.kind,
        "subject": document.subject,
        "issuer_unit_id": document.issuer_unit_id,
        "drafting_unit_id": document.drafting_unit_id,
        "based_on": list(document.based_on.values_list("id", flat=True)),
        "extra_legal_bases": document.extra_legal_bases,
        "theme": document.theme,
        "starts_on": document.starts_on,
        "ends_on": document.ends_on,
        "venue": document.venue,
        "event_form": document.event_form,
        "report_due_on": document.report_due_on,
        "report_to": document.report_to_unit.name if document.report_to_unit_id else "",
        "sections": document.sections,
        "recipients": [r.listed_label() for r in recipients],
        "assignments": [
            {
                "to": a.unit.name if a.unit_id else UnitKind(a.unit_kind).label,
                "text": a.text,
                "due_on": a.due_on,
            }
            for a in document.assignments.select_related("unit")
        ],
        "signer": [document.signer_authority, document.signer_title, document.signer_name],
        "place": document.place,
    }


def _save_version(document: Document, *, user, note: str, recipients=None) -> None:
    DocumentVersion.objects.create(
        document=document,
        version=document.version,
        snapshot=_snapshot_plain(document, recipients),
        note=note,
        created_by=user if getattr(user, "pk", None) else None,
    )


def _snapshot_plain(document: Document, recipients=None) -> dict:
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    return json.loads(json.dumps(_snapshot(document, recipients), cls=DjangoJSONEncoder))


def _write_children(
    document: Document,
    *,
    recipients: Sequence[RecipientIn] | None,
    assignments: Sequence[AssignmentIn] | None,
) -> None:
    if recipients is not None:
        document.recipients.all().delete()
        DocumentRecipient.objects.bulk_create(
            DocumentRecipient(
                document=document,
                unit=r.unit,
                text=nfc(r.text),
                position=i,
                reports=getattr(r, "reports", True),
            )
            for i, r in enumerate(recipients)
        )
    if assignments is not None:
        document.assignments.all().delete()
        Assignment.objects.bulk_create(
            Assignment(
                document=document,
                heading=nfc(a.heading),
                unit=a.unit,
                unit_kind=a.unit_kind if a.unit is None else "",
                text=nfc(a.text),
                due_on=a.due_on,
                position=i,
            )
            for i, a in enumerate(assignments)
        )


def _require_author(document: Document, user) -> None:
    if not can_edit_document(user, document):
        raise PermissionDeniedError(_("Chỉ chuyên viên của đơn vị soạn thảo mới được sửa văn bản."))


def _require_editable(document: Document) -> None:
    if document.state == DocumentState.ISSUED:
        raise Conflict(
            _(
                "Văn bản %(ref)s đã ban hành, không thể thay đổi. "
                "Muốn đính chính, hãy soạn văn bản mới thay thế."
            )
            % {"ref": document.reference}
        )
    if document.state not in EDITABLE_STATES:
        raise Conflict(
            _("Văn bản đang ở trạng thái “%(state)s”, không thể sửa.")
            % {"state": document.get_state_display()}
        )


# ---- create / update ---------------------------------------------------------


@transaction.atomic
def document_create(
    *,
    user,
    kind: str,
    issuer_unit: Unit | None,
    drafting_unit: Unit | None,
    subject: str,
    campaign: Campaign | None = None,
    based_on: Sequence[Document] = (),
    sections: Iterable = (),
    recipients: Sequence[RecipientIn] = (),
    assignments: Sequence[AssignmentIn] = (),
    signer: dict | None = None,
    report_due_on: date | None = None,
    report_kinds: Sequence[str] = (),
    report_to_unit: Unit | None = None,
    place: str = "",
    theme: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
    venue: str = "",
    event_form: str = "",
    extra_legal_bases: Sequence[str] = (),
    addressees: Sequence[str] = (),
    symbol_suffix: str = "",
    replaces: Document | None = None,
    second_person_required: bool | None = None,
) -> Document:
    """Start a draft. The caller must be an editor of the drafting unit."""
    based_on = list(based_on)
    _validate(
        kind=kind,
        subject=subject,
        issuer=issuer_unit,
        drafting_unit=drafting_unit,
        based_on=based_on,
        recipients=recipients,
        assignments=assignments,
        report_due_on=report_due_on,
        starts_on=starts_on,
        ends_on=ends_on,
        event_form=event_form,
        report_to_unit=report_to_unit,
        campaign=campaign,
    )
    if user is not None and not has_role(user, drafting_unit, Role.EDITOR):
        raise PermissionDeniedError(
            _("Chỉ chuyên viên của đơn vị soạn thảo mới được soạn văn bản.")
        )
    if user is not None and not can_draft_for(user, issuer_unit):
        raise PermissionDeniedError(
            _(
                "Bạn không được soạn văn bản nhân danh %(u)s: chỉ đơn vị của bạn, "
                "đơn vị cấp trên trực tiếp hoặc Ban Chỉ đạo thuộc cấp đó."
            )
            % {"u": issuer_unit.name}
        )
    if replaces is not None and replaces.state != DocumentState.ISSUED:
        raise ValidationError({"replaces": _("Chỉ thay thế được văn bản đã ban hành.")})
    if second_person_required is None:
        setting = IssuerSetting.objects.filter(unit=issuer_unit).first()
        second_person_required = bool(setting and setting.second_person_required)
    signer = signer or {}
    document = Document(
        campaign=campaign,
        kind=kind,
        issuer_unit=issuer_unit,
        drafting_unit=drafting_unit,
        created_by=user if getattr(user, "pk", None) else None,
        subject=nfc(subject),
        sections=_clean_sections(sections),
        extra_legal_bases=[nfc(b) for b in extra_legal_bases if nfc(b)],
        chain_ids=_chain_for(based_on),
        area_path=document_area(issuer_unit).path,
        addressees=[nfc(a) for a in addressees if nfc(a)],
        theme=nfc(theme),
        starts_on=starts_on,
        ends_on=ends_on,
        venue=nfc(venue),
        event_form=event_form,
        report_due_on=report_due_on,
        report_kinds=list(report_kinds),
        report_to_unit=report_to_unit,
        place=nfc(place) or issuer_unit.place_name,
        symbol_suffix=nfc(symbol_suffix),
        signer_authority=nfc(signer.get("authority", "")),
        signer_title=nfc(signer.get("title", "")),
        signer_name=nfc(signer.get("name", "")),
        replaces=replaces,
        second_person_required=second_person_required,
    )
    document.search_text = _search_text(document)
    document.full_clean(exclude=["based_on", "sections", "chain_ids"])
    document.save()
    document.based_on.set(based_on)
    _write_children(document, recipients=recipients, assignments=assignments)
    _save_version(document, user=user, note=_("Tạo dự thảo"))
    history_record(
        actor=user,
        unit=issuer_unit,
        obj=document,
        action="create",
        summary=_("Soạn dự thảo: %(s)s") % {"s": document.subject},
    )
    return document


UPDATABLE = {
    "kind",
    "subject",
    "sections",
    "place",
    "theme",
    "starts_on",
    "ends_on",
    "venue",
    "event_form",
    "report_due_on",
    "report_kinds",
    "report_to_unit",
    "extra_legal_bases",
    "addressees",
    "symbol_suffix",
    "campaign",
    "second_person_required",
}


@transaction.atomic
def document_update(
    *,
    document: Document,
    user,
    version: int | None,
    based_on: Sequence[Document] | None = None,
    recipients: Sequence[RecipientIn] | None = None,
    assignments: Sequence[AssignmentIn] | None = None,
    signer: dict | None = None,
    **fields,
) -> Document:
    """Change a draft (draft, consultation or returned). ``version`` guards against
    overwriting someone else's change (409 when stale)."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    _require_editable(document)
    _require_author(document, user)
    if version is None:
        raise ValidationError({"version": _("Thiếu phiên bản (version) của văn bản.")})
    if int(version) != document.version:
        raise Conflict(
            _("Văn bản đã được người khác sửa (phiên bản hiện tại: %(v)s). Hãy tải lại.")
            % {"v": document.version}
        )
    unknown = set(fields) - UPDATABLE
    if unknown:
        raise ValidationError({f: _("Không sửa được trường này.") for f in unknown})
    before = _snapshot_plain(document)
    parents = list(based_on) if based_on is not None else list(document.based_on.all())
    current_recipients = recipients
    if current_recipients is None:
        current_recipients = [
            RecipientIn(unit=r.unit, text=r.text, reports=r.reports)
            for r in document.recipients.select_related("unit")
        ]
    current_assignments = assignments
    if current_assignments is None:
        current_assignments = [
            AssignmentIn(text=a.text, unit=a.unit, unit_kind=a.unit_kind, due_on=a.due_on)
            for a in document.assignments.select_related("unit")
        ]
    merged = {f: fields.get(f, getattr(document, f)) for f in UPDATABLE}
    _validate(
        kind=merged["kind"],
        subject=merged["subject"],
        issuer=document.issuer_unit,
        drafting_unit=document.drafting_unit,
        based_on=parents,
        recipients=current_recipients,
        assignments=current_assignments,
        report_due_on=merged["report_due_on"],
        starts_on=merged["starts_on"],
        ends_on=merged["ends_on"],
        event_form=merged["event_form"] or "",
        report_to_unit=merged["report_to_unit"],
        campaign=merged["campaign"],
    )
    for f, value in fields.items():
        if f == "sections":
            value = _clean_sections(value)
        elif isinstance(value, str):
            value = nfc(value)
        setattr(document, f, value)
    if signer is not None:
        document.signer_authority = nfc(signer.get("authority", ""))
        document.signer_title = nfc(signer.get("title", ""))
        document.signer_name = nfc(signer.get("name", ""))
    if based_on is not None:
        document.chain_ids = _chain_for(parents)
    document.version += 1
    document.search_text = _search_text(document)
    document.full_clean(exclude=["based_on", "sections", "chain_ids"])
    document.save()
    if based_on is not None:
        document.based_on.set(parents)
    _write_children(document, recipients=recipients, assignments=assignments)
    _save_version(document, user=user, note=_("Chỉnh sửa"))
    history_record(
        actor=user,
        unit=document.issuer_unit,
        obj=document,
        action="update",
        summary=_("Sửa dự thảo (phiên bản %(v)s)") % {"v": document.version},
        before=before,
        after=_snapshot_plain(document),
    )
    return document


# ---- consultation ------------------------------------------------------------


@transaction.atomic
def consultation_send(
    *,
    document: Document,
    user,
    units: Sequence[Unit],
    due_on: date | None,
    today: date | None = None,
    letter: Document | None = None,
) -> Consultation:
    today = today or timezone.localdate()
    document = Document.objects.select_for_update().get(pk=document.pk)
    _require_editable(document)
    _require_author(document, user)
    if document.state == DocumentState.CONSULTATION:
        raise Conflict(_("Dự thảo đang được lấy ý kiến."))
    errors = {}
    if due_on is None:
        errors["due_on"] = _("Chưa chọn hạn góp ý.")
    elif due_on < today:
        errors["due_on"] = _("Hạn góp ý %(due)s đã qua: hãy chọn một ngày từ hôm nay trở đi.") % {
            "due": fmt_date(due_on)
        }
    units = list(dict.fromkeys(units))
    if not units:
        errors["unit_ids"] = _("Chưa chọn đơn vị được lấy ý kiến.")
    area = document_area(document.issuer_unit)
    outside = [
        u.name for u in units if not unit_in_reach(area=area, issuer=document.issuer_unit, unit=u)
    ]
    if outside:
        errors["unit_ids"] = _("Đơn vị nằm ngoài phạm vi của cơ quan ban hành: %(names)s.") % {
            "names": ", ".join(outside)
        }
    if errors:
        raise ValidationError(errors)
    consultation = Consultation.objects.create(
        document=document,
        due_on=due_on,
        sent_by=user if getattr(user, "pk", None) else None,
        sent_on=today,
        letter=letter,
    )
    consultation.units.set(units)
    document.state = DocumentState.CONSULTATION
    document.save(update_fields=["state", "updated_at"])
    history_record(
        actor=user,
        unit=document.issuer_unit,
        obj=document,
        action="consult",
        summary=_("Lấy ý kiến %(n)s đơn vị, hạn %(due)s")
        % {"n": len(units), "due": fmt_date(due_on)},
        after={"unit_ids": [u.pk for u in units], "due_on": due_on},
    )
    notify_units(
        units=units,
        kind="consultation",
        title=_("Đề nghị góp ý dự thảo: %(s)s") % {"s": document.subject},
        body=_("Hạn góp ý: %(due)s.") % {"due": fmt_date(due_on)},
        url=reverse("documents:detail", args=[document.pk]),
        sender=document.drafting_unit,
    )
    return consultation


def consultation_open(document: Document) -> Consultation | None:
    return document.consultations.order_by("-sent_on", "-id").first()


@transaction.atomic
def consultation_respond(
    *,
    document: Document,
    user,
    agree: bool,
    comment: str = "",
    unit: Unit | None = None,
    today: date | None = None,
) -> ConsultationResponse:
    """A consulted unit answers once, before the deadline: agree, or comments."""
    today = today or timezone.localdate()
    document = Document.objects.get(pk=document.pk)
    consultation = consultation_open(document)
    if consultation is None:
        raise Conflict(_("Văn bản này không được gửi lấy ý kiến."))
    consulted = list(consultation.units.all())
    mine = [u for u in consulted if can_respond_consultation(user, u)]
    if unit is not None:
        mine = [u for u in mine if u.pk == unit.pk]
    if not mine:
        raise PermissionDeniedError(_("Đơn vị của bạn không được lấy ý kiến về dự thảo này."))
    if document.state != DocumentState.CONSULTATION:
        raise Conflict(_("Dự thảo đã kết thúc lấy ý kiến."))
    if today > consultation.due_on:
        raise Conflict(
            _("Đã hết hạn góp ý (%(due)s): không nhận thêm ý kiến.")
            % {"due": fmt_date(consultation.due_on)}
        )
    answered = set(
        ConsultationResponse.objects.filter(consultation=consultation, unit__in=mine).values_list(
            "unit_id", flat=True
        )
    )
    pending = [u for u in mine if u.pk not in answered]
    if not pending:
        raise Conflict(_("Đơn vị đã gửi ý kiến cho dự thảo này; mỗi đơn vị chỉ trả lời một lần."))
    comment = nfc(comment)
    if not agree and not comment:
        raise ValidationError({"comment": _("Hãy nhập ý kiến góp ý, hoặc chọn “Thống nhất”.")})
    target = pending[0]
    try:
        with transaction.atomic():
            response = ConsultationResponse.objects.create(
                consultation=consultation,
                unit=target,
                answer=ConsultationAnswer.AGREE if agree else ConsultationAnswer.COMMENT,
                comment=comment,
                responded_by=user if getattr(user, "pk", None) else None,
                responded_on=today,
            )
    except IntegrityError:
        raise Conflict(_("Đơn vị đã gửi ý kiến cho dự thảo này; mỗi đơn vị chỉ trả lời một lần."))
    history_record(
        actor=user,
        unit=target,
        obj=document,
        action="consultation_response",
        summary=_("%(unit)s: %(answer)s")
        % {"unit": target.name, "answer": response.get_answer_display()},
    )
    return response


# ---- approval and issue --------------------------------------------------------


def _record_silence(document: Document, *, today: date) -> int:
    """After the deadline, units that did not answer are recorded as consenting
    ("không có ý kiến, xem như thống nhất")."""
    consultation = consultation_open(document)
    if consultation is None or today <= consultation.due_on:
        return 0
    answered = set(consultation.responses.values_list("unit_id", flat=True))
    silent = [u for u in consultation.units.all() if u.pk not in answered]
    ConsultationResponse.objects.bulk_create(
        [
            ConsultationResponse(
                consultation=consultation,
                unit=u,
                answer=ConsultationAnswer.SILENT,
                responded_on=consultation.due_on,
            )
            for u in silent
        ]
    )
    return len(silent)


@transaction.atomic
def document_submit(*, document: Document, user, today: date | None = None) -> Document:
    """Trình ký. Leaving a consultation after its deadline records the silent units."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    _require_editable(document)
    _require_author(document, user)
    if document.state == DocumentState.CONSULTATION:
        _record_silence(document, today=today or timezone.localdate())
    document.state = DocumentState.SUBMITTED
    document.submitted_by = user if getattr(user, "pk", None) else None
    document.submitted_at = timezone.now()
    document.returned_reason = ""
    document.save(
        update_fields=["state", "submitted_by", "submitted_at", "returned_reason", "updated_at"]
    )
    history_record(
        actor=user, unit=document.issuer_unit, obj=document, action="submit", summary=_("Trình ký")
    )
    return document


def _require_approver(document: Document, user) -> None:
    if not can_approve(user, document):
        raise PermissionDeniedError(
            _("Chỉ lãnh đạo của cơ quan ban hành (%(u)s) mới được phê duyệt.")
            % {"u": document.issuer_unit.name}
        )


@transaction.atomic
def document_approve(*, document: Document, user) -> Document:
    document = Document.objects.select_for_update().get(pk=document.pk)
    _require_approver(document, user)
    if document.state != DocumentState.SUBMITTED:
        raise Conflict(
            _("Chỉ phê duyệt được văn bản đã trình ký (hiện tại: %(s)s).")
            % {"s": document.get_state_display()}
        )
    authors = {document.created_by_id, document.submitted_by_id} - {None}
    if document.second_person_required and getattr(user, "pk", None) in authors:
        raise PermissionDeniedError(
            _(
                "Văn bản này cần người thứ hai phê duyệt: bạn không thể tự phê duyệt "
                "dự thảo do chính mình soạn hoặc trình."
            )
        )
    document.state = DocumentState.APPROVED
    document.approved_by = user if getattr(user, "pk", None) else None
    document.approved_at = timezone.now()
    document.save(update_fields=["state", "approved_by", "approved_at", "updated_at"])
    history_record(
        actor=user,
        unit=document.issuer_unit,
        obj=document,
        action="approve",
        summary=_("Phê duyệt"),
    )
    return document


@transaction.atomic
def document_return(*, document: Document, user, reason: str) -> Document:
    document = Document.objects.select_for_update().get(pk=document.pk)
    _require_approver(document, user)
    if document.state not in (DocumentState.SUBMITTED, DocumentState.APPROVED):
        raise Conflict(
            _("Chỉ trả lại được văn bản đã trình ký (hiện tại: %(s)s).")
            % {"s": document.get_state_display()}
        )
    reason = nfc(reason)
    if not reason:
        raise ValidationError({"reason": _("Hãy nêu lý do trả lại.")})
    document.state = DocumentState.RETURNED
    document.returned_reason = reason
    document.save(update_fields=["state", "returned_reason", "updated_at"])
    history_record(
        actor=user,
        unit=document.issuer_unit,
        obj=document,
        action="return",
        summary=_("Trả lại: %(r)s") % {"r": reason},
    )
    notify_units(
        units=[document.drafting_unit],
        kind="document_returned",
        title=_("Dự thảo bị trả lại: %(s)s") % {"s": document.subject},
        body=reason,
        url=reverse("documents:detail", args=[document.pk]),
        email_units=False,
    )
    return document


def _allocate_number(*, issuer: Unit, year: int, number: int | None) -> int:
    """Next number of the issuer's register for ``year``; the register row stays locked
    until the surrounding transaction commits, so concurrent issues never share a number."""
    for attempt in range(5):
        try:
            with transaction.atomic():
                register, _created = Register.objects.select_for_update().get_or_create(
                    unit=issuer, year=year
                )
            break
        except IntegrityError:
            if attempt == 4:
                raise
    if number is None:
        Register.objects.filter(pk=register.pk).update(last_number=F("last_number") + 1)
        register.refresh_from_db(fields=["last_number"])
        return register.last_number
    if Document.objects.filter(issuer_unit=issuer, year=year, number=number).exists():
        raise ValidationError(
            {
                "number": _("Số %(n)s đã được dùng trong sổ văn bản năm %(y)s.")
                % {"n": number, "y": year}
            }
        )
    if number > register.last_number:
        register.last_number = number
        register.save(update_fields=["last_number", "updated_at"])
    return number


@transaction.atomic
def document_issue(
    *, document: Document, user, issued_on: date | None = None, number: int | None = None
) -> Document:
    """Ban hành: number from the register, deliveries + e-mail, reporting deadline.

    ``number``/``issued_on`` record a paper document issued earlier (demo, import)."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    _require_approver(document, user)
    if document.state == DocumentState.ISSUED:
        raise Conflict(_("Văn bản %(ref)s đã được ban hành.") % {"ref": document.reference})
    if document.state != DocumentState.APPROVED:
        raise Conflict(_("Văn bản phải được phê duyệt trước khi ban hành."))
    issued_on = issued_on or timezone.localdate()
    issuer = document.issuer_unit
    document.year = issued_on.year
    document.number = _allocate_number(issuer=issuer, year=issued_on.year, number=number)
    document.symbol = symbol_for(kind=document.kind, issuer=issuer, suffix=document.symbol_suffix)
    document.issued_on = issued_on
    document.state = DocumentState.ISSUED
    document.issued_by = user if getattr(user, "pk", None) else None
    document.issued_at = timezone.now()
    document.version += 1
    document.search_text = _search_text(document)
    document.save()
    recipients = _recipients_light(document)
    _save_version(
        document,
        user=user,
        note=_("Ban hành %(ref)s") % {"ref": document.reference},
        recipients=recipients,
    )
    units = [r.unit for r in recipients if r.unit_id]
    now = timezone.now()
    Delivery.objects.bulk_create(
        [Delivery(document=document, unit_id=u.pk, delivered_at=now) for u in units],
        batch_size=1000,
    )
    if document.campaign_id and document.report_due_on:
        area = document_area(issuer)
        ReportingDeadline.objects.update_or_create(
            campaign_id=document.campaign_id,
            unit=area,
            defaults={
                "due_on": document.report_due_on,
                "kinds": list(document.report_kinds),
                "source": document.reference,
            },
        )
    if document.campaign_id:
        from lantoa.reports.lines.services import reporting_tree_on_issue

        # Its recipients now report to the issuer (or the unit it names).
        reporting_tree_on_issue(document=document)
    history_record(
        actor=user,
        unit=issuer,
        obj=document,
        action="issue",
        summary=_("Ban hành %(ref)s") % {"ref": document.reference},
    )
    if units:
        notify_units(
            units=units,
            kind="document",
            title=_("Văn bản mới: %(ref)s %(s)s")
            % {"ref": document.reference, "s": document.subject},
            body=_("%(issuer)s ban hành ngày %(d)s.")
            % {"issuer": issuer.name, "d": fmt_date(issued_on)},
            url=reverse("documents:detail", args=[document.pk]),
            sender=issuer,
        )
    return document


# ---- inbox, tasks ----------------------------------------------------------------


def document_mark_read(*, document: Document, user) -> int:
    """Record that the user's units (held directly) opened the document."""
    if document.state != DocumentState.ISSUED:
        return 0
    unit_ids = [m.unit_id for m in memberships_for_user(user)]
    return Delivery.objects.filter(
        document=document, unit_id__in=unit_ids, read_at__isnull=True
    ).update(read_at=timezone.now(), read_by=user if getattr(user, "pk", None) else None)


@transaction.atomic
def assignment_status_set(
    *, assignment: Assignment, unit: Unit, user, status: str, note: str = ""
) -> AssignmentStatus:
    if status not in AssignmentProgress.values:
        raise ValidationError({"status": _("Trạng thái nhiệm vụ không hợp lệ.")})
    if not can_update_assignment(user, unit):
        raise PermissionDeniedError(_("Chỉ chuyên viên của đơn vị được cập nhật nhiệm vụ."))
    if assignment.unit_id and assignment.unit_id != unit.pk:
        raise NotFound
    if assignment.unit_kind and (
        unit.kind != assignment.unit_kind or not unit.path.startswith(assignment.document.area_path)
    ):
        raise NotFound
    row, _created = AssignmentStatus.objects.update_or_create(
        assignment=assignment,
        unit=unit,
        defaults={"status": status, "note": nfc(note), "updated_by": user},
    )
    history_record(
        actor=user,
        unit=unit,
        obj=assignment.document,
        action="assignment",
        summary=_("Nhiệm vụ: %(s)s") % {"s": row.get_status_display()},
    )
    return row


@transaction.atomic
def issuer_setting_set(*, unit: Unit, user, second_person_required: bool) -> IssuerSetting:
    """Only the unit's leaders (or admins) decide its approval rule; drafts already
    started keep the rule they were created with."""
    if not can_set_issuer_rule(user, unit):
        raise PermissionDeniedError(_("Chỉ lãnh đạo đơn vị mới được đổi quy định phê duyệt."))
    setting, _created = IssuerSetting.objects.update_or_create(
        unit=unit, defaults={"second_person_required": second_person_required}
    )
    history_record(
        actor=user,
        unit=unit,
        obj=setting,
        action="update",
        summary=_("Phê duyệt văn bản: %(rule)s")
        % {
            "rule": _("cần người thứ hai")
            if second_person_required
            else _("không bắt buộc người thứ hai")
        },
    )
    return setting


def default_report_due_on(parents: Sequence[Document], campaign: Campaign | None) -> date | None:
    """A few days before the earliest deadline above, so the office has time to consolidate."""
    dues = [p.report_due_on for p in parents if p.report_due_on]
    if dues:
        return min(dues) - timedelta(days=3)
    if campaign:
        return campaign.ends_on + timedelta(days=10)
    return None
