"""Pages for electronic documents: attachments, signed PDFs, signature verification."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lantoa.core.errors import Conflict, PermissionDeniedError, error_messages
from lantoa.documents import attachments as attachment_services
from lantoa.documents import selectors


def _document(request, document_id):
    return selectors.document_get_for_user(request.user, document_id)


def _error_text(exc) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(e["message"] for e in error_messages(exc))
    return getattr(exc, "detail", str(exc))


@login_required
@require_POST
def attachment_add(request, document_id):
    document = _document(request, document_id)
    try:
        attachment_services.attachment_add(
            document=document,
            user=request.user,
            upload=request.FILES.get("file"),
            title=request.POST.get("title", ""),
        )
    except (ValidationError, PermissionDeniedError, Conflict) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Đã đính kèm tài liệu."))
    return redirect("documents:detail", document_id=document.pk)


@login_required
@require_POST
def attachment_remove(request, document_id, attachment_id):
    document = _document(request, document_id)
    try:
        attachment = attachment_services.attachment_get(document, attachment_id)
        attachment_services.attachment_remove(attachment=attachment, user=request.user)
    except (ValidationError, PermissionDeniedError, Conflict) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Đã bỏ tài liệu kèm theo."))
    return redirect("documents:detail", document_id=document.pk)


@login_required
def unit_signers(request):
    """Người ký of the current unit: its approvers and admins add and change them."""
    from lantoa.documents import signers as signer_services
    from lantoa.documents.views import _current_unit

    unit = _current_unit(request)
    if unit is None or not signer_services.can_manage_signers(request.user, unit):
        raise Http404
    if request.method == "POST":
        try:
            signer = None
            if request.POST.get("signer_id"):
                signer = signer_services.signer_get(unit, request.POST["signer_id"])
            signer_services.unit_signer_save(
                unit=unit,
                user=request.user,
                signer=signer,
                authority=request.POST.get("authority", ""),
                title=request.POST.get("title", ""),
                name=request.POST.get("name", ""),
                active=request.POST.get("active", "on") == "on",
            )
        except (ValidationError, PermissionDeniedError) as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Đã lưu người ký."))
        return redirect("documents:signers")
    return render(
        request,
        "documents/signers.html",
        {"unit": unit, "signers": signer_services.signers_for_unit(unit, active_only=False)},
    )


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def document_signed_file(request, document_id):
    """The digitally signed PDF; without a configured key, say so and offer the unsigned one."""
    from lantoa.documents import output, services, signing

    document = _document(request, document_id)
    services.document_mark_read(document=document, user=request.user)
    try:
        data = signing.document_signed_pdf(document)
    except signing.SigningError as exc:
        messages.error(request, exc.detail)
        return redirect("documents:detail", document_id=document.pk)
    name = output.document_filename(document, "pdf").replace(".pdf", "-ky-so.pdf")
    return _pdf_response(data, name)


@login_required
def attachment_signed_file(request, document_id, attachment_id):
    from lantoa.documents import signing

    document = _document(request, document_id)
    try:
        attachment = attachment_services.attachment_get(document, attachment_id)
        data = signing.attachment_signed_pdf(attachment)
    except signing.SigningError as exc:
        messages.error(request, exc.detail)
        return redirect("documents:detail", document_id=document.pk)
    return _pdf_response(data, attachment.filename)


@login_required
def signature_verify(request):
    """Kiểm tra chữ ký số: upload a PDF, see every signature's status."""
    from lantoa.documents import verification

    context = {"reports": None, "error": ""}
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["error"] = _("Chưa chọn tệp PDF cần kiểm tra.")
            status = 400
        elif upload.size and upload.size > verification.MAX_BYTES:
            context["error"] = _("Tệp PDF vượt quá 30 MB.")
            status = 400
        else:
            try:
                context["reports"] = verification.verify_pdf(upload.read())
                context["filename"] = upload.name
            except verification.VerificationError as exc:
                context["error"] = exc.detail
                status = 400
    return render(request, "documents/verify.html", context, status=status)


@login_required
def document_edxml(request, document_id):
    """Download an issued document as an edXML message (QCVN 102:2016)."""
    from lantoa.documents import edxml, output, signing

    document = _document(request, document_id)
    try:
        data = edxml.edxml_export(document)
    except (edxml.EdxmlError, signing.SigningError) as exc:
        messages.error(request, exc.detail)
        return redirect("documents:detail", document_id=document.pk)
    response = HttpResponse(data, content_type="application/xml; charset=utf-8")
    name = output.document_filename(document, "edxml.xml")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def edxml_receive(request):
    """Tiếp nhận văn bản điện tử: an edXML message into the addressed units' inboxes."""
    from lantoa.documents import edxml

    error, status = "", 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error, status = _("Chưa chọn gói tin edXML."), 400
        elif upload.size and upload.size > edxml.MAX_MESSAGE_BYTES:
            error, status = _("Gói tin edXML vượt quá 60 MB."), 400
        else:
            try:
                document = edxml.edxml_import(data=upload.read(), user=request.user)
            except edxml.EdxmlError as exc:
                error, status = exc.detail, 400
            except (PermissionDeniedError, Conflict, ValidationError) as exc:
                error, status = _error_text(exc), 400
            else:
                messages.success(
                    request,
                    _("Đã tiếp nhận văn bản %(ref)s vào hộp thư đến.")
                    % {"ref": document.reference},
                )
                return redirect("documents:detail", document_id=document.pk)
    return render(request, "documents/receive.html", {"error": error}, status=status)


def _register_for(request):
    from django.utils import timezone

    from lantoa.accounts.selectors import unit_get_for_user
    from lantoa.documents import registers
    from lantoa.documents.views import _current_unit

    unit_id = request.GET.get("don_vi")
    unit = unit_get_for_user(request.user, unit_id) if unit_id else _current_unit(request)
    if unit is None:
        raise Http404
    try:
        year = int(request.GET.get("nam") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 1990), 2100)
    kind = request.GET.get("loai", "di")
    build = registers.incoming_register if kind == "den" else registers.outgoing_register
    return kind, build(unit=unit, year=year)


@login_required
def register_page(request):
    """Sổ đăng ký văn bản đi / đến of the current unit (or ``don_vi``) for a year."""
    kind, register = _register_for(request)
    return render(request, "documents/register.html", {"register": register, "kind": kind})


@login_required
def register_xlsx(request):
    from lantoa.documents import registers

    _kind, register = _register_for(request)
    response = HttpResponse(
        registers.register_xlsx(register),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{registers.register_filename(register)}"'
    )
    return response
