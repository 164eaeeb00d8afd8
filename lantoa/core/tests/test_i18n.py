import pytest
from django.conf import settings
from django.test import Client

from lantoa.conftest import DEMO_PASSWORD


@pytest.fixture
def demo(demo_tree):
    return demo_tree


@pytest.mark.django_db
def test_vietnamese_by_default_and_english_on_request(demo, client_as):
    client = client_as("pgd.longbien")
    page = client.get("/don-vi/").content.decode()
    assert '<html lang="vi">' in page and "Tìm đơn vị" in page and "Văn bản" in page
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/don-vi/"})
    assert response.status_code == 302
    page = client.get("/don-vi/").content.decode()
    assert '<html lang="en">' in page
    for english in (
        "Overview",
        "Documents",
        "Reports",
        "Activities",
        "Honours",
        "Find a unit",
        "Log out",
    ):
        assert english in page, english
    assert "Tìm đơn vị" not in page
    unit = client.get(f"/don-vi/{demo['pgd_longbien'].pk}/").content.decode()
    assert "Subordinate units" in unit and "District Office of Education and Training" in unit
    assert "This unit ceased operating on 30/06/2025." in unit
    client.post("/i18n/setlang/", {"language": "vi", "next": "/don-vi/"})
    assert "Tìm đơn vị" in client.get("/don-vi/").content.decode()


@pytest.mark.django_db
def test_english_login_error(demo):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # chosen with the language button
    page = client.get("/tai-khoan/dang-nhap/").content.decode()
    assert "Username" in page and "Password" in page
    response = client.post("/tai-khoan/dang-nhap/", {"username": "so.hanoi", "password": "x"})
    assert "Wrong username or password" in response.content.decode()
    ok = client.post("/tai-khoan/dang-nhap/", {"username": "so.hanoi", "password": DEMO_PASSWORD})
    assert ok.status_code == 302
