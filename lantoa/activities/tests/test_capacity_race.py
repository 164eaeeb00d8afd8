"""Capacity under concurrency: many citizens register at the same moment, nobody is overbooked."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from lantoa.activities import services
from lantoa.activities.models import Activity, Registration
from lantoa.campaigns.services import campaign_create
from lantoa.core.errors import Conflict
from lantoa.units.models import UnitKind
from lantoa.units.services import unit_create


def race(activity: Activity, clients: int) -> tuple[int, int, list[Exception]]:
    barrier = threading.Barrier(clients)
    accepted, refused, errors = [], [], []

    def one(i: int) -> None:
        try:
            barrier.wait()
            services.registration_create(
                activity=activity,
                full_name=f"Người {i}",
                phone=f"09{i:08d}",
                consent=True,
            )
            accepted.append(i)
        except Conflict:
            refused.append(i)
        except Exception as exc:  # noqa: BLE001 - any other error is a failure of the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(accepted), len(refused), errors


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_capacity_race_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL only")
    root = unit_create(parent=None, name="Bộ", kind=UnitKind.BO_GDDT)
    school = unit_create(parent=root, name="Trường", kind=UnitKind.TRUONG_THCS)
    today = timezone.localdate()
    campaign = campaign_create(
        year=today.year + 1,
        title="Tuần lễ",
        theme="Chủ đề",
        starts_on=today + timedelta(days=30),
        ends_on=today + timedelta(days=36),
        opening_on=None,
        owner_unit=root,
    )
    from lantoa.accounts.models import User

    admin = User.objects.create_superuser("root", "r@example.com", "x")
    starts = timezone.now() + timedelta(days=31)
    activity = services.activity_create(
        user=admin,
        campaign=campaign,
        unit=school,
        type="lop_hoc",
        title="Lớp đông người",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        mode="in_person",
        location="Sân trường",
        capacity=50,
        public=True,
    )
    accepted, refused, errors = race(activity, 60)
    assert errors == []
    assert accepted == 50
    assert refused == 10
    assert Registration.objects.filter(activity=activity, state="confirmed").count() == 50
