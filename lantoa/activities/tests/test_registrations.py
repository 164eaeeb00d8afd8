from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from lantoa.activities import services
from lantoa.activities.models import Activity, Registration
from lantoa.activities.selectors import activity_indicator_values
from lantoa.activities.tests.factories import activity_make


def _register(client, activity, **data):
    body = {"full_name": "Hà Thị Test", "phone": "0912345678", "consent": True}
    body.update(data)
    return client.post(
        f"/api/v1/public/activities/{activity.pk}/registrations",
        body,
        content_type="application/json",
    )


def test_register_returns_a_code_and_emails_it(demo, client, django_capture_on_commit_callbacks):
    activity = activity_make(demo)
    with django_capture_on_commit_callbacks(execute=True):
        response = _register(client, activity, email="ha.test@example.com")
    assert response.status_code == 201, response.content
    code = response.json()["code"]
    assert len(code) == 8
    registration = Registration.objects.get(code=code)
    assert registration.state == "confirmed"
    assert registration.phone == "0912345678"
    assert [m.to for m in mail.outbox] == [["ha.test@example.com"]]
    assert code in mail.outbox[0].body


@pytest.mark.parametrize(
    "data, field",
    [
        ({"consent": False}, "consent"),
        ({"phone": "12345"}, "phone"),
        ({"phone": "0112345678"}, "phone"),
        ({"phone": "", "email": "not-an-email"}, "email"),
        ({"phone": "", "email": ""}, "phone"),
        ({"full_name": " "}, "full_name"),
    ],
)
def test_register_bad_input_is_400_and_writes_nothing(demo, client, data, field):
    activity = activity_make(demo)
    response = _register(client, activity, **data)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not activity.registrations.exists()


def test_phone_formats_are_normalised(demo, client):
    activity = activity_make(demo, capacity=10)
    for i, phone in enumerate(["+84 912 000 111", "84912000112", "091.200.0113", "024 3825 1234"]):
        response = _register(client, activity, phone=phone, full_name=f"Người {i}")
        assert response.status_code == 201, (phone, response.content)
    assert sorted(activity.registrations.values_list("phone", flat=True)) == [
        "02438251234",
        "0912000111",
        "0912000112",
        "0912000113",
    ]


def test_same_person_twice_is_409(demo, client):
    activity = activity_make(demo)
    assert _register(client, activity, email="a@example.com").status_code == 201
    again = _register(client, activity, phone="+84912345678")
    assert again.status_code == 409
    assert "đã đăng ký" in again.json()["detail"]
    by_email = _register(client, activity, phone="", email="A@example.com")
    assert by_email.status_code == 409
    assert activity.registrations.count() == 1


def test_full_activity_is_409_then_waiting_list_moves_up(
    demo, client, django_capture_on_commit_callbacks
):
    activity = activity_make(demo, capacity=1)
    first = _register(client, activity, phone="0912000001").json()["code"]
    full = _register(client, activity, phone="0912000002")
    assert full.status_code == 409
    assert "đủ chỗ" in full.json()["detail"]
    waiting = _register(
        client, activity, phone="0912000003", email="cho@example.com", waitlist=True
    )
    assert waiting.status_code == 201
    assert waiting.json()["state"] == "waiting"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = client.post(f"/api/v1/public/registrations/{first}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["state"] == "cancelled"
    promoted = Registration.objects.get(code=waiting.json()["code"])
    assert promoted.state == "confirmed"
    assert promoted.promoted_at is not None
    assert [m.to for m in mail.outbox] == [["cho@example.com"]]
    assert "đã có chỗ" in mail.outbox[0].subject.lower()
    assert client.post(f"/api/v1/public/registrations/{first}/cancel").status_code == 409
    assert client.post("/api/v1/public/registrations/NOPE1234/cancel").status_code == 404


def test_cancelled_past_and_internal_activities_refuse(demo, client):
    cancelled = activity_make(demo)
    services.activity_cancel(user=demo.users["admin"], activity=cancelled)
    assert _register(client, cancelled).status_code == 409
    past = activity_make(demo, days=-3)
    response = _register(client, past)
    assert response.status_code == 409
    assert "kết thúc" in response.json()["detail"]
    internal = activity_make(demo, public=False)
    assert _register(client, internal).status_code == 404
    assert not Registration.objects.filter(activity__in=[cancelled, past, internal]).exists()


@override_settings(LANTOA_REGISTRATION_RATE_LIMIT=3)
def test_rate_limit_per_address(demo, client):
    activity = activity_make(demo, capacity=20)
    codes = [_register(client, activity, phone=f"091200000{i}").status_code for i in range(5)]
    assert codes == [201, 201, 201, 429, 429]
    response = _register(client, activity, phone="0912000009")
    assert "quá nhiều" in response.json()["detail"]
    # Another address is not affected.
    other = client.post(
        f"/api/v1/public/activities/{activity.pk}/registrations",
        {"full_name": "B", "phone": "0987654321", "consent": True},
        content_type="application/json",
        REMOTE_ADDR="10.0.0.9",
    )
    assert other.status_code == 201


def test_anonymise_after_retention(demo):
    recent = Registration.objects.count()
    assert recent > 0
    old_campaign = demo.campaigns[2023]
    activity = Activity.objects.filter(campaign=old_campaign).first()
    Registration.objects.create(
        activity=activity,
        code="OLDCODE1",
        full_name="Người Cũ",
        phone="0912999999",
        email="cu@example.com",
        person_key="0912999999",
        state="confirmed",
        consent_at=timezone.now(),
    )
    call_command("anonymise_registrations", verbosity=0)
    old = Registration.objects.get(code="OLDCODE1")
    assert old.anonymised_at is not None
    assert (old.full_name, old.phone, old.email) == ("(đã ẩn danh)", "", "")
    assert old.person_key == f"anon:{old.pk}"
    # The upcoming week's registrations are kept.
    assert Registration.objects.filter(anonymised_at__isnull=True).count() == recent
    # Within the retention period nothing is touched.
    with override_settings(LANTOA_REGISTRATION_RETENTION_DAYS=100000):
        Registration.objects.filter(pk=old.pk).update(anonymised_at=None, full_name="X")
        assert services.registrations_anonymise() == 0


def test_huey_task_anonymises(demo):
    from lantoa.activities.tasks import anonymise_registrations_daily

    assert anonymise_registrations_daily.call_local() == 0


def test_attendance_by_the_organiser(demo, api_as):
    activity = Activity.objects.get(title="Tin học cơ bản cho người cao tuổi")
    ids = list(activity.registrations.order_by("id").values_list("id", flat=True))
    response = api_as("thcs.ngoclam").post(
        f"/api/v1/activities/{activity.pk}/attendance", {"attended": ids[:1]}
    )
    assert response.status_code == 200
    assert response.json() == {"attended": 1}
    assert list(activity.registrations.order_by("id").values_list("attended", flat=True)) == [
        True,
        False,
    ]
    denied = api_as("pgd.longbien").post(
        f"/api/v1/activities/{activity.pk}/attendance", {"attended": ids}
    )
    assert denied.status_code == 404


def test_indicator_values_from_activities(demo, django_assert_num_queries):
    unit = demo.units["ward_phuloi"]
    campaign = demo.campaigns[2023]
    with django_assert_num_queries(2):
        values = activity_indicator_values(campaign=campaign, unit=unit)
    assert values == {
        "lop_hoc": 1,
        "nguoi_hoc": 33,
        "doi_tuong_nguoi_dan": 24,
        "doi_tuong_cbcc": 9,
    }
    online = activity_indicator_values(campaign=campaign, unit=demo.units["ward_hoaphu"])
    assert online["lop_hoc_truc_tuyen"] == 1
    assert online["nguoi_hoc_truc_tuyen"] == 146
    next_week = demo.campaigns[max(demo.campaigns)]
    assert activity_indicator_values(campaign=next_week, unit=demo.units["pgd_longbien"]) == {
        "hoc_lieu_mo": 1
    }


def test_past_dates_are_timezone_aware(demo):
    activity = activity_make(demo)
    assert timezone.is_aware(activity.starts_at)
    assert activity.ends_at - activity.starts_at == timedelta(hours=2)
