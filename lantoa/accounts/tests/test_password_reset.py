"""Self-service password reset (/tai-khoan/quen-mat-khau/): Django's four views, the link
queued through the e-mail log, neutral answers, throttles, expiry, single use."""

import re

import pytest
from django.core import mail
from django.test import Client, override_settings

from lantoa.accounts.models import ApiToken, User
from lantoa.accounts.services import token_create
from lantoa.conftest import DEMO_PASSWORD
from lantoa.notifications.models import EmailMessageLog

ADDRESS = "hieu.truong@giathuy.edu.vn"
NEW_PASSWORD = "Tuan-le-2027!"
NEUTRAL = "Nếu địa chỉ này thuộc một tài khoản đang hoạt động"


@pytest.fixture
def teacher(demo):
    User.objects.filter(username="th.giathuy").update(email=ADDRESS)
    return User.objects.get(username="th.giathuy")


def _request(client: Client, email: str, **extra):
    return client.post("/tai-khoan/quen-mat-khau/", {"email": email}, **extra)


def _link(body: str) -> str:
    return re.search(r"https?://[^/\s]+(/tai-khoan/dat-mat-khau/\S+/)", body).group(1)


def _set_password(client: Client, link: str, password: str = NEW_PASSWORD):
    form = client.get(link, follow=True)
    assert form.status_code == 200
    url = form.redirect_chain[-1][0] if form.redirect_chain else link
    return client.post(url, {"new_password1": password, "new_password2": password}, follow=True)


def test_login_page_links_to_the_reset_page(db):
    page = Client().get("/tai-khoan/dang-nhap/").content.decode()
    assert 'href="/tai-khoan/quen-mat-khau/"' in page and "Quên mật khẩu?" in page


def test_full_flow_through_the_email_queue(teacher, django_capture_on_commit_callbacks):
    other_session = Client()
    other_session.force_login(teacher)
    assert other_session.get("/tong-quan/").status_code == 200
    raw_token, _ = token_create(user=teacher)
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = _request(client, "Hieu.Truong@GiaThuy.edu.vn", follow=True)
    assert response.redirect_chain[-1][0] == "/tai-khoan/quen-mat-khau/da-gui/"
    assert NEUTRAL in response.content.decode()
    assert "hết hạn sau 3 ngày" in response.content.decode()
    # Queued in the e-mail log, then delivered by the worker (immediate in tests).
    log = EmailMessageLog.objects.get(kind="password_reset")
    assert log.to == ADDRESS and log.status == "sent"
    [message] = mail.outbox
    assert message.to == [ADDRESS] and message.subject == "Lantoa: đặt lại mật khẩu"
    assert "th.giathuy" in message.body and "hết hạn sau 3 ngày" in message.body
    link = _link(message.body)

    done = _set_password(client, link)
    assert done.redirect_chain[-1][0] == "/tai-khoan/quen-mat-khau/xong/"
    assert "Mật khẩu mới đã được lưu" in done.content.decode()
    login = {"username": "th.giathuy", "password": NEW_PASSWORD}
    assert Client().post("/tai-khoan/dang-nhap/", login).status_code == 302
    # Other sessions and every API token stop working.
    assert other_session.get("/tong-quan/").status_code == 302
    assert not ApiToken.objects.filter(user=teacher).exists()
    api = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw_token}")
    assert api.status_code == 401
    # The link is single use.
    again = client.get(link, follow=True).content.decode()
    assert "không còn hiệu lực" in again


def test_unknown_and_inactive_addresses_get_the_same_answer_and_no_email(teacher):
    known = _request(Client(), ADDRESS)
    unknown = _request(Client(), "khong.co.ai@example.vn")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/tai-khoan/quen-mat-khau/da-gui/"
    assert EmailMessageLog.objects.filter(kind="password_reset").count() == 1
    User.objects.filter(pk=teacher.pk).update(is_active=False)
    locked = _request(Client(), ADDRESS)
    assert locked["Location"] == "/tai-khoan/quen-mat-khau/da-gui/"
    assert EmailMessageLog.objects.filter(kind="password_reset").count() == 1


def test_an_account_locked_after_the_request_cannot_use_its_link(teacher):
    _request(Client(), ADDRESS)
    link = _link(EmailMessageLog.objects.get(kind="password_reset").body)
    User.objects.filter(pk=teacher.pk).update(is_active=False)
    page = Client().get(link, follow=True).content.decode()
    assert "không còn hiệu lực" in page and "new_password1" not in page


def test_expired_link_is_refused(teacher):
    _request(Client(), ADDRESS)
    link = _link(EmailMessageLog.objects.get(kind="password_reset").body)
    # PASSWORD_RESET_TIMEOUT is read when the link is checked: a link older than it fails.
    with override_settings(PASSWORD_RESET_TIMEOUT=-1):
        page = Client().get(link, follow=True).content.decode()
    assert "không còn hiệu lực" in page and "new_password1" not in page


def test_new_password_obeys_the_validators_in_vietnamese(teacher):
    _request(Client(), ADDRESS)
    client = Client()
    page = _set_password(
        client, _link(EmailMessageLog.objects.get(kind="password_reset").body), "123"
    ).content.decode()
    assert "Mật khẩu quá ngắn: cần ít nhất 8 ký tự." in page
    assert "Mật khẩu này quá phổ biến" in page and "This password" not in page
    assert "<title>Lỗi:" in page
    assert User.objects.get(pk=teacher.pk).check_password(DEMO_PASSWORD)


@override_settings(LANTOA_PASSWORD_RESET_EMAIL_LIMIT=2, LANTOA_PASSWORD_RESET_ADDRESS_LIMIT=5)
def test_throttled_per_email_address_and_per_client_address(teacher):
    for n in range(2):
        assert _request(Client(REMOTE_ADDR=f"10.0.0.{n}"), ADDRESS).status_code == 302
    refused = _request(Client(REMOTE_ADDR="10.0.0.9"), ADDRESS)
    assert refused.status_code == 429
    assert "quá nhiều lần" in refused.content.decode()
    assert EmailMessageLog.objects.filter(kind="password_reset").count() == 2
    # An unknown address is throttled the same way (the throttle reveals nothing).
    for _ in range(2):
        _request(Client(REMOTE_ADDR="10.0.1.1"), "khong.co.ai@example.vn")
    assert _request(Client(REMOTE_ADDR="10.0.1.2"), "khong.co.ai@example.vn").status_code == 429
    # One client trying many addresses.
    client = Client(REMOTE_ADDR="10.0.2.1")
    codes = [_request(client, f"a{n}@example.vn").status_code for n in range(6)]
    assert codes == [302] * 5 + [429]


def test_a_locked_out_account_logs_in_right_after_its_reset(teacher):
    wrong = {"username": "th.giathuy", "password": "sai-mat-khau"}
    for n in range(5):
        Client(REMOTE_ADDR=f"10.9.0.{n}").post("/tai-khoan/dang-nhap/", wrong)
    right = {"username": "th.giathuy", "password": NEW_PASSWORD}
    assert Client().post("/tai-khoan/dang-nhap/", right).status_code == 429
    client = Client()
    _request(client, ADDRESS)
    _set_password(client, _link(EmailMessageLog.objects.get(kind="password_reset").body))
    assert Client().post("/tai-khoan/dang-nhap/", right).status_code == 302


def test_link_lifetime_in_words(settings):
    from lantoa.accounts.services import password_link_lifetime

    assert password_link_lifetime() == "3 ngày"
    settings.PASSWORD_RESET_TIMEOUT = 7200
    assert password_link_lifetime() == "2 giờ"
    settings.PASSWORD_RESET_TIMEOUT = 900
    assert password_link_lifetime() == "15 phút"
