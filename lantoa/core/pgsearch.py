"""Trigram indexes for the ``search_text`` columns, on PostgreSQL only.

Searches are ``search_text LIKE '%word%'`` (lantoa.core.text.search_q and the calendar's
``search_q``): a B-tree cannot serve them, so on PostgreSQL each searched table gets a GIN
index with ``gin_trgm_ops`` (extension ``pg_trgm``, trusted: the database owner may create
it). SQLite keeps the plain ``LIKE`` scan. The indexes are not part of the models' state
(they are a PostgreSQL facility), so the migration that adds them is a no-op elsewhere.
"""

from django.db import migrations


def trigram_index(app_label: str, model_name: str, field: str, name: str):
    """A migration operation creating ``name`` (GIN, gin_trgm_ops) on PostgreSQL."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        model = apps.get_model(app_label, model_name)
        table = schema_editor.quote_name(model._meta.db_table)
        column = schema_editor.quote_name(model._meta.get_field(field).column)
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(name)} "
            f"ON {table} USING gin ({column} gin_trgm_ops)"
        )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")

    return migrations.RunPython(forwards, backwards, elidable=False)
