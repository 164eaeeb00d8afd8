import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lantoa.core.text import fold
from lantoa.units.models import Unit, UnitKind
from lantoa.units.services import unit_create


def test_fold_ignores_diacritics_and_case():
    assert fold("Phường Bồ Đề") == "phuong bo de"
    assert fold("  ĐỨC   Trọng ") == "duc trong"


@pytest.mark.django_db
def test_subtree_is_one_query_and_excludes_siblings():
    root = unit_create(parent=None, name="Bộ", kind=UnitKind.BO_GDDT)
    a = unit_create(parent=root, name="A", kind=UnitKind.UBND_TINH)
    b = unit_create(parent=root, name="B", kind=UnitKind.UBND_TINH)
    a.refresh_from_db()
    a1 = unit_create(parent=a, name="A1", kind=UnitKind.UBND_XA)
    a1.refresh_from_db()
    unit_create(parent=a1, name="A1x", kind=UnitKind.TT_HTCD)
    with CaptureQueriesContext(connection) as ctx:
        names = sorted(a.subtree().values_list("name", flat=True))
    assert names == ["A", "A1", "A1x"]
    assert len(ctx.captured_queries) == 1
    assert list(b.subtree().values_list("name", flat=True)) == ["B"]


@pytest.mark.django_db
def test_unit_names_are_stored_nfc():
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Phường Bồ Đề")
    unit = unit_create(parent=None, name=decomposed, kind=UnitKind.UBND_XA)
    assert Unit.objects.get(pk=unit.pk).name == unicodedata.normalize("NFC", "Phường Bồ Đề")
