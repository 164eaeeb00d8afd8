"""Tasks of the core app: large exports and their clean-up (`lantoa run_huey`)."""

from huey.contrib.djhuey import db_periodic_task, db_task

from lantoa.core.exports import export_run, exports_purge
from lantoa.core.jobs import local_crontab, recorded_job


@db_task()
def run_export(job_id: int) -> str:
    return export_run(job_id=job_id)


@db_periodic_task(local_crontab(hour="3", minute="45"))
@recorded_job("exports_purge", "03:45 hằng ngày")
def purge_exports() -> int:
    return exports_purge()
