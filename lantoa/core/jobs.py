"""Scheduled jobs record their last run (`core.JobRun`) for the health page."""

import functools
from datetime import UTC

from django.db.models import F
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY

from lantoa.core.models import JobRun

# name → human schedule, filled by @recorded_job; the health page lists every one.
SCHEDULES: dict[str, str] = {}


def recorded_job(name: str, schedule: str):
    """Wrap a job so its start, end and outcome are kept (one row per job)."""

    SCHEDULES[name] = schedule

    def decorator(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            JobRun.objects.update_or_create(
                name=name,
                defaults={"started_at": timezone.now(), "finished_at": None, "ok": None},
            )
            try:
                result = fn(*args, **kwargs)
            except Exception as exc:
                JobRun.objects.filter(name=name).update(
                    finished_at=timezone.now(),
                    ok=False,
                    detail=type(exc).__name__[:255],
                    runs=F("runs") + 1,
                )
                raise
            JobRun.objects.filter(name=name).update(
                finished_at=timezone.now(), ok=True, detail=str(result)[:255], runs=F("runs") + 1
            )
            return result

        return wrapper

    return decorator


def local_crontab(**fields):
    """A huey crontab read in Django's TIME_ZONE (Asia/Ho_Chi_Minh).

    Huey hands periodic tasks a naive UTC time when ``utc`` is on (its default), so a
    plain ``crontab(hour="7")`` would fire at 14:00 in Vietnam.
    """
    matches = crontab(**fields)

    def validate(moment):
        if HUEY.utc:
            moment = timezone.localtime(moment.replace(tzinfo=UTC)).replace(tzinfo=None)
        return matches(moment)

    return validate
