from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "lantoa.activities"
    verbose_name = "Hoạt động"
