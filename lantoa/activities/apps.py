from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "lantoa.activities"
    verbose_name = "Hoạt động"

    def ready(self):
        from lantoa.activities.selectors import evidence_download
        from lantoa.core.uploads import download_register

        download_register("activity-evidence", evidence_download)
