"""Pages and API allow and refuse alike: one table, role × action × in/out of scope,
each row played once through the page and once through the API on a fresh copy of the
same objects (the demo world; every row's writes are rolled back).

An action is *allowed* when its effect is there afterwards (a write) or it answers 200
(a read); a refusal leaves everything as it was and answers 4xx (a page may also
redirect with a message)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from lantoa.accounts.models import Membership, Role, User
from lantoa.activities import services as activity_services
from lantoa.activities.models import Activity
from lantoa.campaigns.models import Campaign
from lantoa.campaigns.selectors import campaign_current
from lantoa.conftest import DEMO_PASSWORD, ApiClient, api_token, login_client
from lantoa.core.models import ExportJob
from lantoa.documents import services as document_services
from lantoa.documents.models import Document, DocumentState
from lantoa.honours import services as honour_services
from lantoa.honours.models import Nomination, NominationState
from lantoa.notifications.models import ReminderRun
from lantoa.reports import services as report_services
from lantoa.reports.models import Evidence, Report, ReportState, ReportValue
from lantoa.reports.selectors import report_get_for_user
from lantoa.units.models import Unit

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DUE = TODAY + timedelta(days=5)
VIEWER = "xem.bode"  # a viewer of phường Bồ Đề, made for the rows that need one


@dataclass
class Ctx:
    w: object
    campaign: Campaign
    obj: object = None

    def unit(self, key: str) -> Unit:
        return self.w.units[key]

    def user(self, name: str) -> User:
        return self.w.users[name]


# ---- setups: the objects an action works on (built with the services) ------------------


def _draft(c: Ctx, issuer="ubnd_longbien", drafting="pgd_longbien") -> Document:
    return document_services.document_create(
        user=None,
        campaign=c.campaign,
        kind="cong_van",
        issuer_unit=c.unit(issuer),
        drafting_unit=c.unit(drafting),
        subject="V/v hưởng ứng Tuần lễ",
        recipients=[document_services.RecipientIn(unit=c.unit("ward_bode"))],
    )


def _submitted(c: Ctx) -> Document:
    return document_services.document_submit(document=_draft(c), user=c.user("cv.longbien"))


def _issued(c: Ctx) -> Document:
    doc = document_services.document_approve(document=_submitted(c), user=c.user("pgd.longbien"))
    return document_services.document_issue(document=doc, user=c.user("pgd.longbien"))


def _in_consultation(c: Ctx) -> Document:
    doc = _draft(c)
    document_services.consultation_send(
        document=doc, user=c.user("cv.longbien"), units=[c.unit("ward_bode")], due_on=DUE
    )
    return doc


def _saved_report(c: Ctx, key="thcs_ngoclam", user="thcs.ngoclam") -> Report:
    report = report_get_for_user(c.user(user), c.campaign.pk, c.unit(key).pk)
    return report_services.report_save(report=report, user=c.user(user), version=report.version)


def _submitted_report(c: Ctx) -> Report:
    report = _saved_report(c)
    return report_services.report_submit(report=report, user=c.user("thcs.ngoclam"))


def _activity(c: Ctx) -> Activity:
    return activity_services.activity_create(
        user=c.user("phuong.bode"),
        campaign=c.campaign,
        unit=c.unit("ward_bode"),
        **_activity_fields("Ngày hội đọc sách"),
    )


def _nomination(c: Ctx) -> Nomination:
    return honour_services.nomination_create(
        user=c.user("thcs.ngoclam"),
        campaign=c.campaign,
        unit=c.unit("thcs_ngoclam"),
        nominee_kind="individual",
        nominee_name="Nguyễn Thị Mẫu",
        achievement="Tích cực đọc sách",
    )


def _activity_fields(title: str) -> dict:
    start = timezone.make_aware(
        timezone.datetime.combine(TODAY + timedelta(days=3), timezone.datetime.min.time())
    ) + timedelta(hours=8)
    return {
        "type": "khai_mac",
        "title": title,
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "mode": "in_person",
        "location": "Nhà văn hóa",
    }


def _week_ahead(c: Ctx) -> Campaign:
    return Campaign.objects.filter(ends_on__gte=TODAY).order_by("year").first()


def _week_over(c: Ctx) -> Campaign:
    return Campaign.objects.filter(ends_on__lt=TODAY).order_by("-year").first()


EDITED_THEME = "Chủ đề sửa trong ma trận"


def _campaign_edit_page(cl, c):
    w = c.obj
    return cl.post(
        f"/tuan-le/{w.pk}/sua/",
        {
            "title": w.title,
            "theme": EDITED_THEME,
            "starts_on": f"{w.starts_on:%d/%m/%Y}",
            "ends_on": f"{w.ends_on:%d/%m/%Y}",
            "version": w.version,
        },
    )


def _campaign_edit_api(api, c):
    return api.patch(
        f"/api/v1/campaigns/{c.obj.pk}", {"theme": EDITED_THEME, "version": c.obj.version}
    )


def _campaign_edited(c: Ctx) -> bool:
    return Campaign.objects.get(pk=c.obj.pk).theme == EDITED_THEME


SIGNER = {"authority": "KT. CHỦ TỊCH", "title": "PHÓ CHỦ TỊCH", "name": "Ma Trận Ký"}


def _signer_added(key: str) -> Callable[[Ctx], bool]:
    from lantoa.documents.models import UnitSigner

    return lambda c: UnitSigner.objects.filter(unit=c.unit(key), name=SIGNER["name"]).exists()


# ---- actions: (page request, API request, effect) -----------------------------------------


@dataclass
class Action:
    setup: Callable[[Ctx], object] | None
    page: Callable[[Client, Ctx], object] | None
    api: Callable[[ApiClient, Ctx], object] | None
    effect: Callable[[Ctx], bool] | None  # None: a read, allowed means 200
    page_allowed: Callable[[object], bool] | None = None  # a read shown inside a page


def _doc_state(c: Ctx) -> str:
    return Document.objects.get(pk=c.obj.pk).state


def _draft_post(c: Ctx, issuer: str) -> dict:
    return {
        "kind": "cong_van",
        "subject": f"Ma trận {issuer}",
        "issuer_unit": c.unit(issuer).pk,
        "drafting_unit": c.unit("pgd_longbien").pk,
        "campaign": c.campaign.pk,
        "recipient_units": [c.unit("ward_bode").pk],
    }


def _draft_api(c: Ctx, issuer: str) -> dict:
    return {
        "kind": "cong_van",
        "subject": f"Ma trận {issuer}",
        "issuer_unit_id": c.unit(issuer).pk,
        "drafting_unit_id": c.unit("pgd_longbien").pk,
        "campaign_id": c.campaign.pk,
        "recipients": [{"unit_id": c.unit("ward_bode").pk}],
    }


def _drafted(issuer: str) -> Callable[[Ctx], bool]:
    return lambda c: Document.objects.filter(
        subject=f"Ma trận {issuer}", issuer_unit=c.unit(issuer)
    ).exists()


def draft_for(issuer: str) -> Action:
    return Action(
        None,
        lambda cl, c: cl.post("/van-ban/moi/", _draft_post(c, issuer)),
        lambda api, c: api.post("/api/v1/documents", _draft_api(c, issuer)),
        _drafted(issuer),
    )


CAMPAIGN_YEAR = 2031


def _campaign_page(cl, c):
    y = CAMPAIGN_YEAR
    return cl.post(
        "/tuan-le/moi/",
        {
            "year": y,
            "title": f"Tuần lễ {y}",
            "theme": "Học tập suốt đời",
            "starts_on": f"{y}-10-01",
            "ends_on": f"{y}-10-07",
            "opening_on": f"{y}-10-01",
        },
    )


def _campaign_api(api, c):
    y = CAMPAIGN_YEAR
    return api.post(
        "/api/v1/campaigns",
        {
            "year": y,
            "title": f"Tuần lễ {y}",
            "theme": "Học tập suốt đời",
            "starts_on": f"{y}-10-01",
            "ends_on": f"{y}-10-07",
            "owner_unit_id": c.unit("bo").pk,
        },
    )


def _report_url(c: Ctx, key="thcs_ngoclam") -> str:
    return f"{c.campaign.pk}/{c.unit(key).pk}"


def _report_saved(c: Ctx) -> bool:
    return ReportValue.objects.filter(
        report__campaign=c.campaign,
        report__unit=c.unit("thcs_ngoclam"),
        indicator_code="khai_mac_le",
        value=7,
    ).exists()


def _unit_form(c: Ctx, key: str, address: str) -> dict:
    u = c.unit(key)
    return {
        "name": u.name,
        "kind": u.kind,
        "code": u.code,
        "abbreviation": u.abbreviation,
        "governing_body": u.governing_body,
        "place_name": u.place_name,
        "email": u.email,
        "address": address,
        "valid_from": u.valid_from or "",
        "valid_to": "",
        "successor": "",
    }


def _activity_form(title: str) -> dict:
    f = _activity_fields(title)
    return {
        **f,
        "starts_at": timezone.localtime(f["starts_at"]).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": timezone.localtime(f["ends_at"]).strftime("%Y-%m-%dT%H:%M"),
        "public": "on",
    }


def _activity_api(c: Ctx, key: str, title: str) -> dict:
    f = _activity_fields(title)
    return {
        **f,
        "starts_at": f["starts_at"].isoformat(),
        "ends_at": f["ends_at"].isoformat(),
        "campaign_id": c.campaign.pk,
        "unit_id": c.unit(key).pk,
    }


ACTIONS: dict[str, Action] = {
    # documents
    "draft for ubnd_longbien": draft_for("ubnd_longbien"),
    "draft for bcd_longbien": draft_for("bcd_longbien"),
    "draft for ubnd_hanoi": draft_for("ubnd_hanoi"),
    "draft for bo": draft_for("bo"),
    "consult": Action(
        _draft,
        lambda cl, c: cl.post(
            f"/van-ban/{c.obj.pk}/lay-y-kien/",
            {"unit_ids": [c.unit("ward_bode").pk], "due_on": DUE.isoformat()},
        ),
        lambda api, c: api.post(
            f"/api/v1/documents/{c.obj.pk}/consultation",
            {"unit_ids": [c.unit("ward_bode").pk], "due_on": DUE.isoformat()},
        ),
        lambda c: _doc_state(c) == DocumentState.CONSULTATION,
    ),
    "consult a draft beyond reach": Action(
        lambda c: _draft(c, issuer="ubnd_hanoi"),
        lambda cl, c: cl.post(
            f"/van-ban/{c.obj.pk}/lay-y-kien/",
            {"unit_ids": [c.unit("ward_bode").pk], "due_on": DUE.isoformat()},
        ),
        lambda api, c: api.post(
            f"/api/v1/documents/{c.obj.pk}/consultation",
            {"unit_ids": [c.unit("ward_bode").pk], "due_on": DUE.isoformat()},
        ),
        lambda c: _doc_state(c) == DocumentState.CONSULTATION,
    ),
    "respond to a consultation": Action(
        _in_consultation,
        lambda cl, c: cl.post(f"/van-ban/{c.obj.pk}/gop-y/", {"answer": "agree"}),
        lambda api, c: api.post(
            f"/api/v1/documents/{c.obj.pk}/consultation/responses", {"agree": True}
        ),
        lambda c: Document.objects.get(pk=c.obj.pk).consultations.get().responses.exists(),
    ),
    "submit": Action(
        _draft,
        lambda cl, c: cl.post(f"/van-ban/{c.obj.pk}/trinh/"),
        lambda api, c: api.post(f"/api/v1/documents/{c.obj.pk}/submit"),
        lambda c: _doc_state(c) == DocumentState.SUBMITTED,
    ),
    "submit a draft beyond reach": Action(
        lambda c: _draft(c, issuer="ubnd_hanoi"),
        lambda cl, c: cl.post(f"/van-ban/{c.obj.pk}/trinh/"),
        lambda api, c: api.post(f"/api/v1/documents/{c.obj.pk}/submit"),
        lambda c: _doc_state(c) == DocumentState.SUBMITTED,
    ),
    "approve": Action(
        _submitted,
        lambda cl, c: cl.post(f"/van-ban/{c.obj.pk}/phe-duyet/"),
        lambda api, c: api.post(f"/api/v1/documents/{c.obj.pk}/approve"),
        lambda c: _doc_state(c) == DocumentState.APPROVED,
    ),
    "document versions": Action(
        _issued,
        lambda cl, c: cl.get(f"/van-ban/{c.obj.pk}/phien-ban/"),
        lambda api, c: api.get(f"/api/v1/documents/{c.obj.pk}/versions"),
        None,
    ),
    "read receipts": Action(
        _issued,
        lambda cl, c: cl.get(f"/van-ban/{c.obj.pk}/"),
        lambda api, c: api.get(f"/api/v1/documents/{c.obj.pk}/deliveries"),
        None,
        page_allowed=lambda r: r.status_code == 200 and bool(r.context["deliveries"]),
    ),
    # campaigns
    "create the campaign": Action(
        None,
        _campaign_page,
        _campaign_api,
        lambda c: Campaign.objects.filter(year=CAMPAIGN_YEAR).exists(),
    ),
    # signers: the page keeps the signers of the user's current unit
    "add a signer to ubnd_tdm": Action(
        None,
        lambda cl, c: cl.post("/van-ban/nguoi-ky/", SIGNER),
        lambda api, c: api.post(f"/api/v1/units/{c.unit('ubnd_tdm').pk}/signers", SIGNER),
        _signer_added("ubnd_tdm"),
    ),
    "edit the campaign": Action(
        _week_ahead, _campaign_edit_page, _campaign_edit_api, _campaign_edited
    ),
    "edit the campaign after its Week": Action(
        _week_over, _campaign_edit_page, _campaign_edit_api, _campaign_edited
    ),
    # reports
    "save a report": Action(
        None,
        lambda cl, c: cl.post(
            f"/bao-cao/{_report_url(c)}/luu/", {"version": 0, "v_khai_mac_le": "7"}
        ),
        lambda api, c: api.put(
            f"/api/v1/reports/{_report_url(c)}", {"version": 0, "values": {"khai_mac_le": 7}}
        ),
        _report_saved,
    ),
    "accept a report": Action(
        _submitted_report,
        lambda cl, c: cl.post(f"/bao-cao/{_report_url(c)}/tiep-nhan/"),
        lambda api, c: api.post(f"/api/v1/reports/{_report_url(c)}/accept"),
        lambda c: Report.objects.get(pk=c.obj.pk).state == ReportState.ACCEPTED,
    ),
    "add report evidence": Action(
        _saved_report,
        lambda cl, c: cl.post(
            f"/bao-cao/{_report_url(c)}/minh-chung/",
            {"url": "https://example.vn/tin-bai", "title": "Tin bài"},
        ),
        lambda api, c: api.post(
            f"/api/v1/reports/{_report_url(c)}/evidence",
            {"url": "https://example.vn/tin-bai", "title": "Tin bài"},
        ),
        lambda c: Evidence.objects.filter(report=c.obj).exists(),
    ),
    # activities
    "create an activity": Action(
        None,
        lambda cl, c: cl.post("/hoat-dong/moi/", _activity_form("Ma trận hoạt động")),
        lambda api, c: api.post(
            "/api/v1/activities", _activity_api(c, "ward_bode", "Ma trận hoạt động")
        ),
        lambda c: Activity.objects.filter(title="Ma trận hoạt động").exists(),
    ),
    "edit an activity": Action(
        _activity,
        lambda cl, c: cl.post(f"/hoat-dong/{c.obj.pk}/sua/", _activity_form("Đổi tên")),
        lambda api, c: api.patch(f"/api/v1/activities/{c.obj.pk}", {"title": "Đổi tên"}),
        lambda c: Activity.objects.get(pk=c.obj.pk).title == "Đổi tên",
    ),
    "registrations": Action(
        _activity,
        lambda cl, c: cl.get(f"/hoat-dong/{c.obj.pk}/dang-ky.xlsx"),
        lambda api, c: api.get(f"/api/v1/activities/{c.obj.pk}/registrations"),
        None,
    ),
    # honours
    "nominate": Action(
        None,
        lambda cl, c: cl.post(
            "/tuyen-duong/",
            {
                "nominee_kind": "individual",
                "nominee_name": "Ma trận Tuyên dương",
                "achievement": "Tích cực",
                "final_unit": "",
            },
        ),
        lambda api, c: api.post(
            "/api/v1/nominations",
            {
                "campaign_id": c.campaign.pk,
                "unit_id": c.unit("thcs_ngoclam").pk,
                "nominee_kind": "individual",
                "nominee_name": "Ma trận Tuyên dương",
                "achievement": "Tích cực",
            },
        ),
        lambda c: Nomination.objects.filter(nominee_name="Ma trận Tuyên dương").exists(),
    ),
    "approve a nomination": Action(
        _nomination,
        lambda cl, c: cl.post(f"/tuyen-duong/{c.obj.pk}/phe-duyet/"),
        lambda api, c: api.post(f"/api/v1/nominations/{c.obj.pk}/approve"),
        lambda c: Nomination.objects.get(pk=c.obj.pk).state != NominationState.PENDING,
    ),
    # units and users
    "edit ward_bode": Action(
        None,
        lambda cl, c: cl.post(
            f"/don-vi/{c.unit('ward_bode').pk}/sua/", _unit_form(c, "ward_bode", "Số 9")
        ),
        lambda api, c: api.patch(f"/api/v1/units/{c.unit('ward_bode').pk}", {"address": "Số 9"}),
        lambda c: Unit.objects.get(pk=c.unit("ward_bode").pk).address == "Số 9",
    ),
    "edit ubnd_longbien": Action(
        None,
        lambda cl, c: cl.post(
            f"/don-vi/{c.unit('ubnd_longbien').pk}/sua/", _unit_form(c, "ubnd_longbien", "Số 9")
        ),
        lambda api, c: api.patch(
            f"/api/v1/units/{c.unit('ubnd_longbien').pk}", {"address": "Số 9"}
        ),
        lambda c: Unit.objects.get(pk=c.unit("ubnd_longbien").pk).address == "Số 9",
    ),
    "add a user to ward_bode": Action(
        None,
        lambda cl, c: cl.post(
            f"/tai-khoan/don-vi/{c.unit('ward_bode').pk}/nguoi-dung/them/",
            {
                "username": "ma.tran",
                "full_name": "Ma Trận",
                "email": "",
                "unit": c.unit("ward_bode").pk,
                "role": Role.EDITOR,
            },
        ),
        None,  # accounts have no API: the page alone
        lambda c: User.objects.filter(username="ma.tran").exists(),
    ),
    "remind all below pgd_longbien": Action(
        None,
        lambda cl, c: cl.post(f"/thong-bao/don-doc/{c.campaign.pk}/{c.unit('pgd_longbien').pk}/"),
        lambda api, c: api.post(
            f"/api/v1/campaigns/{c.campaign.pk}/remind?unit={c.unit('pgd_longbien').pk}"
        ),
        lambda c: ReminderRun.objects.filter(
            campaign=c.campaign, unit=c.unit("pgd_longbien")
        ).exists(),
    ),
    "export the national roll-up": Action(
        None,
        lambda cl, c: cl.get(f"/bao-cao/{c.campaign.pk}/{c.unit('bo').pk}/tong-hop.xlsx"),
        lambda api, c: api.post(
            "/api/v1/exports",
            {"kind": "rollup_xlsx", "campaign_id": c.campaign.pk, "unit_id": c.unit("bo").pk},
        ),
        lambda c: ExportJob.objects.filter(kind="rollup_xlsx").exists(),
    ),
}

# ---- THE table: action, account, in/out of scope, allowed ------------------------------------
IN, OUT = "in", "out"
TABLE = [
    # documents: the issuer is the user's unit, its parent or the parent's committee
    ("draft for ubnd_longbien", "cv.longbien", IN, True),
    ("draft for bcd_longbien", "cv.longbien", IN, True),
    ("draft for ubnd_hanoi", "cv.longbien", OUT, False),
    ("draft for bo", "cv.longbien", OUT, False),
    ("draft for ubnd_longbien", "ubnd.langson", OUT, False),
    ("consult", "cv.longbien", IN, True),
    ("consult", "phuong.bode", IN, False),
    ("consult", "so.hanoi", OUT, False),
    ("consult a draft beyond reach", "cv.longbien", OUT, False),
    ("respond to a consultation", "phuong.bode", IN, True),
    ("respond to a consultation", "htcd.bode", IN, False),
    ("respond to a consultation", "cv.longbien", IN, False),
    ("submit", "cv.longbien", IN, True),
    ("submit", "ubnd.langson", OUT, False),
    ("submit a draft beyond reach", "cv.longbien", OUT, False),
    ("approve", "pgd.longbien", IN, True),
    ("approve", "cv.longbien", IN, False),
    ("approve", "so.hanoi", OUT, False),
    ("document versions", "cv.longbien", IN, True),
    ("document versions", "pgd.longbien", IN, True),
    ("document versions", "phuong.bode", IN, False),  # a recipient reads, not the drafts
    ("document versions", "so.hanoi", OUT, False),
    ("read receipts", "pgd.longbien", IN, True),
    ("read receipts", "phuong.bode", IN, False),
    # campaigns: only an approver of the top unit
    ("create the campaign", "bo.gddt", IN, True),
    ("create the campaign", "admin", IN, True),
    ("create the campaign", "so.hanoi", OUT, False),
    ("create the campaign", "cv.longbien", OUT, False),
    ("add a signer to ubnd_tdm", "ubnd.thudaumot", IN, True),
    ("add a signer to ubnd_tdm", "pgd.thudaumot", IN, False),
    ("add a signer to ubnd_tdm", "ubnd.langson", OUT, False),
    ("edit the campaign", "bo.gddt", IN, True),
    ("edit the campaign", "admin", IN, True),
    ("edit the campaign", "so.hanoi", OUT, False),
    ("edit the campaign", "cv.longbien", OUT, False),
    ("edit the campaign after its Week", "bo.gddt", IN, False),
    # reports: editors of the unit itself write; approvers above review, along the
    # reporting lines of the Week after the 2025 reform (THCS Ngọc Lâm → phường Bồ Đề mới →
    # Sở GDĐT Hà Nội); the abolished district office no longer reviews it
    ("save a report", "thcs.ngoclam", IN, True),
    ("save a report", "th.giathuy", OUT, False),
    ("accept a report", "phuongmoi.bode", IN, True),
    ("accept a report", "so.hanoi", IN, True),
    ("accept a report", "thcs.ngoclam", IN, False),
    ("accept a report", "pgd.longbien", OUT, False),
    ("accept a report", "ubnd.langson", OUT, False),
    ("add report evidence", "thcs.ngoclam", IN, True),
    ("add report evidence", "phuongmoi.bode", IN, False),
    ("add report evidence", "th.giathuy", OUT, False),
    # activities and registrations
    ("create an activity", "phuong.bode", IN, True),
    ("create an activity", VIEWER, IN, False),
    ("edit an activity", "phuong.bode", IN, True),
    ("edit an activity", VIEWER, IN, False),
    ("edit an activity", "phuong.phuloi", OUT, False),
    ("registrations", "phuong.bode", IN, True),
    ("registrations", VIEWER, IN, True),
    ("registrations", "pgd.longbien", IN, False),  # personal data: the organiser only
    ("registrations", "phuong.phuloi", OUT, False),
    # honours
    ("nominate", "thcs.ngoclam", IN, True),
    ("approve a nomination", "phuongmoi.bode", IN, True),
    ("approve a nomination", "thcs.ngoclam", IN, False),
    ("approve a nomination", "so.hanoi", OUT, False),
    # units and users: admin of an ancestor
    ("edit ward_bode", "qt.longbien", IN, True),
    ("edit ward_bode", "admin", IN, True),
    ("edit ward_bode", "pgd.longbien", IN, False),
    ("edit ward_bode", "phuong.phuloi", OUT, False),
    ("edit ubnd_longbien", "qt.longbien", IN, False),  # its own admin: no
    ("edit ubnd_longbien", "admin", IN, True),
    ("add a user to ward_bode", "qt.longbien", IN, True),
    ("add a user to ward_bode", "phuong.bode", IN, False),
    ("add a user to ward_bode", "ubnd.langson", OUT, False),
    # "remind all" (the worker reminds; the request stores the run): editors of the office
    ("remind all below pgd_longbien", "cv.longbien", IN, True),
    ("remind all below pgd_longbien", "pgd.longbien", IN, True),
    ("remind all below pgd_longbien", "thcs.ngoclam", IN, False),
    ("remind all below pgd_longbien", "ubnd.langson", OUT, False),
    # exports built by the worker: whoever sees the unit's consolidation
    ("export the national roll-up", "bo.gddt", IN, True),
    ("export the national roll-up", "cv.longbien", OUT, False),
]


def test_every_action_has_rows_allowing_and_refusing():
    allowed = {a for a, _u, _s, ok in TABLE if ok}
    refused = {a for a, _u, _s, ok in TABLE if not ok}
    assert set(ACTIONS) == {a for a, *_ in TABLE}
    # Each area both allows someone and refuses someone.
    for prefix in (
        "draft",
        "consult",
        "approve",
        "create the campaign",
        "edit the campaign",
        "save a report",
    ):
        assert any(a.startswith(prefix) for a in allowed), prefix
        assert any(a.startswith(prefix) for a in refused), prefix


def _viewer(w) -> None:
    user = User.objects.create_user(username=VIEWER, password=DEMO_PASSWORD, full_name="Xem")
    Membership.objects.create(user=user, unit=w.units["ward_bode"], role=Role.VIEWER)
    w.users[VIEWER] = user


def _play(demo, action: Action, username: str, channel: str) -> tuple[bool, object]:
    """Run one row through one channel and roll every write back."""
    with transaction.atomic():
        if VIEWER not in demo.users or not User.objects.filter(username=VIEWER).exists():
            _viewer(demo)
        c = Ctx(w=demo, campaign=campaign_current())
        c.obj = action.setup(c) if action.setup else None
        if channel == "page":
            response = action.page(login_client(username), c)
            if action.effect is not None:
                allowed = action.effect(c)
            elif action.page_allowed is not None:
                allowed = action.page_allowed(response)
            else:
                allowed = response.status_code == 200
            if not allowed:
                assert response.status_code in (200, 302, 400, 403, 404, 409), response
        else:
            response = action.api(ApiClient(api_token(Client(), username)), c)
            allowed = action.effect(c) if action.effect is not None else response.status_code == 200
            if allowed:
                assert response.status_code in (200, 201, 202), response.content
            else:
                assert response.status_code in (400, 403, 404, 409), response.content
                assert response["Content-Type"].startswith("application/problem+json")
        transaction.set_rollback(True)
    demo.users.pop(VIEWER, None)
    return allowed, response


@pytest.mark.parametrize(
    "action_name, username, scope, expected",
    TABLE,
    ids=[f"{a}|{u}|{s}" for a, u, s, _ok in TABLE],
)
def test_page_and_api_allow_and_refuse_alike(demo, action_name, username, scope, expected):
    action = ACTIONS[action_name]
    page_allowed, page = _play(demo, action, username, "page")
    assert page_allowed is expected, (
        f"page: {action_name} as {username} ({scope}) → {page.status_code}"
    )
    if action.api is not None:
        api_allowed, api = _play(demo, action, username, "api")
        assert api_allowed is expected, (
            f"API: {action_name} as {username} ({scope}) → {api.status_code} {api.content[:300]}"
        )
