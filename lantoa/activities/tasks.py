"""Periodic: anonymise registrants' data once the retention period after a campaign is over."""

from huey.contrib.djhuey import db_periodic_task

from lantoa.activities.services import registrations_anonymise
from lantoa.core.jobs import recorded_job
from lantoa.notifications.tasks import local_crontab


# 03:15 Vietnam time (a plain huey crontab would be read in UTC).
@db_periodic_task(local_crontab(hour="3", minute="15"))
@recorded_job("registrations_anonymise", "03:15 hằng ngày")
def anonymise_registrations_daily() -> int:
    return registrations_anonymise()
