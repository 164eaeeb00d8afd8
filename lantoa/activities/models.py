"""Activities units hold during the Week, their evidence, citizens' registrations, open resources."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lantoa.core.models import TimeStamped


class Mode(models.TextChoices):
    IN_PERSON = "in_person", _("Trực tiếp")
    ONLINE = "online", _("Trực tuyến")
    HYBRID = "hybrid", _("Kết hợp")


class AudienceGroup(models.TextChoices):
    """Participants by group; the codes match the ``doi_tuong_*`` indicators."""

    PUPILS = "hoc_sinh", _("Học sinh, sinh viên")
    TEACHERS = "giao_vien", _("Giáo viên, cán bộ quản lý")
    PARENTS = "phu_huynh", _("Cha mẹ học sinh")
    WORKERS = "cbcc", _("Cán bộ, công chức, người lao động")
    CITIZENS = "nguoi_dan", _("Người dân khác")


class Activity(TimeStamped):
    """Hoạt động: what a unit holds during the Week."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="activities"
    )
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="activities")
    type = models.ForeignKey(
        "campaigns.ActivityType", on_delete=models.PROTECT, related_name="activities"
    )
    title = models.CharField(_("tên hoạt động"), max_length=255)
    description = models.TextField(_("mô tả"), blank=True, default="")
    starts_at = models.DateTimeField(_("bắt đầu"))
    ends_at = models.DateTimeField(_("kết thúc"))
    mode = models.CharField(_("hình thức"), max_length=16, choices=Mode.choices)
    location = models.CharField(_("địa điểm"), max_length=500, blank=True, default="")
    online_url = models.URLField(_("đường dẫn trực tuyến"), max_length=500, blank=True, default="")
    audience = models.JSONField(_("đối tượng"), default=list, blank=True)
    capacity = models.PositiveIntegerField(_("số chỗ"), null=True, blank=True)
    public = models.BooleanField(_("công khai"), default=True)
    cancelled = models.BooleanField(_("đã hủy"), default=False)
    participants = models.JSONField(_("người tham gia theo đối tượng"), default=dict, blank=True)
    search_text = models.TextField(default="", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("hoạt động")
        indexes = [
            # The public calendar: only public, not cancelled rows, in date order. Counting
            # and the first page read this small index instead of the table.
            models.Index(
                fields=["starts_at", "id"],
                condition=Q(public=True, cancelled=False),
                name="activity_calendar",
            ),
            models.Index(fields=["campaign", "unit"], name="activity_campaign_unit"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")), name="activity_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def participants_total(self) -> int:
        return sum(int(v or 0) for v in (self.participants or {}).values())

    @property
    def is_online(self) -> bool:
        return self.mode in (Mode.ONLINE, Mode.HYBRID)

    def audience_labels(self) -> list[str]:
        labels = dict(AudienceGroup.choices)
        return [str(labels[a]) for a in self.audience or [] if a in labels]


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", _("Ảnh")
    FILE = "file", _("Tệp")
    LINK = "link", _("Liên kết")


def evidence_path(instance, filename: str) -> str:
    return f"activities/{instance.activity_id}/{filename}"


class Evidence(TimeStamped):
    """Minh chứng of an activity: a re-encoded photo, a file or an http(s) link."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=8, choices=EvidenceKind.choices)
    title = models.CharField(_("tiêu đề"), max_length=255, blank=True, default="")
    file = models.FileField(upload_to=evidence_path, blank=True, max_length=300)
    url = models.URLField(max_length=500, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["activity", "id"]
        verbose_name = _("minh chứng")


class RegistrationState(models.TextChoices):
    CONFIRMED = "confirmed", _("Đã xác nhận")
    WAITING = "waiting", _("Danh sách chờ")
    CANCELLED = "cancelled", _("Đã hủy")


class Registration(TimeStamped):
    """A citizen's registration. Personal data: visible to the organising unit only."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="registrations")
    code = models.CharField(max_length=12, unique=True)
    full_name = models.CharField(_("họ và tên"), max_length=150)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True, default="")
    email = models.EmailField(_("thư điện tử"), blank=True, default="")
    # Normalised phone or e-mail: one person once per activity.
    person_key = models.CharField(max_length=254)
    state = models.CharField(max_length=10, choices=RegistrationState.choices)
    consent_at = models.DateTimeField()
    attended = models.BooleanField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["activity", "created_at", "id"]
        verbose_name = _("đăng ký")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "person_key"],
                condition=~Q(state="cancelled"),
                name="registration_once_per_person",
            )
        ]
        indexes = [models.Index(fields=["activity", "state"], name="registration_activity_state")]


class ResourceKind(models.TextChoices):
    EBOOK = "ebook", _("Sách điện tử")
    LECTURE = "lecture", _("Bài giảng ghi hình")
    COURSE = "course", _("Khóa học trực tuyến")
    OTHER = "other", _("Học liệu khác")


class LearningResource(TimeStamped):
    """An open learning resource a unit registers (shown on the public portal)."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="resources"
    )
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="resources")
    kind = models.CharField(_("loại"), max_length=10, choices=ResourceKind.choices)
    title = models.CharField(_("tên học liệu"), max_length=255)
    url = models.URLField(_("đường dẫn"), max_length=500)
    description = models.TextField(_("mô tả"), blank=True, default="")

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("học liệu mở")
