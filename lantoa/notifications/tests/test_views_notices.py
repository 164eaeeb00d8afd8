import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lantoa.notifications.models import Notification
from lantoa.notifications.services import notification_mark_read, notify_user


@pytest.fixture
def notices(demo):
    user = demo.users["th.giathuy"]
    notification_mark_read(user=user)  # whatever the demo already sent
    return [
        notify_user(
            user=user,
            kind="report_returned",
            title=f"Báo cáo bị trả lại lần {i}",
            body="Đề nghị bổ sung số liệu lớp học.",
            url="/bao-cao/",
            unit=demo.units["th_giathuy"],
        )
        for i in range(3)
    ]


@pytest.mark.django_db
def test_list_shows_my_notices_and_unread_count(demo, notices, client_as):
    notify_user(user=demo.users["thcs.ngoclam"], kind="info", title="Thông báo của người khác")
    response = client_as("th.giathuy").get(reverse("notifications:list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "3 thông báo chưa đọc" in html
    assert "Báo cáo bị trả lại lần 2" in html and "Trường Tiểu học Gia Thụy" in html
    assert "Thông báo của người khác" not in html


@pytest.mark.django_db
def test_list_runs_a_fixed_number_of_queries(demo, notices, client_as):
    client = client_as("th.giathuy")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("notifications:list"))
    for i in range(20):
        notify_user(user=demo.users["th.giathuy"], kind="info", title=f"Thêm {i}")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("notifications:list"))
    assert len(many) == len(few)


@pytest.mark.django_db
def test_mark_one_read_and_open(demo, notices, client_as):
    client = client_as("th.giathuy")
    notice = notices[0]
    response = client.post(reverse("notifications:read", args=[notice.pk]), {"open": "1"})
    assert response.status_code == 302 and response.url == "/bao-cao/"
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert Notification.objects.filter(user=notice.user, read_at__isnull=True).count() == 2
    response = client.get(reverse("notifications:count"))
    assert ">2<" in response.content.decode()


@pytest.mark.django_db
def test_someone_elses_notice_is_404(demo, notices, client_as):
    response = client_as("thcs.ngoclam").post(reverse("notifications:read", args=[notices[0].pk]))
    assert response.status_code == 404
    notices[0].refresh_from_db()
    assert notices[0].read_at is None


@pytest.mark.django_db
def test_mark_all_read(demo, notices, client_as):
    client = client_as("th.giathuy")
    response = client.post(reverse("notifications:read_all"), follow=True)
    assert "Đã đánh dấu 3 thông báo là đã đọc." in response.content.decode()
    assert not Notification.objects.filter(read_at__isnull=True, user=notices[0].user).exists()
    assert client.get(reverse("notifications:count")).content.decode().strip() == ""


@pytest.mark.django_db
def test_pages_need_login(client):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302 and "dang-nhap" in response.url
