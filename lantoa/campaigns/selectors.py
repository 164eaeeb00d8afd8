from django.utils import timezone

from lantoa.campaigns.models import Campaign
from lantoa.core.errors import NotFound


def campaigns_list():
    return Campaign.objects.select_related("owner_unit").order_by("-year")


def campaign_get(campaign_id) -> Campaign:
    try:
        return Campaign.objects.select_related("owner_unit").get(pk=int(campaign_id))
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise NotFound


def campaign_current() -> Campaign | None:
    """The week still ahead or running; otherwise the latest one."""
    today = timezone.localdate()
    upcoming = Campaign.objects.filter(ends_on__gte=today).order_by("starts_on").first()
    return upcoming or Campaign.objects.order_by("-year").first()
