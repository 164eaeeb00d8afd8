from django.db import migrations

from lantoa.core.pgsearch import trigram_index


class Migration(migrations.Migration):
    dependencies = [("units", "0003_unit_edoc_code")]

    operations = [trigram_index("units", "Unit", "search_text", "unit_search_trgm")]
