"""Pages for documents: inbox, list, write (based on a received one), consult, approve, issue."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lantoa.accounts.selectors import (
    memberships_for_user,
)
from lantoa.campaigns.models import Campaign
from lantoa.campaigns.selectors import campaign_current, campaigns_list
from lantoa.core.dates import parse_vietnamese_date
from lantoa.core.errors import Conflict, PermissionDeniedError, error_messages
from lantoa.core.spreadsheets import xlsx_attachment
from lantoa.documents import list_exports, output, selectors, services
from lantoa.documents.forms import (
    document_form_data,
    posted_duties,
    posted_ids,
    posted_sections,
)
from lantoa.documents.models import (
    AssignmentProgress,
    Document,
    DocumentKind,
    DocumentState,
    EventForm,
    IssuerSetting,
)
from lantoa.documents.permissions import (
    can_approve,
    can_draft_for,
    can_edit_document,
    can_respond_consultation,
    can_see_deliveries,
    can_see_versions,
    can_set_issuer_rule,
    draftable_issuers,
    drafting_units,
    is_author,
)
from lantoa.documents.rendering import pdf_available
from lantoa.documents.signers import signers_for_unit
from lantoa.documents.signing import signing_configured
from lantoa.history.selectors import history_for_object
from lantoa.units.models import SCHOOL_KINDS, Unit, UnitKind

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DUTY_ROWS = 6
DEFAULT_SECTIONS = [
    ("purpose", "I. MỤC ĐÍCH, YÊU CẦU"),
    ("theme", "II. CHỦ ĐỀ"),
    ("time", "III. THỜI GIAN, ĐỊA ĐIỂM, HÌNH THỨC TỔ CHỨC"),
    ("activities", "IV. CÁC HOẠT ĐỘNG TRONG TUẦN LỄ"),
    ("organisation", "V. TỔ CHỨC THỰC HIỆN"),
    ("reporting", "VI. CHẾ ĐỘ BÁO CÁO"),
]


def _document(request, document_id) -> Document:
    return selectors.document_get_for_user(request.user, document_id)


def _error_text(exc) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(e["message"] for e in error_messages(exc))
    return getattr(exc, "detail", str(exc))


def _current_unit(request) -> Unit | None:
    m = getattr(request, "membership", None)
    if m is not None:
        return m.unit
    ms = memberships_for_user(request.user)
    return ms[0].unit if ms else None


@login_required
def index(request):
    tab = request.GET.get("tab", "inbox")
    unit = _current_unit(request)
    context = {
        "tab": tab,
        "unit": unit,
        "kinds": DocumentKind.choices,
        "states": DocumentState.choices,
        "can_set_rule": bool(unit and can_set_issuer_rule(request.user, unit)),
    }
    if tab in ("list", "outgoing"):
        filters = _list_filters(request)
        issuer = unit if tab == "outgoing" else None
        if tab == "outgoing" and unit is None:
            qs = Document.objects.none()
        else:
            qs = selectors.documents_list(
                user=request.user, issuer=issuer.pk if issuer else None, **filters
            )
        context["page"] = Paginator(qs, 50).get_page(request.GET.get("page"))
        context["campaigns"] = campaigns_list()
        context["filters"] = request.GET
        context["xlsx_query"] = _xlsx_query(filters, issuer)
        if request.htmx:
            return render(request, "documents/_list.html", context)
    elif tab == "tasks":
        context["tasks"] = selectors.tasks_for_unit(unit=unit) if unit else []
        context["progress"] = AssignmentProgress.choices
    else:
        page = Paginator(selectors.inbox_for_user(user=request.user), 50).get_page(
            request.GET.get("page")
        )
        chains = selectors.legal_bases_map([d.document for d in page.object_list])
        context["page"] = page
        context["rows"] = [(d, chains[d.document_id]) for d in page.object_list]
    return render(request, "documents/index.html", context)


def _list_filters(request) -> dict:
    campaign = request.GET.get("campaign") or ""
    return {
        "campaign": int(campaign) if campaign.isdigit() else None,
        "kind": request.GET.get("kind", ""),
        "state": request.GET.get("state", ""),
        "q": request.GET.get("q", "").strip(),
    }


def _xlsx_query(filters: dict, issuer: Unit | None) -> str:
    params = {k: v for k, v in filters.items() if v}
    if issuer is not None:
        params["issuer"] = issuer.pk
    return urlencode(params)


@login_required
def inbox_xlsx(request):
    return xlsx_attachment(list_exports.inbox_xlsx(user=request.user), "hop-thu-den.xlsx")


@login_required
def documents_xlsx(request):
    """The list tab ("Tất cả văn bản") or, with ``issuer``, the outgoing tab, as filtered."""
    issuer_id = request.GET.get("issuer") or ""
    issuer = None
    if issuer_id:
        issuer = Unit.objects.filter(pk=int(issuer_id) if issuer_id.isdigit() else 0).first()
        if issuer is None:
            raise Http404
    unit = _current_unit(request)
    data = list_exports.documents_xlsx(
        user=request.user,
        scope_name=unit.name if unit else request.user.get_username(),
        issuer=issuer,
        **_list_filters(request),
    )
    return xlsx_attachment(data, f"van-ban-di-{issuer.pk}.xlsx" if issuer else "van-ban.xlsx")


_issuer_choices = draftable_issuers
_drafting_choices = drafting_units


def _default_drafter(user) -> Unit | None:
    """The deepest unit the user drafts for (the education office rather than the committee)."""
    units = _drafting_choices(user)
    return max(units, key=lambda u: u.depth) if units else None


def _target_choices(area: Unit) -> list[tuple[str, str]]:
    children = Unit.objects.filter(path__startswith=area.path, depth=area.depth + 1).order_by(
        "kind", "name"
    )[:300]
    kinds = [(f"kind:{k}", _("Tất cả: %(k)s") % {"k": label}) for k, label in UnitKind.choices]
    return [(f"unit:{u.pk}", u.name) for u in children] + kinds


def _parse_date(value: str) -> date | None:
    try:
        return parse_vietnamese_date(value)
    except ValidationError:
        raise ValidationError(
            {"date": _("Ngày “%(v)s” không hợp lệ (dd/mm/yyyy).") % {"v": value}}
        ) from None


def _form_data(request, issuer: Unit | None) -> dict:
    """The editor's fields and rows, through ``documents.forms`` (Django forms)."""
    return document_form_data(request.POST, user=request.user, issuer=issuer)


def _form_context(request, *, initial: dict, document: Document | None, errors=None) -> dict:
    issuer = initial.get("issuer")
    area = services.document_area(issuer) if issuer else None
    recipient_units = initial.get("recipient_units", [])
    candidates = list(initial.get("recipients_all", recipient_units))
    duties = list(initial.get("duties", []))
    duties += [{"target": "", "text": "", "due_on": None}] * max(0, DUTY_ROWS - len(duties))
    return {
        "document": document,
        "initial": initial,
        "issuers": _issuer_choices(request.user),
        "drafters": _drafting_choices(request.user),
        "campaigns": campaigns_list(),
        "kinds": DocumentKind.choices,
        "forms": EventForm.choices,
        "sections": initial.get("sections", []),
        "recipient_candidates": candidates,
        "recipient_selected": {u.pk for u in recipient_units},
        "recipient_informed": set(initial.get("recipient_info", ())),
        "report_to_candidates": _report_to_candidates(issuer, initial.get("report_to"))
        if issuer
        else [],
        "targets": _target_choices(area) if area else [],
        "duties": duties,
        "duty_rows": len(duties),
        "unit_signers": signers_for_unit(issuer) if issuer else [],
        "field_errors": _field_errors(errors),
    }


def _field_errors(exc) -> dict[str, str]:
    """Messages of a refused save by field name, shown beside their inputs."""
    if not isinstance(exc, ValidationError):
        return {}
    found: dict[str, list[str]] = {}
    for e in error_messages(exc):
        if e["field"]:
            found.setdefault(e["field"], []).append(e["message"])
    return {field: " ".join(texts) for field, texts in found.items()}


@login_required
def document_new(request):
    parent = None
    if request.GET.get("based_on") or request.POST.get("parent"):
        parent = _document(request, request.GET.get("based_on") or request.POST.get("parent"))
    issuers = _issuer_choices(request.user)
    if not issuers:
        raise Http404
    wanted = request.POST.get("issuer_unit") or request.GET.get("issuer")
    issuer = next((u for u in issuers if str(u.pk) == str(wanted)), None)
    if wanted and issuer is None:
        raise Http404  # not a unit the user may draft for (can_draft_for)
    issuer = issuer or _default_issuer(request, issuers)
    replaces = None
    if request.GET.get("replaces") or request.POST.get("replaces"):
        replaces = _document(request, request.GET.get("replaces") or request.POST.get("replaces"))
        if not replaces.is_issued or not can_draft_for(request.user, replaces.issuer_unit):
            raise Http404
        issuer = replaces.issuer_unit
    if request.method == "POST":
        drafting = next(
            (
                u
                for u in _drafting_choices(request.user)
                if str(u.pk) == request.POST.get("drafting_unit")
            ),
            None,
        )
        campaign = Campaign.objects.filter(pk=request.POST.get("campaign") or 0).first()
        try:
            data = _form_data(request, issuer)
            document = services.document_create(
                user=request.user,
                campaign=campaign,
                issuer_unit=issuer,
                drafting_unit=drafting,
                replaces=replaces,
                **data,
            )
        except (ValidationError, PermissionDeniedError, Conflict) as exc:
            messages.error(request, _error_text(exc))
            initial = _initial_from_post(request, issuer)
            initial["replaces"] = replaces
            return render(
                request,
                "documents/form.html",
                _form_context(request, initial=initial, document=None, errors=exc),
                status=400,
            )
        messages.success(request, _("Đã lưu dự thảo."))
        return redirect("documents:detail", document_id=document.pk)
    if replaces is not None:
        initial = {
            **_initial_from_document(replaces),
            "replaces": replaces,
            "drafting": replaces.drafting_unit,
        }
    elif parent is not None:
        pre = selectors.plan_prefill(parent=parent, issuer=issuer)
        initial = {
            **_default_signer_initial(issuer),
            **pre,
            "parent": parent,
            "recipient_units": pre["recipients"],
            "recipients_all": _recipient_candidates(
                issuer, parent.campaign.starts_on if parent.campaign else None
            ),
            "recipient_text": "Lưu: VT.",
            "drafting": _default_drafter(request.user),
        }
    else:
        campaign = campaign_current()
        initial = {
            "campaign": campaign,
            "kind": request.GET.get("kind", "ke_hoach"),
            "issuer": issuer,
            "theme": campaign.theme if campaign else "",
            "starts_on": campaign.starts_on if campaign else None,
            "ends_on": campaign.ends_on if campaign else None,
            "sections": [{"key": k, "heading": h, "body": ""} for k, h in DEFAULT_SECTIONS],
            "place": issuer.place_name,
            "recipients_all": _recipient_candidates(issuer, timezone.localdate()),
            "recipient_units": [],
            "recipient_text": "Lưu: VT.",
            "drafting": _default_drafter(request.user),
            **_default_signer_initial(issuer),
            "based_on": [],
            "legal_bases": [],
        }
    return render(
        request, "documents/form.html", _form_context(request, initial=initial, document=None)
    )


def _default_signer_initial(issuer: Unit) -> dict:
    first = next(iter(signers_for_unit(issuer)), None)
    if first is None:
        return {}
    return {
        "signer_authority": first.authority,
        "signer_title": first.title,
        "signer_name": first.name,
    }


def _children(issuer: Unit, on: date | None = None) -> list[Unit]:
    area = services.document_area(issuer)
    qs = Unit.objects.filter(path__startswith=area.path, depth=area.depth + 1).exclude(pk=issuer.pk)
    if on:
        qs = qs.active_on(on)
    return list(qs.order_by("kind", "name")[:300])


def _recipient_candidates(issuer: Unit, on: date | None = None) -> list[Unit]:
    """The area's children, then its schools and centres ("các trường học trên địa bàn")."""
    area = services.document_area(issuer)
    if area.depth < 3:
        # a ministry or a province addresses its children, not every school
        return _children(issuer, on)
    schools = Unit.objects.filter(
        path__startswith=area.path,
        depth__gt=area.depth + 1,
        kind__in=[*SCHOOL_KINDS, UnitKind.TT_GDNN_GDTX],
    )
    if on:
        schools = schools.active_on(on)
    return _children(issuer, on) + list(schools.order_by("path")[:300])


def _report_to_candidates(issuer: Unit, current: Unit | None) -> list[Unit]:
    """Units a plan may name in "báo cáo về" besides its issuer: the area it governs
    (the committee a steering committee or a department works for) and the area's units."""
    area = services.document_area(issuer)
    units = ([area] if area.pk != issuer.pk else []) + _children(issuer)
    if current is not None and current.pk not in {u.pk for u in units}:
        units.append(current)
    return units


def _default_issuer(request, issuers: list[Unit]) -> Unit:
    unit = _current_unit(request)
    return next((u for u in issuers if unit and u.pk == unit.pk), issuers[0])


def _initial_from_post(request, issuer) -> dict:
    post = request.POST
    sections = posted_sections(post)
    ids = posted_ids(post, "recipient_units")
    info = posted_ids(post, "recipient_info")
    based = list(
        selectors.documents_visible(request.user).filter(pk__in=posted_ids(post, "based_on"))
    )
    duties = posted_duties(post)
    return {
        "issuer": issuer,
        "kind": post.get("kind"),
        "subject": post.get("subject", ""),
        "theme": post.get("theme", ""),
        "venue": post.get("venue", ""),
        "place": post.get("place", ""),
        "event_form": post.get("event_form", ""),
        "report_due_raw": post.get("report_due_on", ""),
        "starts_raw": post.get("starts_on", ""),
        "ends_raw": post.get("ends_on", ""),
        "sections": sections,
        "recipient_units": list(Unit.objects.filter(pk__in=ids + info)),
        "recipient_info": info,
        "report_to": _posted_unit(post.get("report_to_unit", "")),
        "recipients_all": _recipient_candidates(issuer) if issuer else [],
        "recipient_text": post.get("recipient_text", ""),
        "based_on": based,
        "legal_bases": based,
        "duties": duties,
        "signer_authority": post.get("signer_authority", ""),
        "signer_title": post.get("signer_title", ""),
        "signer_name": post.get("signer_name", ""),
    }


def _posted_unit(value: str) -> Unit | None:
    return (
        Unit.objects.filter(pk=int(value)).first() if value.isdigit() and len(value) <= 18 else None
    )


@login_required
def document_edit(request, document_id):
    document = _document(request, document_id)
    if not document.is_editable:
        messages.error(request, _("Văn bản đã ban hành hoặc đang trình ký, không thể sửa."))
        return redirect("documents:detail", document_id=document.pk)
    if not can_edit_document(request.user, document):
        raise Http404
    if request.method == "POST":
        try:
            data = _form_data(request, document.issuer_unit)
            data.pop("kind", None)
            services.document_update(
                document=document,
                user=request.user,
                version=request.POST.get("version"),
                **data,
            )
        except (ValidationError, PermissionDeniedError, Conflict) as exc:
            messages.error(request, _error_text(exc))
            initial = _initial_from_post(request, document.issuer_unit)
            return render(
                request,
                "documents/form.html",
                _form_context(request, initial=initial, document=document, errors=exc),
                status=400,
            )
        messages.success(request, _("Đã lưu thay đổi."))
        return redirect("documents:detail", document_id=document.pk)
    initial = _initial_from_document(document)
    return render(
        request, "documents/form.html", _form_context(request, initial=initial, document=document)
    )


def _initial_from_document(document: Document) -> dict:
    recipients = list(document.recipients.select_related("unit"))
    units = [r.unit for r in recipients if r.unit_id]
    return {
        "issuer": document.issuer_unit,
        "kind": document.kind,
        "campaign": document.campaign,
        "subject": document.subject,
        "theme": document.theme,
        "venue": document.venue,
        "place": document.place,
        "event_form": document.event_form,
        "report_due_on": document.report_due_on,
        "starts_on": document.starts_on,
        "ends_on": document.ends_on,
        "sections": document.sections,
        "recipient_units": units,
        "recipient_info": [r.unit_id for r in recipients if r.for_information],
        "report_to": document.report_to_unit,
        "recipients_all": list(dict.fromkeys(units + _recipient_candidates(document.issuer_unit))),
        "recipient_text": "\n".join(r.text for r in recipients if not r.unit_id),
        "based_on": list(document.based_on.all()),
        "legal_bases": selectors.legal_bases(document),
        "duties": [
            {
                "target": f"unit:{a.unit_id}" if a.unit_id else f"kind:{a.unit_kind}",
                "text": a.text,
                "due_on": a.due_on,
            }
            for a in document.assignments.all()
        ],
        "signer_authority": document.signer_authority,
        "signer_title": document.signer_title,
        "signer_name": document.signer_name,
    }


def _detail_context(request, document: Document) -> dict:
    user = request.user
    table = selectors.consultation_table(document)
    answerable = []
    if table and document.state == DocumentState.CONSULTATION and not table["closed"]:
        answered = {r["unit_id"] for r in table["rows"] if r["response"]}
        answerable = [
            r["unit"]
            for r in table["rows"]
            if r["unit_id"] not in answered and can_respond_consultation(user, r["unit"])
        ]
    author = is_author(user, document)
    can_edit = can_edit_document(user, document)
    approver = can_approve(user, document)
    may_see_versions = can_see_versions(user, document)
    consult_candidates = []
    if can_edit and document.state in (DocumentState.DRAFT, DocumentState.RETURNED):
        consult_candidates = _children(
            document.issuer_unit,
            document.campaign.starts_on if document.campaign else timezone.localdate(),
        )
    return {
        "document": document,
        "legal_bases": selectors.legal_bases(document),
        "recipients": list(document.recipients.select_related("unit")),
        "assignments": [
            (a, selectors.assignment_label(a)) for a in document.assignments.select_related("unit")
        ],
        "consultation": table,
        "answerable": answerable,
        "is_author": author,
        "can_edit": can_edit,
        "can_replace": author and can_draft_for(user, document.issuer_unit),
        "can_approve": approver,
        "deliveries": selectors.deliveries_for_document(document, user=user)
        if document.is_issued and can_see_deliveries(user, document)
        else [],
        "versions": selectors.versions_for_document(document, user=user)
        if may_see_versions
        else [],
        "pdf_available": pdf_available(),
        "attachments": list(document.attachments.all()),
        "signing_configured": document.is_issued and signing_configured(document.issuer_unit),
        "can_attach": can_edit and document.is_editable,
        "consult_candidates": consult_candidates,
        "today": timezone.localdate(),
        "replaced_by": list(document.replaced_by.all()),
        "history": list(history_for_object(obj=document).order_by("-created_at", "-id")[:50])
        if may_see_versions
        else [],
    }


@login_required
def document_detail(request, document_id):
    document = _document(request, document_id)
    services.document_mark_read(document=document, user=request.user)
    return render(request, "documents/detail.html", _detail_context(request, document))


def _action(request, document_id, do, success: str):
    document = _document(request, document_id)
    try:
        do(document)
    except (ValidationError, PermissionDeniedError, Conflict) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, success)
    return redirect("documents:detail", document_id=document.pk)


@login_required
@require_POST
def document_consult(request, document_id):
    def do(document):
        ids = [int(x) for x in request.POST.getlist("unit_ids") if x.isdigit()]
        units = list(Unit.objects.filter(pk__in=ids))
        services.consultation_send(
            document=document,
            user=request.user,
            units=units,
            due_on=_parse_date(request.POST.get("due_on")),
        )

    return _action(request, document_id, do, _("Đã gửi dự thảo lấy ý kiến."))


@login_required
@require_POST
def document_respond(request, document_id):
    document = _document(request, document_id)
    error = None
    try:
        unit_id = request.POST.get("unit_id")
        unit = (
            Unit.objects.filter(pk=int(unit_id)).first() if unit_id and unit_id.isdigit() else None
        )
        services.consultation_respond(
            document=document,
            user=request.user,
            agree=request.POST.get("answer") == "agree",
            comment=request.POST.get("comment", ""),
            unit=unit,
        )
    except (ValidationError, PermissionDeniedError, Conflict) as exc:
        error = _error_text(exc)
    if request.htmx:
        context = _detail_context(request, document)
        context["respond_error"] = error
        context["respond_ok"] = error is None
        return render(request, "documents/_consultation.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Đã gửi ý kiến góp ý."))
    return redirect("documents:detail", document_id=document.pk)


@login_required
@require_POST
def document_submit(request, document_id):
    return _action(
        request,
        document_id,
        lambda d: services.document_submit(document=d, user=request.user),
        _("Đã trình ký."),
    )


@login_required
@require_POST
def document_approve(request, document_id):
    return _action(
        request,
        document_id,
        lambda d: services.document_approve(document=d, user=request.user),
        _("Đã phê duyệt."),
    )


@login_required
@require_POST
def document_return(request, document_id):
    return _action(
        request,
        document_id,
        lambda d: services.document_return(
            document=d, user=request.user, reason=request.POST.get("reason", "")
        ),
        _("Đã trả lại dự thảo."),
    )


@login_required
@require_POST
def document_issue(request, document_id):
    return _action(
        request,
        document_id,
        lambda d: services.document_issue(document=d, user=request.user),
        _("Đã ban hành và gửi đến nơi nhận."),
    )


@login_required
def document_file(request, document_id, fmt):
    document = _document(request, document_id)
    services.document_mark_read(document=document, user=request.user)
    if fmt == "docx":
        data, mime = output.document_docx(document), DOCX_MIME
    elif fmt == "pdf":
        data = output.document_pdf(document) if pdf_available() else None
        if data is None:
            messages.error(
                request, _("Máy chủ chưa cài LibreOffice nên chưa xuất được PDF; hãy tải bản DOCX.")
            )
            return redirect("documents:detail", document_id=document.pk)
        mime = "application/pdf"
    else:
        raise Http404
    response = HttpResponse(data, content_type=mime)
    response["Content-Disposition"] = (
        f'attachment; filename="{output.document_filename(document, fmt)}"'
    )
    return response


@login_required
def document_versions(request, document_id):
    document = _document(request, document_id)
    versions = selectors.versions_for_document(document, user=request.user)
    if not versions:
        raise Http404
    try:
        a = int(request.GET.get("a") or versions[0].version)
        b = int(request.GET.get("b") or versions[-1].version)
        diff = selectors.version_diff(document=document, a=a, b=b)
    except ValueError:
        raise Http404
    return render(
        request,
        "documents/versions.html",
        {"document": document, "versions": versions, "a": a, "b": b, "diff": diff},
    )


@login_required
@require_POST
def assignment_update(request, assignment_id):
    assignment = selectors.assignment_get_for_user(request.user, assignment_id)
    unit = _current_unit(request)
    error = None
    try:
        services.assignment_status_set(
            assignment=assignment,
            unit=unit,
            user=request.user,
            status=request.POST.get("status", ""),
            note=request.POST.get("note", ""),
        )
    except (ValidationError, PermissionDeniedError) as exc:
        error = _error_text(exc)
    tasks = selectors.tasks_for_unit(unit=unit)
    row = next(t for t in tasks if t["assignment"].pk == assignment.pk)
    if request.htmx:
        return render(
            request,
            "documents/_task_row.html",
            {"t": row, "progress": AssignmentProgress.choices, "error": error},
        )
    if error:
        messages.error(request, error)
    return redirect("/van-ban/?tab=tasks")


@login_required
def issuer_settings(request):
    """Approval rule of the current unit: a second person must approve its documents."""
    unit = _current_unit(request)
    if unit is None or not can_set_issuer_rule(request.user, unit):
        raise Http404
    if request.method == "POST":
        try:
            services.issuer_setting_set(
                unit=unit,
                user=request.user,
                second_person_required=request.POST.get("second_person_required") == "on",
            )
        except PermissionDeniedError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Đã lưu quy định phê duyệt."))
        return redirect("documents:settings")
    setting = IssuerSetting.objects.filter(unit=unit).first()
    return render(
        request,
        "documents/settings.html",
        {"unit": unit, "required": bool(setting and setting.second_person_required)},
    )
