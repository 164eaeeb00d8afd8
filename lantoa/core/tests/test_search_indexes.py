"""Search on PostgreSQL is served by trigram indexes (SQLite keeps LIKE: the searches
themselves are tested in each app on both databases)."""

import pytest
from django.db import connection, transaction

from lantoa.activities.models import Activity
from lantoa.activities.selectors import search_q as calendar_q
from lantoa.core.text import search_q
from lantoa.documents.models import Document
from lantoa.units.models import Unit

INDEXES = {
    "unit_search_trgm": Unit,
    "document_search_trgm": Document,
    "activity_search_trgm": Activity,
}


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny test table: ask what can serve
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL indexes")
def test_trigram_indexes_exist_and_serve_the_searches(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, tablename, indexdef FROM pg_indexes")
        found = {name: (table, definition) for name, table, definition in cursor.fetchall()}
    for name, model in INDEXES.items():
        table, definition = found[name]
        assert table == model._meta.db_table
        assert "gin (search_text gin_trgm_ops)" in definition
    with transaction.atomic():
        assert "activity_search_trgm" in _plan(Activity.objects.filter(calendar_q("kỹ năng số")))
        assert "unit_search_trgm" in _plan(Unit.objects.filter(search_q("Long Biên")))
        assert "document_search_trgm" in _plan(Document.objects.filter(search_q("kế hoạch")))
