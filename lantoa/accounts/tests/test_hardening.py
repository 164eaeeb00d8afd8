"""Accounts and tokens (issue 9): throttling per account and per address, tokens listed,
revocable, renewed and revoked on logout-everywhere and password change, one spelling per
username, safe ``next``, a registration rate limit shared by every process."""

import unicodedata

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client

from lantoa.conftest import DEMO_PASSWORD

TOKEN_URL = "/api/v1/auth/token"


def _token(username, password=DEMO_PASSWORD, address="10.0.0.1"):
    return Client(REMOTE_ADDR=address).post(
        TOKEN_URL,
        {"username": username, "password": password},
        content_type="application/json",
    )


def _bearer(token):
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.mark.django_db
def test_one_password_across_many_accounts_is_throttled_per_address(demo_tree, settings):
    settings.LANTOA_LOGIN_ADDRESS_LIMIT = 6
    names = ["so.hanoi", "pgd.longbien", "cv.longbien", "thcs.ngoclam", "bo.gddt", "a", "b"]
    codes = [_token(name, "Matkhau123!").status_code for name in names[:6]]
    assert codes == [401] * 5 + [429]  # the failure reaching the limit is answered 429
    # The address is now throttled, for any account, even with the right password…
    assert _token("th.giathuy").status_code == 429
    page = Client(REMOTE_ADDR="10.0.0.1").post(
        "/tai-khoan/dang-nhap/", {"username": "th.giathuy", "password": DEMO_PASSWORD}
    )
    assert page.status_code == 429
    # …while another address is not.
    assert _token("th.giathuy", address="10.0.0.2").status_code == 200


@pytest.mark.django_db
def test_an_account_is_throttled_from_any_address(demo_tree):
    codes = [_token("so.hanoi", "sai", address=f"10.1.0.{i}").status_code for i in range(5)]
    assert codes == [401] * 4 + [429]
    assert _token("so.hanoi", address="10.1.0.99").status_code == 429
    # NFD, upper case: the same account, the same lock.
    assert _token("SO.HANOI", address="10.1.0.98").status_code == 429


@pytest.mark.django_db
def test_tokens_are_listed_revoked_and_renewed_by_their_owner(demo_tree):
    first = _token("thcs.ngoclam").json()["token"]
    second = _token("thcs.ngoclam").json()["token"]
    other = _token("so.hanoi").json()["token"]
    listed = _bearer(first).get("/api/v1/auth/tokens").json()
    assert len(listed) == 2 and sum(t["current"] for t in listed) == 1
    assert all("token" not in t and t["expires_at"].endswith("+07:00") for t in listed)
    second_id = next(t["id"] for t in listed if not t["current"])
    other_id = _bearer(other).get("/api/v1/auth/tokens").json()[0]["id"]
    assert _bearer(first).delete(f"/api/v1/auth/tokens/{other_id}").status_code == 404
    assert _bearer(other).get("/api/v1/me").status_code == 200
    assert _bearer(first).delete(f"/api/v1/auth/tokens/{second_id}").status_code == 204
    assert _bearer(second).get("/api/v1/me").status_code == 401
    renewed = _bearer(first).post("/api/v1/auth/token/renew")
    assert renewed.status_code == 200
    assert _bearer(first).get("/api/v1/me").status_code == 401
    assert _bearer(renewed.json()["token"]).get("/api/v1/me").status_code == 200


@pytest.mark.django_db
def test_default_lifetime_is_short(demo_tree, settings):
    from datetime import datetime

    from django.utils import timezone

    body = _token("thcs.ngoclam").json()
    expires = datetime.fromisoformat(body["expires_at"])
    assert (expires - timezone.now()).total_seconds() <= settings.LANTOA_API_TOKEN_DAYS * 86400
    assert settings.LANTOA_API_TOKEN_DAYS == 1


@pytest.mark.django_db
def test_logout_everywhere_ends_sessions_and_tokens(demo_tree, client_as):
    token = _token("thcs.ngoclam").json()["token"]
    laptop, phone = client_as("thcs.ngoclam"), client_as("thcs.ngoclam")
    page = laptop.get("/tai-khoan/bao-mat/")
    assert page.status_code == 200 and 'id="tokens"' in page.content.decode()
    response = laptop.post("/tai-khoan/dang-xuat-moi-noi/")
    assert response.status_code == 302
    assert phone.get("/don-vi/").status_code == 302  # sent to the login page
    assert _bearer(token).get("/api/v1/me").status_code == 401
    # The API has the same action.
    again = _token("thcs.ngoclam").json()["token"]
    assert _bearer(again).post("/api/v1/auth/logout-everywhere").status_code == 204
    assert _bearer(again).get("/api/v1/me").status_code == 401


@pytest.mark.django_db
def test_token_revoked_from_the_page(demo_tree, client_as):
    from lantoa.accounts.models import ApiToken

    token = _token("thcs.ngoclam").json()["token"]
    client = client_as("thcs.ngoclam")
    token_id = ApiToken.objects.get(digest=ApiToken.digest_of(token)).pk
    other = ApiToken.objects.filter(user__username="so.hanoi")
    _token("so.hanoi")
    assert client.post(f"/tai-khoan/bao-mat/token/{other.get().pk}/thu-hoi/").status_code == 404
    assert client.post(f"/tai-khoan/bao-mat/token/{token_id}/thu-hoi/").status_code == 302
    assert _bearer(token).get("/api/v1/me").status_code == 401


@pytest.mark.django_db
def test_password_change_revokes_tokens(demo_tree, client_as):
    token = _token("thcs.ngoclam").json()["token"]
    client = client_as("thcs.ngoclam")
    response = client.post(
        "/tai-khoan/doi-mat-khau/",
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": "Tuan-le-hoc-tap-2027!",
            "new_password2": "Tuan-le-hoc-tap-2027!",
        },
    )
    assert response.status_code == 302
    assert _bearer(token).get("/api/v1/me").status_code == 401


@pytest.mark.django_db
def test_usernames_have_one_spelling(demo_tree):
    from lantoa.accounts.services import user_create

    unit = demo_tree.units["pgd_longbien"]
    nfd = unicodedata.normalize("NFD", "cán.bộ")
    user = user_create(
        username=nfd,
        full_name="Cán bộ",
        email="",
        unit=unit,
        role="editor",
        password="Hoc-tap-2027!",
    )
    assert user.username == "cán.bộ"
    with pytest.raises(ValidationError, match="đã tồn tại"):
        user_create(username="CÁN.BỘ", full_name="X", email="", unit=unit, role="editor")
    for bad in ("cán bộ", "can\u200bbo", "саn.bo", "a/b", "<b>"):
        with pytest.raises(ValidationError):
            user_create(username=bad, full_name="X", email="", unit=unit, role="editor")
    for spelling in ("cán.bộ", nfd, "Cán.Bộ"):
        assert _token(spelling, "Hoc-tap-2027!", address="10.2.0.1").status_code == 200, spelling


@pytest.mark.django_db
def test_membership_switch_never_redirects_off_site(demo_tree, client_as):
    client = client_as("pgd.longbien")
    membership = demo_tree.users["pgd.longbien"].memberships.first()
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = client.post(
            "/tai-khoan/chuyen-don-vi/", {"membership_id": membership.pk, "next": target}
        )
        assert response.status_code == 302
        assert "evil" not in response["Location"] and "javascript" not in response["Location"]
    response = client.post(
        "/tai-khoan/chuyen-don-vi/", {"membership_id": membership.pk, "next": "/don-vi/"}
    )
    assert response["Location"] == "/don-vi/"


@pytest.mark.django_db
def test_registration_rate_limit_holds_across_processes(settings):
    from lantoa.activities.services import RateLimited, registration_rate_check

    settings.LANTOA_REGISTRATION_RATE_LIMIT = 3
    for _ in range(3):
        registration_rate_check(address="203.0.113.7")
        cache.clear()  # another worker: its own memory, none of these hits
    with pytest.raises(RateLimited):
        registration_rate_check(address="203.0.113.7")
    registration_rate_check(address="203.0.113.8")


@pytest.mark.django_db
def test_registration_rate_limit_fails_closed_when_redis_is_down(settings):
    from lantoa.activities.services import RateLimited, registration_rate_check

    settings.REDIS_URL = "redis://127.0.0.1:1/15"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    with pytest.raises(RateLimited, match="Tạm thời không kiểm tra được"):
        registration_rate_check(address="203.0.113.9")
