"""Activities and registrations (API.md). Public endpoints never carry registrant data."""

from datetime import date, datetime

from django.urls import reverse
from ninja import Router, Schema, Status

from lantoa.accounts.models import Role
from lantoa.accounts.selectors import memberships_for_user, unit_get_for_user
from lantoa.activities import list_exports, selectors, services
from lantoa.activities.models import Activity, Mode
from lantoa.api.pagination import page_of
from lantoa.api.problems import problem
from lantoa.campaigns.selectors import campaign_get
from lantoa.core.spreadsheets import xlsx_attachment

router = Router(tags=["activities"])


class ActivityIn(Schema):
    campaign_id: int
    unit_id: int
    type: str
    title: str
    description: str = ""
    starts_at: datetime
    ends_at: datetime
    mode: Mode
    location: str = ""
    online_url: str = ""
    audience: list[str] = []
    capacity: int | None = None
    public: bool = True


class ActivityPatch(Schema):
    type: str | None = None
    title: str | None = None
    description: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    mode: Mode | None = None
    location: str | None = None
    online_url: str | None = None
    audience: list[str] | None = None
    capacity: int | None = None
    public: bool | None = None
    participants: dict[str, int] | None = None
    cancelled: bool | None = None


class ActivityOut(Schema):
    id: int
    campaign_id: int
    unit_id: int
    unit_name: str
    type: str
    type_name: str
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    mode: str
    location: str
    online_url: str
    audience: list[str]
    capacity: int | None
    public: bool
    cancelled: bool
    participants: dict[str, int]
    registrations_confirmed: int | None = None


class ActivityPage(Schema):
    count: int
    items: list[ActivityOut]
    next: str | None


class PublicActivityOut(Schema):
    id: int
    campaign_id: int
    unit_id: int
    unit_name: str
    type: str
    type_name: str
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    mode: str
    location: str
    online_url: str
    capacity: int | None
    places_left: int | None
    cancelled: bool
    url: str


class PublicActivityPage(Schema):
    count: int
    items: list[PublicActivityOut]
    next: str | None


def _out(a: Activity) -> dict:
    return {
        "id": a.pk,
        "campaign_id": a.campaign_id,
        "unit_id": a.unit_id,
        "unit_name": a.unit.name,
        "type": a.type.code,
        "type_name": a.type.name,
        "title": a.title,
        "description": a.description,
        "starts_at": a.starts_at,
        "ends_at": a.ends_at,
        "mode": a.mode,
        "location": a.location,
        "online_url": a.online_url,
        "audience": a.audience,
        "capacity": a.capacity,
        "public": a.public,
        "cancelled": a.cancelled,
        "participants": a.participants or {},
        "registrations_confirmed": getattr(a, "confirmed", None),
    }


def _public_out(request, a: Activity, left: int | None) -> dict:
    return {
        "id": a.pk,
        "campaign_id": a.campaign_id,
        "unit_id": a.unit_id,
        "unit_name": a.unit.name,
        "type": a.type.code,
        "type_name": a.type.name,
        "title": a.title,
        "description": a.description,
        "starts_at": a.starts_at,
        "ends_at": a.ends_at,
        "mode": a.mode,
        "location": a.location,
        "online_url": a.online_url,
        "capacity": a.capacity,
        "places_left": left,
        "cancelled": a.cancelled,
        "url": request.build_absolute_uri(f"/cong-khai/hoat-dong/{a.pk}/"),
    }


@router.post("/activities", response={201: ActivityOut})
def activity_create(request, payload: ActivityIn):
    campaign = campaign_get(payload.campaign_id)
    unit = unit_get_for_user(request.auth, payload.unit_id, role=Role.EDITOR)
    data = payload.dict(exclude={"campaign_id", "unit_id"})
    activity = services.activity_create(user=request.auth, campaign=campaign, unit=unit, **data)
    return Status(201, _out(activity))


@router.get("/activities", response=ActivityPage)
def activities(
    request,
    campaign: int | None = None,
    unit: int | None = None,
    page: int = 1,
    page_size: int = 50,
):
    qs = selectors.activities_for_user(
        user=request.auth,
        campaign=campaign_get(campaign) if campaign else None,
        unit=unit_get_for_user(request.auth, unit) if unit else None,
    )
    items, count, next_url = page_of(request, qs, page=page, page_size=page_size)
    return {"count": count, "items": [_out(a) for a in items], "next": next_url}


@router.get("/activities.xlsx")
def activities_xlsx(request, campaign: int | None = None, unit: int | None = None):
    """``GET /activities`` with the same filters as one .xlsx (every row, no pages): a title
    row naming the unit and the Week, times as dates."""
    memberships = memberships_for_user(request.auth)
    week = campaign_get(campaign) if campaign else None
    data = list_exports.activities_xlsx(
        user=request.auth,
        scope_name=memberships[0].unit.name if memberships else request.auth.get_username(),
        campaign=week,
        unit=unit_get_for_user(request.auth, unit) if unit else None,
    )
    return xlsx_attachment(data, f"hoat-dong-{week.year if week else 'tat-ca'}.xlsx")


@router.get("/activities/{activity_id}", response=ActivityOut)
def activity_detail(request, activity_id: int):
    return _out(selectors.activity_get_for_user(request.auth, activity_id))


@router.patch("/activities/{activity_id}", response=ActivityOut)
def activity_patch(request, activity_id: int, payload: ActivityPatch):
    activity = selectors.activity_get_for_user(request.auth, activity_id, role=Role.EDITOR)
    data = payload.dict(exclude_unset=True)
    participants = data.pop("participants", None)
    cancelled = data.pop("cancelled", None)
    if data:
        activity = services.activity_update(user=request.auth, activity=activity, **data)
    if participants is not None:
        activity = services.activity_participants_set(
            user=request.auth, activity=activity, participants=participants
        )
    if cancelled:
        activity = services.activity_cancel(user=request.auth, activity=activity)
    return _out(activity)


class RegistrationOut(Schema):
    id: int
    code: str
    full_name: str
    phone: str
    email: str
    state: str
    attended: bool | None
    created_at: datetime


class RegistrationPage(Schema):
    count: int
    items: list[RegistrationOut]
    next: str | None


@router.get("/activities/{activity_id}/registrations", response=RegistrationPage)
def activity_registrations(request, activity_id: int, page: int = 1, page_size: int = 100):
    activity = selectors.activity_get_for_user(request.auth, activity_id)
    qs = selectors.registrations_for_activity(user=request.auth, activity=activity)
    items, count, next_url = page_of(request, qs, page=page, page_size=page_size)
    return {"count": count, "items": items, "next": next_url}


class AttendanceIn(Schema):
    attended: list[int]


@router.post("/activities/{activity_id}/attendance")
def activity_attendance(request, activity_id: int, payload: AttendanceIn):
    activity = selectors.activity_get_for_user(request.auth, activity_id, role=Role.EDITOR)
    present = services.attendance_record(
        user=request.auth, activity=activity, attended_ids=set(payload.attended)
    )
    return {"attended": present}


class EvidenceLinkIn(Schema):
    url: str
    title: str = ""


class EvidenceOut(Schema):
    id: int
    kind: str
    title: str
    url: str


@router.post("/activities/{activity_id}/evidence", response={201: EvidenceOut})
def activity_evidence(request, activity_id: int):
    """Multipart ``file`` (photo re-encoded, metadata stripped) or JSON ``{"url","title"}``."""
    import json

    activity = selectors.activity_get_for_user(request.auth, activity_id, role=Role.EDITOR)
    upload = request.FILES.get("file")
    if upload is not None:
        evidence = services.evidence_add(
            user=request.auth, activity=activity, title=request.POST.get("title", ""), upload=upload
        )
    else:
        try:
            body = EvidenceLinkIn(**json.loads(request.body or b"{}"))
        except Exception:
            return problem(400, 'Gửi tệp (multipart `file`) hoặc JSON {"url", "title"}.')
        evidence = services.evidence_add(
            user=request.auth, activity=activity, title=body.title, url=body.url
        )
    url = evidence.url or reverse("core:download", args=["activity-evidence", evidence.pk])
    return Status(
        201, {"id": evidence.pk, "kind": evidence.kind, "title": evidence.title, "url": url}
    )


# ---- public ----------------------------------------------------------------


@router.get("/public/activities", auth=None, response=PublicActivityPage, tags=["public"])
def public_activities(
    request,
    q: str = "",
    unit: int | None = None,
    mode: str = "",
    type: str = "",
    campaign: int | None = None,
    page: int = 1,
    page_size: int = 50,
):
    """Query ``from`` / ``to`` (YYYY-MM-DD) bound the dates."""
    day_from = _date_param(request.GET.get("from"))
    day_to = _date_param(request.GET.get("to"))
    if day_from is False or day_to is False:
        return problem(400, "Ngày không hợp lệ (YYYY-MM-DD).")
    place = selectors.public_unit_get(unit) if unit else None
    qs = selectors.public_activities(
        q=q,
        unit=place,
        mode=mode,
        type_code=type,
        day_from=day_from,
        day_to=day_to,
        campaign=campaign_get(campaign) if campaign else None,
    )
    if unit and place is None:
        qs = qs.none()
    items, count, next_url = page_of(
        request, qs, page=page, page_size=page_size, one_statement=True
    )
    left = selectors.places_left_map(items)
    return {
        "count": count,
        "items": [_public_out(request, a, left[a.pk]) for a in items],
        "next": next_url,
    }


def _date_param(value):
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return False


@router.get(
    "/public/activities/{activity_id}", auth=None, response=PublicActivityOut, tags=["public"]
)
def public_activity(request, activity_id: int):
    activity = selectors.public_activity_get(activity_id)
    return _public_out(request, activity, selectors.places_left(activity))


class RegistrationIn(Schema):
    full_name: str = ""
    phone: str = ""
    email: str = ""
    consent: bool = False
    waitlist: bool = False


class RegistrationCreated(Schema):
    code: str
    state: str


@router.post(
    "/public/activities/{activity_id}/registrations",
    auth=None,
    response={201: RegistrationCreated},
    tags=["public"],
)
def public_register(request, activity_id: int, payload: RegistrationIn):
    try:
        services.registration_rate_check(address=request.META.get("REMOTE_ADDR", ""))
    except services.RateLimited as exc:
        return problem(429, exc.detail)
    activity = selectors.public_activity_get(activity_id)
    registration = services.registration_create(activity=activity, **payload.dict())
    return Status(201, {"code": registration.code, "state": registration.state})


@router.post(
    "/public/registrations/{code}/cancel",
    auth=None,
    response=RegistrationCreated,
    tags=["public"],
)
def public_cancel(request, code: str):
    try:
        services.registration_rate_check(address=request.META.get("REMOTE_ADDR", ""))
    except services.RateLimited as exc:
        return problem(429, exc.detail)
    registration = services.registration_cancel(code=code)
    return {"code": registration.code, "state": registration.state}
