from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lantoa.activities.models import Activity
from lantoa.activities.tests.factories import activity_make


def _payload(world, **extra):
    campaign = world.campaigns[max(world.campaigns)]
    starts = timezone.localtime() + timedelta(days=10)
    data = {
        "campaign_id": campaign.pk,
        "unit_id": world.units["thcs_ngoclam"].pk,
        "type": "ky_nang_so",
        "title": "Kỹ năng số <b>cho</b> phụ huynh",
        "description": "Mô tả",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(),
        "mode": "hybrid",
        "location": "Trường THCS Ngọc Lâm",
        "online_url": "https://meet.google.com/abc-defg-hij",
        "capacity": 40,
        "public": True,
    }
    data.update(extra)
    return data


def test_create_activity(demo, api_as):
    api = api_as("thcs.ngoclam")
    response = api.post("/api/v1/activities", _payload(demo))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["type"] == "ky_nang_so"
    assert body["mode"] == "hybrid"
    activity = Activity.objects.get(pk=body["id"])
    assert activity.search_text.startswith(" ky nang so b cho b phu huynh ")
    assert activity.unit == demo.units["thcs_ngoclam"]


def test_create_activity_bad_input_writes_nothing(demo, api_as):
    api = api_as("thcs.ngoclam")
    before = Activity.objects.count()
    starts = timezone.localtime() + timedelta(days=10)
    cases = [
        (
            {"ends_at": (starts - timedelta(hours=1)).isoformat(), "starts_at": starts.isoformat()},
            "ends_at",
        ),
        ({"online_url": "javascript:alert(1)"}, "online_url"),
        ({"online_url": "ftp://example.com/x"}, "online_url"),
        ({"mode": "online", "online_url": ""}, "online_url"),
        ({"mode": "in_person", "location": ""}, "location"),
        ({"type": "khong_co"}, "type"),
        ({"title": "  "}, "title"),
        ({"capacity": 0}, "capacity"),
    ]
    for extra, field in cases:
        response = api.post("/api/v1/activities", _payload(demo, **extra))
        assert response.status_code == 400, (extra, response.content)
        assert response["Content-Type"] == "application/problem+json"
        assert field in [e["field"] for e in response.json()["errors"]], response.json()
    response = api.post("/api/v1/activities", _payload(demo, mode="by_pigeon"))
    assert response.status_code == 400
    assert Activity.objects.count() == before


def test_create_activity_out_of_scope_is_404(demo, api_as):
    api = api_as("thcs.ngoclam")
    response = api.post("/api/v1/activities", _payload(demo, unit_id=demo.units["pgd_tdm"].pk))
    assert response.status_code == 404


def test_activity_detail_scope_and_patch(demo, api_as):
    activity = activity_make(demo)
    assert api_as("pgd.thudaumot").get(f"/api/v1/activities/{activity.pk}").status_code == 404
    api = api_as("thcs.ngoclam")
    response = api.patch(
        f"/api/v1/activities/{activity.pk}",
        {"participants": {"nguoi_dan": 12, "phu_huynh": 3}, "title": "Lớp đã đổi tên"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["participants"] == {"nguoi_dan": 12, "phu_huynh": 3}
    assert response.json()["title"] == "Lớp đã đổi tên"
    bad = api.patch(f"/api/v1/activities/{activity.pk}", {"participants": {"nguoi_dan": -1}})
    assert bad.status_code == 400
    # The ancestor's member sees it (the new ward since the 2025 reform; the abolished
    # district office no longer); a sibling school does not.
    assert api_as("phuongmoi.bode").get(f"/api/v1/activities/{activity.pk}").status_code == 200
    assert api_as("pgd.longbien").get(f"/api/v1/activities/{activity.pk}").status_code == 404
    assert api_as("th.giathuy").get(f"/api/v1/activities/{activity.pk}").status_code == 404


def test_activities_list_fixed_queries(demo, api_as):
    api = api_as("ubnd.hanoi")
    api.get("/api/v1/activities")
    with CaptureQueriesContext(connection) as small:
        first = api.get("/api/v1/activities?page_size=5")
    with CaptureQueriesContext(connection) as big:
        second = api.get("/api/v1/activities?page_size=200")
    assert first.status_code == second.status_code == 200
    assert len(second.json()["items"]) > 5
    assert len(big) == len(small)


def test_registrations_list_for_the_organiser_only(demo, api_as):
    activity = Activity.objects.get(title="Tin học cơ bản cho người cao tuổi")
    response = api_as("thcs.ngoclam").get(f"/api/v1/activities/{activity.pk}/registrations")
    assert response.status_code == 200
    names = {r["full_name"] for r in response.json()["items"]}
    assert "Phan Thị Ngọc Diệp" in names
    # Members of ancestors or of other units never see registrant data.
    for username in ("pgd.longbien", "so.hanoi", "th.giathuy", "pgd.thudaumot"):
        response = api_as(username).get(f"/api/v1/activities/{activity.pk}/registrations")
        assert response.status_code == 404, username


def test_evidence_link_and_photo(demo, api_as):
    import io

    from PIL import Image

    activity = activity_make(demo)
    api = api_as("thcs.ngoclam")
    ok = api.post(
        f"/api/v1/activities/{activity.pk}/evidence",
        {"url": "https://tintuc.example.vn/bai-viet", "title": "Bài viết"},
    )
    assert ok.status_code == 201, ok.content
    bad = api.post(f"/api/v1/activities/{activity.pk}/evidence", {"url": "javascript:x"})
    assert bad.status_code == 400
    image = Image.new("RGB", (64, 48), "red")
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    buffer.seek(0)
    buffer.name = "anh.jpg"
    response = api.upload(f"/api/v1/activities/{activity.pk}/evidence", {"file": buffer})
    assert response.status_code == 201, response.content
    evidence = activity.evidence.get(kind="photo")
    with evidence.file.open("rb") as f, Image.open(f) as saved:
        assert saved.format == "JPEG"
        assert not saved.getexif()
    script = io.BytesIO(b"#!/bin/sh\necho hi")
    script.name = "x.sh"
    assert (
        api.upload(f"/api/v1/activities/{activity.pk}/evidence", {"file": script}).status_code
        == 400
    )


def test_openapi_lists_the_activity_and_honour_endpoints(db, client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/activities",
        "/api/v1/activities/{activity_id}/registrations",
        "/api/v1/public/activities",
        "/api/v1/public/activities/{activity_id}/registrations",
        "/api/v1/nominations",
        "/api/v1/nominations/{nomination_id}/approve",
        "/api/v1/public/honours",
    ):
        assert path in paths, path
