"""Periodic: anonymise registrants' data once the retention period after a campaign is over.
Queued: the search text of activities whose organisers moved."""

from huey.contrib.djhuey import db_periodic_task, db_task

from lantoa.activities.services import activities_search_reindex_units, registrations_anonymise
from lantoa.core.jobs import recorded_job
from lantoa.notifications.tasks import local_crontab


# 03:15 Vietnam time (a plain huey crontab would be read in UTC).
@db_periodic_task(local_crontab(hour="3", minute="15"))
@recorded_job("registrations_anonymise", "03:15 hằng ngày")
def anonymise_registrations_daily() -> int:
    return registrations_anonymise()


@db_task(retries=2, retry_delay=30)
def activities_reindex_units(unit_ids: list[int]) -> int:
    """After units moved: their subtrees' activities get their new places in the search text."""
    return activities_search_reindex_units(unit_ids=unit_ids)
