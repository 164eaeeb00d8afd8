"""Check the read-replica routing against a real primary and streaming replica.

    DATABASE_URL=postgresql://…primary/lantoa DATABASE_REPLICA_URL=postgresql://…replica/lantoa \
        .venv/bin/python scripts/replica_check.py

Migrates the primary (the replica follows), builds one public activity through the
services, then over Django's test client:

1. an anonymous visitor's activity page is read from the replica (and only from it);
2. with the replica's WAL replay paused, a citizen registers (POST, on the primary): the
   citizen's next pages are read from the primary (read-your-writes: the registration code
   page, places left 29/30) while another visitor still reads the stale replica (30/30);
3. once replay resumes, every visitor sees 29/30; the registration exists once, on the
   primary.

Exits non-zero on the first failure. Used by lantoa/core/tests/test_replica_postgres.py,
which starts the two clusters; an operator can run it against a staging pair (it writes a
campaign year 2099 and one activity: use a scratch database).
"""

import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantoa.config.settings.test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402


def check(condition, what):
    print(("ok    " if condition else "FAIL  ") + what)
    if not condition:
        sys.exit(1)


def on_replica(sql: str):
    with connections["replica"].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def wait_replayed(timeout=30.0):
    """Until the replica has replayed everything the primary has written so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError("the replica did not catch up")


def page(client, path):
    """GET ``path``; returns (response, queries on the primary, queries on the replica)."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = client.get(path)
    return response, len(primary), len(replica)


def main():
    from django.conf import settings

    check(settings.LANTOA_READ_REPLICA == "replica", "DATABASE_REPLICA_URL configures the replica")
    call_command("migrate", verbosity=0)
    check(on_replica("SELECT pg_is_in_recovery()") is True, "the replica is a standby")

    from lantoa.activities.models import Activity, Registration
    from lantoa.campaigns.models import ActivityType
    from lantoa.campaigns.services import campaign_create
    from lantoa.units.models import UnitKind
    from lantoa.units.services import unit_create

    root = unit_create(parent=None, name="Bộ Giáo dục và Đào tạo", kind=UnitKind.BO_GDDT)
    today = timezone.localdate()
    campaign = campaign_create(
        year=2099,
        title="Tuần lễ thử bản sao",
        theme="Thử",
        starts_on=today + timedelta(days=10),
        ends_on=today + timedelta(days=16),
        owner_unit=root,
    )
    starts = timezone.now() + timedelta(days=11)
    activity = Activity.objects.create(
        campaign=campaign,
        unit=root,
        type=ActivityType.objects.filter(campaign=campaign).first(),
        title="Lớp kỹ năng số cho người cao tuổi",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        location="Nhà văn hóa",
        capacity=30,
        public=True,
    )
    wait_replayed()
    url = f"/cong-khai/hoat-dong/{activity.pk}/"

    visitor = Client()
    response, primary, replica = page(visitor, url)
    check(response.status_code == 200, "visitor: activity page 200")
    check(
        replica > 0 and primary == 0,
        f"visitor: read from the replica ({replica} queries, 0 primary)",
    )
    check(b"30 / 30" in response.content, "visitor: 30 / 30 places left")

    on_replica("SELECT pg_wal_replay_pause()::text")
    try:
        citizen = Client()
        with CaptureQueriesContext(connections["replica"]) as replica_q:
            response = citizen.post(
                url,
                {"full_name": "Nguyễn Thị Lan", "phone": "0912345678", "consent": "1"},
                REMOTE_ADDR="10.0.0.7",
            )
        check(response.status_code == 302, "citizen: registration accepted")
        check(len(replica_q) == 0, "citizen: the POST did not touch the replica")
        check("lantoa_primary_until" in response.cookies, "citizen: pinned to the primary")

        response, primary, replica = page(citizen, response["Location"])
        check(response.status_code == 200, "citizen: the registration page right after (200)")
        check(replica == 0 and primary > 0, "citizen: read from the primary (read-your-writes)")
        response, _, replica = page(citizen, url)
        check(b"29 / 30" in response.content and replica == 0, "citizen: sees 29 / 30")

        response, primary, replica = page(visitor, url)
        check(replica > 0 and primary == 0, "visitor: still reads from the replica")
        check(b"30 / 30" in response.content, "visitor: the paused replica still says 30 / 30")
    finally:
        on_replica("SELECT pg_wal_replay_resume()::text")
    wait_replayed()
    response, _, replica = page(visitor, url)
    check(b"29 / 30" in response.content and replica > 0, "visitor: replica caught up, 29 / 30")
    count = Registration.objects.using("default").filter(activity=activity).count()
    check(count == 1, "one registration, stored on the primary")
    print("replica check: all passed")


if __name__ == "__main__":
    main()
