from django.db.models import Q, QuerySet

from lantoa.accounts.selectors import memberships_for_user, scope_q
from lantoa.campaigns.models import Campaign
from lantoa.core.errors import NotFound
from lantoa.honours.models import Honour, Nomination, NominationState
from lantoa.units.models import Unit


def nominations_for_user(*, user, campaign: Campaign | None = None) -> QuerySet[Nomination]:
    qs = Nomination.objects.filter(scope_q(user, "unit__path")).select_related(
        "unit", "reviewer_unit", "final_unit", "campaign"
    )
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs.order_by("-created_at", "id")


def nominations_to_review(*, user) -> QuerySet[Nomination]:
    """Pending nominations waiting on a unit where the user is an approver."""
    if getattr(user, "is_superuser", False):
        q = Q()
    else:
        units = [m.unit_id for m in memberships_for_user(user) if m.rank >= 3]
        if not units:
            return Nomination.objects.none()
        q = Q(reviewer_unit_id__in=units)
    return (
        Nomination.objects.filter(q, state=NominationState.PENDING)
        .select_related("unit", "reviewer_unit", "campaign")
        .order_by("created_at", "id")
    )


def nomination_get_for_user(user, nomination_id) -> Nomination:
    """A nomination of a unit in the user's scope, or one waiting on a reviewing unit in it
    (the unit may have moved since, e.g. a school moved under a new ward in 2025: its
    pending nomination stays with the office it was sent to)."""
    try:
        return (
            Nomination.objects.filter(
                scope_q(user, "unit__path") | scope_q(user, "reviewer_unit__path")
            )
            .select_related("unit", "reviewer_unit", "final_unit", "campaign")
            .get(pk=int(nomination_id))
        )
    except (Nomination.DoesNotExist, ValueError, TypeError):
        raise NotFound


def public_honours(*, campaign: Campaign | None = None) -> QuerySet[Honour]:
    qs = Honour.objects.select_related("unit", "campaign", "approved_by_unit")
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs.order_by("-campaign__year", "unit__path", "nominee_kind", "nominee_name")


def with_province_names(honours) -> list[Honour]:
    """Sets ``province_name`` on each honour (one query for all)."""
    honours = list(honours)
    steplen = Unit.steplen
    province_paths = {h.unit.path[: 2 * steplen] for h in honours if h.unit.depth >= 2}
    names = dict(Unit.objects.filter(path__in=province_paths).values_list("path", "name"))
    for h in honours:
        h.province_name = names.get(h.unit.path[: 2 * steplen], "")
    return honours


def honours_approved_by(*, campaign: Campaign, unit: Unit) -> QuerySet[Honour]:
    return (
        Honour.objects.filter(campaign=campaign, approved_by_unit=unit)
        .select_related("unit")
        .order_by("nominee_kind", "unit__path", "nominee_name")
    )
