from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from lantoa.core.models import TimeStamped
from lantoa.core.text import fold, nfc
from lantoa.core.tree import subtree_q  # most apps import it from here


class UnitKind(models.TextChoices):
    BO_GDDT = "bo_gddt", _("Bộ Giáo dục và Đào tạo")
    UBND_TINH = "ubnd_tinh", _("UBND tỉnh/thành phố")
    SO_GDDT = "so_gddt", _("Sở Giáo dục và Đào tạo")
    SO_KHAC = "so_khac", _("Sở, ngành khác")
    UBND_HUYEN = "ubnd_huyen", _("UBND quận/huyện/thị xã/thành phố thuộc tỉnh")
    PHONG_GDDT = "phong_gddt", _("Phòng Giáo dục và Đào tạo")
    UBND_XA = "ubnd_xa", _("UBND xã/phường/đặc khu")
    BCD_XHHT = "bcd_xhht", _("Ban Chỉ đạo xây dựng xã hội học tập")
    TT_HTCD = "tt_htcd", _("Trung tâm học tập cộng đồng")
    TT_GDNN_GDTX = "tt_gdnn_gdtx", _("Trung tâm GDNN-GDTX")
    TRUONG_MN = "truong_mn", _("Trường mầm non")
    TRUONG_TH = "truong_th", _("Trường tiểu học")
    TRUONG_THCS = "truong_thcs", _("Trường THCS")
    TRUONG_THPT = "truong_thpt", _("Trường THPT")
    TRUONG_LIEN_CAP = "truong_lien_cap", _("Trường liên cấp")
    HOI_KHUYEN_HOC = "hoi_khuyen_hoc", _("Hội Khuyến học")
    THU_VIEN = "thu_vien", _("Thư viện")
    DAI_TRUYEN_THANH = "dai_truyen_thanh", _("Đài truyền thanh/phát thanh - truyền hình")
    PHONG_VAN_HOA = "phong_van_hoa", _("Phòng Văn hóa - Thông tin")
    PHONG_TAI_CHINH = "phong_tai_chinh", _("Phòng Tài chính - Kế hoạch")
    PHONG_NOI_VU = "phong_noi_vu", _("Phòng Nội vụ")
    OTHER = "other", _("Khác")


SCHOOL_KINDS = {
    UnitKind.TRUONG_MN,
    UnitKind.TRUONG_TH,
    UnitKind.TRUONG_THCS,
    UnitKind.TRUONG_THPT,
    UnitKind.TRUONG_LIEN_CAP,
}


def same_code_space_q(kind: str) -> Q:
    """Units whose codes must differ from a unit of ``kind`` (see Unit.Meta.constraints)."""
    return Q(kind=UnitKind.UBND_XA) if kind == UnitKind.UBND_XA else ~Q(kind=UnitKind.UBND_XA)


class UnitQuerySet(MP_NodeQuerySet):
    def subtree_of(self, unit: "Unit") -> "UnitQuerySet":
        return self.filter(subtree_q(unit.path))

    def active_on(self, day) -> "UnitQuerySet":
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )


class UnitManager(MP_NodeManager):
    """Unlike treebeard's manager, no explicit ORDER BY path (Meta.ordering gives it),
    so aggregates over units group correctly."""

    def get_queryset(self) -> UnitQuerySet:
        return UnitQuerySet(self.model, using=self._db)

    def subtree_of(self, unit: "Unit") -> UnitQuerySet:
        return self.get_queryset().subtree_of(unit)

    def active_on(self, day) -> UnitQuerySet:
        return self.get_queryset().active_on(day)


class Unit(MP_Node, TimeStamped):
    name = models.CharField(_("tên"), max_length=255)
    kind = models.CharField(_("loại"), max_length=32, choices=UnitKind.choices)
    code = models.CharField(_("mã"), max_length=32, blank=True, default="")
    # Mã định danh điện tử (Decision 20/2020/QĐ-TTg), e.g. "000.00.12.H26": how e-office
    # systems address the unit in edXML messages (QCVN 102:2016).
    edoc_code = models.CharField(
        _("mã định danh điện tử"),
        max_length=32,
        blank=True,
        default="",
        db_index=True,
        help_text=_("Theo Quyết định 20/2020/QĐ-TTg, ví dụ 000.00.12.H26"),
    )
    abbreviation = models.CharField(
        _("viết tắt"),
        max_length=32,
        blank=True,
        default="",
        help_text=_("Dùng trong ký hiệu văn bản, ví dụ UBND, PGDĐT"),
    )
    governing_body = models.CharField(
        _("cơ quan chủ quản"),
        max_length=255,
        blank=True,
        default="",
        help_text=_("Dòng trên tên cơ quan ở góc trái văn bản, ví dụ UBND QUẬN LONG BIÊN"),
    )
    place_name = models.CharField(_("địa danh"), max_length=100, blank=True, default="")
    email = models.EmailField(_("thư điện tử"), blank=True, default="")
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True, default="")
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    # The primary successor (whole history when no shares are given); every successor,
    # with its share, is a UnitSuccession row. Kept in step by units.services.
    successor = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị kế thừa"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="predecessors",
    )
    search_text = models.CharField(max_length=600, editable=False, default="", db_index=True)
    # Bumped by every write service (update, move, close): stale edits answer 409.
    version = models.PositiveIntegerField(default=1)

    node_order_by = None
    objects = UnitManager()

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["path"]
        # Official commune codes (5 digits, stored without leading zeros) overlap the
        # two-digit province codes ("4" is Cao Bằng and phường Ba Đình), so communes
        # have their own code space; every other unit's code is unique among the rest.
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=~Q(code="") & ~Q(kind="ubnd_xa"),
                name="unit_code_unique",
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=~Q(code="") & Q(kind="ubnd_xa"),
                name="unit_commune_code_unique",
            ),
        ]
        indexes = [
            models.Index(
                fields=["path"], name="unit_path_pattern", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["kind", "path"], name="unit_kind_path"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name = nfc(self.name)
        self.search_text = fold(f"{self.name} {self.code} {self.abbreviation}")
        if kwargs.get("update_fields"):
            kwargs["update_fields"] = set(kwargs["update_fields"]) | {
                "search_text",
                "name",
                "updated_at",
            }
        super().save(*args, **kwargs)

    def is_active_on(self, day) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or self.valid_to >= day
        )

    @property
    def is_closed(self) -> bool:
        return self.valid_to is not None

    def subtree(self) -> UnitQuerySet:
        return Unit.objects.subtree_of(self)

    def ancestor_paths(self) -> list[str]:
        return [self.path[: i * self.steplen] for i in range(1, self.depth)]

    def in_subtree_of(self, other: "Unit") -> bool:
        return self.path.startswith(other.path)


class UnitSuccession(TimeStamped):
    """A closed unit's successor (2025 reform): merges many → one, splits one → many.

    ``share`` is the part of the predecessor's history the successor inherits, in (0, 1];
    a predecessor's shares sum to 1, or none is given and its whole history goes to the
    primary successor (``Unit.successor``).
    """

    predecessor = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="successions", verbose_name=_("đơn vị cũ")
    )
    successor = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        related_name="successions_from",
        verbose_name=_("đơn vị kế thừa"),
    )
    share = models.DecimalField(_("tỷ lệ"), max_digits=7, decimal_places=6, null=True, blank=True)

    class Meta:
        verbose_name = _("kế thừa đơn vị")
        verbose_name_plural = _("kế thừa đơn vị")
        ordering = ["predecessor", "-share", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="unit_succession_once"
            ),
            models.CheckConstraint(
                condition=Q(share__isnull=True) | (Q(share__gt=0) & Q(share__lte=1)),
                name="unit_succession_share_range",
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")), name="unit_succession_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"
