import io
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from lantoa.activities.models import Activity, LearningResource
from lantoa.activities.tests.factories import activity_make


def test_index_lists_activities_in_scope_with_fixed_queries(demo, client_as):
    client = client_as("phuongmoi.bode")  # Long Biên's schools are under the new wards
    response = client.get("/hoat-dong/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tin học cơ bản cho người cao tuổi" in html
    assert "Thương mại điện tử cho nông sản Đức Trọng" not in html
    with CaptureQueriesContext(connection) as before:
        client.get("/hoat-dong/")
    for i in range(8):
        activity_make(demo, title=f"Thêm {i}")
    with CaptureQueriesContext(connection) as after:
        client.get("/hoat-dong/")
    assert len(before) == len(after)


def test_index_shows_report_prefill_for_the_unit(demo, client_as):
    client = client_as("phuong.phuloi")
    html = client.get("/hoat-dong/", {"campaign": demo.campaigns[2023].pk}).content.decode()
    assert 'id="prefill"' in html
    assert "Người học" in html


def test_create_from_the_page(demo, client_as):
    client = client_as("thcs.ngoclam")
    campaign = demo.campaigns[max(demo.campaigns)]
    starts = timezone.localtime() + timedelta(days=5)
    data = {
        "campaign": campaign.pk,
        "type": "lop_hoc",
        "title": "Lớp Excel cơ bản",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "mode": "in_person",
        "location": "Phòng máy",
        "capacity": "20",
        "public": "on",
    }
    bad = client.post("/hoat-dong/moi/", data)
    assert bad.status_code == 200
    assert "Thời gian kết thúc phải sau thời gian bắt đầu" in bad.content.decode()
    # The refusal is summed up where the focus goes; the form still guards the typed input.
    assert 'id="form-summary" tabindex="-1" data-focus' in bad.content.decode()
    assert 'data-guard data-dirty="1"' in bad.content.decode()
    assert not Activity.objects.filter(title="Lớp Excel cơ bản").exists()
    data["ends_at"] = (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    ok = client.post("/hoat-dong/moi/", data)
    assert ok.status_code == 302
    activity = Activity.objects.get(title="Lớp Excel cơ bản")
    assert activity.unit == demo.units["thcs_ngoclam"]
    assert activity.capacity == 20


def test_detail_export_and_attendance(demo, client_as):
    activity = Activity.objects.get(title="Tin học cơ bản cho người cao tuổi")
    client = client_as("thcs.ngoclam")
    html = client.get(f"/hoat-dong/{activity.pk}/").content.decode()
    assert "Phan Thị Ngọc Diệp" in html
    response = client.get(f"/hoat-dong/{activity.pk}/dang-ky.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][2] == "Họ và tên"
    assert {r[2] for r in rows[2:]} == {"Phan Thị Ngọc Diệp", "Bùi Quang Khải"}
    first = activity.registrations.order_by("id").first()
    client.post(f"/hoat-dong/{activity.pk}/diem-danh/", {"attended": [str(first.pk)]})
    first.refresh_from_db()
    assert first.attended is True
    # Office users above the organiser see the activity, never the registrants.
    upper = client_as("pgd.longbien")
    page = upper.get(f"/hoat-dong/{activity.pk}/").content.decode()
    assert "Phan Thị Ngọc Diệp" not in page
    assert upper.get(f"/hoat-dong/{activity.pk}/dang-ky.xlsx").status_code == 404
    assert client_as("pgd.thudaumot").get(f"/hoat-dong/{activity.pk}/").status_code == 404


def test_participants_evidence_and_resources_pages(demo, client_as):
    activity = activity_make(demo)
    client = client_as("thcs.ngoclam")
    client.post(f"/hoat-dong/{activity.pk}/nguoi-tham-gia/", {"nguoi_dan": "14", "cbcc": "2"})
    activity.refresh_from_db()
    assert activity.participants == {"nguoi_dan": 14, "cbcc": 2}
    client.post(f"/hoat-dong/{activity.pk}/minh-chung/", {"url": "javascript:alert(1)"})
    assert not activity.evidence.exists()
    client.post(f"/hoat-dong/{activity.pk}/minh-chung/", {"url": "https://example.vn/a"})
    assert activity.evidence.get().url == "https://example.vn/a"
    client.post(
        "/hoat-dong/hoc-lieu/",
        {"kind": "ebook", "title": "Sách hay", "url": "https://example.vn/sach"},
    )
    assert LearningResource.objects.filter(title="Sách hay").exists()
    client.post(f"/hoat-dong/{activity.pk}/huy/")
    activity.refresh_from_db()
    assert activity.cancelled
