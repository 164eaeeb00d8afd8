"""Periodic: anonymise registrants' data once the retention period after a campaign is over."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from lantoa.activities.services import registrations_anonymise


@db_periodic_task(crontab(hour="3", minute="15"))
def anonymise_registrations_daily() -> int:
    return registrations_anonymise()
