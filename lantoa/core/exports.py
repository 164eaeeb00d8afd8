"""Large exports built by the task worker instead of the web request.

A page asks ``export_request``; the job is stored and, once the transaction commits, the
worker runs the registered builder (``export_register``) as the requesting user, stores the
file through the default storage under ``exports/<id>/`` and marks the job done. The user
downloads it from "Tệp xuất" (``/xuat/``) through the one scoped download view
(``/tep/export/<id>/``, the owner only). Files are deleted after
``LANTOA_EXPORT_RETENTION_DAYS`` (default 7).
"""

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from lantoa.core.errors import NotFound
from lantoa.core.models import ExportJob, ExportStatus
from lantoa.core.uploads import Download

logger = logging.getLogger(__name__)

# kind → builder(user, params) -> (bytes, filename, content type)
Builder = Callable[[object, dict], tuple[bytes, str, str]]
_BUILDERS: dict[str, Builder] = {}


def export_register(kind: str, builder: Builder) -> None:
    _BUILDERS[kind] = builder


def export_request(*, user, kind: str, title: str, params: dict) -> ExportJob:
    """Store the job; the worker builds it after commit."""
    if kind not in _BUILDERS:
        raise ValueError(kind)
    job = ExportJob.objects.create(user=user, kind=kind, title=title[:255], params=params)
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from lantoa.core.tasks import run_export

    try:
        run_export(job_id)
    except Exception as exc:  # the queue is down: say so on the job
        logger.warning("Could not enqueue export %s (%s)", job_id, type(exc).__name__)
        ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
            status=ExportStatus.FAILED, error=type(exc).__name__
        )


def export_run(*, job_id: int) -> str:
    """Build one export (the worker's job). Scope is checked again by the builder."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING
    )
    if not claimed:
        return "skipped"
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    try:
        data, filename, content_type = _BUILDERS[job.kind](job.user, job.params)
        name = default_storage.save(f"exports/{job.pk}/{filename}", ContentFile(data))
    except Exception as exc:
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportStatus.FAILED,
            error=f"{type(exc).__name__}"[:255],
            finished_at=timezone.now(),
        )
        raise
    ExportJob.objects.filter(pk=job_id).update(
        status=ExportStatus.DONE,
        file=name,
        filename=filename,
        content_type=content_type,
        finished_at=timezone.now(),
    )
    return "done"


def exports_purge(*, now=None) -> int:
    """Delete exports (files and jobs) older than the retention period."""
    now = now or timezone.now()
    days = getattr(settings, "LANTOA_EXPORT_RETENTION_DAYS", 7)
    old = ExportJob.objects.filter(created_at__lt=now - timedelta(days=days))
    n = 0
    for job in old.only("pk", "file"):
        if job.file and default_storage.exists(job.file):
            default_storage.delete(job.file)
        n += 1
    old.delete()
    return n


def exports_for_user(*, user):
    return ExportJob.objects.filter(user=user)[:30]


def export_get_for_user(user, pk) -> ExportJob:
    """One export job of the requesting user; anyone else's (or none) is NotFound."""
    try:
        return ExportJob.objects.get(pk=int(pk), user_id=getattr(user, "pk", None))
    except (ExportJob.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound


def export_download(user, pk: int) -> Download:
    """Resolver of the scoped download view: the requesting user's finished export only."""
    job = ExportJob.objects.filter(
        pk=pk, user_id=getattr(user, "pk", None), status=ExportStatus.DONE
    ).first()
    if job is None or not job.file:
        raise NotFound
    return Download(name=job.file, filename=job.filename, content_type=job.content_type)
