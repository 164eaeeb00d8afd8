from django.db import migrations

from lantoa.core.pgsearch import trigram_index


class Migration(migrations.Migration):
    dependencies = [("units", "0004_unit_succession")]

    operations = [trigram_index("units", "Unit", "search_text", "unit_search_trgm")]
