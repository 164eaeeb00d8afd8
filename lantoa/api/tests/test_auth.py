import pytest
from django.test import Client

from lantoa.conftest import DEMO_PASSWORD


@pytest.fixture
def demo(demo_tree):
    """Only the demo's units and accounts are needed here (fast)."""
    return demo_tree


def token(client, username, password):
    return client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )


@pytest.mark.django_db
def test_token_then_me(demo):
    response = token(Client(), "pgd.longbien", DEMO_PASSWORD)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    assert body["expires_at"].endswith("+07:00")
    me = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {body['token']}").json()
    assert me["username"] == "pgd.longbien"
    assert me["full_name"] == "Lê Văn Biên"
    assert {(m["unit_name"], m["role"]) for m in me["memberships"]} == {
        ("Phòng Giáo dục và Đào tạo quận Long Biên", "approver"),
        ("UBND quận Long Biên", "approver"),
    }


@pytest.mark.django_db
def test_wrong_password_is_401_problem(demo):
    response = token(Client(), "pgd.longbien", "sai")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 401 and body["title"] == "Chưa xác thực"
    assert "không đúng" in body["detail"]


@pytest.mark.django_db
def test_five_failures_then_429_even_with_the_right_password(demo):
    client = Client()
    for _ in range(4):
        assert token(client, "bo.gddt", "sai").status_code == 401
    # The fifth failure locks the account at this address (AXES_FAILURE_LIMIT = 5).
    assert token(client, "bo.gddt", "sai").status_code == 429
    response = token(client, "bo.gddt", DEMO_PASSWORD)
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert "quá nhiều lần" in response.json()["detail"]
    # Another account from the same address is not locked.
    assert token(client, "so.hanoi", DEMO_PASSWORD).status_code == 200


@pytest.mark.django_db
def test_no_or_bad_token_is_401(demo):
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer nope"}):
        response = Client().get("/api/v1/me", **headers)
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"


@pytest.mark.django_db
def test_session_auth_works_for_the_browser(demo, client_as):
    assert client_as("thcs.ngoclam").get("/api/v1/me").json()["username"] == "thcs.ngoclam"


@pytest.mark.django_db
def test_deactivated_user_gets_no_token(demo):
    from lantoa.accounts.services import user_deactivate

    user_deactivate(user=demo.users["th.giathuy"])
    assert token(Client(), "th.giathuy", DEMO_PASSWORD).status_code == 401


@pytest.mark.django_db
def test_token_lookup_brings_memberships_and_still_refuses_what_it_must(demo):
    """The token and the user's active memberships come in one query; an expired token, a
    deactivated membership and a user without any membership behave as before."""
    from datetime import timedelta

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from lantoa.accounts.models import ApiToken, Membership, User
    from lantoa.accounts.services import token_create

    user = User.objects.get(username="pgd.longbien")
    raw, stored = token_create(user=user)
    me = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")  # stamps last use
    assert len(me.json()["memberships"]) == 2
    with CaptureQueriesContext(connection) as queries:
        me = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert len(me["memberships"]) == 2 and len(queries) == 1
    Membership.objects.filter(user=user).update(is_active=False)
    me = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert me.status_code == 200 and me.json()["memberships"] == []
    ApiToken.objects.filter(pk=stored.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    Membership.objects.filter(user=user).update(is_active=True)
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
