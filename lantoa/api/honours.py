"""Nominations and the public honour board (API.md)."""

from datetime import date, datetime

from ninja import Router, Schema, Status

from lantoa.accounts.models import Role
from lantoa.accounts.selectors import unit_get_for_user
from lantoa.api.pagination import page_of
from lantoa.campaigns.selectors import campaign_get
from lantoa.honours import selectors, services
from lantoa.honours.models import Nomination, NomineeKind
from lantoa.units.models import Unit

router = Router(tags=["honours"])


class NominationIn(Schema):
    campaign_id: int
    unit_id: int
    nominee_kind: NomineeKind
    nominee_name: str
    achievement: str
    final_unit_id: int | None = None


class NominationOut(Schema):
    id: int
    campaign_id: int
    unit_id: int
    unit_name: str
    nominee_kind: str
    nominee_name: str
    achievement: str
    state: str
    reviewer_unit_id: int
    final_unit_id: int
    reason: str
    created_at: datetime


class NominationPage(Schema):
    count: int
    items: list[NominationOut]
    next: str | None


class ReasonIn(Schema):
    reason: str = ""


def _out(n: Nomination) -> dict:
    return {
        "id": n.pk,
        "campaign_id": n.campaign_id,
        "unit_id": n.unit_id,
        "unit_name": n.unit.name,
        "nominee_kind": n.nominee_kind,
        "nominee_name": n.nominee_name,
        "achievement": n.achievement,
        "state": n.state,
        "reviewer_unit_id": n.reviewer_unit_id,
        "final_unit_id": n.final_unit_id,
        "reason": n.reason,
        "created_at": n.created_at,
    }


@router.post("/nominations", response={201: NominationOut})
def nomination_create(request, payload: NominationIn):
    campaign = campaign_get(payload.campaign_id)
    unit = unit_get_for_user(request.auth, payload.unit_id, role=Role.EDITOR)
    final_unit = None
    if payload.final_unit_id:
        # The final level is an ancestor (outside the nominating user's scope, by design).
        final_unit = Unit.objects.filter(pk=payload.final_unit_id).first() or unit
    nomination = services.nomination_create(
        user=request.auth,
        campaign=campaign,
        unit=unit,
        nominee_kind=payload.nominee_kind,
        nominee_name=payload.nominee_name,
        achievement=payload.achievement,
        final_unit=final_unit,
    )
    return Status(201, _out(nomination))


@router.get("/nominations", response=NominationPage)
def nominations(request, campaign: int | None = None, page: int = 1, page_size: int = 50):
    qs = selectors.nominations_for_user(
        user=request.auth, campaign=campaign_get(campaign) if campaign else None
    )
    items, count, next_url = page_of(request, qs, page=page, page_size=page_size)
    return {"count": count, "items": [_out(n) for n in items], "next": next_url}


@router.get("/nominations/{nomination_id}", response=NominationOut)
def nomination_detail(request, nomination_id: int):
    return _out(selectors.nomination_get_for_user(request.auth, nomination_id))


@router.post("/nominations/{nomination_id}/approve", response=NominationOut)
def nomination_approve(request, nomination_id: int):
    nomination = selectors.nomination_get_for_user(request.auth, nomination_id)
    nomination = services.nomination_approve(user=request.auth, nomination=nomination)
    return _out(selectors.nomination_get_for_user(request.auth, nomination.pk))


@router.post("/nominations/{nomination_id}/decline", response=NominationOut)
def nomination_decline(request, nomination_id: int, payload: ReasonIn):
    nomination = selectors.nomination_get_for_user(request.auth, nomination_id)
    services.nomination_decline(user=request.auth, nomination=nomination, reason=payload.reason)
    return _out(selectors.nomination_get_for_user(request.auth, nomination.pk))


class HonourOut(Schema):
    id: int
    campaign_id: int
    year: int
    nominee_kind: str
    nominee_name: str
    achievement: str
    unit_id: int
    unit_name: str
    province_name: str
    approved_by_unit_name: str
    approved_on: date


class HonourPage(Schema):
    count: int
    items: list[HonourOut]
    next: str | None


@router.get("/public/honours", auth=None, response=HonourPage, tags=["public"])
def public_honours(request, campaign: int | None = None, page: int = 1, page_size: int = 100):
    honours = selectors.public_honours(campaign=campaign_get(campaign) if campaign else None)
    items, count, next_url = page_of(request, honours, page=page, page_size=page_size)
    items = selectors.with_province_names(items)
    return {
        "count": count,
        "next": next_url,
        "items": [
            {
                "id": h.pk,
                "campaign_id": h.campaign_id,
                "year": h.campaign.year,
                "nominee_kind": h.nominee_kind,
                "nominee_name": h.nominee_name,
                "achievement": h.achievement,
                "unit_id": h.unit_id,
                "unit_name": h.unit.name,
                "province_name": h.province_name,
                "approved_by_unit_name": h.approved_by_unit.name,
                "approved_on": h.approved_on,
            }
            for h in items
        ],
    }
