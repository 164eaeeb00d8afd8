"""Deadline surge: thousands of units saving and submitting their reports in the last hour,
offices polling completeness, citizens browsing the portal — against a real gunicorn,
PostgreSQL and Redis, for a bounded time.

    .venv/bin/python scripts/surge.py --database-url postgresql://postgres@127.0.0.1:5432/lantoa_surge \\
        [--redis-url redis://127.0.0.1:6379/11] [--units 3000] [--clients 48] [--duration 60]

It (re)creates the database named in ``--database-url`` (a scratch database: it is dropped
first), migrates it, builds a national tree (34 provinces, ``--units`` communes that must
report today, one editor and one API token each, an approver per province and one for the
ministry), starts ``gunicorn --workers W --threads T`` with the production code path
(DEBUG off, Redis cache and task queue when ``--redis-url`` is given), then runs for
``--duration`` seconds:

- ``--clients`` school threads: GET the report, PUT its values, POST submit (JSON API);
- ``--offices`` threads: GET a province's completeness (first page of missing units) and,
  every fifth time, its roll-up;
- ``--citizens`` threads: the portal home page and a calendar search.

Before the load, ``--probe`` units (10) run the cycle in-process (Django's test client)
and their median queries and CPU milliseconds per request are printed: figures the machine's
load moves far less than the throughput (the load average is printed beside it).
It prints requests and submissions per second, p50/p95/p99 per request kind and the
errors, then checks that every acknowledged submission is stored with the values sent and
that the national roll-up (API) equals the sum of the stored counted values and the sum of
what was acknowledged, and that ``rollup_check`` (every node's totals recomputed) agrees. Exit status 1 when any request failed, any acknowledged write is
missing or the roll-up disagrees (``--require-rate``/``--require-p95`` add targets).
"""

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
WORDS = ["tin hoc", "ky nang so", "doc sach", "tieng anh", "chuyen doi so", "cau lac bo"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


def recreate_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"database name {name!r}: letters, digits and _ only")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


# --- the world --------------------------------------------------------------------------------


def build_world(n_units: int, seed: int = 7) -> dict:
    """National tree, campaign due today, editors with tokens; returns what the clients need."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from lantoa.accounts.models import Membership, User
    from lantoa.accounts.services import token_create
    from lantoa.activities.models import Activity
    from lantoa.activities.search import search_text_of
    from lantoa.campaigns.models import ActivityType, Indicator, ReportingDeadline
    from lantoa.campaigns.services import campaign_create
    from lantoa.units.models import Unit, UnitKind
    from lantoa.units.services import unit_create

    rng = random.Random(seed)
    today = timezone.localdate()
    root = unit_create(parent=None, name="Bộ Giáo dục và Đào tạo", kind=UnitKind.BO_GDDT)
    provinces = [
        unit_create(parent=root, name=f"UBND tỉnh Thử {p:02d}", kind=UnitKind.UBND_TINH)
        for p in range(34)
    ]
    campaign = campaign_create(
        year=today.year,
        title=f"Tuần lễ {today.year}",
        theme="Học tập suốt đời",
        starts_on=today - timedelta(days=20),
        ends_on=today - timedelta(days=14),
        owner_unit=root,
    )
    # Every commune is due today: the surge is the last hour before the deadline.
    ReportingDeadline.objects.create(
        campaign=campaign, unit=root, due_on=today + timedelta(days=5), kinds=["ubnd_tinh"]
    )
    ReportingDeadline.objects.bulk_create(
        ReportingDeadline(campaign=campaign, unit=p, due_on=today) for p in provinces
    )
    path = Unit._get_path
    communes = []
    per_province = [n_units // 34 + (1 if i < n_units % 34 else 0) for i in range(34)]
    for p, province in enumerate(provinces):
        for c in range(per_province[p]):
            communes.append(
                Unit(
                    path=path(province.path, 3, c + 1),
                    depth=3,
                    numchild=0,
                    name=f"UBND xã Thử {p:02d}-{c:03d}",
                    kind=UnitKind.UBND_XA,
                    search_text=f"ubnd xa thu {p:02d}-{c:03d}",
                )
            )
        Unit.objects.filter(pk=province.pk).update(numchild=per_province[p])
    Unit.objects.bulk_create(communes, batch_size=2000)
    communes = list(Unit.objects.filter(depth=3).order_by("path"))
    password = make_password(None)
    with transaction.atomic():
        users = User.objects.bulk_create(
            [User(username=f"xa{u.pk}", password=password) for u in communes]
            + [User(username=f"tinh{p.pk}", password=password) for p in provinces]
            + [User(username="bo", password=password)],
            batch_size=2000,
        )
        by_name = {u.username: u for u in users}
        Membership.objects.bulk_create(
            [Membership(user=by_name[f"xa{u.pk}"], unit=u, role="editor") for u in communes]
            + [Membership(user=by_name[f"tinh{p.pk}"], unit=p, role="approver") for p in provinces]
            + [Membership(user=by_name["bo"], unit=root, role="approver")],
            batch_size=2000,
        )
        tokens = {u.pk: token_create(user=by_name[f"xa{u.pk}"])[0] for u in communes}
        office_tokens = {p.pk: token_create(user=by_name[f"tinh{p.pk}"])[0] for p in provinces}
        national_token = token_create(user=by_name["bo"])[0]
    # Something for citizens to find on the calendar.
    types = list(ActivityType.objects.filter(campaign=campaign))
    start = timezone.now() + timedelta(days=1)
    activities = []
    for i in range(max(200, n_units // 2)):
        unit = communes[rng.randrange(len(communes))]
        title = f"{rng.choice(['Tin học', 'Kỹ năng số', 'Đọc sách', 'Tiếng Anh'])} số {i}"
        starts = start + timedelta(hours=rng.randrange(24 * 7))
        activities.append(
            Activity(
                campaign=campaign,
                unit=unit,
                type=rng.choice(types),
                title=title,
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                location="Nhà văn hóa",
                capacity=rng.choice([None, 30, 50]),
                public=True,
                search_text=search_text_of(title, "Nhà văn hóa", unit.name),
            )
        )
    Activity.objects.bulk_create(activities, batch_size=2000)
    codes = list(Indicator.objects.filter(campaign=campaign).values_list("code", flat=True))[:12]
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "campaign": campaign.pk,
        "root": root.pk,
        "provinces": [p.pk for p in provinces],
        "units": [u.pk for u in communes],
        "tokens": tokens,
        "office_tokens": office_tokens,
        "national_token": national_token,
        "codes": codes,
    }


# --- one cycle in-process (load-independent figures) ------------------------------------------


def probe_cycle(world: dict, units: list[int], stats: "Stats") -> dict[str, tuple[float, float]]:
    """The school cycle run in this process for ``units`` (Django's test client, the same
    middleware and API): median queries and CPU milliseconds per request kind. The machine's
    load changes the throughput, not these. Their submissions count as acknowledged."""
    from statistics import median

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(SERVER_NAME="localhost")
    c = world["campaign"]
    seen: dict[str, list[tuple[int, float]]] = defaultdict(list)

    def call(kind, method, path, token, body=None):
        extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        if body is not None:
            extra.update(data=json.dumps(body), content_type="application/json")
        with CaptureQueriesContext(connection) as queries:
            started = time.process_time()
            response = getattr(client, method)(path, **extra)
            cpu = time.process_time() - started
        if response.status_code != 200:
            raise SystemExit(
                f"probe {kind}: HTTP {response.status_code} {response.content[:300]!r}"
            )
        seen[kind].append((len(queries), cpu * 1000))
        return response.json()

    for unit in units:
        token, path = world["tokens"][unit], f"/api/v1/reports/{c}/{unit}"
        # As in the surge, each school's first request stamps its token's last use.
        version = call("report GET", "get", path, token)["version"]
        values = {code: 7 for code in world["codes"]}
        call("report PUT (save)", "put", path, token, {"version": version, "values": values})
        call("report submit", "post", f"{path}/submit", token)
        stats.acked[unit] = values
    return {
        kind: (median(q for q, _ in rows), median(ms for _, ms in rows))
        for kind, rows in seen.items()
    }


# --- the load -------------------------------------------------------------------------------


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.samples: list[str] = []
        self.acked: dict[int, dict[str, int]] = {}
        self.schools_done: list[float] = []  # monotonic time each school thread stopped
        self.ran_out = False  # every unit had submitted before the duration was over

    def record(self, kind: str, seconds: float, ok: bool, detail: str = ""):
        with self.lock:
            self.latency[kind].append(seconds)
            if not ok:
                self.errors[kind] += 1
                if len(self.samples) < 10:
                    self.samples.append(f"{kind}: {detail[:300]}")


class Client:
    def __init__(self, port: int, token: str | None = None):
        self.port = port
        self.token = token
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, body=None, token: str | None = None):
        headers = {"Host": "127.0.0.1"}
        token = token or self.token
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, ConnectionError, OSError):
                # A kept-alive connection the server closed meanwhile: reconnect once.
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def timed(stats: Stats, kind: str, client: Client, method: str, path: str, body=None, **kw):
    started = time.perf_counter()
    try:
        status, payload = client.request(method, path, body, **kw)
    except Exception as exc:  # noqa: BLE001 — a failed request is counted, not fatal
        stats.record(kind, time.perf_counter() - started, False, repr(exc))
        return None, b""
    ok = status == 200
    stats.record(kind, time.perf_counter() - started, ok, f"{status} {payload[:200]!r}")
    return status, payload


def school_loop(port, world, queue, queue_lock, stats, stop_at, rng):
    try:
        _school_cycles(port, world, queue, queue_lock, stats, stop_at, rng)
    finally:
        with stats.lock:  # when this school stopped: the end of the submitting window
            stats.schools_done.append(time.monotonic())


def _school_cycles(port, world, queue, queue_lock, stats, stop_at, rng):
    client = Client(port)
    c = world["campaign"]
    while time.monotonic() < stop_at:
        with queue_lock:
            if not queue:
                stats.ran_out = True
                return
            unit = queue.pop()
        client.token = world["tokens"][unit]
        status, payload = timed(stats, "report GET", client, "GET", f"/api/v1/reports/{c}/{unit}")
        if status != 200:
            continue
        version = json.loads(payload)["version"]
        n = rng.randrange(1, 60)
        values = {code: n for code in world["codes"]}
        status, payload = timed(
            stats,
            "report PUT (save)",
            client,
            "PUT",
            f"/api/v1/reports/{c}/{unit}",
            {"version": version, "values": values},
        )
        if status != 200:
            continue
        status, payload = timed(
            stats, "report submit", client, "POST", f"/api/v1/reports/{c}/{unit}/submit"
        )
        if status == 200 and json.loads(payload)["state"] == "submitted":
            with stats.lock:
                stats.acked[unit] = values


def office_loop(port, world, stats, stop_at, rng):
    client = Client(port)
    c = world["campaign"]
    i = 0
    while time.monotonic() < stop_at:
        province = rng.choice(world["provinces"])
        token = world["office_tokens"][province]
        path = f"/api/v1/campaigns/{c}/completeness?unit={province}&page_size=50"
        timed(stats, "completeness GET", client, "GET", path, token=token)
        i += 1
        if i % 5 == 0:
            path = f"/api/v1/campaigns/{c}/rollup?unit={province}"
            timed(stats, "rollup GET", client, "GET", path, token=token)
        time.sleep(0.2)  # an office refreshes its dashboard, it does not hammer it


def citizen_loop(port, world, stats, stop_at, rng):
    client = Client(port)
    while time.monotonic() < stop_at:
        timed(stats, "portal home", client, "GET", "/cong-khai/")
        q = urllib.parse.quote(rng.choice(WORDS))
        timed(stats, "calendar search", client, "GET", f"/cong-khai/lich/?q={q}")
        time.sleep(0.1)


# --- checks ---------------------------------------------------------------------------------


def verify(world: dict, stats: Stats, port: int) -> list[str]:
    from django.db.models import Sum

    from lantoa.reports.models import Report, ReportValue

    problems = []
    stored = {
        (r.unit_id): r.state
        for r in Report.objects.filter(campaign_id=world["campaign"], unit_id__in=stats.acked)
    }
    values = defaultdict(dict)
    for unit_id, code, value in ReportValue.objects.filter(
        campaign_id=world["campaign"], unit_id__in=stats.acked
    ).values_list("unit_id", "indicator_code", "value"):
        values[unit_id][code] = value
    lost = [
        u
        for u, sent in stats.acked.items()
        if stored.get(u) != "submitted" or any(values[u].get(k) != v for k, v in sent.items())
    ]
    if lost:
        problems.append(f"{len(lost)} acknowledged submissions not stored as sent: {lost[:5]}")
    sums = dict(
        ReportValue.objects.filter(campaign_id=world["campaign"], counted=True)
        .values("indicator_code")
        .annotate(s=Sum("value"))
        .values_list("indicator_code", "s")
    )
    acked_sums = defaultdict(int)
    for sent in stats.acked.values():
        for code, value in sent.items():
            acked_sums[code] += value
    client = Client(port, world["national_token"])
    status, payload = client.request(
        "GET", f"/api/v1/campaigns/{world['campaign']}/rollup?unit={world['root']}"
    )
    if status != 200:
        problems.append(f"national roll-up: HTTP {status}")
        return problems
    from lantoa.campaigns.models import Campaign
    from lantoa.reports.lines.services import rollup_check

    differences = rollup_check(campaign=Campaign.objects.get(pk=world["campaign"]))
    if differences:
        problems.append(f"rollup_check: {len(differences)} differences, e.g. {differences[:3]}")
    totals = json.loads(payload)["totals"]
    for code in world["codes"]:
        if not (totals.get(code, 0) == (sums.get(code) or 0) == acked_sums.get(code, 0)):
            problems.append(
                f"roll-up {code}: API {totals.get(code, 0)}, stored {sums.get(code)}, "
                f"acknowledged {acked_sums.get(code, 0)}"
            )
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="scratch PostgreSQL database")
    parser.add_argument("--redis-url", default="", help="e.g. redis://127.0.0.1:6379/11")
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=48)
    parser.add_argument("--offices", type=int, default=4)
    parser.add_argument("--citizens", type=int, default=4)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--keep-alive", type=int, default=30, help="gunicorn's, in seconds")
    parser.add_argument("--require-rate", type=float, default=0, help="submits/s at least")
    parser.add_argument("--require-p95", type=float, default=0, help="submit p95 ms at most")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--probe", type=int, default=10, help="units whose cycle is first measured in-process"
    )
    args = parser.parse_args(argv)

    data_dir = tempfile.mkdtemp(prefix="lantoa-surge-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lantoa.config.settings.base",
        "DATABASE_URL": args.database_url,
        "LANTOA_DATA_DIR": data_dir,
        "LANTOA_SECRET_KEY": "surge-" + os.urandom(16).hex(),
        "LANTOA_DEBUG": "0",
        "LANTOA_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LANTOA_EMAIL_URL": "",
        "REDIS_URL": args.redis_url,
        "LANTOA_REGISTRATION_RATE_LIMIT": "0",
    }
    os.environ.update(env)
    recreate_database(args.database_url)
    import django

    django.setup()
    from django.core.management import call_command

    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    world = build_world(args.units)
    print(
        f"world: {len(world['units']):,} communes due today, 34 provinces, "
        f"built in {time.perf_counter() - began:.1f} s",
        flush=True,
    )
    if args.redis_url:
        from django.core.cache import cache

        cache.clear()
    stats = Stats()
    queue = list(world["units"])
    random.Random(1).shuffle(queue)
    probe_units = [queue.pop() for _ in range(min(args.probe, len(queue)))]
    probe = probe_cycle(world, probe_units, stats)
    if probe:
        print("in-process cycle (median per request; the load moves it far less):")
        for kind, (queries, ms) in probe.items():
            print(f"  {kind:<20}{queries:>4.0f} queries {ms:>6.1f} ms CPU")
        print(f"  whole cycle: {sum(ms for _, ms in probe.values()):.1f} ms CPU")
    from django.db import connections

    connections.close_all()

    port = _free_port()
    log = Path(data_dir) / "gunicorn.log"
    cmd = [
        str(BIN / "gunicorn"),
        "lantoa.config.wsgi:application",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(args.workers),
        "--threads", str(args.threads),
        "--worker-class", "gthread",
        "--keep-alive", str(args.keep_alive),
        "--error-logfile", str(log),
    ]  # fmt: skip
    server = subprocess.Popen(cmd, cwd=ROOT, env=env)
    problems: list[str] = []
    try:
        probe = Client(port)
        for _ in range(300):
            try:
                if probe.request("GET", "/cong-khai/")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            raise SystemExit("gunicorn did not start:\n" + log.read_text())
        load_before = os.getloadavg()
        queue_lock = threading.Lock()
        started = time.monotonic()
        stop_at = started + args.duration
        threads = [
            threading.Thread(
                target=school_loop,
                args=(port, world, queue, queue_lock, stats, stop_at, random.Random(i)),
            )
            for i in range(args.clients)
        ]
        threads += [
            threading.Thread(
                target=office_loop, args=(port, world, stats, stop_at, random.Random(100 + i))
            )
            for i in range(args.offices)
        ]
        threads += [
            threading.Thread(
                target=citizen_loop, args=(port, world, stats, stop_at, random.Random(200 + i))
            )
            for i in range(args.citizens)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started

        total = sum(len(v) for v in stats.latency.values())
        errors = sum(stats.errors.values())
        submits = len(stats.acked) - len(probe_units)
        # Schools stop when every unit has submitted: their rates are over the time they
        # were submitting, not the whole run (offices and citizens go on to the end).
        school_window = min(elapsed, max(stats.schools_done, default=stop_at) - started)
        school_kinds = {"report GET", "report PUT (save)", "report submit"}
        print(
            f"\n{elapsed:.1f} s · gunicorn {args.workers}×{args.threads} · {args.clients} schools, "
            f"{args.offices} offices, {args.citizens} citizens · "
            f"Redis: {'yes' if args.redis_url else 'no'} · load average "
            f"{load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after "
            f"({os.cpu_count()} cores)"
        )
        print(
            f"{'request':<22}{'count':>8}{'per s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"
        )
        for kind in sorted(stats.latency):
            lat = stats.latency[kind]
            window = school_window if kind in school_kinds else elapsed
            print(
                f"{kind:<22}{len(lat):>8}{len(lat) / window:>9.1f}"
                f"{_percentile(lat, 50) * 1000:>9.0f}{_percentile(lat, 95) * 1000:>9.0f}"
                f"{_percentile(lat, 99) * 1000:>9.0f}{stats.errors.get(kind, 0):>8}"
            )
        submit_p95 = _percentile(stats.latency.get("report submit", []), 95) * 1000
        print(
            f"{'all':<22}{total:>8}{total / elapsed:>9.1f}{'':>27}{errors:>8}\n"
            f"submissions acknowledged: {submits} ({submits / school_window:.1f}/s over "
            f"{school_window:.1f} s), submit p95 {submit_p95:.0f} ms"
        )
        if stats.ran_out:
            print(
                f"  every unit had submitted after {school_window:.1f} s of {elapsed:.1f} s: "
                "raise --units for a full-length surge"
            )
        for sample in stats.samples:
            print("  error:", sample)
        if errors:
            problems.append(f"{errors} failed requests")
        if submits == 0:
            problems.append("no submission acknowledged")
        problems += verify(world, stats, port)
        if not problems:
            print(
                f"checked: all {submits} acknowledged submissions (and the {len(probe_units)} "
                "in-process ones) stored as sent; national roll-up = sum of stored values = "
                "sum of acknowledged values; rollup_check agrees"
            )
        if args.require_rate and submits / school_window < args.require_rate:
            problems.append(f"{submits / school_window:.1f} submits/s < {args.require_rate}")
        if args.require_p95 and submit_p95 > args.require_p95:
            problems.append(f"submit p95 {submit_p95:.0f} ms > {args.require_p95:.0f} ms")
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        text = log.read_text() if log.exists() else ""
        if "Traceback" in text:
            problems.append("traceback in gunicorn's log")
            print(text[-3000:])
        connections.close_all()
        if args.redis_url:
            from django.core.cache import cache

            cache.clear()
        if not args.keep:
            drop_database(args.database_url)
    for problem in problems:
        print("FAIL", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
