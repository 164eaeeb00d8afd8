"""The portal home page is served from the cache and refreshed by the services that change
what it shows (activities, registrations, campaigns), not by signals or a timer."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lantoa.activities.services import (
    activity_cancel,
    activity_create,
    activity_update,
    registration_cancel,
    registration_create,
)
from lantoa.campaigns.models import ActivityType
from lantoa.reports.tests.factories import build_tree


@pytest.fixture
def world(db, django_capture_on_commit_callbacks):
    year = timezone.localdate().year + 1
    tree = build_tree(year=year, due_on=date(year, 10, 12))
    user = tree.users["a.editor"]
    starts = timezone.now() + timedelta(days=3)
    kind = ActivityType.objects.filter(campaign=tree.campaign).first()
    with django_capture_on_commit_callbacks(execute=True):
        activity = activity_create(
            user=user,
            campaign=tree.campaign,
            unit=tree["a"],
            type=kind,
            title="Lớp tin học cơ bản",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            mode="in_person",
            location="Nhà văn hóa",
            capacity=20,
        )
    return tree, user, activity


def _home(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/cong-khai/")
    assert response.status_code == 200
    # The CSRF token is masked afresh in every response (outside the cached body).
    html = re.sub(r'"X-CSRFToken": "\w+"', "", response.content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", html), len(queries)


def test_home_is_cached_and_refreshed_by_the_services(
    world, client, django_capture_on_commit_callbacks
):
    tree, user, activity = world
    html, queries = _home(client)
    assert "Lớp tin học cơ bản" in html and "Còn 20 chỗ" in html
    assert queries > 0
    again, queries = _home(client)
    assert again == html
    assert queries == 0  # served from the cache: no database work at all

    with django_capture_on_commit_callbacks(execute=True):
        activity_update(user=user, activity=activity, title="Lớp kỹ năng số")
    html, queries = _home(client)
    assert "Lớp kỹ năng số" in html and "Lớp tin học cơ bản" not in html and queries > 0

    with django_capture_on_commit_callbacks(execute=True):
        registration = registration_create(
            activity=activity, full_name="Trần Văn Bình", phone="0912345678", consent=True
        )
    assert "Còn 19 chỗ" in _home(client)[0]
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(code=registration.code)
    assert "Còn 20 chỗ" in _home(client)[0]

    with django_capture_on_commit_callbacks(execute=True):
        activity_cancel(user=user, activity=activity)
    assert "Lớp kỹ năng số" not in _home(client)[0]


def test_a_rolled_back_change_does_not_invalidate(world, client):
    tree, user, activity = world
    html, _ = _home(client)
    # No commit (the callbacks are not run): the cached page stays.
    activity_update(user=user, activity=activity, title="Bản nháp chưa lưu")
    assert _home(client) == (html, 0)


def test_each_language_has_its_own_copy(world, client):
    vi, _ = _home(client)
    client.cookies["django_language"] = "en"
    en, _ = _home(client)
    assert 'lang="en"' in en and vi != en
