from django.db import migrations
from django.db.models import TextField, Value
from django.db.models.functions import Concat


def pad(apps, schema_editor):
    Activity = apps.get_model("activities", "Activity")
    Activity.objects.exclude(search_text__startswith=" ").update(
        search_text=Concat(Value(" "), "search_text", Value(" "), output_field=TextField())
    )


def unpad(apps, schema_editor):
    from django.db.models.functions import Trim

    Activity = apps.get_model("activities", "Activity")
    Activity.objects.update(search_text=Trim("search_text"))


class Migration(migrations.Migration):
    dependencies = [("activities", "0002_calendar_index")]

    operations = [migrations.RunPython(pad, unpad)]
