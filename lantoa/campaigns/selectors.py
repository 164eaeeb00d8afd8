from django.utils import timezone

from lantoa.campaigns.models import Campaign, Indicator, IndicatorRule
from lantoa.core.errors import NotFound


def campaigns_list():
    return Campaign.objects.select_related("owner_unit").order_by("-year")


def campaign_get(campaign_id) -> Campaign:
    try:
        return Campaign.objects.select_related("owner_unit").get(pk=int(campaign_id))
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise NotFound


# (campaign id, campaign.updated_at) -> (indicators, rules); see indicator_set.
_INDICATOR_SETS: dict[tuple, tuple[list[Indicator], list[IndicatorRule]]] = {}
_INDICATOR_SETS_MAX = 256


def indicator_set(campaign: Campaign) -> tuple[list[Indicator], list[IndicatorRule]]:
    """The campaign's indicators (display order) and rules, read once per process.

    Kept under (campaign id, ``updated_at``): the services that change a set
    (``campaign_create``, ``indicator_set_update``) move the campaign's ``updated_at`` in
    the same transaction, so a changed set is read under a new key and an old one is never
    served. Callers must not modify the returned objects (they are shared between requests).
    """
    key = (campaign.pk, campaign.updated_at)
    found = _INDICATOR_SETS.get(key)
    if found is None:
        found = (
            list(Indicator.objects.filter(campaign_id=campaign.pk).order_by("position", "id")),
            list(IndicatorRule.objects.filter(campaign_id=campaign.pk).order_by("id")),
        )
        if len(_INDICATOR_SETS) >= _INDICATOR_SETS_MAX:
            _INDICATOR_SETS.clear()
        _INDICATOR_SETS[key] = found
    return found


def campaign_collecting(campaigns: list[Campaign] | None = None, *, today=None) -> Campaign | None:
    """The Week whose reports are being collected: the latest one that has begun and whose
    figures are not closed yet (reports come in during and after the Week). Before any such
    Week, the one ahead. ``campaigns``: an already fetched list (no query)."""
    today = today or timezone.localdate()
    campaigns = list(Campaign.objects.all()) if campaigns is None else campaigns
    started = [
        c
        for c in campaigns
        if c.starts_on <= today and (c.closed_on is None or c.closed_on > today)
    ]
    if started:
        return max(started, key=lambda c: c.starts_on)
    ahead = [c for c in campaigns if c.ends_on >= today]
    if ahead:
        return min(ahead, key=lambda c: c.starts_on)
    return max(campaigns, key=lambda c: c.year, default=None)


def campaign_current() -> Campaign | None:
    """The week still ahead or running; otherwise the latest one."""
    today = timezone.localdate()
    upcoming = Campaign.objects.filter(ends_on__gte=today).order_by("starts_on").first()
    return upcoming or Campaign.objects.order_by("-year").first()
