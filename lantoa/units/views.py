from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from lantoa.accounts.models import Role
from lantoa.accounts.selectors import role_for_unit, unit_get_for_user
from lantoa.core.errors import error_messages
from lantoa.core.imports import import_page
from lantoa.core.spreadsheets import XLSX_MIME, template_workbook
from lantoa.history.selectors import history_for_subtree
from lantoa.units import services
from lantoa.units.forms import UnitForm
from lantoa.units.models import Unit, UnitKind, subtree_q
from lantoa.units.permissions import can_add_unit, can_edit_unit
from lantoa.units.selectors import (
    unit_children,
    unit_descendant_count,
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
            "predecessors": unit.predecessors.all(),
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
        headers=[
            "Mã",
            "Tên",
            "Loại",
            "Mã đơn vị cấp trên",
            "Thư điện tử",
            "Địa chỉ",
            "Mã định danh",
        ],
        example=["TH-001", "Trường Tiểu học Mẫu", "truong_th", unit.code, "", "", ""],
    )
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = 'attachment; filename="mau-nhap-don-vi.xlsx"'
    return response


@login_required
def unit_history(request, unit_id):
    unit = _get(request, unit_id, role=Role.ADMIN)
    entries = Paginator(history_for_subtree(unit=unit), 50).get_page(request.GET.get("page"))
    return render(request, "units/history.html", {"unit": unit, "entries": entries})
