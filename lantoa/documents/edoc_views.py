"""Pages for electronic documents: attachments, signed PDFs, signature verification."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
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
