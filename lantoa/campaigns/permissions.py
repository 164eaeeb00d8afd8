"""Who may create and shape the year's campaign (see ``lantoa.accounts.permissions``)."""

from datetime import date

from django.utils import timezone

from lantoa.accounts.permissions import Role, has_role_at, is_superuser, units_with_role
from lantoa.units.models import Unit


def campaign_owner_units(user) -> list:
    """Top-level units the user may create a campaign for: approvers held on the root
    itself (the ministry). A provincial department is never an owner."""
    if is_superuser(user):
        return list(Unit.objects.get_root_nodes()[:1])
    return [u for u in units_with_role(user, Role.APPROVER) if u.depth == 1]


def can_create_campaign(user, owner_unit=None) -> bool:
    """Only an approver of the top (root) unit creates the national Week; with
    ``owner_unit``, that the campaign is owned by such a root unit."""
    if owner_unit is not None and owner_unit.depth != 1:
        return False
    if is_superuser(user):
        return True
    owners = campaign_owner_units(user)
    if owner_unit is None:
        return bool(owners)
    return any(u.pk == owner_unit.pk for u in owners)


def can_close_campaign(user, campaign) -> bool:
    """Khóa số liệu: the leaders of the owner unit itself."""
    return has_role_at(user, campaign.owner_unit, Role.APPROVER)


def can_edit_indicator_set(user, campaign) -> bool:
    """The campaign's indicators and rules: editors of the owner unit itself."""
    return has_role_at(user, campaign.owner_unit, Role.EDITOR)


def can_edit_campaign(user, campaign) -> bool:
    """Sửa Tuần lễ (name, theme, dates): the leaders of the owner unit itself, like
    creating and closing it. Whether the Week still allows it: ``campaign_edit_open``."""
    return has_role_at(user, campaign.owner_unit, Role.APPROVER)


def campaign_edit_open(campaign, *, today: date | None = None) -> bool:
    """A campaign is edited until its Week ends (the last day included) and never once its
    figures are closed."""
    today = today or timezone.localdate()
    return not campaign.is_closed and today <= campaign.ends_on
