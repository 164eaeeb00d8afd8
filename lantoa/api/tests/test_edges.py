"""API and page edges (issue 9): huge pages and ids, count bounds, PUT without fields,
stable error codes, +07:00 timestamps, every status documented, /campaigns paginated."""

import pytest
from django.test import Client

from lantoa.activities.tests.factories import activity_make

HUGE = "99999999999999999999"


def _problem(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert {"type", "title", "status", "detail", "code"} <= set(body)
    assert body["status"] == status and body["code"]
    if code:
        assert body["code"] == code, body
    return body


@pytest.mark.django_db
def test_huge_pages_and_ids_are_400_in_the_api_and_404_pages(demo_tree, api_as, client_as):
    api = api_as("thcs.ngoclam")
    for path in (
        f"/api/v1/units?page={HUGE}",
        f"/api/v1/campaigns?page_size={HUGE}",
        f"/api/v1/units/{HUGE}",
        f"/api/v1/reports/{HUGE}/1",
        f"/api/v1/documents?campaign={HUGE}",
        f"/api/v1/units/{2**63}",
    ):
        _problem(api.get(path), 400, "number_out_of_range")
    assert api.get(f"/api/v1/units/{2**63 - 1}").status_code == 404
    # Within 64 bits but past the end: an empty page, not a database overflow.
    far = api.get("/api/v1/units", {"page": 2**62, "page_size": 500})
    assert far.status_code == 200 and far.json()["items"] == []
    client = client_as("thcs.ngoclam")
    for path in (f"/don-vi/{HUGE}/", f"/hoat-dong/?page={HUGE}", f"/van-ban/{HUGE}/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "text/html" in response["Content-Type"]


@pytest.mark.django_db
def test_counts_have_upper_bounds(demo, api_as):
    api = api_as("thcs.ngoclam")
    activity = activity_make(demo)
    before = dict(activity.participants or {})
    for participants in ({"hoc_sinh": 1e20}, {"hoc_sinh": 10**20}, {"hoc_sinh": 2.5}):
        response = api.patch(f"/api/v1/activities/{activity.pk}", {"participants": participants})
        _problem(response, 400)
    activity.refresh_from_db()
    assert activity.participants == before
    response = api.patch(f"/api/v1/activities/{activity.pk}", {"capacity": 10**12})
    _problem(response, 400)
    ok = api.patch(f"/api/v1/activities/{activity.pk}", {"participants": {"hoc_sinh": 120}})
    assert ok.status_code == 200, ok.content


@pytest.mark.django_db
def test_put_report_without_fields_keeps_them(demo, api_as):
    campaign, unit = demo.campaigns[2023], demo.units["th_giathuy"]
    url = f"/api/v1/reports/{campaign.pk}/{unit.pk}"
    api = api_as("th.giathuy")
    body = api.get(url).json()
    saved = api.put(
        url,
        {
            "version": body["version"],
            "values": {"lop_hoc": 3},
            "budget_state": 5_000_000,
            "budget_sponsor": 1_200_000,
        },
    ).json()
    assert saved["budget_state"] == 5_000_000
    # The budget fields and the values are left out: they stay as stored.
    again = api.put(url, {"version": saved["version"], "sections": {"ket_qua": "Tốt"}})
    assert again.status_code == 200, again.content
    body = again.json()
    assert body["budget_state"] == 5_000_000 and body["budget_sponsor"] == 1_200_000
    assert body["values"] == saved["values"]
    # Sent as null: cleared, as documented.
    cleared = api.put(url, {"version": body["version"], "budget_sponsor": None}).json()
    assert cleared["budget_sponsor"] is None and cleared["budget_state"] == 5_000_000
    put = (
        Client()
        .get("/api/v1/openapi.json")
        .json()["paths"]["/api/v1/reports/{campaign_id}/{unit_id}"]
    )
    assert "không gửi" in put["put"]["description"]


@pytest.mark.django_db
def test_every_problem_carries_a_stable_code(demo_tree, api_as):
    api = api_as("thcs.ngoclam")
    _problem(api.get("/api/v1/units/999999"), 404, "not_found")
    _problem(Client().get("/api/v1/me"), 401, "not_authenticated")
    _problem(api.post("/api/v1/activities", {"title": 1}), 400, "invalid")
    _problem(Client().delete("/api/v1/me"), 405, "method_not_allowed")


@pytest.mark.django_db
def test_timestamps_carry_the_vietnam_offset(demo, api_as):
    api = api_as("thcs.ngoclam")
    activity = activity_make(demo)
    body = api.get(f"/api/v1/activities/{activity.pk}").json()
    assert body["starts_at"].endswith("+07:00"), body["starts_at"]
    token = Client().post(
        "/api/v1/auth/token",
        {"username": "thcs.ngoclam", "password": "hoctapsuotdoi"},
        content_type="application/json",
    )
    assert token.json()["expires_at"].endswith("+07:00")


def test_every_operation_documents_its_problem_answers(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "Problem" in schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"400", "404"} <= codes, (method, path)
            if operation.get("security"):
                assert {"401", "403"} <= codes, (method, path)
    assert "429" in schema["paths"]["/api/v1/auth/token"]["post"]["responses"]


@pytest.mark.django_db
def test_campaign_year_is_bounded(demo_tree, api_as):
    payload = {
        "year": 10**12,
        "title": "Tuần lễ",
        "theme": "Chủ đề",
        "starts_on": "2030-10-01",
        "ends_on": "2030-10-07",
        "owner_unit_id": demo_tree["bo"].pk,
    }
    body = _problem(api_as("bo.gddt").post("/api/v1/campaigns", payload), 400)
    assert any(e["field"] == "year" for e in body["errors"])
