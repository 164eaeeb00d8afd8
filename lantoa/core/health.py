"""Health: a public liveness answer, and details (queue, e-mail backlog, scheduled jobs)
for superusers and staff. ``GET /suc-khoe/``."""

import importlib

from django.apps import apps
from django.db import connection
from django.db.models import Count, Min
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from lantoa.core.jobs import SCHEDULES
from lantoa.core.models import JobRun
from lantoa.core.permissions import can_see_health_details


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:
        return False


def _queue() -> dict:
    try:
        return {"ok": True, "pending": HUEY.pending_count(), "scheduled": HUEY.scheduled_count()}
    except Exception as exc:  # broker down: say so, do not fail the page
        return {"ok": False, "error": type(exc).__name__}


def _emails() -> dict:
    from lantoa.notifications.models import EmailMessageLog, EmailStatus

    rows = dict(
        EmailMessageLog.objects.order_by()
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    oldest = EmailMessageLog.objects.filter(status=EmailStatus.QUEUED).aggregate(
        t=Min("created_at")
    )
    return {
        "by_status": {s: rows.get(s, 0) for s in EmailStatus.values},
        "oldest_queued": oldest["t"],
    }


def _jobs() -> list[dict]:
    for config in apps.get_app_configs():  # the worker's task modules declare the jobs
        if config.name.startswith("lantoa."):
            try:
                importlib.import_module(f"{config.name}.tasks")
            except ModuleNotFoundError:
                pass
    runs = {r.name: r for r in JobRun.objects.all()}
    return [
        {"name": name, "schedule": schedule, "run": runs.get(name)}
        for name, schedule in sorted(SCHEDULES.items())
    ]


def health(request):
    database = _database_ok()
    status = 200 if database else 503
    if not can_see_health_details(request.user):
        return JsonResponse({"status": "ok" if database else "error"}, status=status)
    queue, emails, jobs = _queue(), _emails() if database else {}, _jobs() if database else []
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "status": "ok" if database else "error",
                "database": database,
                "queue": queue,
                "emails": {
                    **emails,
                    "oldest_queued": emails.get("oldest_queued")
                    and emails["oldest_queued"].isoformat(),
                },
                "jobs": [
                    {
                        "name": j["name"],
                        "schedule": j["schedule"],
                        "last_started_at": j["run"] and j["run"].started_at.isoformat(),
                        "last_finished_at": j["run"]
                        and j["run"].finished_at
                        and j["run"].finished_at.isoformat(),
                        "ok": j["run"] and j["run"].ok,
                    }
                    for j in jobs
                ],
            },
            status=status,
        )
    return render(
        request,
        "core/health.html",
        {
            "database": database,
            "queue": queue,
            "emails": emails,
            "jobs": jobs,
            "now": timezone.now(),
        },
        status=status,
    )
