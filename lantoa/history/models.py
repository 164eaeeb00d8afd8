from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class HistoryEntry(models.Model):
    """Who changed what, when, before → after. Written only by ``history_record``."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit = models.ForeignKey(
        "units.Unit", null=True, on_delete=models.CASCADE, related_name="history"
    )
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=50)
    action = models.CharField(max_length=50)
    summary = models.CharField(max_length=500, blank=True, default="")
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = _("lịch sử")

    def changes(self) -> list[tuple[str, object, object]]:
        before, after = self.before or {}, self.after or {}
        keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]
