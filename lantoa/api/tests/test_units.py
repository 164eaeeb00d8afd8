import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lantoa.units.models import Unit, UnitKind


@pytest.fixture
def demo(demo_tree):
    """Only the demo's units and accounts are needed here (fast)."""
    return demo_tree


@pytest.mark.django_db
def test_units_search_without_diacritics(demo, api_as):
    body = api_as("pgd.longbien").get("/api/v1/units", {"q": "bo de"}).json()
    assert body["count"] == 2 and body["next"] is None
    ward = next(i for i in body["items"] if i["kind"] == "ubnd_xa")
    assert ward["name"] == "UBND phường Bồ Đề"
    assert ward["code"] == "HN-LB-01"
    assert ward["parent_id"] == demo["ubnd_longbien"].pk
    assert [a["name"] for a in ward["ancestors"]] == [
        "Bộ Giáo dục và Đào tạo",
        "UBND Thành phố Hà Nội",
        "UBND quận Long Biên",
    ]
    assert ward["children_count"] == 1
    assert ward["valid_to"] == "2025-06-30"
    assert ward["successor_id"] == demo["new_bode"].pk
    names = {
        i["name"]
        for i in api_as("pgd.ductrong").get("/api/v1/units", {"q": "duc trong"}).json()["items"]
    }
    assert names == {"Phòng Giáo dục và Đào tạo huyện Đức Trọng"}


@pytest.mark.django_db
def test_units_parent_and_kind_filters(demo, api_as):
    api = api_as("admin")
    children = api.get("/api/v1/units", {"parent": demo["ubnd_longbien"].pk}).json()
    assert children["count"] == 2 + 14  # BCĐ, PGDĐT and the 14 wards
    assert {i["parent_id"] for i in children["items"]} == {demo["ubnd_longbien"].pk}
    provinces = api.get("/api/v1/units", {"kind": "ubnd_tinh"}).json()
    assert {i["code"] for i in provinces["items"]} == {"1", "20", "74", "68", "79"}
    both = api.get("/api/v1/units", {"kind": "ubnd_xa", "parent": demo["ubnd_lamdong"].pk}).json()
    assert [i["name"] for i in both["items"]] == ["UBND xã Đức Trọng"]


@pytest.mark.django_db
def test_pagination(demo, api_as):
    api = api_as("admin")
    first = api.get("/api/v1/units", {"page_size": 10}).json()
    assert set(first) == {"count", "items", "next"}
    assert len(first["items"]) == 10
    assert first["count"] == Unit.objects.count()
    assert "page=2" in first["next"] and "page_size=10" in first["next"]
    second = Client().get(first["next"], **api.headers).json()
    assert {i["id"] for i in second["items"]}.isdisjoint({i["id"] for i in first["items"]})
    last_page = -(-first["count"] // 10)
    assert api.get("/api/v1/units", {"page_size": 10, "page": last_page}).json()["next"] is None
    bad = api.get("/api/v1/units", {"page": "x"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "page"


@pytest.mark.django_db
def test_page_size_is_capped_at_500_and_queries_do_not_grow(demo, api_as):
    api = api_as("bo.gddt")
    api.get("/api/v1/me")  # the token's first use records last_used_at
    with CaptureQueriesContext(connection) as small:
        assert api.get("/api/v1/units", {"page_size": 5}).status_code == 200
    root = Unit.objects.get(pk=demo["so_langson"].pk)
    nodes = [Unit(name=f"Trường Tiểu học Số {i}", kind=UnitKind.TRUONG_TH) for i in range(600)]
    for node in nodes:
        node.search_text = node.name.lower()
    _bulk_children(root, nodes)
    with CaptureQueriesContext(connection) as big:
        body = api.get("/api/v1/units", {"page_size": 1000}).json()
    assert len(body["items"]) == 500
    assert "page_size=500" in body["next"]
    assert len(big.captured_queries) == len(small.captured_queries)


def _bulk_children(parent: Unit, nodes: list[Unit]) -> None:
    """Insert many children with computed paths (treebeard's add_child is one at a time)."""
    for i, node in enumerate(nodes, start=1):
        node.path = (
            parent.path + Unit._get_basepath(Unit._int2str(i), Unit.steplen)
            if False
            else parent.path + Unit._int2str(i).rjust(Unit.steplen, "0")
        )
        node.depth = parent.depth + 1
        node.numchild = 0
    Unit.objects.bulk_create(nodes)
    Unit.objects.filter(pk=parent.pk).update(numchild=len(nodes))


@pytest.mark.django_db
def test_unit_detail_and_404(demo, api_as):
    api = api_as("thcs.ngoclam")
    body = api.get(f"/api/v1/units/{demo['thcs_ngoclam'].pk}").json()
    assert body["name"] == "Trường THCS Ngọc Lâm" and body["kind"] == "truong_thcs"
    for unit_id in (demo["th_giathuy"].pk, 999999):
        response = api.get(f"/api/v1/units/{unit_id}")
        assert response.status_code == 404
        assert response.json() == {
            "type": "https://lantoa.local/problems/404",
            "title": "Không tìm thấy",
            "status": 404,
            "detail": "Không tìm thấy hoặc nằm ngoài phạm vi của bạn.",
            "code": "not_found",
        }


@pytest.mark.django_db
def test_create_unit(demo, api_as):
    api = api_as("admin")
    response = api.post(
        "/api/v1/units",
        {
            "parent_id": demo["new_bode"].pk,
            "name": "Trường THCS Long Biên",
            "kind": "truong_thcs",
            "code": "LB-THCS-LB",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["parent_id"] == demo["new_bode"].pk and body["code"] == "LB-THCS-LB"
    assert Unit.objects.get(pk=body["id"]).in_subtree_of(demo["new_bode"])
    # Under a unit that ended on 30/06/2025: refused, with a stable code.
    response = api_as("qt.longbien").post(
        "/api/v1/units",
        {"parent_id": demo["pgd_longbien"].pk, "name": "Trường X", "kind": "truong_th"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "unit_parent_closed"
    assert "đã kết thúc hoạt động từ 30/06/2025" in response.json()["detail"]


@pytest.mark.django_db
def test_create_unit_errors(demo, api_as):
    api = api_as("qt.longbien")
    # Not an admin there (outside the scope): 404.
    response = api.post(
        "/api/v1/units", {"parent_id": demo["so_hanoi"].pk, "name": "X", "kind": "other"}
    )
    assert response.status_code == 404
    # Editor inside the scope, not an admin: 404 too.
    response = api_as("cv.longbien").post(
        "/api/v1/units", {"parent_id": demo["pgd_longbien"].pk, "name": "X", "kind": "other"}
    )
    assert response.status_code == 404
    # Schema errors: 400 with field errors.
    response = api.post(
        "/api/v1/units", {"parent_id": demo["pgd_longbien"].pk, "kind": "truong_xyz"}
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"name", "kind"}
    # Service rules: 400 with the field and a Vietnamese message.
    response = api.post(
        "/api/v1/units",
        {
            "parent_id": demo["pgd_longbien"].pk,
            "name": "Trùng",
            "kind": "other",
            "code": "HN-LB-PGD",
        },
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "code", "message": "Mã “HN-LB-PGD” đã được dùng cho đơn vị khác."}
    ]
    assert not Unit.objects.filter(name="Trùng").exists()


@pytest.mark.django_db
def test_patch_unit_and_close(demo, api_as):
    api = api_as("qt.longbien")
    school = demo["thcs_phucloi"]
    response = api.patch(f"/api/v1/units/{school.pk}", {"email": "thcsphucloi@hanoiedu.vn"})
    assert response.status_code == 200
    assert Unit.objects.get(pk=school.pk).email == "thcsphucloi@hanoiedu.vn"
    # A unit's own admin cannot change it: only an admin of an ancestor.
    assert api.patch(f"/api/v1/units/{demo['ubnd_longbien'].pk}", {"name": "X"}).status_code == 404
    closed = api.post(
        f"/api/v1/units/{school.pk}/close",
        {"valid_to": "2026-05-31", "successor_id": demo["thcs_ngoclam"].pk},
    )
    assert closed.status_code == 200
    assert closed.json()["valid_to"] == "2026-05-31"
    assert closed.json()["successor_id"] == demo["thcs_ngoclam"].pk
    again = api.post(f"/api/v1/units/{school.pk}/close", {"valid_to": "2026-06-30"})
    assert again.status_code == 409
    assert again["Content-Type"] == "application/problem+json"
    assert "31/05/2026" in again.json()["detail"]
    bad = api.patch(f"/api/v1/units/{school.pk}", {"valid_from": "2027-01-01"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "valid_to"


@pytest.mark.django_db
def test_wrong_method_is_405_problem(demo, api_as):
    response = api_as("admin").client.delete("/api/v1/units", **api_as("admin").headers)
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    assert response["Allow"] == "GET, POST"
    assert response.json()["title"] == "Phương thức không được hỗ trợ"


@pytest.mark.django_db
def test_openapi_lists_the_paths():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/auth/token",
        "/api/v1/me",
        "/api/v1/units",
        "/api/v1/units/{unit_id}",
        "/api/v1/campaigns",
    ):
        assert path in paths, path
    assert "q" in {p["name"] for p in paths["/api/v1/units"]["get"]["parameters"]}
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 200
    assert "swagger-ui-bundle.js" in docs.content.decode()
    assert "https://" not in docs.content.decode()  # no CDN: offices run on intranets
