"""Nominations go up the tree, approvals come down; approved ones become public honours."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lantoa.core.models import TimeStamped


class NomineeKind(models.TextChoices):
    COLLECTIVE = "collective", _("Tập thể")
    INDIVIDUAL = "individual", _("Cá nhân")


class NominationState(models.TextChoices):
    PENDING = "pending", _("Chờ xét duyệt")
    APPROVED = "approved", _("Đã phê duyệt")
    DECLINED = "declined", _("Không phê duyệt")


class Nomination(TimeStamped):
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="nominations"
    )
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="nominations")
    nominee_kind = models.CharField(_("đối tượng"), max_length=12, choices=NomineeKind.choices)
    nominee_name = models.CharField(_("tên tập thể, cá nhân"), max_length=255)
    achievement = models.TextField(_("thành tích"))
    state = models.CharField(
        max_length=10, choices=NominationState.choices, default=NominationState.PENDING
    )
    # The unit whose approver decides next (starts at the nominating unit's parent) and the
    # highest unit that must approve (the nominating plan's level; default: the parent).
    reviewer_unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="nominations_to_review"
    )
    final_unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("lý do"), blank=True, default="")
    approvals = models.JSONField(default=list, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("đề nghị tuyên dương")


class Honour(TimeStamped):
    """An approved nomination, on the public honour board."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="honours"
    )
    nomination = models.OneToOneField(Nomination, on_delete=models.CASCADE, related_name="honour")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="honours")
    approved_by_unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="honours_approved"
    )
    nominee_kind = models.CharField(max_length=12, choices=NomineeKind.choices)
    nominee_name = models.CharField(max_length=255)
    achievement = models.TextField()
    approved_on = models.DateField()

    class Meta:
        ordering = ["campaign", "unit__path", "nominee_kind", "nominee_name"]
        verbose_name = _("tuyên dương")
