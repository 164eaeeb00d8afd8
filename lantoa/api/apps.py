from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "lantoa.api"
    verbose_name = "API"
