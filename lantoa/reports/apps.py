from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "lantoa.reports"
    verbose_name = "Báo cáo"

    def ready(self):
        from lantoa.core.exports import export_register
        from lantoa.core.uploads import download_register
        from lantoa.reports.export_jobs import consolidated_docx_job, rollup_xlsx_job
        from lantoa.reports.selectors import evidence_download

        download_register("report-evidence", evidence_download)
        export_register("rollup_xlsx", rollup_xlsx_job)
        export_register("consolidated_docx", consolidated_docx_job)
