from django.db import migrations

from lantoa.core.pgsearch import trigram_index


class Migration(migrations.Migration):
    dependencies = [("documents", "0004_received_documents")]

    operations = [trigram_index("documents", "Document", "search_text", "document_search_trgm")]
