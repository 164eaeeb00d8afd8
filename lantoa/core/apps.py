from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lantoa.core"
    verbose_name = "Lantoa"

    def ready(self):
        from lantoa.core.exports import export_download
        from lantoa.core.uploads import download_register

        download_register("export", export_download)

        # Any other Pillow use (signature images, seals…) refuses decompression bombs at the
        # same size as uploads do (Pillow raises DecompressionBombError at twice this).
        from django.conf import settings
        from PIL import Image

        Image.MAX_IMAGE_PIXELS = settings.LANTOA_MAX_IMAGE_PIXELS
