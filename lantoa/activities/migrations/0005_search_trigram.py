from django.db import migrations

from lantoa.core.pgsearch import trigram_index


class Migration(migrations.Migration):
    dependencies = [("activities", "0004_search_places_and_type")]

    operations = [trigram_index("activities", "Activity", "search_text", "activity_search_trgm")]
