import pytest


@pytest.mark.django_db
def test_vietnamese_even_for_an_english_browser(client):
    response = client.get("/tai-khoan/dang-nhap/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert response["Content-Language"] == "vi"
    assert "Đăng nhập" in html and 'lang="vi"' in html


@pytest.mark.django_db
def test_english_when_the_user_chooses_it(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/tai-khoan/dang-nhap/"})
    assert response.status_code == 302
    html = client.get("/tai-khoan/dang-nhap/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert 'lang="en"' in html and "Log in" in html
