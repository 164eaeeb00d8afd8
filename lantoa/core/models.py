from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class SystemFlag(models.Model):
    """Small facts about this installation (e.g. which demo steps have been loaded)."""

    key = models.CharField(max_length=100, unique=True)
    value = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key


class JobRun(models.Model):
    """The last run of a scheduled job (shown on the health page)."""

    name = models.CharField(max_length=100, unique=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    ok = models.BooleanField(null=True)
    detail = models.CharField(max_length=255, blank=True, default="")
    runs = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RateCounter(models.Model):
    """Hits of one rate-limit key in one fixed window, shared by every process (the
    embedded default, without Redis): see lantoa.core.ratelimit."""

    key = models.CharField(max_length=200)
    window = models.BigIntegerField()  # unix time // window length
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window"], name="ratecounter_key_window")
        ]
        ordering = ["key", "window"]

    def __str__(self) -> str:
        return f"{self.key}@{self.window}: {self.count}"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("đang chờ")
    RUNNING = "running", _("đang tạo")
    DONE = "done", _("đã xong")
    FAILED = "failed", _("lỗi")


class ExportJob(models.Model):
    """A large export (e.g. national roll-up) built by the task worker for one user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    kind = models.CharField(max_length=50)
    title = models.CharField(max_length=255)
    params = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    file = models.CharField(max_length=500, blank=True, default="")  # storage name
    filename = models.CharField(max_length=255, blank=True, default="")
    content_type = models.CharField(max_length=100, blank=True, default="")
    error = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.status}"
