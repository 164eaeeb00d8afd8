"""Result reports (báo cáo kết quả), their values, versions and evidence.

A roll-up is one aggregate over ``ReportValue``: each value row carries its
campaign, its unit and whether it counts (its report is submitted or accepted),
so the subtree sum is ``ReportValue ⋈ Unit`` filtered by a path range and
grouped by the child prefix of the path — no join to ``Report`` and no loop
over units. ``counted`` is kept in step with ``Report.state`` by the services
(the only writers), in the same transaction.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lantoa.core.models import TimeStamped

# Budget figures (VND) are stored next to the indicators so they roll up in the same query.
BUDGET_STATE = "budget_state"
BUDGET_SPONSOR = "budget_sponsor"
BUDGET_CODES = (BUDGET_STATE, BUDGET_SPONSOR)


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Đang soạn")
    SUBMITTED = "submitted", _("Đã gửi")
    ACCEPTED = "accepted", _("Đã tiếp nhận")
    RETURNED = "returned", _("Bị trả lại")


COUNTED_STATES = (ReportState.SUBMITTED, ReportState.ACCEPTED)
EDITABLE_STATES = (ReportState.DRAFT, ReportState.RETURNED)


class Report(TimeStamped):
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="reports"
    )
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="reports")
    state = models.CharField(
        _("trạng thái"), max_length=16, choices=ReportState.choices, default=ReportState.DRAFT
    )
    version = models.PositiveIntegerField(default=1)
    sections = models.JSONField(_("nội dung"), default=dict, blank=True)
    budget_state = models.BigIntegerField(_("kinh phí ngân sách nhà nước"), null=True, blank=True)
    budget_sponsor = models.BigIntegerField(_("kinh phí xã hội hóa"), null=True, blank=True)
    due_on = models.DateField(_("hạn báo cáo"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("thời điểm gửi"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(_("thời điểm tiếp nhận"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    returned_reason = models.TextField(_("lý do trả lại"), blank=True, default="")
    on_time = models.BooleanField(_("đúng hạn"), null=True, blank=True)

    class Meta:
        ordering = ["campaign", "unit__path"]
        verbose_name = _("báo cáo kết quả")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="report_per_unit"),
            models.CheckConstraint(
                condition=Q(budget_state__isnull=True) | Q(budget_state__gte=0),
                name="report_budget_state_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(budget_sponsor__isnull=True) | Q(budget_sponsor__gte=0),
                name="report_budget_sponsor_gte_0",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "state"], name="report_campaign_state")]

    def __str__(self) -> str:
        return f"{self.unit} — {self.campaign}"

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES

    @property
    def is_counted(self) -> bool:
        return self.state in COUNTED_STATES


class ReportValue(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="values")
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    indicator_code = models.SlugField(max_length=50)
    value = models.BigIntegerField()
    counted = models.BooleanField(default=False)

    class Meta:
        ordering = ["report", "indicator_code"]
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator_code"], name="value_per_code"),
            models.CheckConstraint(condition=Q(value__gte=0), name="report_value_gte_0"),
        ]
        indexes = [
            models.Index(fields=["campaign", "unit", "counted"], name="value_campaign_unit"),
        ]


class ReportVersion(models.Model):
    """A snapshot after every save and transition (compare any two)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    action = models.CharField(max_length=32)
    state = models.CharField(max_length=16, choices=ReportState.choices)
    values = models.JSONField(default=dict)
    sections = models.JSONField(default=dict)
    budget_state = models.BigIntegerField(null=True, blank=True)
    budget_sponsor = models.BigIntegerField(null=True, blank=True)
    note = models.TextField(blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["report", "version"]
        constraints = [
            models.UniqueConstraint(fields=["report", "version"], name="report_version_unique")
        ]


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", _("Ảnh")
    FILE = "file", _("Tệp")
    LINK = "link", _("Liên kết")
    DIRECTIVE = "directive", _("Văn bản chỉ đạo của đơn vị")


def evidence_path(instance, filename: str) -> str:
    return f"evidence/reports/{instance.report.campaign_id}/{instance.report.unit_id}/{filename}"


class Evidence(TimeStamped):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=16, choices=EvidenceKind.choices)
    title = models.CharField(_("tiêu đề"), max_length=255, blank=True, default="")
    file = models.FileField(upload_to=evidence_path, blank=True, max_length=300)
    url = models.URLField(_("đường dẫn"), blank=True, default="", max_length=1000)
    content_type = models.CharField(max_length=100, blank=True, default="")
    size = models.PositiveBigIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["report", "created_at", "id"]
        verbose_name = _("minh chứng")
        constraints = [
            models.CheckConstraint(condition=~Q(file="") | ~Q(url=""), name="evidence_file_or_url")
        ]

    def __str__(self) -> str:
        return self.title or self.url or self.file.name
