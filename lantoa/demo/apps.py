from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "lantoa.demo"
    verbose_name = "Dữ liệu mẫu"
