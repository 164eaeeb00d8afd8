from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "lantoa.units"
    verbose_name = "Đơn vị"
