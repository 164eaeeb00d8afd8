from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "lantoa.reports"
    verbose_name = "Báo cáo"

    def ready(self):
        from lantoa.core.exports import export_register
        from lantoa.core.uploads import download_register
        from lantoa.reports.admin_totals import admin_totals_on_units_moved
        from lantoa.reports.export_jobs import consolidated_docx_job, rollup_xlsx_job
        from lantoa.reports.lines.incremental import on_units_moved
        from lantoa.reports.selectors import evidence_download
        from lantoa.units.paths import units_moved_register

        download_register("report-evidence", evidence_download)
        export_register("rollup_xlsx", rollup_xlsx_job)
        export_register("consolidated_docx", consolidated_docx_job)
        units_moved_register(on_units_moved)
        units_moved_register(admin_totals_on_units_moved)
