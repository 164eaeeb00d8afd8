from django.apps import AppConfig


class OverviewConfig(AppConfig):
    name = "lantoa.overview"
    label = "overview"
    verbose_name = "Tổng quan"
