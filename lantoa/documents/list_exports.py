"""The office's document lists as .xlsx (pages and API alike): the inbox and the
documents list (all in scope, or one issuer's outgoing documents), exactly as filtered,
one query for the rows, written row by row (``core.spreadsheets.table_xlsx_file``)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from lantoa.accounts.selectors import memberships_for_user
from lantoa.campaigns.models import Campaign
from lantoa.core.spreadsheets import table_xlsx_file
from lantoa.documents import selectors
from lantoa.documents.models import DocumentKind, DocumentState
from lantoa.units.models import Unit

CHUNK = 2000


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _today() -> str:
    return timezone.localdate().strftime("%d/%m/%Y")


def inbox_xlsx(*, user):
    """Documents received by the user's units (the inbox page's rows, newest first)."""
    units = ", ".join(dict.fromkeys(m.unit.name for m in memberships_for_user(user)))
    deliveries = selectors.inbox_for_user(user=user, unread_first=False)
    rows = (
        [
            d.document.reference,
            d.document.subject,
            d.document.get_kind_display(),
            d.document.issuer_unit.name,
            d.document.issued_on,
            d.unit.name,
            _local(d.delivered_at),
            _local(d.read_at),
        ]
        for d in deliveries.iterator(chunk_size=CHUNK)
    )
    return table_xlsx_file(
        title=_("Hộp thư đến"),
        heading=_("Hộp thư đến của %(units)s — xuất ngày %(day)s")
        % {"units": units or "—", "day": _today()},
        headers=[
            _("Số, ký hiệu"),
            _("Trích yếu"),
            _("Loại văn bản"),
            _("Cơ quan ban hành"),
            _("Ngày ban hành"),
            _("Nơi nhận"),
            _("Nhận lúc"),
            _("Đọc lúc"),
        ],
        rows=rows,
    )


def documents_filter_label(*, campaign: int | None, kind: str, state: str, q: str) -> str:
    """The filters in words, for the title row ("không lọc" when none)."""
    parts = []
    if campaign:
        year = Campaign.objects.filter(pk=campaign).values_list("year", flat=True).first()
        parts.append(_("Tuần lễ %(year)s") % {"year": year or campaign})
    if kind in DocumentKind.values:
        parts.append(_("loại: %(kind)s") % {"kind": DocumentKind(kind).label})
    if state in DocumentState.values:
        parts.append(_("trạng thái: %(state)s") % {"state": DocumentState(state).label})
    if q:
        parts.append(_("tìm: “%(q)s”") % {"q": q})
    return "; ".join(str(p) for p in parts) or _("không lọc")


def documents_xlsx(
    *,
    user,
    scope_name: str,
    campaign: int | None = None,
    issuer: Unit | None = None,
    kind: str = "",
    state: str = "",
    q: str = "",
):
    """The documents list as filtered; with ``issuer``, that unit's outgoing documents."""
    documents = selectors.documents_list(
        user=user,
        campaign=campaign,
        issuer=issuer.pk if issuer else None,
        kind=kind,
        state=state,
        q=q,
    )
    rows = (
        [
            d.reference or _("(dự thảo)"),
            d.subject,
            d.get_kind_display(),
            d.issuer_unit.name,
            d.issued_on,
            d.get_state_display(),
            str(d.campaign.year) if d.campaign_id else "",
        ]
        for d in documents.iterator(chunk_size=CHUNK)
    )
    label = documents_filter_label(campaign=campaign, kind=kind, state=state, q=q)
    if issuer is not None:
        heading = _("Văn bản đi của %(unit)s — %(filters)s — xuất ngày %(day)s")
        name = issuer.name
    else:
        heading = _("Văn bản trong phạm vi của %(unit)s — %(filters)s — xuất ngày %(day)s")
        name = scope_name
    return table_xlsx_file(
        title=_("Văn bản đi") if issuer is not None else _("Văn bản"),
        heading=heading % {"unit": name, "filters": label, "day": _today()},
        headers=[
            _("Số, ký hiệu"),
            _("Trích yếu"),
            _("Loại văn bản"),
            _("Cơ quan ban hành"),
            _("Ngày ban hành"),
            _("Trạng thái"),
            _("Tuần lễ"),
        ],
        rows=rows,
    )
