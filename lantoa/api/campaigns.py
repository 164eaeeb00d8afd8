from datetime import date

from ninja import Field, Router, Schema, Status

from lantoa.accounts.models import Role
from lantoa.accounts.selectors import unit_get_for_user
from lantoa.api.pagination import page_of
from lantoa.campaigns import services
from lantoa.campaigns.models import Campaign
from lantoa.campaigns.selectors import campaign_get, campaigns_list

router = Router(tags=["campaigns"])


class IndicatorOut(Schema):
    code: str
    name: str
    group: str
    unit_of_measure: str


class ActivityTypeOut(Schema):
    code: str
    name: str


class CampaignOut(Schema):
    id: int
    year: int
    title: str
    theme: str
    starts_on: date
    ends_on: date
    opening_on: date | None
    owner_unit_id: int
    version: int
    indicators: list[IndicatorOut]
    activity_types: list[ActivityTypeOut]


def campaign_out(c: Campaign) -> dict:
    return {
        "id": c.pk,
        "year": c.year,
        "title": c.title,
        "theme": c.theme,
        "starts_on": c.starts_on,
        "ends_on": c.ends_on,
        "opening_on": c.opening_on,
        "owner_unit_id": c.owner_unit_id,
        "version": c.version,
        "indicators": [
            {"code": i.code, "name": i.name, "group": i.group, "unit_of_measure": i.unit_of_measure}
            for i in c.indicators.all()
        ],
        "activity_types": [{"code": t.code, "name": t.name} for t in c.activity_types.all()],
    }


class CampaignPage(Schema):
    count: int
    items: list[CampaignOut]
    next: str | None


@router.get("/campaigns", response=CampaignPage)
def campaigns(request, page: int = 1, page_size: int = 50):
    """Every campaign (newest first), paginated like every list: ``{"count","items","next"}``."""
    items, count, next_url = page_of(
        request,
        campaigns_list().prefetch_related("indicators", "activity_types"),
        page=page,
        page_size=page_size,
    )
    return {"count": count, "items": [campaign_out(c) for c in items], "next": next_url}


@router.get("/campaigns/{campaign_id}", response=CampaignOut)
def campaign_detail(request, campaign_id: int):
    return campaign_out(campaign_get(campaign_id))


class CampaignIn(Schema):
    year: int
    title: str
    theme: str
    starts_on: date
    ends_on: date
    opening_on: date | None = None
    owner_unit_id: int


@router.post("/campaigns", response={201: CampaignOut})
def campaign_create(request, payload: CampaignIn):
    owner = unit_get_for_user(request.auth, payload.owner_unit_id, role=Role.APPROVER)
    data = payload.dict(exclude={"owner_unit_id"})
    campaign = services.campaign_create(owner_unit=owner, actor=request.auth, **data)
    return Status(201, campaign_out(campaign))


class CampaignPatch(Schema):
    title: str | None = None
    theme: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    opening_on: date | None = None
    year: int | None = Field(default=None, description="Không đổi được: năm là định danh")
    owner_unit_id: int | None = Field(default=None, description="Không đổi được")
    version: int | None = Field(default=None, description="Phiên bản đã đọc (409 khi cũ)")


@router.patch("/campaigns/{campaign_id}", response=CampaignOut)
def campaign_patch(request, campaign_id: int, payload: CampaignPatch):
    """The owner unit's leaders change name, theme or dates until the Week ends (409
    ``campaign_ended`` after; 409 ``version_stale`` on an old ``version``)."""
    data = payload.dict(exclude_unset=True)
    version = data.pop("version", None)
    campaign = services.campaign_update(
        campaign=campaign_get(campaign_id), actor=request.auth, version=version, **data
    )
    return campaign_out(campaign)
