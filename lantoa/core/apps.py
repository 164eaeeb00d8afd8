from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lantoa.core"
    verbose_name = "Lantoa"

    def ready(self):
        from lantoa.core.exports import export_download
        from lantoa.core.uploads import download_register

        download_register("export", export_download)
