import pytest
from django.test import Client

from lantoa.conftest import DEMO_PASSWORD


@pytest.mark.django_db
def test_login_page_is_vietnamese():
    page = Client().get("/tai-khoan/dang-nhap/").content.decode()
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page and "Tên đăng nhập" in page and "Mật khẩu" in page


@pytest.mark.django_db
def test_login_then_dashboard(demo):
    client = Client()
    response = client.post(
        "/tai-khoan/dang-nhap/", {"username": "thcs.ngoclam", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    page = client.get("/", follow=True).content.decode()
    assert "Trường THCS Ngọc Lâm" in page


@pytest.mark.django_db
def test_wrong_password_shows_a_vietnamese_error(demo):
    response = Client().post(
        "/tai-khoan/dang-nhap/", {"username": "thcs.ngoclam", "password": "sai-mat-khau"}
    )
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()


@pytest.mark.django_db
def test_five_failures_lock_the_login_page(demo):
    client = Client()
    for _ in range(5):
        client.post("/tai-khoan/dang-nhap/", {"username": "so.hanoi", "password": "x"})
    response = client.post(
        "/tai-khoan/dang-nhap/", {"username": "so.hanoi", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in response.content.decode()


@pytest.mark.django_db
def test_pages_need_login():
    response = Client().get("/don-vi/")
    assert response.status_code == 302
    assert response["Location"].startswith("/tai-khoan/dang-nhap/")


@pytest.mark.django_db
def test_membership_switch(demo, client_as):
    client = client_as("pgd.longbien")
    page = client.get("/don-vi/").content.decode()
    assert 'id="membership-switch"' in page
    memberships = {m.unit_id: m for m in demo.users["pgd.longbien"].memberships.all()}
    committee = memberships[demo["ubnd_longbien"].pk]
    response = client.post(
        "/tai-khoan/chuyen-don-vi/", {"membership_id": str(committee.pk), "next": "/don-vi/"}
    )
    assert response.status_code == 302 and response["Location"] == "/don-vi/"
    page = client.get("/don-vi/").content.decode()
    assert f'href="/don-vi/{demo["ubnd_longbien"].pk}/">Đơn vị</a>' in page
    assert f'value="{committee.pk}" selected' in page
    # Someone else's membership is ignored.
    other = demo.users["so.hanoi"].memberships.get()
    client.post("/tai-khoan/chuyen-don-vi/", {"membership_id": str(other.pk)})
    page = client.get("/don-vi/").content.decode()
    assert f'value="{committee.pk}" selected' in page


@pytest.mark.django_db
def test_password_change(demo, client_as):
    client = client_as("th.giathuy")
    response = client.post(
        "/tai-khoan/doi-mat-khau/",
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": "Tuan-le-2027!",
            "new_password2": "Tuan-le-2027!",
        },
        follow=True,
    )
    assert "Đã đổi mật khẩu." in response.content.decode()
    assert (
        Client()
        .post("/tai-khoan/dang-nhap/", {"username": "th.giathuy", "password": "Tuan-le-2027!"})
        .status_code
        == 302
    )
    wrong = client.post(
        "/tai-khoan/doi-mat-khau/",
        {"old_password": "sai", "new_password1": "a", "new_password2": "b"},
    ).content.decode()
    assert "Mật khẩu cũ không chính xác" in wrong
