from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from lantoa.campaigns import defaults
from lantoa.campaigns.models import ActivityType, Campaign, Indicator, IndicatorRule
from lantoa.campaigns.permissions import can_create_campaign
from lantoa.core.errors import NotFound
from lantoa.core.publiccache import public_cache_invalidate
from lantoa.core.text import nfc
from lantoa.history.services import history_record
from lantoa.units.models import Unit


def _validate(
    *, year: int, title: str, theme: str, starts_on: date, ends_on: date, opening_on: date | None
) -> None:
    errors = {}
    if not nfc(title):
        errors["title"] = "Tên Tuần lễ không được để trống."
    if not nfc(theme):
        errors["theme"] = "Chủ đề không được để trống."
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = "Ngày kết thúc phải sau ngày bắt đầu."
    if opening_on and starts_on and ends_on and not (starts_on <= opening_on <= ends_on):
        errors["opening_on"] = "Ngày khai mạc phải nằm trong Tuần lễ."
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
