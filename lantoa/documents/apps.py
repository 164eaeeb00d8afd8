from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "lantoa.documents"
    verbose_name = "Văn bản"
