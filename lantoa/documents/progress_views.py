"""Duty progress for the issuer of a plan: per addressed unit, status, due date, overdue."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from lantoa.core.spreadsheets import XLSX_MIME, table_xlsx
from lantoa.documents import selectors


@login_required
def assignment_progress_page(request, document_id):
    document = selectors.document_get_for_user(request.user, document_id)
    rows = selectors.assignment_progress(document, user=request.user)
    counts = {
        "total": len(rows),
        "done": sum(r["status"] == "done" for r in rows),
        "overdue": sum(r["overdue"] for r in rows),
    }
    return render(
        request,
        "documents/progress.html",
        {"document": document, "rows": rows, "counts": counts, "today": timezone.localdate()},
    )


@login_required
def assignment_progress_xlsx(request, document_id):
    document = selectors.document_get_for_user(request.user, document_id)
    rows = selectors.assignment_progress(document, user=request.user)
    data = table_xlsx(
        title=_("Tiến độ nhiệm vụ"),
        heading=f"{document.reference or ''} {document.subject}".strip(),
        headers=[
            _("Nhiệm vụ"),
            _("Đơn vị"),
            _("Hạn"),
            _("Trạng thái"),
            _("Quá hạn"),
            _("Ghi chú"),
            _("Cập nhật lúc"),
        ],
        rows=[
            [
                r["text"],
                r["unit_name"],
                r["due_on"],
                str(r["status_label"]),
                _("Có") if r["overdue"] else "",
                r["note"],
                timezone.localtime(r["updated_at"]).replace(tzinfo=None)
                if r["updated_at"]
                else None,
            ]
            for r in rows
        ],
    )
    response = HttpResponse(data, content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="tien-do-nhiem-vu-{document.pk}.xlsx"'
    return response
