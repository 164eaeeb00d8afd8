from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lantoa.core"
    verbose_name = "Lantoa"
