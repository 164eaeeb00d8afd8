from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "lantoa.reports"
    verbose_name = "Báo cáo"

    def ready(self):
        from lantoa.core.uploads import download_register
        from lantoa.reports.selectors import evidence_download

        download_register("report-evidence", evidence_download)
