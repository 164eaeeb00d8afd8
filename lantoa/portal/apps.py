from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "lantoa.portal"
    verbose_name = "Cổng công khai"
