"""The office's activity list as .xlsx (page and API alike): the page's rows for the chosen
Week, one query, written row by row (``core.spreadsheets.table_xlsx_file``)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from lantoa.activities import selectors
from lantoa.campaigns.models import Campaign
from lantoa.core.spreadsheets import table_xlsx_file
from lantoa.units.models import Unit

CHUNK = 2000


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _row(a) -> list:
    return [
        a.title,
        a.type.name,
        a.unit.name,
        _local(a.starts_at),
        _local(a.ends_at),
        a.get_mode_display(),
        a.location,
        a.capacity,
        a.confirmed,
        a.participants_total,
        _("Có") if a.public else _("Không"),
        _("Có") if a.cancelled else "",
    ]


def activities_xlsx(*, user, scope_name: str, campaign: Campaign | None, unit: Unit | None = None):
    """The activities in the user's scope (``unit``'s subtree when given) for ``campaign``."""
    activities = selectors.activities_for_user(user=user, campaign=campaign, unit=unit)
    week = _("Tuần lễ %(year)s") % {"year": campaign.year} if campaign else _("mọi năm")
    heading = _("Hoạt động của %(unit)s — %(week)s — xuất ngày %(day)s") % {
        "unit": unit.name if unit else scope_name,
        "week": week,
        "day": timezone.localdate().strftime("%d/%m/%Y"),
    }
    return table_xlsx_file(
        title=_("Hoạt động"),
        heading=heading,
        headers=[
            _("Hoạt động"),
            _("Loại hoạt động"),
            _("Đơn vị tổ chức"),
            _("Bắt đầu"),
            _("Kết thúc"),
            _("Hình thức"),
            _("Địa điểm"),
            _("Số chỗ"),
            _("Đã đăng ký"),
            _("Người tham gia"),
            _("Công khai"),
            _("Đã hủy"),
        ],
        rows=(_row(a) for a in activities.iterator(chunk_size=CHUNK)),
    )
