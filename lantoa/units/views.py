import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from lantoa.accounts.models import Role
from lantoa.accounts.selectors import role_for_unit, unit_get_for_user
from lantoa.core.errors import Conflict, error_messages
from lantoa.core.imports import import_page
from lantoa.core.spreadsheets import XLSX_MIME, safe_row, template_workbook
from lantoa.history.selectors import history_for_subtree
from lantoa.units import services
from lantoa.units.exports import units_export_filename, units_export_xlsx
from lantoa.units.forms import SuccessorFormSet, UnitCloseForm, UnitForm, UnitMoveForm
from lantoa.units.models import Unit, UnitKind, UnitSuccession, subtree_q
from lantoa.units.permissions import (
    can_add_unit,
    can_close_unit,
    can_edit_unit,
    can_export_units,
    can_restructure,
)
from lantoa.units.restructuring import HEADERS, units_restructure
from lantoa.units.selectors import (
    unit_children,
    unit_descendant_count,
    unit_parent,
    units_list,
    visible_ancestors,
)


def _get(request, unit_id, role=None) -> Unit:
    return unit_get_for_user(request.user, unit_id, role=role)


@login_required
def unit_detail(request, unit_id):
    unit = _get(request, unit_id)
    children = list(unit_children(unit=unit))
    role = role_for_unit(request.user, unit)
    return render(
        request,
        "units/detail.html",
        {
            "unit": unit,
            "ancestors": visible_ancestors(user=request.user, unit=unit),
            "children": children,
            "descendant_count": unit_descendant_count(unit=unit),
            "role": role and Role(role).label,
            "is_admin": can_add_unit(request.user, unit),
            "can_edit": can_edit_unit(request.user, unit),
            "predecessors": UnitSuccession.objects.filter(successor=unit).select_related(
                "predecessor"
            ),
            "successions": UnitSuccession.objects.filter(predecessor=unit).select_related(
                "successor"
            )
            if unit.valid_to
            else [],
        },
    )


@login_required
def unit_search(request):
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    results = units_list(user=request.user, q=q, kind=kind) if (q or kind) else Unit.objects.none()
    page = Paginator(results, 50).get_page(request.GET.get("page"))
    template = "units/_results.html" if request.htmx else "units/search.html"
    return render(
        request, template, {"q": q, "kind": kind, "kinds": UnitKind.choices, "page": page}
    )


def _successor_choices(request, unit):
    # A successor is found in the same province (the 2025 reform merged within
    # provinces), so the list stays short on a national tree; the current one is kept.
    province_path = unit.path[: 2 * unit.steplen]
    scope = (
        units_list(user=request.user)
        .filter(subtree_q(province_path), valid_to__isnull=True)
        .exclude(pk=unit.pk)
        .only("id", "name")[:3000]
    )
    choices = [(u.pk, u.name) for u in scope]
    if unit.successor_id and unit.successor_id not in {pk for pk, _name in choices}:
        choices.insert(0, (unit.successor_id, unit.successor.name))
    return [("", "—")] + choices


def _save_form(request, form, save):
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "successor"}
        successor_id = form.cleaned_data.get("successor")
        current = getattr(form.instance, "successor", None) if form.instance.pk else None
        if not successor_id:
            data["successor"] = None
        elif current and current.pk == successor_id:
            data["successor"] = current  # kept as it is, even if outside the user's scope
        else:
            data["successor"] = unit_get_for_user(request.user, successor_id)
        try:
            return save(data)
        except ValidationError as exc:
            for e in error_messages(exc):
                form.add_error(e["field"] if e["field"] in form.fields else None, e["message"])
    return None


@login_required
def unit_add(request, unit_id):
    parent = _get(request, unit_id, role=Role.ADMIN)
    form = UnitForm(request.POST or None)
    form.fields["successor"].choices = [("", "—")]
    if request.method == "POST":
        unit = _save_form(
            request,
            form,
            lambda data: services.unit_create(parent=parent, actor=request.user, **data),
        )
        if unit:
            messages.success(request, _("Đã thêm đơn vị %(name)s.") % {"name": unit.name})
            return redirect("units:detail", unit_id=unit.pk)
    return render(
        request,
        "units/form.html",
        {
            "form": form,
            "parent": parent,
            "title": _("Thêm đơn vị trực thuộc %(name)s") % {"name": parent.name},
        },
    )


@login_required
def unit_edit(request, unit_id):
    unit = _get(request, unit_id)
    if not can_edit_unit(request.user, unit):
        raise Http404
    form = UnitForm(request.POST or None, instance=unit, initial={"successor": unit.successor_id})
    form.fields["successor"].choices = _successor_choices(request, unit)
    if request.method == "POST":
        fresh = Unit.objects.get(pk=unit.pk)
        saved = _save_form(
            request, form, lambda data: services.unit_update(unit=fresh, actor=request.user, **data)
        )
        if saved:
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect("units:detail", unit_id=unit.pk)
    return render(
        request,
        "units/form.html",
        {"form": form, "unit": unit, "title": _("Sửa thông tin %(name)s") % {"name": unit.name}},
    )


@login_required
def unit_import(request, unit_id):
    unit = _get(request, unit_id, role=Role.ADMIN)
    return import_page(
        request,
        unit=unit,
        importer=services.units_import,
        template="units/import.html",
        success=lambda n: _("Đã nhập %(n)s đơn vị.") % {"n": n},
        done_url=reverse("units:detail", kwargs={"unit_id": unit.pk}),
    )


@login_required
def unit_import_template(request, unit_id):
    unit = _get(request, unit_id, role=Role.ADMIN)
    content = template_workbook(
        title="Đơn vị",
        headers=services.IMPORT_HEADERS,
        example=["TH-001", "Trường Tiểu học Mẫu", "truong_th", unit.code, "", "", ""],
    )
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = 'attachment; filename="mau-nhap-don-vi.xlsx"'
    return response


@login_required
def unit_export(request, unit_id):
    """The units below this one in the import sheet's columns: the file imports back."""
    unit = _get(request, unit_id)
    if not can_export_units(request.user, unit):
        raise Http404
    response = HttpResponse(units_export_xlsx(root=unit), content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="{units_export_filename(unit)}"'
    return response


@login_required
def unit_history(request, unit_id):
    unit = _get(request, unit_id, role=Role.ADMIN)
    entries = Paginator(history_for_subtree(unit=unit), 50).get_page(request.GET.get("page"))
    return render(request, "units/history.html", {"unit": unit, "entries": entries})


def _editable(request, unit_id) -> Unit:
    unit = _get(request, unit_id)
    if not can_edit_unit(request.user, unit):
        raise Http404
    return unit


def _show_errors(form, exc: ValidationError) -> None:
    for e in error_messages(exc):
        form.add_error(e["field"] if e["field"] in form.fields else None, e["message"])


@login_required
def unit_move(request, unit_id):
    """ "Chuyển đơn vị": find the new parent by name or code, then confirm."""
    unit = _editable(request, unit_id)
    q = request.GET.get("q", "").strip() or request.POST.get("q", "").strip()
    candidates = []
    if q:
        candidates = [
            c
            for c in units_list(user=request.user, q=q, include_closed=False)
            .exclude(subtree_q(unit.path))
            .only("id", "name", "code", "kind", "path", "depth", "valid_to")[:30]
            if can_add_unit(request.user, c)
        ]
    form = UnitMoveForm(request.POST or None, initial={"version": unit.version})
    form.fields["parent_id"].choices = [(c.pk, c.name) for c in candidates]
    if request.method == "POST" and form.is_valid():
        try:
            new_parent = unit_get_for_user(request.user, form.cleaned_data["parent_id"])
            services.unit_move(
                unit=unit,
                new_parent=new_parent,
                version=form.cleaned_data["version"],
                user=request.user,
            )
        except ValidationError as exc:
            _show_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(
                request,
                _("Đã chuyển %(name)s về trực thuộc %(parent)s.")
                % {"name": unit.name, "parent": new_parent.name},
            )
            return redirect("units:detail", unit_id=unit.pk)
    return render(
        request,
        "units/move.html",
        {
            "unit": unit,
            "parent": unit_parent(unit),
            "form": form,
            "q": q,
            "candidates": candidates,
        },
    )


@login_required
def unit_close(request, unit_id):
    """ "Kết thúc hoạt động": the end date and the successors (merge, or split by share)."""
    unit = _editable(request, unit_id)
    if not can_close_unit(request.user, unit):
        raise Http404
    choices = _successor_choices(request, unit)
    form = UnitCloseForm(request.POST or None, initial={"version": unit.version})
    formset = SuccessorFormSet(
        request.POST or None, prefix="successors", form_kwargs={"choices": choices}
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        rows = [f.cleaned_data for f in formset if f.cleaned_data.get("unit_id")]
        try:
            pairs = [(unit_get_for_user(request.user, r["unit_id"]), r["share"]) for r in rows]
            services.unit_close(
                unit=unit,
                valid_to=form.cleaned_data["valid_to"],
                successors=pairs,
                version=form.cleaned_data["version"],
                actor=request.user,
            )
        except ValidationError as exc:
            _show_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(
                request, _("Đã ghi nhận %(name)s kết thúc hoạt động.") % {"name": unit.name}
            )
            return redirect("units:detail", unit_id=unit.pk)
    return render(request, "units/close.html", {"unit": unit, "form": form, "formset": formset})


@login_required
def unit_restructure(request, unit_id):
    """Bulk restructuring of ``unit``'s subtree from a sheet (moves, closures, successors)."""
    unit = _get(request, unit_id)
    if not can_restructure(request.user, unit):
        raise Http404
    return import_page(
        request,
        unit=unit,
        importer=units_restructure,
        template="units/restructure.html",
        success=lambda n: _("Đã áp dụng %(n)s thay đổi.") % {"n": n},
        done_url=reverse("units:detail", kwargs={"unit_id": unit.pk}),
    )


@login_required
def unit_restructure_template(request, unit_id):
    unit = _get(request, unit_id)
    if not can_restructure(request.user, unit):
        raise Http404
    wb = Workbook()
    ws = wb.active
    ws.title = "Tái cấu trúc"
    # Moves a school under the new ward; splits Gia Thụy 0,6 / 0,4; merges Long Biên.
    examples = [
        HEADERS,
        ["HN-LB-THCS-NL", "130", "", "", ""],
        ["HN-LB-04", "", "130; 127", "0,6; 0,4", "30/06/2025"],
        ["HN-LB-06", "", "148", "", "30/06/2025"],
    ]
    for values in examples:
        ws.append(safe_row(ws, values))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for letter in "ABCDE":
        ws.column_dimensions[letter].width = 24
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_MIME)
    response["Content-Disposition"] = 'attachment; filename="mau-tai-cau-truc.xlsx"'
    return response
