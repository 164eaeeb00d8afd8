from django.db import models
from django.utils.translation import gettext_lazy as _

from lantoa.core.models import TimeStamped


class Campaign(TimeStamped):
    """Tuần lễ hưởng ứng học tập suốt đời năm N."""

    year = models.PositiveIntegerField(_("năm"), unique=True)
    title = models.CharField(_("tên"), max_length=255)
    theme = models.CharField(_("chủ đề"), max_length=500)
    starts_on = models.DateField(_("bắt đầu"))
    ends_on = models.DateField(_("kết thúc"))
    opening_on = models.DateField(_("ngày khai mạc"), null=True, blank=True)
    owner_unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="owned_campaigns"
    )
    report_sections = models.JSONField(_("mẫu báo cáo"), default=list, blank=True)
    # Closing freezes the campaign's reporting tree (later restructuring never changes it).
    closed_on = models.DateField(_("ngày khóa số liệu"), null=True, blank=True)
    # Raised by every edit: a PATCH or form carrying an older one is refused (409).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("Tuần lễ")

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None


class UnitOfMeasure(models.TextChoices):
    COUNT = "count", _("số lượng")
    VND = "vnd", _("đồng")


class Indicator(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="indicators")
    code = models.SlugField(_("mã"), max_length=50)
    name = models.CharField(_("tên chỉ tiêu"), max_length=255)
    group = models.CharField(_("nhóm"), max_length=100)
    unit_of_measure = models.CharField(
        _("đơn vị tính"), max_length=10, choices=UnitOfMeasure.choices, default=UnitOfMeasure.COUNT
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["campaign", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="indicator_code_per_campaign")
        ]

    def __str__(self) -> str:
        return self.name


class IndicatorRule(models.Model):
    """``left`` ≤ ``right`` (e.g. "of which online ≤ classes")."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="rules")
    left_code = models.SlugField(max_length=50)
    right_code = models.SlugField(max_length=50)
    message = models.CharField(max_length=255)

    class Meta:
        ordering = ["id"]


class ActivityType(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="activity_types")
    code = models.SlugField(max_length=50)
    name = models.CharField(max_length=255)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["campaign", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "code"], name="activity_type_code_per_campaign"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ReportingDeadline(TimeStamped):
    """Units in ``unit``'s subtree (below it) report by ``due_on``.

    Set by an issued plan's reporting regime; a unit takes the deadline of its
    nearest ancestor that has one. ``kinds`` (empty = every kind) narrows who
    is expected to report.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="deadlines")
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, related_name="reporting_deadlines"
    )
    due_on = models.DateField(_("hạn báo cáo"))
    kinds = models.JSONField(default=list, blank=True)
    source = models.CharField(_("căn cứ"), max_length=255, blank=True, default="")

    class Meta:
        ordering = ["campaign", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="deadline_per_unit")
        ]
