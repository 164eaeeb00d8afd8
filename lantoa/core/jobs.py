"""Scheduled jobs record their last run (`core.JobRun`) for the health page."""

import functools

from django.db.models import F
from django.utils import timezone

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
