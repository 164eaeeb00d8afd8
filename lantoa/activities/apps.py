from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "lantoa.activities"
    verbose_name = "Hoạt động"

    def ready(self):
        from lantoa.activities.selectors import evidence_download
        from lantoa.activities.services import on_units_moved
        from lantoa.core.uploads import download_register
        from lantoa.units.paths import units_moved_register

        download_register("activity-evidence", evidence_download)
        units_moved_register(on_units_moved)
