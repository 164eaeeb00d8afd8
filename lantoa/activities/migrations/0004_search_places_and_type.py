"""Backfill: the search text also holds the activity type and the organiser's commune/ward,
district and province names (batched, a few queries per 2,000 activities)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from lantoa.activities.search import reindex

    reindex(apps.get_model("activities", "Activity"), apps.get_model("units", "Unit"))


class Migration(migrations.Migration):
    dependencies = [("activities", "0003_search_text_words"), ("units", "0002_unit_code_spaces")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
