from django.apps import AppConfig


class HistoryConfig(AppConfig):
    name = "lantoa.history"
    verbose_name = "Lịch sử thay đổi"
