from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lantoa.campaigns import defaults, error_codes
from lantoa.campaigns.models import ActivityType, Campaign, Indicator, IndicatorRule
from lantoa.campaigns.permissions import (
    campaign_edit_open,
    can_create_campaign,
    can_edit_campaign,
)
from lantoa.core.errors import Conflict, NotFound, PermissionDeniedError
from lantoa.core.publiccache import public_cache_invalidate
from lantoa.core.text import nfc
from lantoa.history.services import history_record
from lantoa.units.models import Unit


def _validate_fields(
    *, title: str, theme: str, starts_on: date, ends_on: date, opening_on: date | None
) -> dict:
    errors = {}
    if not nfc(title):
        errors["title"] = "Tên Tuần lễ không được để trống."
    elif len(nfc(title)) > 255:
        errors["title"] = _("Tên Tuần lễ dài quá 255 ký tự.")
    if not nfc(theme):
        errors["theme"] = "Chủ đề không được để trống."
    elif len(nfc(theme)) > 500:
        errors["theme"] = _("Chủ đề dài quá 500 ký tự.")
    if not starts_on:
        errors["starts_on"] = _("Hãy nhập ngày bắt đầu.")
    if not ends_on:
        errors["ends_on"] = _("Hãy nhập ngày kết thúc.")
    elif starts_on and ends_on < starts_on:
        errors["ends_on"] = "Ngày kết thúc phải sau ngày bắt đầu."
    if opening_on and starts_on and ends_on and not (starts_on <= opening_on <= ends_on):
        errors["opening_on"] = "Ngày khai mạc phải nằm trong Tuần lễ."
    return errors


def _validate(
    *, year: int, title: str, theme: str, starts_on: date, ends_on: date, opening_on: date | None
) -> None:
    errors = _validate_fields(
        title=title, theme=theme, starts_on=starts_on, ends_on=ends_on, opening_on=opening_on
    )
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = "Năm phải trong khoảng 2000–2100."
    elif Campaign.objects.filter(year=year).exists():
        errors["year"] = f"Đã có Tuần lễ năm {year}."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def campaign_create(
    *,
    year: int,
    title: str,
    theme: str,
    starts_on: date,
    ends_on: date,
    owner_unit: Unit,
    opening_on: date | None = None,
    copy_from: Campaign | None = None,
    actor=None,
) -> Campaign:
    """Create the year's campaign; its indicator set is copied from ``copy_from`` or the defaults.

    With an ``actor`` (a page or API call), only an approver of the top unit may create it."""
    if actor is not None and not can_create_campaign(actor, owner_unit):
        raise NotFound
    _validate(
        year=year,
        title=title,
        theme=theme,
        starts_on=starts_on,
        ends_on=ends_on,
        opening_on=opening_on,
    )
    if copy_from is None:
        copy_from = Campaign.objects.filter(year__lt=year).order_by("-year").first()
    campaign = Campaign.objects.create(
        year=year,
        title=nfc(title),
        theme=nfc(theme),
        starts_on=starts_on,
        ends_on=ends_on,
        opening_on=opening_on,
        owner_unit=owner_unit,
        report_sections=copy_from.report_sections if copy_from else defaults.REPORT_SECTIONS,
    )
    if copy_from:
        indicators = [
            (i.code, i.name, i.group, i.unit_of_measure) for i in copy_from.indicators.all()
        ]
        rules = [(r.left_code, r.right_code, r.message) for r in copy_from.rules.all()]
        types = [(t.code, t.name) for t in copy_from.activity_types.all()]
    else:
        indicators, rules, types = defaults.INDICATORS, defaults.RULES, defaults.ACTIVITY_TYPES
    Indicator.objects.bulk_create(
        Indicator(campaign=campaign, code=c, name=n, group=g, unit_of_measure=u, position=i)
        for i, (c, n, g, u) in enumerate(indicators)
    )
    IndicatorRule.objects.bulk_create(
        IndicatorRule(campaign=campaign, left_code=left, right_code=right, message=m)
        for left, right, m in rules
    )
    ActivityType.objects.bulk_create(
        ActivityType(campaign=campaign, code=c, name=n, position=i)
        for i, (c, n) in enumerate(types)
    )
    history_record(
        actor=actor, unit=owner_unit, obj=campaign, action="create", summary=f"Tạo {campaign.title}"
    )
    public_cache_invalidate()
    return campaign


# What the owner may change until the Week ends. The year is the campaign's identity; the
# indicator set has its own page and rule (reports.services.indicator_set_update: before the
# Week starts and before any unit entered figures); reporting deadlines belong to the
# issued plans that set them (ReportingDeadline, reporting lines) and reports' on-time flags
# are computed against those, so nothing here moves a deadline or a flag.
EDITABLE_FIELDS = ("title", "theme", "starts_on", "ends_on", "opening_on")


def _snapshot(campaign: Campaign) -> dict:
    return {f: getattr(campaign, f) for f in EDITABLE_FIELDS}


def _require_editable(*, campaign: Campaign, actor, today: date | None) -> None:
    if not can_edit_campaign(actor, campaign):
        raise PermissionDeniedError(_("Chỉ lãnh đạo đơn vị chủ trì mới được sửa Tuần lễ."))
    if campaign.is_closed:
        raise Conflict(
            _("%(title)s đã khóa số liệu ngày %(day)s: không thể sửa nữa.")
            % {"title": campaign.title, "day": f"{campaign.closed_on:%d/%m/%Y}"},
            code=error_codes.CAMPAIGN_CLOSED,
        )
    if not campaign_edit_open(campaign, today=today):
        raise Conflict(
            _(
                "%(title)s đã kết thúc ngày %(day)s: chỉ sửa được Tuần lễ trước khi Tuần lễ kết thúc."
            )
            % {"title": campaign.title, "day": f"{campaign.ends_on:%d/%m/%Y}"},
            code=error_codes.CAMPAIGN_ENDED,
        )


@transaction.atomic
def campaign_update(
    *, campaign: Campaign, actor, version: int | None, today: date | None = None, **changes
) -> Campaign:
    """The owner changes name, theme or dates until the Week ends; ``version`` guards
    against overwriting someone else's edit (409 when stale). History keeps before → after."""
    campaign = Campaign.objects.select_for_update().select_related("owner_unit").get(pk=campaign.pk)
    _require_editable(campaign=campaign, actor=actor, today=today)
    if version is None:
        raise ValidationError({"version": _("Thiếu phiên bản (version) của Tuần lễ.")})
    if int(version) != campaign.version:
        raise Conflict(
            _(
                "Tuần lễ đã được người khác sửa (phiên bản hiện tại: %(v)s). "
                "Hãy tải lại trang rồi sửa lại."
            )
            % {"v": campaign.version},
            code=error_codes.VERSION_STALE,
        )
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({f: _("Không sửa được trường này.") for f in sorted(unknown)})
    changes = {f: nfc(v) if isinstance(v, str) else v for f, v in changes.items()}
    merged = _snapshot(campaign) | changes
    if errors := _validate_fields(**merged):
        raise ValidationError(errors)
    before = _snapshot(campaign)
    if merged == before:
        return campaign
    for field, value in merged.items():
        setattr(campaign, field, value)
    campaign.version += 1
    campaign.save(update_fields=[*EDITABLE_FIELDS, "version", "updated_at"])
    changed = [f for f in EDITABLE_FIELDS if before[f] != merged[f]]
    history_record(
        actor=actor,
        unit=campaign.owner_unit,
        obj=campaign,
        action="update",
        summary=f"Sửa {campaign.title} ({', '.join(changed)})",
        before={f: before[f] for f in changed},
        after={f: merged[f] for f in changed},
    )
    public_cache_invalidate()
    return campaign
