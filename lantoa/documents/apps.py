from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "lantoa.documents"
    verbose_name = "Văn bản"

    def ready(self):
        from lantoa.core.uploads import download_register
        from lantoa.documents.attachments import attachment_download

        download_register("document-attachment", attachment_download)

        from lantoa.documents.models import Document
        from lantoa.units.paths import path_copy_register

        # Duties "to every school" follow the issuer's area when units are moved.
        path_copy_register(Document, "area_path")
