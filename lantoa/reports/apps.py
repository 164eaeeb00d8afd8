from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "lantoa.reports"
    verbose_name = "Báo cáo"
