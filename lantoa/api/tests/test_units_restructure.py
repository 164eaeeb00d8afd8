"""Issue 8: POST /units/{id}/move, POST /units/{id}/close with successors, PATCH parent_id."""

import pytest

from lantoa.history.models import HistoryEntry
from lantoa.units.models import Unit, UnitSuccession

pytestmark = pytest.mark.django_db


def version(unit) -> int:
    return Unit.objects.get(pk=unit.pk).version


def test_move_answers_the_unit_under_its_new_parent(demo, api_as):
    # TH Gia Thụy has been under the new phường Bồ Đề since the demo's 2025 reform.
    api, school, ward = api_as("admin"), demo["th_giathuy"], demo["new_viethung"]
    body = api.get(f"/api/v1/units/{school.pk}").json()
    response = api.post(
        f"/api/v1/units/{school.pk}/move", {"parent_id": ward.pk, "version": body["version"]}
    )
    assert response.status_code == 200, response.content
    moved = response.json()
    assert moved["parent_id"] == ward.pk and moved["version"] == body["version"] + 1
    assert [a["name"] for a in moved["ancestors"]][-2:] == ["UBND Thành phố Hà Nội", ward.name]
    # One move more in its history (the first is the demo's 2025 reform).
    assert HistoryEntry.objects.filter(object_id=str(school.pk), action="move").count() == 2
    # The same request again carries a stale version: 409 with a code.
    again = api.post(
        f"/api/v1/units/{school.pk}/move", {"parent_id": ward.pk, "version": body["version"]}
    )
    assert again.status_code == 409
    assert again["Content-Type"] == "application/problem+json"
    assert again.json()["code"] == "unit_stale_version"


@pytest.mark.parametrize(
    "unit_key, parent_key, status, code",
    [
        ("ubnd_hanoi", "so_hanoi", 400, "unit_move_into_own_subtree"),
        ("th_giathuy", "ward_bode", 400, "unit_parent_closed"),
        ("so_hanoi", "ubnd_hanoi", 400, "unit_move_same_parent"),
    ],
)
def test_move_refusals_are_problems_with_codes(demo, api_as, unit_key, parent_key, status, code):
    unit = demo[unit_key]
    path = Unit.objects.get(pk=unit.pk).path
    response = api_as("admin").post(
        f"/api/v1/units/{unit.pk}/move",
        {"parent_id": demo[parent_key].pk, "version": version(unit)},
    )
    assert response.status_code == status
    body = response.json()
    assert set(body) >= {"type", "title", "status", "detail", "code"}
    assert body["code"] == code and body["errors"][0]["field"] == "parent_id"
    assert Unit.objects.get(pk=unit.pk).path == path


def test_move_outside_the_admin_scope_is_404(demo, api_as):
    school = demo["th_giathuy"]
    for username, parent in [("qt.longbien", "new_bode"), ("pgd.longbien", "thcs_ngoclam")]:
        response = api_as(username).post(
            f"/api/v1/units/{school.pk}/move",
            {"parent_id": demo[parent].pk, "version": version(school)},
        )
        assert response.status_code == 404, username
        assert response.json()["code"] == "not_found"


def test_patch_with_parent_id_points_to_move(demo, api_as):
    school = demo["th_giathuy"]
    path = Unit.objects.get(pk=school.pk).path
    response = api_as("admin").patch(
        f"/api/v1/units/{school.pk}", {"parent_id": demo["thcs_ngoclam"].pk, "name": "Đổi tên"}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "unit_parent_use_move"
    assert f"/api/v1/units/{school.pk}/move" in body["detail"]
    unit = Unit.objects.get(pk=school.pk)
    assert unit.path == path and unit.name == "Trường Tiểu học Gia Thụy"
    # A stale version on PATCH: 409.
    response = api_as("admin").patch(
        f"/api/v1/units/{school.pk}", {"name": "Đổi tên", "version": unit.version + 5}
    )
    assert response.status_code == 409 and response.json()["code"] == "unit_stale_version"


def test_close_with_successors_and_shares(demo, api_as):
    api, school = api_as("admin"), demo["thcs_ngoclam"]
    a, b = demo["new_bode"], demo["new_viethung"]
    bad = api.post(
        f"/api/v1/units/{school.pk}/close",
        {
            "valid_to": "2026-06-30",
            "successors": [{"unit_id": a.pk, "share": 0.5}, {"unit_id": b.pk, "share": 0.3}],
        },
    )
    assert bad.status_code == 400 and bad.json()["code"] == "unit_shares_invalid"
    assert "Tổng các tỷ lệ phải bằng 1 (đang là 0,8)" in bad.json()["detail"]
    assert Unit.objects.get(pk=school.pk).valid_to is None
    response = api.post(
        f"/api/v1/units/{school.pk}/close",
        {
            "valid_to": "2026-06-30",
            "successors": [{"unit_id": a.pk, "share": 0.7}, {"unit_id": b.pk, "share": 0.3}],
            "version": version(school),
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["valid_to"] == "2026-06-30" and body["successor_id"] == a.pk
    assert body["successors"] == [
        {"unit_id": a.pk, "unit_name": a.name, "share": 0.7},
        {"unit_id": b.pk, "unit_name": b.name, "share": 0.3},
    ]
    again = api.post(f"/api/v1/units/{school.pk}/close", {"valid_to": "2026-07-30"})
    assert again.status_code == 409 and again.json()["code"] == "unit_already_closed"


def test_close_keeps_the_one_successor_shape(demo, api_as):
    school = demo["th_giathuy"]
    response = api_as("admin").post(
        f"/api/v1/units/{school.pk}/close",
        {"valid_to": "2026-06-30", "successor_id": demo["new_bode"].pk},
    )
    assert response.status_code == 200
    assert response.json()["successors"] == [
        {"unit_id": demo["new_bode"].pk, "unit_name": "UBND phường Bồ Đề", "share": None}
    ]
    assert UnitSuccession.objects.get(predecessor=school).share is None


def test_openapi_documents_move_and_close(demo, api_as):
    schema = api_as("admin").get("/api/v1/openapi.json").json()
    assert "/api/v1/units/{unit_id}/move" in schema["paths"]
    close = schema["paths"]["/api/v1/units/{unit_id}/close"]["post"]
    assert "unit_shares_invalid" in close["description"]
    assert "parent_id" in schema["components"]["schemas"]["UnitPatch"]["properties"]
