from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "lantoa.notifications"
    verbose_name = "Thông báo"
