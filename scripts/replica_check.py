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
   primary;
4. on the demo world, the Sở GDĐT Hà Nội's roll-up and completeness (API and pages) and
   its dashboard read every table from the replica, the hand-written roll-up statements
   included (only who is asking comes from the primary), and answer exactly what the
   primary answers.

Exits non-zero on the first failure. Used by lantoa/core/tests/test_replica_postgres.py,
which starts the two clusters; an operator can run it against a staging pair (it writes a
demo world, a campaign year 2099 and one activity: use a scratch database).
"""

import difflib
import os
import re
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


# Who is asking is read from the primary, before the route is known (the session, the user
# and their memberships: a withdrawn membership takes effect at once).
WHO_IS_ASKING = ('FROM "django_session"', 'FROM "accounts_user"', 'FROM "accounts_membership"')


def _who_is_asking(sql: str) -> bool:
    return any(table in sql for table in WHO_IS_ASKING)


def only_who_is_asking(queries) -> bool:
    """Every query captured on the primary reads who is asking."""
    return all(_who_is_asking(q["sql"]) for q in queries)


def elsewhere(queries) -> str:
    """The other queries on the primary, shown when a check fails."""
    others = [q["sql"][:300] for q in queries if not _who_is_asking(q["sql"])]
    return "".join(f"\n        on the primary: {sql}" for sql in others)


def page_difference(a, b) -> str:
    """How two responses' pages differ (their per-request tokens aside), "" when alike."""

    def text(response):
        html = response.content.decode()
        html = re.sub(r'(csrfmiddlewaretoken" value=|nonce=)"[^"]*"', "", html)
        return re.sub(r'"X-CSRFToken": "[^"]*"', "", html).splitlines()

    return "".join(f"\n        {line}" for line in difflib.unified_diff(text(a), text(b), n=0))


def read_on_replica(client, path, label):
    """GET ``path``: 200, and every query but who is asking ran on the replica."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = client.get(path)
    check(response.status_code == 200, f"{label} 200")
    check(
        len(replica) > 0 and only_who_is_asking(primary),
        f"{label} read from the replica ({len(replica)} queries; "
        f"{len(primary)} on the primary: who is asking){elsewhere(primary)}",
    )
    return response


def office_reads_the_replica():
    """The roll-up routes of an office read from the replica, hand-written statements
    included, and answer what the primary answers."""
    from django.urls import reverse

    from lantoa.core.dbrouting import PIN_COOKIE
    from lantoa.demo.world import load_world

    world = load_world()
    campaign, so, bo = world.campaigns[2023], world.units["so_hanoi"], world.units["bo"]
    api = f"/api/v1/campaigns/{campaign.pk}"

    def login(username, *, pin=False):
        client = Client()
        client.force_login(world.users[username])
        if pin:  # pinned to the primary, as just after a write
            client.cookies[PIN_COOKIE] = f"{time.time() + 600:.3f}"
        return client

    office = login("so.hanoi")
    answers = {}
    for who, what, path, figures in (
        ("so.hanoi", "API roll-up", f"{api}/rollup?unit={so.pk}", lambda b: b["rows"]),
        ("so.hanoi", "API completeness", f"{api}/completeness?unit={so.pk}", lambda b: b["submitted"]),
        ("bo.gddt", "API roll-up, administrative line", f"{api}/rollup?unit={bo.pk}&line=admin",
         lambda b: b["rows"] and b["totals"]),
    ):  # fmt: skip
        body = read_on_replica(login(who), path, f"{who}: {what}").json()
        check(bool(figures(body)), f"{who}: {what} holds the demo's figures")
        on_primary = login(who, pin=True).get(path)
        check(body == on_primary.json(), f"{who}: {what} equals the primary's answer")
        answers[what] = body
    long_bien = world.units["pgd_longbien"].name
    submitted = answers["API completeness"]["submitted"]
    for what, path, shown in (
        ("roll-up page", reverse("reports:rollup", args=[campaign.pk, so.pk]), long_bien),
        (
            "completeness page",
            reverse("reports:completeness", args=[campaign.pk, so.pk]),
            f'<p class="big" id="c-submitted">{submitted} (',
        ),
        ("dashboard", reverse("dashboards:campaign") + f"?campaign={campaign.pk}", long_bien),
    ):
        response = read_on_replica(office, path, f"office: {what}")
        check(shown in response.content.decode(), f"office: the {what} shows {shown}")
        on_primary = login("so.hanoi", pin=True).get(path)
        difference = page_difference(response, on_primary)
        check(not difference, f"office: the {what} equals the primary's page{difference}")


def main():
    from django.conf import settings

    check(settings.LANTOA_READ_REPLICA == "replica", "DATABASE_REPLICA_URL configures the replica")
    call_command("migrate", verbosity=0)
    check(on_replica("SELECT pg_is_in_recovery()") is True, "the replica is a standby")
    call_command("demo", verbosity=0)

    from lantoa.activities.models import Activity, Registration
    from lantoa.campaigns.models import ActivityType
    from lantoa.campaigns.services import campaign_create
    from lantoa.demo.world import load_world

    root = load_world().units["bo"]
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
    office_reads_the_replica()
    print("replica check: all passed")


if __name__ == "__main__":
    main()
