from django.apps import AppConfig


class HonoursConfig(AppConfig):
    name = "lantoa.honours"
    verbose_name = "Tuyên dương"
