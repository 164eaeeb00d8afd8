import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


@pytest.fixture
def demo(demo_tree):
    """Only the demo's units, accounts and campaigns are needed here (fast)."""
    return demo_tree


@pytest.mark.django_db
def test_campaigns_list_and_detail(demo, api_as):
    api = api_as("thcs.ngoclam")
    api.get("/api/v1/me")
    with CaptureQueriesContext(connection) as ctx:
        page = api.get("/api/v1/campaigns").json()
    assert len(ctx.captured_queries) <= 6
    body = page["items"]
    assert page["count"] == len(body) and page["next"] is None
    first = api.get("/api/v1/campaigns", {"page_size": 1}).json()
    assert first["count"] == len(body) and len(first["items"]) == 1
    assert "page=2" in first["next"]
    assert {c["year"] for c in body} >= {2020, 2021, 2023}
    c2023 = next(c for c in body if c["year"] == 2023)
    assert c2023["theme"] == "Xây dựng năng lực tự học trong kỷ nguyên số"
    assert c2023["starts_on"] == "2023-10-01" and c2023["opening_on"] == "2023-10-02"
    assert c2023["owner_unit_id"] == demo["bo"].pk
    assert c2023["indicators"] and {"code", "name", "group", "unit_of_measure"} <= set(
        c2023["indicators"][0]
    )
    detail = api.get(f"/api/v1/campaigns/{c2023['id']}").json()
    assert detail == c2023
    assert api.get("/api/v1/campaigns/999999").status_code == 404


@pytest.mark.django_db
def test_create_campaign_needs_an_approver_of_the_owner_unit(demo, api_as):
    payload = {
        "year": 2030,
        "title": "Tuần lễ hưởng ứng học tập suốt đời năm 2030",
        "theme": "Học tập suốt đời",
        "starts_on": "2030-10-01",
        "ends_on": "2030-10-07",
        "owner_unit_id": demo["bo"].pk,
    }
    assert api_as("thcs.ngoclam").post("/api/v1/campaigns", payload).status_code == 404
    created = api_as("bo.gddt").post("/api/v1/campaigns", payload)
    assert created.status_code == 201
    assert created.json()["year"] == 2030 and created.json()["indicators"]
    again = api_as("bo.gddt").post("/api/v1/campaigns", payload)
    assert again.status_code == 400
    assert again.json()["errors"] == [{"field": "year", "message": "Đã có Tuần lễ năm 2030."}]


@pytest.mark.django_db
def test_a_provincial_department_cannot_create_the_national_week(demo, api_as, client_as):
    """The page refused so.hanoi (404) while the API answered 201 for its own unit."""
    from lantoa.campaigns.models import Campaign

    payload = {
        "year": 2031,
        "title": "Tuần lễ hưởng ứng học tập suốt đời năm 2031",
        "theme": "Học tập suốt đời",
        "starts_on": "2031-10-01",
        "ends_on": "2031-10-07",
        "owner_unit_id": demo["so_hanoi"].pk,
    }
    before = Campaign.objects.count()
    response = api_as("so.hanoi").post("/api/v1/campaigns", payload)
    assert response.status_code == 404, response.content
    assert client_as("so.hanoi").get("/tuan-le/moi/").status_code == 404
    # Even the ministry cannot hand the Week to a unit below the top.
    response = api_as("bo.gddt").post("/api/v1/campaigns", payload)
    assert response.status_code == 404, response.content
    assert Campaign.objects.count() == before
