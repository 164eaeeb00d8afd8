"""Official documents (văn bản): plans, dispatches, guidance, notices — Decree 30/2020."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lantoa.core.models import TimeStamped


class DocumentKind(models.TextChoices):
    CONG_VAN = "cong_van", _("Công văn")
    KE_HOACH = "ke_hoach", _("Kế hoạch")
    BAO_CAO = "bao_cao", _("Báo cáo")
    QUYET_DINH = "quyet_dinh", _("Quyết định")
    THONG_BAO = "thong_bao", _("Thông báo")
    HUONG_DAN = "huong_dan", _("Hướng dẫn")


# Type symbol in the document's symbol ("220/KH-UBND"); a công văn has none.
KIND_SYMBOLS = {
    DocumentKind.CONG_VAN: "",
    DocumentKind.KE_HOACH: "KH",
    DocumentKind.BAO_CAO: "BC",
    DocumentKind.QUYET_DINH: "QĐ",
    DocumentKind.THONG_BAO: "TB",
    DocumentKind.HUONG_DAN: "HD",
}


class DocumentState(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    CONSULTATION = "consultation", _("Đang lấy ý kiến")
    SUBMITTED = "submitted", _("Đã trình ký")
    APPROVED = "approved", _("Đã phê duyệt")
    RETURNED = "returned", _("Bị trả lại")
    ISSUED = "issued", _("Đã ban hành")


EDITABLE_STATES = (DocumentState.DRAFT, DocumentState.CONSULTATION, DocumentState.RETURNED)


class EventForm(models.TextChoices):
    IN_PERSON = "in_person", _("Trực tiếp")
    ONLINE = "online", _("Trực tuyến")
    HYBRID = "hybrid", _("Kết hợp trực tiếp và trực tuyến")


class IssuerSetting(TimeStamped):
    """Per-unit rules for the documents it issues."""

    unit = models.OneToOneField(
        "units.Unit", on_delete=models.CASCADE, related_name="document_setting"
    )
    second_person_required = models.BooleanField(
        _("bắt buộc người thứ hai phê duyệt"), default=False
    )

    class Meta:
        ordering = ["unit__path"]


class Document(TimeStamped):
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.PROTECT,
        related_name="documents",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("loại văn bản"), max_length=16, choices=DocumentKind.choices)
    state = models.CharField(
        _("trạng thái"), max_length=16, choices=DocumentState.choices, default=DocumentState.DRAFT
    )
    issuer_unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="issued_documents"
    )
    drafting_unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="drafted_documents"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Number and symbol from the issuer's register (assigned at issue).
    year = models.PositiveIntegerField(null=True, blank=True)
    number = models.PositiveIntegerField(_("số"), null=True, blank=True)
    symbol = models.CharField(_("ký hiệu"), max_length=64, blank=True, default="")
    symbol_suffix = models.CharField(
        _("ký hiệu bộ phận soạn thảo"),
        max_length=32,
        blank=True,
        default="",
        help_text=_("Ví dụ GDTX-CN trong 3270/SGDĐT-GDTX-CN"),
    )
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    place = models.CharField(_("địa danh"), max_length=100, blank=True, default="")
    subject = models.CharField(_("trích yếu"), max_length=500)
    sections = models.JSONField(_("nội dung"), default=list, blank=True)
    extra_legal_bases = models.JSONField(_("căn cứ khác"), default=list, blank=True)
    based_on = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="cited_by", verbose_name=_("căn cứ")
    )
    # Every document above in the chain (denormalised when ``based_on`` is set, so the
    # whole chain of legal bases is one query; issued documents never change).
    chain_ids = models.JSONField(default=list, blank=True)
    # Path of the unit whose subtree the document governs (the issuer, or its parent
    # for a steering committee or a provincial department): duties "to every school".
    area_path = models.CharField(max_length=255, blank=True, default="")
    addressees = models.JSONField(_("kính gửi"), default=list, blank=True)
    # Plan structure.
    theme = models.CharField(_("chủ đề"), max_length=500, blank=True, default="")
    starts_on = models.DateField(_("từ ngày"), null=True, blank=True)
    ends_on = models.DateField(_("đến ngày"), null=True, blank=True)
    venue = models.CharField(_("địa điểm"), max_length=500, blank=True, default="")
    event_form = models.CharField(
        _("hình thức"), max_length=16, choices=EventForm.choices, blank=True, default=""
    )
    report_due_on = models.DateField(_("hạn báo cáo"), null=True, blank=True)
    report_kinds = models.JSONField(default=list, blank=True)
    # "Báo cáo về": the recipients report to this unit (empty = to the issuer).
    report_to_unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("báo cáo về"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Signer.
    signer_authority = models.CharField(_("quyền hạn ký"), max_length=100, blank=True, default="")
    signer_title = models.CharField(_("chức vụ người ký"), max_length=100, blank=True, default="")
    signer_name = models.CharField(_("người ký"), max_length=100, blank=True, default="")
    # Workflow.
    second_person_required = models.BooleanField(default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    returned_reason = models.TextField(blank=True, default="")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(null=True, blank=True)
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    version = models.PositiveIntegerField(default=1)
    search_text = models.TextField(blank=True, default="", editable=False)
    # A document received from another e-office system (edXML, QCVN 102:2016): the
    # message's identifier (a second import of it is refused) and what its signatures
    # said when it arrived. Its number belongs to the sender's register, not ours.
    external_id = models.CharField(max_length=100, blank=True, default="")
    received_signatures = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-issued_on", "-created_at", "-id"]
        verbose_name = _("văn bản")
        verbose_name_plural = _("văn bản")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer_unit", "year", "number"],
                condition=Q(number__isnull=False, external_id=""),
                name="document_number_per_issuer_year",
            ),
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="document_external_id_once",
            ),
            models.CheckConstraint(
                condition=Q(state="issued", number__isnull=False, issued_on__isnull=False)
                | ~Q(state="issued"),
                name="issued_document_has_number",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "state"]),
            models.Index(fields=["issuer_unit", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}".strip()

    @property
    def reference(self) -> str:
        """ "220/KH-UBND" once issued; "" before."""
        return self.reference_of(self.number, self.symbol)

    @staticmethod
    def reference_of(number: int | None, symbol: str) -> str:
        """The reference of a document numbered ``number`` with ``symbol`` ("05" for a công
        văn without a symbol, "" before it is issued), for reads that hold only the two."""
        if number is None:
            return ""
        return f"{number:02d}/{symbol}" if symbol else f"{number:02d}"

    @property
    def is_received(self) -> bool:
        return bool(self.external_id)

    @property
    def received_signatures_valid(self) -> bool:
        """A received document whose signatures all checked out on arrival."""
        sigs = self.received_signatures or []
        return bool(sigs) and all(s.get("valid") for s in sigs)

    @property
    def is_issued(self) -> bool:
        return self.state == DocumentState.ISSUED

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES

    @property
    def sets_reporting_line(self) -> bool:
        """Its unit recipients report under it ("báo cáo về" the issuer or a named unit)."""
        return self.kind in REPORTING_KINDS

    @property
    def reports_to(self):
        """The unit the recipients report to: the one named, else the issuer."""
        return self.report_to_unit if self.report_to_unit_id else self.issuer_unit


# Documents whose unit recipients report under them, to the issuer or to the unit named in
# "báo cáo về" (the campaign's reporting lines, DESIGN.md).
REPORTING_KINDS = ("ke_hoach", "cong_van", "huong_dan")
# How "Nơi nhận" marks a unit informed only (Decree 30 practice).
INFORMATION_NOTE = "để biết"


class DocumentRecipient(models.Model):
    """Nơi nhận: a unit (delivered to its inbox) or a free-text line ("Lưu: VT.")."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="recipients")
    unit = models.ForeignKey(
        "units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Addressed to act and report under this document (default), or only for information
    # or coordination ("để biết", "để phối hợp": superiors, other committees): only the
    # former join the campaign's reporting line of the issuer.
    reports = models.BooleanField(_("báo cáo theo văn bản"), default=True)
    text = models.CharField(max_length=255, blank=True, default="")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["document", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False) | ~Q(text=""), name="recipient_unit_or_text"
            ),
            models.UniqueConstraint(
                fields=["document", "unit"],
                condition=Q(unit__isnull=False),
                name="recipient_unit_once",
            ),
        ]

    def label(self) -> str:
        return self.text or (self.unit.name if self.unit_id else "")

    @property
    def for_information(self) -> bool:
        """A unit informed only ("để biết"): it does not report under the document."""
        return bool(self.unit_id) and not self.reports

    def listed_label(self) -> str:
        """The line of "Nơi nhận": "UBND Thành phố Hà Nội (để biết)" for information."""
        return f"{self.label()} ({INFORMATION_NOTE})" if self.for_information else self.label()


class Assignment(models.Model):
    """A duty of a plan (tổ chức thực hiện): to one unit or to every unit of a kind
    in the issuer's area. Progress per addressee lives in ``AssignmentStatus``."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="assignments")
    heading = models.CharField(max_length=255, blank=True, default="")
    unit = models.ForeignKey(
        "units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit_kind = models.CharField(max_length=32, blank=True, default="")
    text = models.TextField()
    due_on = models.DateField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["document", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(unit__isnull=False) & Q(unit_kind=""))
                | (Q(unit__isnull=True) & ~Q(unit_kind="")),
                name="assignment_unit_xor_kind",
            )
        ]
        indexes = [models.Index(fields=["unit_kind"])]


class AssignmentProgress(models.TextChoices):
    OPEN = "open", _("Chưa thực hiện")
    IN_PROGRESS = "in_progress", _("Đang thực hiện")
    DONE = "done", _("Đã hoàn thành")


class AssignmentStatus(TimeStamped):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="statuses")
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        max_length=16, choices=AssignmentProgress.choices, default=AssignmentProgress.OPEN
    )
    note = models.TextField(blank=True, default="")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["assignment", "unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "unit"], name="assignment_status_once")
        ]


class Consultation(TimeStamped):
    """Lấy ý kiến: a draft sent to chosen units for comments by ``due_on``."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="consultations")
    due_on = models.DateField(_("hạn góp ý"))
    units = models.ManyToManyField("units.Unit", related_name="+")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_on = models.DateField()
    # The covering letter (e.g. 1040/PGDĐT "V/v góp ý Dự thảo …"), when one was issued.
    letter = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["document", "-sent_on", "-id"]


class ConsultationAnswer(models.TextChoices):
    AGREE = "agree", _("Thống nhất")
    COMMENT = "comment", _("Có ý kiến")
    SILENT = "silent", _("Không có ý kiến, xem như thống nhất")


class ConsultationResponse(TimeStamped):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="responses"
    )
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(max_length=16, choices=ConsultationAnswer.choices)
    comment = models.TextField(blank=True, default="")
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_on = models.DateField()

    class Meta:
        ordering = ["consultation", "unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "unit"], name="consultation_answer_once"
            )
        ]


class DocumentVersion(models.Model):
    """A snapshot of a draft's content after each change (for comparing versions)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    snapshot = models.JSONField()
    note = models.CharField(max_length=255, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "version"]
        constraints = [
            models.UniqueConstraint(fields=["document", "version"], name="document_version_once")
        ]


class Register(TimeStamped):
    """Sổ văn bản đi: one per issuer and calendar year; numbers restart at 01."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["unit_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="register_per_unit_year")
        ]


class Delivery(models.Model):
    """An issued document in a recipient unit's inbox, with its read receipt."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="deliveries")
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    delivered_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["unit_id", "-delivered_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["document", "unit"], name="delivery_once")]
        indexes = [models.Index(fields=["unit", "read_at"])]


def attachment_path(instance, filename: str) -> str:
    return f"documents/{instance.document_id}/attachments/{filename}"


class Attachment(TimeStamped):
    """A file delivered with a document (phụ lục, biểu mẫu): PDF, DOCX, XLSX or an image.
    Listed in order under the document; frozen once the document is issued."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("tên tài liệu"), max_length=255)
    file = models.FileField(upload_to=attachment_path, max_length=300)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    position = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["document", "position", "id"]
        verbose_name = _("tài liệu kèm theo")
        verbose_name_plural = _("tài liệu kèm theo")

    def __str__(self) -> str:
        return self.title

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"


class SignedFile(TimeStamped):
    """The digitally signed PDF of an issued document (or of one of its PDF attachments),
    made once and kept: every download returns the same bytes."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="signed_files")
    attachment = models.OneToOneField(
        Attachment, null=True, blank=True, on_delete=models.CASCADE, related_name="signed"
    )
    file = models.FileField(upload_to="documents/signed/", max_length=300)
    sha256 = models.CharField(max_length=64)
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["document", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["document"],
                condition=Q(attachment__isnull=True),
                name="signed_main_file_once",
            )
        ]


class UnitSigner(TimeStamped):
    """Who signs a unit's documents: "KT. CHỦ TỊCH" / "PHÓ CHỦ TỊCH" / "Nguyễn Long Hải".
    The authority line says for whom (TM. the collective, KT. the head, Q., TL., TUQ.)."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="signers")
    authority = models.CharField(_("quyền hạn ký"), max_length=100, blank=True, default="")
    title = models.CharField(_("chức vụ"), max_length=100)
    name = models.CharField(_("họ và tên"), max_length=100)
    position = models.PositiveIntegerField(default=0)
    active = models.BooleanField(_("đang ký"), default=True)

    class Meta:
        ordering = ["unit", "position", "id"]
        verbose_name = _("người ký")
        verbose_name_plural = _("người ký")

    def __str__(self) -> str:
        return " / ".join(p for p in (self.authority, self.title, self.name) if p)
