"""The unit tree as an Excel sheet that the unit import reads back (round trip)."""

from django.utils.text import slugify

from lantoa.core.spreadsheets import table_xlsx
from lantoa.units.models import Unit
from lantoa.units.selectors import units_export_rows
from lantoa.units.services import IMPORT_HEADERS


def units_export_xlsx(*, root: Unit) -> bytes:
    return table_xlsx(title="Đơn vị", headers=IMPORT_HEADERS, rows=units_export_rows(root=root))


def units_export_filename(root: Unit) -> str:
    return f"don-vi-{slugify(root.code or str(root.pk)) or root.pk}.xlsx"
