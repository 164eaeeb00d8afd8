from django.db import migrations

from lantoa.core.pgsearch import trigram_index


class Migration(migrations.Migration):
    dependencies = [("documents", "0005_recipient_reports")]

    operations = [trigram_index("documents", "Document", "search_text", "document_search_trgm")]
