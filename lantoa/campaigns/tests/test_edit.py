"""Campaign edit by its owner until the Week ends: page and PATCH /campaigns/{id}, version
check, history before → after; reporting deadlines and on-time flags never move."""

from datetime import date

import pytest
from django.utils import timezone

from lantoa.campaigns import services
from lantoa.campaigns.models import Campaign
from lantoa.history.models import HistoryEntry


@pytest.fixture
def week(demo_tree):
    """The Week ahead in the demo (1–7 October of the coming year): still editable."""
    return Campaign.objects.filter(ends_on__gte=timezone.localdate()).get()


def _patch(api, campaign, **data):
    return api.patch(f"/api/v1/campaigns/{campaign.pk}", data)


@pytest.mark.django_db
def test_owner_changes_name_theme_and_dates_with_history(week, api_as):
    api = api_as("bo.gddt")
    read = api.get(f"/api/v1/campaigns/{week.pk}").json()
    assert read["version"] == 1
    y = week.year
    response = _patch(
        api,
        week,
        version=1,
        title=f"Tuần lễ học tập suốt đời {y}",
        ends_on=f"{y}-10-08",
        opening_on=f"{y}-10-02",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["version"] == 2 and body["title"] == f"Tuần lễ học tập suốt đời {y}"
    assert body["ends_on"] == f"{y}-10-08" and body["starts_on"] == f"{y}-10-01"
    entry = HistoryEntry.objects.filter(object_type="campaign", action="update").get()
    assert entry.actor.username == "bo.gddt" and entry.unit_id == week.owner_unit_id
    assert entry.before == {
        "title": week.title,
        "ends_on": f"{y}-10-07",
        "opening_on": f"{y}-10-01",
    }
    assert entry.after == {
        "title": f"Tuần lễ học tập suốt đời {y}",
        "ends_on": f"{y}-10-08",
        "opening_on": f"{y}-10-02",
    }


@pytest.mark.django_db
def test_stale_version_is_refused_and_nothing_changes(week, api_as):
    api = api_as("bo.gddt")
    assert _patch(api, week, version=1, theme="Chủ đề mới").status_code == 200
    stale = _patch(api, week, version=1, theme="Chủ đề khác")
    assert stale.status_code == 409
    assert stale["Content-Type"].startswith("application/problem+json")
    assert (
        stale.json()["code"] == "version_stale"
        and "phiên bản hiện tại: 2" in stale.json()["detail"]
    )
    assert Campaign.objects.get(pk=week.pk).theme == "Chủ đề mới"
    missing = _patch(api, week, theme="Không có phiên bản")
    assert missing.status_code == 400


@pytest.mark.django_db
def test_refused_after_the_week_ends(demo_tree, api_as):
    past = Campaign.objects.get(year=2023)
    response = _patch(api_as("bo.gddt"), past, version=past.version, theme="Muộn")
    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "campaign_ended"
    assert problem["detail"].startswith(f"{past.title} đã kết thúc ngày 07/10/2023")
    assert Campaign.objects.get(pk=past.pk).theme == past.theme
    # The last day of the Week still counts.
    services.campaign_update(
        campaign=past,
        actor=demo_tree.users["bo.gddt"],
        version=past.version,
        today=date(2023, 10, 7),
        theme="Trong ngày cuối",
    )
    assert Campaign.objects.get(pk=past.pk).theme == "Trong ngày cuối"


@pytest.mark.django_db
def test_closed_campaign_is_refused(week, api_as):
    Campaign.objects.filter(pk=week.pk).update(closed_on=timezone.localdate())
    response = _patch(api_as("bo.gddt"), week, version=1, theme="Đã khóa")
    assert response.status_code == 409 and response.json()["code"] == "campaign_closed"


@pytest.mark.django_db
def test_bad_input_is_a_vietnamese_400_and_nothing_changes(week, api_as):
    api, y = api_as("bo.gddt"), week.year
    bad = _patch(api, week, version=1, ends_on=f"{y}-09-01", title=" ")
    assert bad.status_code == 400
    errors = {e["field"]: e["message"] for e in bad.json()["errors"]}
    assert errors == {
        "ends_on": "Ngày kết thúc phải sau ngày bắt đầu.",
        "title": "Tên Tuần lễ không được để trống.",
        "opening_on": "Ngày khai mạc phải nằm trong Tuần lễ.",
    }
    year = _patch(api, week, version=1, year=y + 1)
    assert year.status_code == 400 and year.json()["errors"][0]["field"] == "year"
    fresh = Campaign.objects.get(pk=week.pk)
    assert (fresh.version, fresh.year, fresh.ends_on) == (1, y, date(y, 10, 7))


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["so.hanoi", "cv.longbien", "pgd.longbien"])
def test_only_the_owner_units_leaders_may_edit(week, api_as, username):
    response = _patch(api_as(username), week, version=1, theme="Không được")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert Campaign.objects.get(pk=week.pk).version == 1


@pytest.mark.django_db
def test_edit_form_on_the_detail_page(week, client_as):
    client = client_as("bo.gddt")
    page = client.get(f"/tuan-le/{week.pk}/").content.decode()
    assert 'id="campaign-edit"' in page and f'action="/tuan-le/{week.pk}/sua/"' in page
    y = week.year
    form = {
        "title": week.title,
        "theme": "Chủ đề sửa trên trang",
        "starts_on": f"01/10/{y}",
        "ends_on": f"09/10/{y}",
        "opening_on": f"01/10/{y}",
        "version": "1",
    }
    saved = client.post(f"/tuan-le/{week.pk}/sua/", form, follow=True)
    assert "Đã lưu thay đổi của Tuần lễ." in saved.content.decode()
    fresh = Campaign.objects.get(pk=week.pk)
    assert (fresh.theme, fresh.ends_on, fresh.version) == (
        "Chủ đề sửa trên trang",
        date(y, 10, 9),
        2,
    )
    # The same form again carries version 1: refused with the reason, nothing changes.
    stale = client.post(f"/tuan-le/{week.pk}/sua/", form | {"theme": "Cũ"}, follow=True)
    assert "Tuần lễ đã được người khác sửa" in stale.content.decode()
    assert Campaign.objects.get(pk=week.pk).theme == "Chủ đề sửa trên trang"
    wrong = client.post(f"/tuan-le/{week.pk}/sua/", form | {"version": "2", "ends_on": "x"})
    assert wrong.status_code == 400 and "dd/mm/yyyy" in wrong.content.decode().lower()


@pytest.mark.django_db
def test_no_form_for_others_or_after_the_week(week, client_as):
    page = client_as("cv.longbien").get(f"/tuan-le/{week.pk}/").content.decode()
    assert 'id="campaign-edit"' not in page
    refused = client_as("so.hanoi").post(
        f"/tuan-le/{week.pk}/sua/",
        {
            "title": "x",
            "theme": "y",
            "starts_on": "01/10/2030",
            "ends_on": "07/10/2030",
            "version": "1",
        },
        follow=True,
    )
    assert "Chỉ lãnh đạo đơn vị chủ trì mới được sửa Tuần lễ." in refused.content.decode()
    past = Campaign.objects.get(year=2023)
    page = client_as("bo.gddt").get(f"/tuan-le/{past.pk}/").content.decode()
    assert 'id="campaign-edit"' not in page and "không sửa được nữa" in page


@pytest.mark.django_db
def test_moving_the_week_keeps_deadlines_roll_ups_and_on_time_flags(demo):
    """Deadlines belong to the issued plans, not to the campaign: moving the Week's dates
    changes no deadline, no report's on-time flag, no roll-up or completeness count."""
    from lantoa.campaigns.models import ReportingDeadline
    from lantoa.reports.lines.selectors import completeness_by_line, rollup_by_line
    from lantoa.reports.models import Report

    # The 2023 Week has reports, deadlines and on-time flags; seen as during its Week
    # (figures not closed yet).
    Campaign.objects.filter(year=2023).update(closed_on=None)
    campaign, unit = Campaign.objects.get(year=2023), demo.units["so_hanoi"]

    def state():
        return (
            list(ReportingDeadline.objects.filter(campaign=campaign).values_list("unit", "due_on")),
            list(Report.objects.filter(campaign=campaign).values_list("pk", "on_time", "due_on")),
            rollup_by_line(campaign=campaign, unit=unit),
            completeness_by_line(campaign=campaign, unit=unit, missing_limit=None),
        )

    before = state()
    assert before[3]["on_time"] > 0
    services.campaign_update(
        campaign=campaign,
        actor=demo.users["bo.gddt"],
        version=campaign.version,
        today=date(2023, 10, 2),
        starts_on=date(2023, 9, 25),
        ends_on=date(2023, 10, 15),
    )
    assert Campaign.objects.get(pk=campaign.pk).ends_on == date(2023, 10, 15)
    assert state() == before
