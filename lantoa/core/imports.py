"""The all-or-nothing spreadsheet import page shared by units and users."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from lantoa.core.spreadsheets import RowErrors


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp .xlsx hoặc .csv"))


def import_page(
    request,
    *,
    unit,
    importer: Callable[..., list],
    template: str,
    success: Callable[[int], str],
    done_url: str,
) -> HttpResponse:
    """Upload → ``importer(root=, upload=, actor=)``; any bad row: nothing imported, all listed."""
    form = ImportForm(request.POST or None, request.FILES or None)
    row_errors = []
    if request.method == "POST" and form.is_valid():
        try:
            created = importer(root=unit, upload=form.cleaned_data["file"], actor=request.user)
            messages.success(request, success(len(created)))
            return redirect(done_url)
        except RowErrors as exc:
            row_errors = exc.errors
        except ValidationError as exc:
            form.add_error("file", exc.messages)
    return render(request, template, {"unit": unit, "form": form, "row_errors": row_errors})
