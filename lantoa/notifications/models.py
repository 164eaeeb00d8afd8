from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lantoa.core.models import TimeStamped


class Notification(models.Model):
    """An in-app notice for one user (also e-mailed when the user has an address)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    unit = models.ForeignKey(
        "units.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=50, default="info")
    title = models.CharField(max_length=255)
    body = models.TextField(blank=True, default="")
    url = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # The reminder this notice delivered in-app (the "in-app" channel of its history).
    reminder = models.ForeignKey(
        "ReminderLog", null=True, blank=True, on_delete=models.SET_NULL, related_name="notices"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title


class ReminderKind(models.TextChoices):
    AUTO = "auto", _("tự động")
    MANUAL = "manual", _("thủ công")


class ReminderDelivery(models.TextChoices):
    PENDING = "pending", _("đang gửi")
    DELIVERED = "delivered", _("đã gửi tới đơn vị")
    FAILED = "failed", _("gửi không thành công")


class ReminderLog(TimeStamped):
    """One reminder (đôn đốc) sent to a unit that had not submitted its report.

    At most one per (campaign, unit, kind, local day): the scheduled job and the
    office's button can both run again the same day without reminding twice.
    """

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="reminders"
    )
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("loại"), max_length=10, choices=ReminderKind.choices)
    sent_on = models.DateField(_("ngày đôn đốc"))
    sent_at = models.DateTimeField(_("thời điểm"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người đôn đốc"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_on = models.DateField(_("hạn báo cáo"), null=True, blank=True)
    # A reminder counts as sent only once it reached the unit: an e-mail delivered, or
    # only in-app notices (no address to write to).
    delivery = models.CharField(
        _("tình trạng gửi"),
        max_length=10,
        choices=ReminderDelivery.choices,
        default=ReminderDelivery.DELIVERED,
    )
    delivered_at = models.DateTimeField(_("thời điểm đến nơi"), null=True, blank=True)
    # The office's "remind all" that wrote it (none for the daily job).
    run = models.ForeignKey(
        "notifications.ReminderRun",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reminders",
    )

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("lượt đôn đốc")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "kind", "sent_on"], name="reminder_once_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.campaign_id} {self.kind} {self.sent_on}"


class EmailStatus(models.TextChoices):
    QUEUED = "queued", _("đang chờ gửi")
    SENDING = "sending", _("đang gửi")
    SENT = "sent", _("đã gửi")
    FAILED = "failed", _("gửi không thành công")


class EmailMessageLog(TimeStamped):
    """One e-mail to one address, sent by the task worker and retried with backoff.

    The body is kept only until the message is sent; addresses, subjects and bodies are
    blanked after ``LANTOA_EMAIL_LOG_RETENTION_DAYS`` (personal data).
    """

    sender_unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("đơn vị gửi"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recipient_unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("đơn vị nhận"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reminder = models.ForeignKey(
        ReminderLog, null=True, blank=True, on_delete=models.SET_NULL, related_name="emails"
    )
    kind = models.CharField(_("loại"), max_length=50, default="info")
    to = models.CharField(_("địa chỉ"), max_length=254)
    subject = models.CharField(_("tiêu đề"), max_length=255)
    body = models.TextField(blank=True, default="")
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("số lần thử"), default=0)
    last_error = models.CharField(_("lỗi gần nhất"), max_length=500, blank=True, default="")
    sent_at = models.DateTimeField(_("thời điểm gửi"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("thư điện tử")
        indexes = [
            models.Index(fields=["sender_unit", "created_at"]),
            models.Index(fields=["status", "updated_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.status}"


class ReminderRunStatus(models.TextChoices):
    QUEUED = "queued", _("đang chờ")
    RUNNING = "running", _("đang gửi")
    DONE = "done", _("đã xong")
    FAILED = "failed", _("không thành công")


REMINDER_RUN_ACTIVE = (ReminderRunStatus.QUEUED, ReminderRunStatus.RUNNING)


class ReminderRun(TimeStamped):
    """One "remind all" asked by an office: the worker reminds the missing units of its
    subtree (``notifications.tasks.remind_missing_units``) and records the outcome here.

    At most one run per office and campaign is waiting or running at a time (a second
    click gets the same run); each reminder it wrote points back to it (``ReminderLog.run``).
    """

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="reminder_runs"
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("đơn vị đôn đốc"),
        on_delete=models.CASCADE,
        related_name="reminder_runs",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người đôn đốc"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=ReminderRunStatus.choices,
        default=ReminderRunStatus.QUEUED,
    )
    expected = models.PositiveIntegerField(_("số đơn vị cần đôn đốc"), default=0)
    reminded = models.PositiveIntegerField(_("số đơn vị đã đôn đốc"), default=0)
    skipped = models.PositiveIntegerField(_("số đơn vị bỏ qua"), default=0)
    error = models.CharField(_("lỗi"), max_length=255, blank=True, default="")
    finished_at = models.DateTimeField(_("thời điểm xong"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lượt đôn đốc tất cả")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit"],
                condition=models.Q(status__in=["queued", "running"]),
                name="reminder_run_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.campaign_id} {self.status}"

    @property
    def active(self) -> bool:
        return self.status in REMINDER_RUN_ACTIVE
