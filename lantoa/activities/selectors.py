"""Reads: scoped activities for offices, the public calendar, counters, indicator pre-fill."""

import re
from datetime import date, datetime, time

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from lantoa.accounts.selectors import scope_q, user_has_role
from lantoa.activities import search
from lantoa.activities.models import (
    Activity,
    Evidence,
    LearningResource,
    Mode,
    Registration,
    RegistrationState,
)
from lantoa.activities.permissions import can_see_registrations
from lantoa.campaigns.models import Campaign
from lantoa.core.errors import NotFound
from lantoa.core.text import fold
from lantoa.core.uploads import Download
from lantoa.units.models import Unit, UnitKind, subtree_q

# Activity type code → (count indicator, participants indicator, online count, online people).
TYPE_INDICATORS = {
    "khai_mac": ("khai_mac_le", "khai_mac_nguoi_du", None, None),
    "lop_hoc": ("lop_hoc", "nguoi_hoc", "lop_hoc_truc_tuyen", "nguoi_hoc_truc_tuyen"),
    "ky_nang_so": ("ky_nang_so_buoi", "ky_nang_so_nguoi", None, None),
    "hoi_thao": ("hoi_thao", "hoi_thao_nguoi", None, None),
    "cuoc_thi": ("cuoc_thi", "cuoc_thi_nguoi", None, None),
    "doc_sach": (None, "luot_doc", None, None),
}


# What calendar pages, feeds and the public API show: never registrant data, and no more
# columns than needed (the calendar is the most-read page of the product).
PUBLIC_LIST_FIELDS = (
    "id",
    "campaign_id",
    "title",
    "description",
    "starts_at",
    "ends_at",
    "mode",
    "location",
    "online_url",
    "capacity",
    "public",
    "cancelled",
    "updated_at",
    "unit__id",
    "unit__name",
    "unit__path",
    "type__id",
    "type__code",
    "type__name",
)


def activities_for_user(*, user, campaign: Campaign | None = None, unit: Unit | None = None):
    qs = Activity.objects.filter(scope_q(user, "unit__path")).select_related(
        "unit", "type", "campaign"
    )
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    if unit is not None:
        qs = qs.filter(subtree_q(unit.path, "unit__path"))
    return qs.annotate(
        confirmed=Count("registrations", filter=Q(registrations__state=RegistrationState.CONFIRMED))
    ).order_by("-starts_at", "id")


def activity_get_for_user(user, activity_id, *, role: str | None = None) -> Activity:
    try:
        activity = (
            Activity.objects.filter(scope_q(user, "unit__path"))
            .select_related("unit", "type", "campaign")
            .get(pk=int(activity_id))
        )
    except (Activity.DoesNotExist, ValueError, TypeError):
        raise NotFound
    if role and not user_has_role(user, activity.unit, role):
        raise NotFound
    return activity


def evidence_download(user, evidence_id) -> Download:
    """The stored file of an activity's evidence, for ``core:download`` (NotFound out of scope)."""
    try:
        evidence = (
            Evidence.objects.filter(scope_q(user, "activity__unit__path"))
            .exclude(file="")
            .get(pk=int(evidence_id))
        )
    except (Evidence.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound
    return Download(name=evidence.file.name, inline=evidence.kind == "photo")


def registrations_for_activity(*, user, activity: Activity) -> QuerySet[Registration]:
    """Registrant data: members of the organising unit itself only (not of its ancestors)."""
    if not can_see_registrations(user, activity):
        raise NotFound
    return activity.registrations.order_by("state", "created_at", "id")


# ---- public ----------------------------------------------------------------


def search_q(q: str) -> Q:
    """Diacritic-free search: whole words, the last one as a prefix (the user may still be
    typing): "tin hoc co ban" finds "Tin học cơ bản" but not "máy tính"."""
    words = re.sub(r"[^\w]+", " ", fold(q)).split()[:6]
    condition = Q()
    for i, word in enumerate(words):
        last = i == len(words) - 1
        condition &= Q(search_text__contains=f" {word}" if last else f" {word} ")
    return condition


def public_activities(
    *,
    q: str = "",
    unit: Unit | None = None,
    type_code: str = "",
    mode: str = "",
    online_only: bool = False,
    day_from: date | None = None,
    day_to: date | None = None,
    campaign: Campaign | None = None,
) -> QuerySet[Activity]:
    """Public, not cancelled activities; no registrant data ever leaves this queryset."""
    qs = Activity.objects.filter(public=True, cancelled=False)
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    if unit is not None:
        qs = qs.filter(subtree_q(unit.path, "unit__path"))
    if type_code:
        qs = qs.filter(type__code=type_code)
    if mode in Mode.values:
        qs = qs.filter(mode=mode)
    if online_only:
        qs = qs.filter(mode__in=[Mode.ONLINE, Mode.HYBRID])
    tz = timezone.get_current_timezone()
    if day_from:
        qs = qs.filter(ends_at__gte=datetime.combine(day_from, time.min, tzinfo=tz))
    if day_to:
        qs = qs.filter(starts_at__lte=datetime.combine(day_to, time.max, tzinfo=tz))
    qs = qs.filter(search_q(q))
    return qs.select_related("unit", "type").only(*PUBLIC_LIST_FIELDS).order_by("starts_at", "id")


def public_activity_get(activity_id) -> Activity:
    try:
        return (
            Activity.objects.filter(public=True)
            .select_related("unit", "type", "campaign")
            .get(pk=int(activity_id))
        )
    except (Activity.DoesNotExist, ValueError, TypeError):
        raise NotFound


def places_left(activity: Activity) -> int | None:
    if activity.capacity is None:
        return None
    taken = activity.registrations.filter(state=RegistrationState.CONFIRMED).count()
    return max(0, activity.capacity - taken)


def places_left_map(activities: list[Activity]) -> dict[int, int | None]:
    """Places left for many activities in one query."""
    limited = [a.pk for a in activities if a.capacity is not None]
    taken = (
        dict(
            Registration.objects.filter(activity_id__in=limited, state=RegistrationState.CONFIRMED)
            .values("activity_id")
            .annotate(n=Count("id"))
            .values_list("activity_id", "n")
        )
        if limited
        else {}
    )
    return {
        a.pk: (None if a.capacity is None else max(0, a.capacity - taken.get(a.pk, 0)))
        for a in activities
    }


def public_counters(*, campaign: Campaign) -> dict[str, int]:
    """Live counters for the campaign page: public activities, units taking part, registrations."""
    stats = Activity.objects.filter(campaign=campaign, cancelled=False).aggregate(
        activities=Count("id", filter=Q(public=True)),
        units=Count("unit", distinct=True),
    )
    stats["registrations"] = Registration.objects.filter(
        activity__campaign=campaign, state=RegistrationState.CONFIRMED
    ).count()
    return stats


def provinces() -> QuerySet[Unit]:
    return Unit.objects.filter(kind=UnitKind.UBND_TINH, valid_to__isnull=True).order_by(
        "place_name", "name"
    )


def province_label(province: Unit) -> str:
    return province.place_name or search.place_label(province)


def communes_of(province: Unit | None) -> list[dict]:
    """The province's current communes/wards (and districts where they still exist), one
    query, each name once: [{"id", "name": "Phường Bồ Đề (Hà Nội)"}]."""
    if province is None:
        return []
    rows = (
        Unit.objects.active_on(timezone.localdate())
        .filter(subtree_q(province.path))
        .filter(kind__in=[UnitKind.UBND_XA, UnitKind.UBND_HUYEN])
        .only("id", "name", "kind", "path")
        .order_by("name", "id")
    )
    where = province_label(province)
    seen, communes = set(), []
    for unit in rows:
        label = f"{search.place_label(unit)} ({where})"
        if label not in seen:
            seen.add(label)
            communes.append({"id": unit.pk, "name": label})
    return communes


def activity_places(activities: list[Activity]) -> dict[int, str]:
    """ "Phường Bồ Đề · Hà Nội" for each activity: the organiser's nearest commune (or
    district) and its province, one query for the whole page."""
    known = search.places_by_path(Unit, {a.unit.path for a in activities})
    out = {}
    for a in activities:
        places = search.places_of(a.unit.path, known)
        province = next((p for p in places if p.kind == UnitKind.UBND_TINH), None)
        local = next((p for p in places if p.kind != UnitKind.UBND_TINH), None)
        out[a.pk] = " · ".join(
            x
            for x in (
                search.place_label(local) if local else "",
                province_label(province) if province else "",
            )
            if x
        )
    return out


def public_unit_get(unit_id) -> Unit | None:
    if not unit_id:
        return None
    try:
        return Unit.objects.get(pk=int(unit_id))
    except (Unit.DoesNotExist, ValueError, TypeError):
        return None


def public_resources(*, campaign: Campaign | None = None) -> QuerySet[LearningResource]:
    qs = LearningResource.objects.select_related("unit", "campaign")
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs.order_by("-campaign__year", "kind", "title")


# ---- reports -----------------------------------------------------------------


def activity_indicator_values(*, campaign: Campaign, unit: Unit) -> dict[str, int]:
    """Indicator values of ``unit``'s own activities (not its subtree), to pre-fill its report.

    Two queries. Cancelled activities do not count; participants come from the
    participants-by-group figures the unit entered after each activity.
    """
    values: dict[str, int] = {}

    def add(code: str | None, n: int) -> None:
        if code:
            values[code] = values.get(code, 0) + n

    rows = Activity.objects.filter(campaign=campaign, unit=unit, cancelled=False).values_list(
        "type__code", "mode", "participants"
    )
    for type_code, mode, participants in rows:
        people = sum(int(v or 0) for v in (participants or {}).values())
        count_code, people_code, online_code, online_people = TYPE_INDICATORS.get(
            type_code, (None, None, None, None)
        )
        add(count_code, 1)
        add(people_code, people)
        if mode == Mode.ONLINE:
            add(online_code, 1)
            add(online_people, people)
        for group, n in (participants or {}).items():
            add(f"doi_tuong_{group}", int(n or 0))
    add(
        "hoc_lieu_mo",
        LearningResource.objects.filter(campaign=campaign, unit=unit).count(),
    )
    return {k: v for k, v in values.items() if v}
