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


# --- reporting lines (tuyến báo cáo) --------------------------------------------------------

# Width of one step of a reporting path: the node's unit id, zero-padded, so the
# ancestors of a node are read straight off its path (no join) and a subtree is
# one index range on (campaign, path).
LINE_STEP = 10
# Completeness counts are kept beside the indicator totals under these codes
# (indicator codes are slugs, so "#" never collides).
COUNT_EXPECTED = "#expected"
COUNT_SUBMITTED = "#submitted"
COUNT_ON_TIME = "#on_time"
COUNT_ACCEPTED = "#accepted"
COUNT_CODES = (COUNT_EXPECTED, COUNT_SUBMITTED, COUNT_ON_TIME, COUNT_ACCEPTED)
# Totals of the top levels are spread over this many rows per (node, code), summed
# on read, so no single row is a hot spot when every unit submits near the deadline.
TOTAL_SHARDS = 8
SHARDED_DEPTH = 2


def first_of(qs):
    """The first row or None, without ORDER BY: a lookup by a unique key must not let
    PostgreSQL walk an ordered index under LIMIT 1."""
    return next(iter(qs.order_by()[:1]), None)


class ReportingNode(models.Model):
    """One unit in one campaign's reporting tree: to whom it reports, and why.

    ``parent_unit`` is the reporting parent (default: the administrative one; an
    issued plan's recipients report to its issuer or the unit it names; an office
    may move a unit of its part). ``path`` is the chain of unit ids from the root.
    """

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    parent_unit = models.ForeignKey(
        "units.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    admin_parent = models.ForeignKey(
        "units.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    path = models.CharField(max_length=255, default="")
    depth = models.PositiveIntegerField(default=0)
    claimed_by = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A second plan that also claimed the unit (its issuer sees "báo cáo qua …").
    contested_by = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moved = models.BooleanField(default=False)
    expected = models.BooleanField(default=False)
    # No unit reports to it: its subtree total (its total row) is its own report.
    leaf = models.BooleanField(default=True)
    due_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["campaign", "path"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="reporting_node_unique")
        ]
        indexes = [
            models.Index(
                fields=["campaign", "path"],
                name="reporting_node_path",
                opclasses=["", "varchar_pattern_ops"],
            ),
            models.Index(fields=["campaign", "parent_unit"], name="reporting_node_parent"),
            # Tree order for a page of missing units (the pattern index above cannot give
            # ORDER BY path under a non-C collation on PostgreSQL).
            models.Index(fields=["campaign", "path"], name="reporting_node_order"),
        ]

    def ancestor_ids(self, *, include_self: bool = True) -> list[int]:
        ids = [int(self.path[i : i + LINE_STEP]) for i in range(0, len(self.path), LINE_STEP)]
        return ids if include_self else ids[:-1]


class ReportingTotal(models.Model):
    """Subtree totals of one node of a campaign's reporting tree, in one row per shard:
    ``totals`` is a JSON object {code: value} of every indicator, budget and completeness
    count whose sum is not 0; a node's value of a code is the sum over its shards.

    One row per node (not one per code) so a roll-up fetches one row per reporting child
    and a transition writes one row per ancestor: the increment is merged into the object
    by the database (``lines.services.totals_merge_sql``), under the row's lock."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    shard = models.PositiveSmallIntegerField(default=0)
    totals = models.TextField(default="{}")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "shard"], name="reporting_total_unique_shard"
            )
        ]


class AdminTotal(models.Model):
    """Sum of one code (an indicator or a budget) over the counted values of the reports of
    the units strictly **below** ``unit`` in the administrative tree, in one campaign, and
    how many value rows make it (``entries``: a figure reported as 0 is still a figure).

    A unit's own report is read from its values, so units without children (the ~50,000
    schools and centres) keep no rows. Kept in step by ``reports.admin_totals`` in the same
    transaction as every report transition and administrative move; a unit's value is the
    sum of its shards (the top levels are spread like ``ReportingTotal``)."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    shard = models.PositiveSmallIntegerField(default=0)
    code = models.CharField(max_length=60)
    value = models.BigIntegerField(default=0)
    entries = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "shard", "code"], name="admin_total_unique"
            )
        ]
        # Year over year reads a few units' rows in every campaign (index-only on PostgreSQL).
        indexes = [
            models.Index(
                fields=["unit", "campaign", "code"],
                include=["value", "entries"],
                name="admin_total_read",
            )
        ]


class ReportingMove(models.Model):
    """History of an office's manual changes to a campaign's reporting tree."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    from_unit = models.ForeignKey(
        "units.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    reason = models.TextField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campaign", "-created_at", "-id"]
