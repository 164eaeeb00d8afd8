"""POST /campaigns/{id}/remind?unit= → 202 with the run; GET /reminder-runs/{id}."""

from datetime import date

import pytest

from lantoa.notifications.models import ReminderLog, ReminderRun
from lantoa.notifications.tests.factories import make_campaign, set_deadline
from lantoa.reports.selectors import completeness_for_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def week(demo):
    campaign = make_campaign(demo, 2024)
    set_deadline(campaign, demo.units["pgd_longbien"], date(2024, 10, 12))
    return campaign


def test_remind_all_through_the_api(demo, week, api_as, django_capture_on_commit_callbacks):
    office = demo.units["pgd_longbien"]
    missing = {
        m["unit_id"] for m in completeness_for_unit(campaign=week, unit=office)["missing"]
    } - {office.pk}
    api = api_as("cv.longbien")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/campaigns/{week.pk}/remind?unit={office.pk}")
    assert response.status_code == 202
    run = response.json()
    assert run["status"] == "queued" and run["expected"] == len(missing)
    assert f"Đang gửi nhắc nhở tới {len(missing)} đơn vị" in run["detail"]
    done = api.get(f"/api/v1/reminder-runs/{run['id']}").json()
    assert done["status"] == "done" and done["reminded"] == len(missing) and done["finished_at"]
    assert set(ReminderLog.objects.filter(run_id=run["id"]).values_list("unit_id", flat=True)) == (
        missing
    )
    # The same day again: nobody left, nothing queued.
    again = api.post(f"/api/v1/campaigns/{week.pk}/remind?unit={office.pk}").json()
    assert again["status"] == "done" and again["expected"] == 0
    assert again["skipped"] == len(missing)


def test_remind_api_scope_role_and_bad_input(demo, week, api_as):
    office = demo.units["pgd_longbien"]
    url = f"/api/v1/campaigns/{week.pk}/remind"
    # Outside the caller's scope: 404; in scope without the role (a school): still 404
    # for a unit it cannot see; a viewer of the office itself: 403.
    assert api_as("pgd.thudaumot").post(f"{url}?unit={office.pk}").status_code == 404
    assert api_as("thcs.ngoclam").post(f"{url}?unit={office.pk}").status_code == 404
    missing_unit = api_as("cv.longbien").post(url)
    assert missing_unit.status_code == 400
    assert missing_unit["Content-Type"] == "application/problem+json"
    unknown = api_as("cv.longbien").post(f"/api/v1/campaigns/999999/remind?unit={office.pk}")
    assert unknown.status_code == 404
    assert not ReminderRun.objects.exists()
    run = api_as("cv.longbien").post(f"{url}?unit={office.pk}").json()
    assert api_as("pgd.thudaumot").get(f"/api/v1/reminder-runs/{run['id']}").status_code == 404
    assert api_as("cv.longbien").get("/api/v1/reminder-runs/999999").status_code == 404


def test_remind_api_needs_an_editor(demo, week, api_as):
    from lantoa.accounts.models import Role, User
    from lantoa.accounts.services import membership_set

    viewer = User.objects.create_user("xem.longbien", password="hoctapsuotdoi")
    membership_set(user=viewer, unit=demo.units["pgd_longbien"], role=Role.VIEWER)
    response = api_as("xem.longbien").post(
        f"/api/v1/campaigns/{week.pk}/remind?unit={demo.units['pgd_longbien'].pk}"
    )
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert not ReminderRun.objects.exists()
