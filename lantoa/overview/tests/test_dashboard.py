"""The overview page (/tong-quan/): what an office worker or school editor sees on login."""

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lantoa.accounts.models import User
from lantoa.campaigns.selectors import campaign_current
from lantoa.demo.world import ACCOUNTS
from lantoa.documents.models import Delivery, Document, DocumentState
from lantoa.reports.lines.selectors import (
    completeness_by_line,
    line_deadline_for_unit,
    line_subtree_unit_ids,
)
from lantoa.reports.models import Report, ReportState
from lantoa.units.models import Unit, UnitKind

URL = "/tong-quan/"
DEMO_USERNAMES = [a[0] for a in ACCOUNTS] + ["admin"]


def page_of(client, query: str = "") -> str:
    response = client.get(URL + query)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_every_demo_account_gets_its_overview(demo, client_as):
    assert len(DEMO_USERNAMES) == 18
    for username in DEMO_USERNAMES:
        response = client_as(username).get(URL)
        assert response.status_code == 200, username
        assert "Tổng quan" in response.content.decode()


@pytest.mark.django_db
def test_school_editor_sees_its_own_report(demo, client_as):
    client = client_as("th.giathuy")
    unit = demo.units["th_giathuy"]
    current = campaign_current()
    page = page_of(client)
    assert "Trường Tiểu học Gia Thụy" in page or unit.name in page
    assert 'id="own-report"' in page
    assert reverse("reports:report", args=[current.pk, unit.pk]) in page
    # Nothing reported in the current campaign yet.
    assert "Chưa bắt đầu" in page and "Nhập báo cáo" in page
    # A school has no subordinate units: no completeness, no reviews.
    assert 'id="completeness"' not in page and 'id="reviews"' not in page
    assert 'id="inbox"' in page and 'id="tasks"' in page and 'id="activities"' in page

    # The 2023 report is a draft.
    c2023 = demo.campaigns[2023]
    page = page_of(client, f"?campaign={c2023.pk}")
    assert reverse("reports:report", args=[c2023.pk, unit.pk]) in page
    assert "Đang soạn" in page and "Nhập báo cáo" in page
    # The deadline the school answered to in 2023 (its reporting line then, frozen: the
    # 2025 reform has since moved it under a new ward).
    due_on = line_deadline_for_unit(campaign=c2023, unit=unit)
    assert due_on is not None and due_on.strftime("%d/%m/%Y") in page
    assert "Quá hạn" in page  # a draft after its deadline
    # Returned with a reason: the reason is shown.
    Report.objects.filter(campaign=c2023, unit=unit).update(
        state=ReportState.RETURNED, returned_reason="Thiếu số liệu người học trực tuyến"
    )
    page = page_of(client, f"?campaign={c2023.pk}")
    assert "Bị trả lại" in page and "Thiếu số liệu người học trực tuyến" in page
    # Accepted: a badge, and a link to read it rather than fill it in.
    Report.objects.filter(campaign=c2023, unit=unit).update(state=ReportState.ACCEPTED)
    page = page_of(client, f"?campaign={c2023.pk}")
    assert "Đã tiếp nhận" in page and "badge-ok" in page and "Xem báo cáo" in page
    # An unknown campaign is a 404.
    assert client.get(URL + "?campaign=999999").status_code == 404
    assert client.get(URL + "?campaign=abc").status_code == 404


@pytest.mark.django_db
def test_office_approver_sees_completeness_reviews_and_can_remind(demo, client_as):
    client = client_as("pgd.longbien")
    c2023 = demo.campaigns[2023]
    page = page_of(client, f"?campaign={c2023.pk}")
    unit = client.get(URL).context["unit"]
    assert unit.pk in (demo.units["ubnd_longbien"].pk, demo.units["pgd_longbien"].pk)
    # Along the campaign's reporting lines (the office's reporting subtree).
    expected = completeness_by_line(campaign=c2023, unit=unit)
    assert 'id="completeness"' in page
    assert f'id="dash-missing">{expected["missing_count"]}<' in page
    assert reverse("reports:completeness", args=[c2023.pk, unit.pk]) in page
    if expected["missing"]:
        assert "Đôn đốc các đơn vị chưa nộp" in page
    # Reports waiting for this approver: the submitted reports below the unit, in its
    # administrative subtree or in its reporting subtree of 2023 (frozen: the community
    # learning centres reported through the old wards before the reform moved them).
    assert 'id="reviews"' in page
    below = Q(unit__path__startswith=unit.path) | Q(
        unit_id__in=line_subtree_unit_ids(campaign=c2023, unit=unit)
    )
    submitted = list(
        Report.objects.filter(below, campaign=c2023, state=ReportState.SUBMITTED).exclude(unit=unit)
    )
    assert submitted, "the demo has submitted reports waiting in Long Biên"
    context = client.get(URL + f"?campaign={c2023.pk}").context
    assert context["reviews_count"] == len(submitted)
    if unit.pk == demo.units["ubnd_longbien"].pk:
        moved = [r for r in submitted if r.unit.kind == UnitKind.TT_HTCD]
        assert moved and not any(r.unit.path.startswith(unit.path) for r in moved)
    assert reverse("reports:review", args=[c2023.pk, unit.pk]) in page
    shown = context["reviews"][0]
    assert reverse("reports:report", args=[c2023.pk, shown.unit_id]) in page
    # The subordinate units link to their pages.
    child = context["children"][0]
    assert reverse("units:detail", args=[child.pk]) in page
    # A viewer-level editor of a school cannot review.
    page = page_of(client_as("th.giathuy"), f"?campaign={c2023.pk}")
    assert "Báo cáo chờ tiếp nhận" not in page and "Đôn đốc" not in page


@pytest.mark.django_db
def test_drafts_waiting_for_approval_are_listed_for_the_approver(demo, client_as):
    longbien = demo.units["ubnd_longbien"]
    document = Document.objects.filter(
        state=DocumentState.ISSUED, issuer_unit__path__startswith=longbien.path
    ).first()
    assert document is not None, "the demo has documents issued in Long Biên"
    Document.objects.filter(pk=document.pk).update(state=DocumentState.SUBMITTED)
    client = client_as("pgd.longbien")
    context = client.get(URL).context
    assert [d.pk for d in context["to_approve"]] == [document.pk]
    assert context["to_approve_count"] == 1
    page = page_of(client)
    assert 'id="to-approve"' in page
    assert reverse("documents:detail", args=[document.pk]) in page
    # An editor of a school approves nothing.
    assert 'id="to-approve"' not in page_of(client_as("th.giathuy"))


@pytest.mark.django_db
def test_inbox_shows_unread_count_and_latest_items(demo, client_as):
    client = client_as("th.giathuy")
    unit = demo.units["th_giathuy"]
    deliveries = Delivery.objects.filter(unit=unit)
    context = client.get(URL).context
    assert context["inbox_unread"] == deliveries.filter(read_at__isnull=True).count()
    assert len(context["inbox"]) == min(deliveries.count(), 5)
    if deliveries.exists():
        page = client.get(URL).content.decode()
        latest = deliveries.order_by("-delivered_at", "-id").first()
        assert reverse("documents:detail", args=[latest.document_id]) in page
    # The office sees the inbox of the unit it works as, each document once.
    context = client_as("pgd.longbien").get(URL).context
    unit = context["unit"]
    assert {d.unit_id for d in context["inbox"]} <= {unit.pk}
    assert context["inbox_unread"] == (
        Delivery.objects.filter(unit=unit, read_at__isnull=True).count()
    )


@pytest.mark.django_db
def test_superuser_sees_the_ministry_and_its_children(demo, client_as):
    page = page_of(client_as("admin"))
    assert demo.units["bo"].name in page
    assert 'id="children"' in page and demo.units["ubnd_langson"].name in page
    assert 'id="completeness"' in page
    assert "chưa được phân quyền" not in page


@pytest.mark.django_db
def test_a_user_without_membership_gets_a_notice(demo, client):
    user = User.objects.create_user(username="moi.vao", password="x-Mat-khau-9", full_name="Mới")
    client.force_login(user)
    page = page_of(client)
    assert "Tài khoản chưa được phân quyền ở đơn vị nào." in page
    assert 'id="own-report"' not in page and 'id="completeness"' not in page


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302


def _count(client, query: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL + query).status_code == 200
    return len(ctx.captured_queries)


# session, user, memberships, campaigns (?campaign= picks from that list); inbox + unread count, drafts to approve,
# nominations; own report + deadline; children, completeness along the reporting line (node with
# its own report and counts in one statement, missing: 2), reviews, tasks (2), upcoming activities.
QUERIES_OFFICE = 17
QUERIES_SCHOOL = 10


@pytest.mark.django_db
def test_fixed_number_of_queries(demo, client_as):
    c2023 = demo.campaigns[2023]
    query = f"?campaign={c2023.pk}"
    office = client_as("pgd.longbien")
    school = client_as("th.giathuy")
    office_before, school_before = _count(office, query), _count(school, query)
    assert office_before == QUERIES_OFFICE, office_before
    assert school_before == QUERIES_SCHOOL, school_before
    # Without ?campaign= the Week whose reports are being collected is picked from the
    # listed campaigns: no query more.
    assert _count(school, "") == QUERIES_SCHOOL

    # More units (with submitted reports), more documents in the inboxes.
    unit = office.get(URL).context["unit"]
    parent = demo.units["pgd_longbien"]
    now = timezone.now()
    for i in range(12):
        # 2023's schools under the office that has since closed: rows as they stood then
        # (the service refuses new units under a closed parent today).
        parent = Unit.objects.get(pk=parent.pk)
        child = Unit.objects.add_child(
            parent, instance=Unit(name=f"Trường thử {i}", kind=UnitKind.TRUONG_TH, code=f"TEST{i}")
        )
        Report.objects.create(
            campaign=c2023, unit=child, state=ReportState.SUBMITTED, submitted_at=now
        )
    targets = [unit, demo.units["th_giathuy"]]
    Delivery.objects.bulk_create(
        [
            Delivery(document=d, unit=u, delivered_at=now)
            for d in Document.objects.filter(state=DocumentState.ISSUED)
            for u in targets
        ],
        ignore_conflicts=True,
    )
    assert _count(office, query) == office_before
    assert _count(school, query) == school_before


@pytest.mark.django_db
def test_the_overview_in_english(demo, client_as):
    client = client_as("pgd.longbien")
    client.post("/i18n/setlang/", {"language": "en", "next": URL})
    page = page_of(client, f"?campaign={demo.campaigns[2023].pk}")
    assert "Reporting progress of subordinate units" in page
    assert "Reports awaiting review" in page and "Upcoming activities" in page


def test_overview_opens_on_the_week_being_collected(demo, client_as):
    from lantoa.campaigns.models import Campaign
    from lantoa.campaigns.selectors import campaign_collecting

    school = client_as("th.giathuy")
    assert school.get(URL).context["campaign"] == campaign_collecting()
    # A past Week whose figures are still open is the one being chased: the overview opens
    # on it, not on the Week ahead.
    c2023 = demo.campaigns[2023]
    Campaign.objects.filter(pk=c2023.pk).update(closed_on=None)
    assert school.get(URL).context["campaign"] == c2023
    assert campaign_collecting().starts_on <= timezone.localdate()
