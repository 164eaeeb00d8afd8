"""Documents API (API.md, Documents): drafts, consultation, approval, issue, files, inbox."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from lantoa.accounts.selectors import memberships_for_user, unit_get_for_user
from lantoa.api.pagination import page_of
from lantoa.api.problems import problem
from lantoa.campaigns.selectors import campaign_get
from lantoa.core.errors import NotFound
from lantoa.core.spreadsheets import xlsx_attachment
from lantoa.documents import list_exports, output, selectors, services
from lantoa.documents.models import Document
from lantoa.documents.permissions import can_draft_for
from lantoa.documents.rendering import pdf_available
from lantoa.units.models import Unit

router = Router(tags=["documents"])
REPORT_TO_HELP = (
    "“Báo cáo về”: đơn vị nhận báo cáo của các nơi nhận (kế hoạch, công văn, hướng dẫn); "
    "null: cơ quan ban hành."
)
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# ---- schemas -------------------------------------------------------------------


class SectionIO(Schema):
    heading: str = ""
    body: str = ""
    key: str = ""


class RecipientIO(Schema):
    unit_id: int | None = None
    text: str | None = None
    reports: bool = Field(
        True,
        description="Đơn vị nhận báo cáo theo văn bản (mặc định); false: chỉ nhận để biết "
        "(“để biết”), không thuộc tuyến báo cáo của văn bản.",
    )


class SignerIO(Schema):
    authority: str = ""
    title: str = ""
    name: str = ""


class AssignmentIO(Schema):
    unit_id: int | None = None
    unit_kind: str = ""
    text: str = ""
    due_on: date | None = None
    heading: str = ""


class LegalBaseOut(Schema):
    id: int
    number: int | None
    symbol: str
    issued_on: date | None
    issuer_name: str
    subject: str


class DocumentIn(Schema):
    campaign_id: int | None = None
    kind: str = "ke_hoach"
    issuer_unit_id: int | None = None
    drafting_unit_id: int | None = None
    subject: str = ""
    based_on: list[int] = []
    sections: list[SectionIO] = []
    recipients: list[RecipientIO] = []
    signer: SignerIO | None = None
    report_due_on: date | None = None
    report_to_unit_id: int | None = Field(None, description=REPORT_TO_HELP)
    place: str = ""
    theme: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    venue: str = ""
    event_form: str = ""
    assignments: list[AssignmentIO] = []
    extra_legal_bases: list[str] = []
    addressees: list[str] = []
    symbol_suffix: str = ""
    report_kinds: list[str] = []
    replaces_id: int | None = None
    second_person_required: bool | None = None


class DocumentPatch(Schema):
    version: int | None = None
    kind: str | None = None
    subject: str | None = None
    based_on: list[int] | None = None
    sections: list[SectionIO] | None = None
    recipients: list[RecipientIO] | None = None
    signer: SignerIO | None = None
    report_due_on: date | None = None
    report_to_unit_id: int | None = Field(None, description=REPORT_TO_HELP)
    place: str | None = None
    theme: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    venue: str | None = None
    event_form: str | None = None
    assignments: list[AssignmentIO] | None = None
    extra_legal_bases: list[str] | None = None
    addressees: list[str] | None = None
    symbol_suffix: str | None = None
    report_kinds: list[str] | None = None


class DocumentOut(Schema):
    id: int
    campaign_id: int | None
    kind: str
    state: str
    state_label: str
    issuer_unit_id: int
    issuer_name: str
    drafting_unit_id: int
    number: int | None
    symbol: str
    reference: str
    issued_on: date | None
    place: str
    subject: str
    based_on: list[int]
    legal_bases: list[LegalBaseOut]
    extra_legal_bases: list[str]
    sections: list[SectionIO]
    recipients: list[RecipientIO]
    assignments: list[AssignmentIO]
    signer: SignerIO
    report_due_on: date | None
    report_to_unit_id: int | None = Field(description=REPORT_TO_HELP)
    reports_to_unit_id: int = Field(
        description="Đơn vị các nơi nhận báo cáo về: đơn vị được chỉ định, nếu không thì "
        "cơ quan ban hành."
    )
    reports_to_name: str
    theme: str
    starts_on: date | None
    ends_on: date | None
    venue: str
    event_form: str
    version: int
    returned_reason: str
    replaces_id: int | None
    second_person_required: bool


class DocumentListItem(Schema):
    id: int
    campaign_id: int | None
    kind: str
    state: str
    issuer_unit_id: int
    issuer_name: str
    number: int | None
    symbol: str
    issued_on: date | None
    subject: str


class DocumentPage(Schema):
    count: int
    items: list[DocumentListItem]
    next: str | None


class ConsultationIn(Schema):
    unit_ids: list[int] = []
    due_on: date | None = None


class ResponseIn(Schema):
    agree: bool
    comment: str = ""
    unit_id: int | None = None


class ResponseOut(Schema):
    unit_id: int
    unit_name: str
    answer: str
    comment: str


class PendingOut(Schema):
    unit_id: int
    unit_name: str


class ConsultationOut(Schema):
    due_on: date
    responses: list[ResponseOut]
    pending: list[PendingOut] = []


class ReturnIn(Schema):
    reason: str = ""


class IssueIn(Schema):
    pass


class InboxItem(Schema):
    id: int
    document_id: int
    unit_id: int
    unit_name: str
    number: int | None
    symbol: str
    issued_on: date | None
    issuer_name: str
    subject: str
    kind: str
    delivered_at: datetime
    read_at: datetime | None
    legal_bases: list[LegalBaseOut]


class InboxPage(Schema):
    count: int
    items: list[InboxItem]
    next: str | None


class DeliveryOut(Schema):
    unit_id: int
    unit_name: str
    delivered_at: datetime
    read_at: datetime | None


class VersionOut(Schema):
    version: int
    note: str
    created_at: datetime
    snapshot: dict


# ---- helpers ---------------------------------------------------------------------


def _base(d: Document) -> dict:
    return {
        "id": d.pk,
        "number": d.number,
        "symbol": d.symbol,
        "issued_on": d.issued_on,
        "issuer_name": d.issuer_unit.name,
        "subject": d.subject,
    }


def document_out(d: Document, chain: list[Document] | None = None) -> dict:
    chain = selectors.legal_bases(d) if chain is None else chain
    return {
        "id": d.pk,
        "campaign_id": d.campaign_id,
        "kind": d.kind,
        "state": d.state,
        "state_label": d.get_state_display(),
        "issuer_unit_id": d.issuer_unit_id,
        "issuer_name": d.issuer_unit.name,
        "drafting_unit_id": d.drafting_unit_id,
        "number": d.number,
        "symbol": d.symbol,
        "reference": d.reference,
        "issued_on": d.issued_on,
        "place": d.place,
        "subject": d.subject,
        "based_on": [p.pk for p in d.based_on.all()],
        "legal_bases": [_base(b) for b in chain],
        "extra_legal_bases": d.extra_legal_bases,
        "sections": d.sections,
        "recipients": [
            {"unit_id": r.unit_id, "text": r.text or None, "reports": r.reports}
            for r in d.recipients.all()
        ],
        "assignments": [
            {
                "unit_id": a.unit_id,
                "unit_kind": a.unit_kind,
                "text": a.text,
                "due_on": a.due_on,
                "heading": a.heading,
            }
            for a in d.assignments.all()
        ],
        "signer": {
            "authority": d.signer_authority,
            "title": d.signer_title,
            "name": d.signer_name,
        },
        "report_due_on": d.report_due_on,
        "report_to_unit_id": d.report_to_unit_id,
        "reports_to_unit_id": d.reports_to.pk,
        "reports_to_name": d.reports_to.name,
        "theme": d.theme,
        "starts_on": d.starts_on,
        "ends_on": d.ends_on,
        "venue": d.venue,
        "event_form": d.event_form,
        "version": d.version,
        "returned_reason": d.returned_reason,
        "replaces_id": d.replaces_id,
        "second_person_required": d.second_person_required,
    }


def _units_by_id(ids: list[int], field: str) -> dict[int, Unit]:
    units = Unit.objects.in_bulk(ids)
    missing = [i for i in ids if i not in units]
    if missing:
        raise ValidationError(
            {field: f"Không tìm thấy đơn vị: {', '.join(str(i) for i in missing)}."}
        )
    return units


def _recipients(items: list[RecipientIO]) -> list[services.RecipientIn]:
    units = _units_by_id([r.unit_id for r in items if r.unit_id], "recipients")
    return [
        services.RecipientIn(
            unit=units[r.unit_id] if r.unit_id else None, text=r.text or "", reports=r.reports
        )
        for r in items
    ]


def _assignments(items: list[AssignmentIO]) -> list[services.AssignmentIn]:
    units = _units_by_id([a.unit_id for a in items if a.unit_id], "assignments")
    return [
        services.AssignmentIn(
            text=a.text,
            unit=units[a.unit_id] if a.unit_id else None,
            unit_kind=a.unit_kind,
            due_on=a.due_on,
            heading=a.heading,
        )
        for a in items
    ]


def _report_to(unit_id: int | None) -> Unit | None:
    if unit_id is None:
        return None
    return _units_by_id([unit_id], "report_to_unit_id")[unit_id]


def _based_on(user, ids: list[int]) -> list[Document]:
    found = selectors.documents_visible(user).in_bulk(ids)
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError(
            {"based_on": f"Không tìm thấy văn bản căn cứ: {', '.join(str(i) for i in missing)}."}
        )
    return [found[i] for i in ids]


def _issuer(user, issuer_id: int | None) -> Unit | None:
    """A unit the caller may draft for (``can_draft_for``); any other is not found."""
    if issuer_id is None:
        return None
    unit = Unit.objects.filter(pk=issuer_id).first()
    if unit is None or not can_draft_for(user, unit):
        raise NotFound
    return unit


def _get(request, document_id) -> Document:
    return selectors.document_get_for_user(request.auth, document_id)


# ---- endpoints -------------------------------------------------------------------


@router.get("/documents", response=DocumentPage)
def documents(
    request,
    campaign: int | None = None,
    issuer: int | None = None,
    kind: str = "",
    state: str = "",
    q: str = "",
    page: int = 1,
    page_size: int = 50,
):
    qs = selectors.documents_list(
        user=request.auth, campaign=campaign, issuer=issuer, kind=kind, state=state, q=q
    )
    items, count, next_url = page_of(request, qs, page=page, page_size=page_size)
    return {
        "count": count,
        "items": [
            {
                "id": d.pk,
                "campaign_id": d.campaign_id,
                "kind": d.kind,
                "state": d.state,
                "issuer_unit_id": d.issuer_unit_id,
                "issuer_name": d.issuer_unit.name,
                "number": d.number,
                "symbol": d.symbol,
                "issued_on": d.issued_on,
                "subject": d.subject,
            }
            for d in items
        ],
        "next": next_url,
    }


@router.get("/documents.xlsx")
def documents_xlsx(
    request,
    campaign: int | None = None,
    issuer: int | None = None,
    kind: str = "",
    state: str = "",
    q: str = "",
):
    """``GET /documents`` with the same filters as one .xlsx (every row, no pages): a title
    row naming the unit and the filters, dates as dates. With ``issuer``: that unit's
    outgoing documents."""
    issuer_unit = None
    if issuer is not None:
        issuer_unit = Unit.objects.filter(pk=issuer).first()
        if issuer_unit is None:
            raise NotFound
    memberships = memberships_for_user(request.auth)
    data = list_exports.documents_xlsx(
        user=request.auth,
        scope_name=memberships[0].unit.name if memberships else request.auth.get_username(),
        campaign=campaign,
        issuer=issuer_unit,
        kind=kind,
        state=state,
        q=q.strip(),
    )
    return xlsx_attachment(data, f"van-ban-di-{issuer}.xlsx" if issuer else "van-ban.xlsx")


@router.post("/documents", response={201: DocumentOut})
def document_create(request, payload: DocumentIn):
    user = request.auth
    drafting = (
        unit_get_for_user(user, payload.drafting_unit_id) if payload.drafting_unit_id else None
    )
    issuer = _issuer(user, payload.issuer_unit_id)
    if drafting is None and issuer is not None and payload.drafting_unit_id is None:
        drafting = issuer
    campaign = campaign_get(payload.campaign_id) if payload.campaign_id else None
    replaces = (
        selectors.document_get_for_user(user, payload.replaces_id) if payload.replaces_id else None
    )
    document = services.document_create(
        user=user,
        campaign=campaign,
        kind=payload.kind,
        issuer_unit=issuer,
        drafting_unit=drafting,
        subject=payload.subject,
        based_on=_based_on(user, payload.based_on),
        sections=[s.dict() for s in payload.sections],
        recipients=_recipients(payload.recipients),
        assignments=_assignments(payload.assignments),
        signer=payload.signer.dict() if payload.signer else None,
        report_due_on=payload.report_due_on,
        report_kinds=payload.report_kinds,
        report_to_unit=_report_to(payload.report_to_unit_id),
        place=payload.place,
        theme=payload.theme,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        venue=payload.venue,
        event_form=payload.event_form,
        extra_legal_bases=payload.extra_legal_bases,
        addressees=payload.addressees,
        symbol_suffix=payload.symbol_suffix,
        replaces=replaces,
        second_person_required=payload.second_person_required,
    )
    return Status(201, document_out(document))


@router.get("/documents/{document_id}", response=DocumentOut)
def document_detail(request, document_id: int):
    document = _get(request, document_id)
    services.document_mark_read(document=document, user=request.auth)
    return document_out(document)


@router.patch("/documents/{document_id}", response=DocumentOut)
def document_patch(request, document_id: int, payload: DocumentPatch):
    user = request.auth
    document = _get(request, document_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version", None)
    kwargs = {}
    if "based_on" in data:
        kwargs["based_on"] = _based_on(user, data.pop("based_on") or [])
    if "recipients" in data:
        data.pop("recipients")
        kwargs["recipients"] = _recipients(payload.recipients or [])
    if "assignments" in data:
        data.pop("assignments")
        kwargs["assignments"] = _assignments(payload.assignments or [])
    if "signer" in data:
        kwargs["signer"] = data.pop("signer") or {}
    if "report_to_unit_id" in data:
        data["report_to_unit"] = _report_to(data.pop("report_to_unit_id"))
    if "event_form" in data and data["event_form"] is None:
        data["event_form"] = ""
    document = services.document_update(
        document=document, user=user, version=version, **kwargs, **data
    )
    return document_out(document)


@router.post("/documents/{document_id}/consultation", response={201: ConsultationOut})
def consultation_send(request, document_id: int, payload: ConsultationIn):
    document = _get(request, document_id)
    units = _units_by_id(payload.unit_ids, "unit_ids")
    services.consultation_send(
        document=document,
        user=request.auth,
        units=[units[i] for i in payload.unit_ids],
        due_on=payload.due_on,
    )
    return Status(201, _consultation_out(document))


def _consultation_out(document: Document) -> dict:
    table = selectors.consultation_table(document)
    if table is None:
        raise NotFound
    return {
        "due_on": table["due_on"],
        # API.md: answers are agree, comment or (after the deadline) silent; units that
        # may still answer are listed apart.
        "responses": [
            {
                "unit_id": r["unit_id"],
                "unit_name": r["unit_name"],
                "answer": r["answer"],
                "comment": r["comment"],
            }
            for r in table["rows"]
            if r["answer"] != "pending"
        ],
        "pending": [
            {"unit_id": r["unit_id"], "unit_name": r["unit_name"]}
            for r in table["rows"]
            if r["answer"] == "pending"
        ],
    }


@router.get("/documents/{document_id}/consultation", response=ConsultationOut)
def consultation_detail(request, document_id: int):
    return _consultation_out(_get(request, document_id))


@router.post("/documents/{document_id}/consultation/responses", response={201: ResponseOut})
def consultation_respond(request, document_id: int, payload: ResponseIn):
    document = _get(request, document_id)
    unit = unit_get_for_user(request.auth, payload.unit_id) if payload.unit_id else None
    response = services.consultation_respond(
        document=document,
        user=request.auth,
        agree=payload.agree,
        comment=payload.comment,
        unit=unit,
    )
    return Status(
        201,
        {
            "unit_id": response.unit_id,
            "unit_name": response.unit.name,
            "answer": response.answer,
            "comment": response.comment,
        },
    )


@router.post("/documents/{document_id}/submit", response=DocumentOut)
def document_submit(request, document_id: int):
    document = services.document_submit(document=_get(request, document_id), user=request.auth)
    return document_out(document)


@router.post("/documents/{document_id}/approve", response=DocumentOut)
def document_approve(request, document_id: int):
    document = services.document_approve(document=_get(request, document_id), user=request.auth)
    return document_out(document)


@router.post("/documents/{document_id}/return", response=DocumentOut)
def document_return(request, document_id: int, payload: ReturnIn):
    document = services.document_return(
        document=_get(request, document_id), user=request.auth, reason=payload.reason
    )
    return document_out(document)


@router.post("/documents/{document_id}/issue", response=DocumentOut)
def document_issue(request, document_id: int):
    document = services.document_issue(document=_get(request, document_id), user=request.auth)
    return document_out(document)


@router.get("/documents/{document_id}/file")
def document_file(request, document_id: int, format: str = "docx", signed: bool = False):
    """``format=docx|pdf|edxml``; ``pdf&signed=1`` the digitally signed PDF of an issued document
    (problem+json with ``code`` ``signing_key_missing``, ``signing_key_password``,
    ``not_issued`` or ``pdf_unavailable`` when it cannot be made)."""
    document = _get(request, document_id)
    services.document_mark_read(document=document, user=request.auth)
    if format == "pdf" and signed:
        from lantoa.api.edocs import signed_pdf_response

        return signed_pdf_response(document)
    if format == "edxml":
        from lantoa.api.edocs import edxml_response

        return edxml_response(document)
    if format == "docx":
        data, mime = output.document_docx(document), DOCX_MIME
    elif format == "pdf":
        if not pdf_available():
            return problem(
                501, "Máy chủ chưa cài LibreOffice nên chưa xuất được PDF; hãy tải bản DOCX."
            )
        data, mime = output.document_pdf(document), "application/pdf"
        if data is None:
            return problem(503, "Không chuyển được văn bản sang PDF; hãy tải bản DOCX.")
    else:
        return problem(400, "Định dạng không hợp lệ: chỉ hỗ trợ docx hoặc pdf.")
    response = HttpResponse(data, content_type=mime)
    name = output.document_filename(document, format)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get("/documents/{document_id}/deliveries", response=list[DeliveryOut])
def document_deliveries(request, document_id: int):
    document = _get(request, document_id)
    return [
        {
            "unit_id": d.unit_id,
            "unit_name": d.unit.name,
            "delivered_at": d.delivered_at,
            "read_at": d.read_at,
        }
        for d in selectors.deliveries_for_document(document, user=request.auth)
    ]


class AssignmentProgressOut(Schema):
    assignment_id: int
    heading: str
    text: str
    unit_id: int
    unit_name: str
    due_on: date | None
    status: str
    status_label: str
    note: str
    updated_at: datetime | None
    overdue: bool


@router.get("/documents/{document_id}/assignments", response=list[AssignmentProgressOut])
def document_assignments(request, document_id: int):
    """For the issuer (authors, approvers): every duty per addressed unit, with status, due
    date and an overdue flag."""
    document = _get(request, document_id)
    rows = selectors.assignment_progress(document, user=request.auth)
    return [{**r, "status_label": str(r["status_label"])} for r in rows]


@router.get("/documents/{document_id}/versions", response=list[VersionOut])
def document_versions(request, document_id: int):
    document = _get(request, document_id)
    return [
        {"version": v.version, "note": v.note, "created_at": v.created_at, "snapshot": v.snapshot}
        for v in selectors.versions_for_document(document, user=request.auth)
    ]


class InboxQuery(Schema):
    page: int = 1
    page_size: int = 50


@router.get("/inbox", response=InboxPage)
def inbox(request, params: Query[InboxQuery]):
    qs = selectors.inbox_for_user(user=request.auth)
    items, count, next_url = page_of(request, qs, page=params.page, page_size=params.page_size)
    chains = selectors.legal_bases_map([d.document for d in items])
    return {
        "count": count,
        "items": [
            {
                "id": d.pk,
                "document_id": d.document_id,
                "unit_id": d.unit_id,
                "unit_name": d.unit.name,
                "number": d.document.number,
                "symbol": d.document.symbol,
                "issued_on": d.document.issued_on,
                "issuer_name": d.document.issuer_unit.name,
                "subject": d.document.subject,
                "kind": d.document.kind,
                "delivered_at": d.delivered_at,
                "read_at": d.read_at,
                "legal_bases": [_base(b) for b in chains[d.document_id]],
            }
            for d in items
        ],
        "next": next_url,
    }


@router.get("/inbox.xlsx")
def inbox_xlsx(request):
    """``GET /inbox`` as one .xlsx (every row, newest first)."""
    return xlsx_attachment(list_exports.inbox_xlsx(user=request.auth), "hop-thu-den.xlsx")
