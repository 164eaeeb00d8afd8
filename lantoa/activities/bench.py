# ruff: noqa: S608 — the floor is hand-written SQL; only placeholders and table names are interpolated
"""Benchmarks: the public calendar on many activities, and the registration race (PostgreSQL).

Ours = what the calendar page asks the database through the ORM (one page of 30 with unit and
type and the results count in one statement, ``core.paging``, then the places left); floor = the best single
hand-written statement giving the same answer (the page, its count and the places left),
results compared in full before anything is timed.
"""

import random
import re
import threading
import time
from datetime import datetime, timedelta

from django.db import connection, connections
from django.utils import timezone

from lantoa.activities import selectors, services
from lantoa.activities.models import Activity, Mode
from lantoa.activities.search import search_text_of
from lantoa.campaigns.models import ActivityType
from lantoa.campaigns.services import campaign_create
from lantoa.core.bench import Row, best_of, same
from lantoa.core.errors import Conflict
from lantoa.core.paging import counted_page
from lantoa.core.text import fold
from lantoa.units.models import Unit, UnitKind
from lantoa.units.services import unit_create

FULL_SIZE = 300_000
PAGE = 30
WORDS = [
    "Tin học cơ bản",
    "Kỹ năng số",
    "Đọc sách",
    "Tiếng Anh giao tiếp",
    "An toàn trên mạng",
    "Dịch vụ công trực tuyến",
    "Chuyển đổi số",
    "Câu lạc bộ",
    "Nuôi dạy con",
    "Thương mại điện tử",
]
AUDIENCE = ["cho người cao tuổi", "cho phụ huynh", "cho thanh niên", "cho phụ nữ", "cho học sinh"]


def _world(ctx):
    if "activities_world" in ctx.cache:
        return ctx.cache["activities_world"]
    rng = random.Random(5)
    root = ctx.root(__name__, "Bộ GDĐT (đo hoạt động)")
    provinces = []
    communes = []
    per_province = max(3, int(30 * ctx.scale))
    for p in range(34):
        province = unit_create(parent=root, name=f"UBND tỉnh Thử {p:02d}", kind=UnitKind.UBND_TINH)
        provinces.append(province)
        for c in range(per_province):
            communes.append(
                unit_create(
                    parent=province, name=f"UBND xã Thử {p:02d}-{c:02d}", kind=UnitKind.UBND_XA
                )
            )
    today = timezone.localdate()
    campaign = campaign_create(
        year=ctx.year(__name__),
        title="Tuần lễ đo hiệu năng",
        theme="Đo",
        starts_on=today + timedelta(days=30),
        ends_on=today + timedelta(days=36),
        owner_unit=root,
    )
    types = list(ActivityType.objects.filter(campaign=campaign))
    total = max(1000, int(FULL_SIZE * ctx.scale))
    start = timezone.make_aware(datetime.combine(campaign.starts_on, datetime.min.time()))
    modes = [Mode.IN_PERSON, Mode.IN_PERSON, Mode.ONLINE, Mode.HYBRID]
    batch = []
    began = time.perf_counter()
    for i in range(total):
        unit = communes[rng.randrange(len(communes))]
        title = f"{rng.choice(WORDS)} {rng.choice(AUDIENCE)} số {i}"
        starts = start + timedelta(minutes=30 * rng.randrange(7 * 30))
        mode = rng.choice(modes)
        batch.append(
            Activity(
                campaign=campaign,
                unit=unit,
                type=rng.choice(types),
                title=title,
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                mode=mode,
                location="" if mode == Mode.ONLINE else "Nhà văn hóa",
                online_url="https://meet.example/x" if mode != Mode.IN_PERSON else "",
                capacity=rng.choice([None, 30, 50, 100]),
                public=rng.random() < 0.9,
                search_text=search_text_of(title, "Nhà văn hóa", unit.name),
            )
        )
        if len(batch) == 5000:
            Activity.objects.bulk_create(batch)
            batch = []
    Activity.objects.bulk_create(batch)
    ctx.out(f"  activities: {total:,} built in {time.perf_counter() - began:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    world = {"campaign": campaign, "provinces": provinces, "communes": communes, "total": total}
    ctx.cache["activities_world"] = world
    return world


def _ours(**filters):
    """What the calendar page asks: the page of 30 with its results count in one
    statement (``core.paging.counted_page``), then the places left of the page."""
    page = counted_page(selectors.public_activities(**filters), 1, PAGE)
    items = list(page.object_list)
    left = selectors.places_left_map(items)
    return page.paginator.count, [
        (
            a.pk,
            a.title,
            a.description,
            a.starts_at,
            a.mode,
            a.location,
            a.online_url,
            a.unit.name,
            a.type.code,
            a.type.name,
            left[a.pk],
        )
        for a in items
    ]


def _raw(where: str, params: list):
    """The best single statement for the same answer: the page, its count (a scalar
    subquery: computed once, the page still read in index order) and each row's confirmed
    registrations, in one round trip."""
    a, u, t, r = (
        Activity._meta.db_table,
        Unit._meta.db_table,
        ActivityType._meta.db_table,
        "activities_registration",
    )
    matches = (
        f"FROM {a} a JOIN {u} u ON u.id = a.unit_id JOIN {t} t ON t.id = a.type_id "
        f"WHERE a.public AND NOT a.cancelled {where}"
    )
    # The count joins the units only to filter on their path (an uncorrelated subquery:
    # its aliases are its own).
    joined = f"JOIN {u} u ON u.id = a.unit_id " if "u." in where else ""
    counted = f"FROM {a} a {joined}WHERE a.public AND NOT a.cancelled {where}"
    sql = (
        "WITH page AS ("
        "SELECT a.id, a.title, a.description, a.starts_at, a.mode, a.location, a.online_url, "
        "a.capacity, u.name AS unit_name, t.code AS type_code, t.name AS type_name, "
        f"(SELECT COUNT(*) {counted}) AS total "
        f"{matches} ORDER BY a.starts_at, a.id LIMIT {PAGE}) "
        "SELECT p.*, CASE WHEN p.capacity IS NULL THEN NULL ELSE "
        f"(SELECT COUNT(*) FROM {r} g WHERE g.activity_id = p.id AND g.state = 'confirmed') END "
        "FROM page p ORDER BY p.starts_at, p.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *params])  # the count, then the page
        rows = cursor.fetchall()
    to_datetime = _datetime_reader()
    return (rows[0][11] if rows else 0), [
        (
            i,
            title,
            text,
            to_datetime(starts),
            mode,
            place,
            url,
            unit,
            code,
            kind,
            None if cap is None else max(0, cap - taken),
        )
        for i, title, text, starts, mode, place, url, cap, unit, code, kind, _n, taken in rows
    ]


def _datetime_reader():
    """Raw rows hold what the driver returns (SQLite: naive UTC datetimes)."""
    from datetime import UTC

    def read(value):
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)

    return read


def calendar_search(ctx) -> list[Row]:
    w = _world(ctx)
    q = "tin hoc co ban cao tuoi"
    words = re.sub(r"[^\w]+", " ", fold(q)).split()
    like = " AND ".join(["a.search_text LIKE %s"] * len(words))
    params = [f"% {word} %" for word in words[:-1]] + [f"% {words[-1]}%"]
    ours_result = same(_ours(q=q), _raw(f"AND {like}", params), "calendar search")
    ours = best_of(lambda: _ours(q=q))
    floor = best_of(lambda: _raw(f"AND {like}", params))
    return [
        Row(
            f"public calendar: search «{q}» ({w['total']:,} activities)",
            ours,
            floor,
            target=2,
            budget_ms=100,
            note=f"{ours_result[0]:,} found; results compared in full",
        )
    ]


def calendar_listing(ctx) -> list[Row]:
    w = _world(ctx)
    province = w["provinces"][7]
    day = w["campaign"].starts_on + timedelta(days=2)
    tz = timezone.get_current_timezone()
    lo = datetime.combine(day, datetime.min.time(), tzinfo=tz)
    hi = datetime.combine(day, datetime.max.time(), tzinfo=tz)
    filters = {"unit": province, "online_only": True, "day_from": day, "day_to": day}
    if connection.vendor == "postgresql":
        subtree, subtree_params = "u.path LIKE %s", [province.path + "%"]
    else:
        subtree, subtree_params = (
            "u.path >= %s AND u.path < %s",
            [province.path, province.path + "["],
        )
    where = (
        f"AND {subtree} AND a.mode IN ('online', 'hybrid') "
        "AND a.ends_at >= %s AND a.starts_at <= %s"
    )
    adapt = connection.ops.adapt_datetimefield_value
    params = [*subtree_params, adapt(lo), adapt(hi)]
    ours_result = same(_ours(**filters), _raw(where, params), "calendar province filter")
    same(_ours(), _raw("", []), "calendar, everything")
    plain_ours = best_of(lambda: _ours())
    plain_floor = best_of(lambda: _raw("", []))
    return [
        Row(
            "public calendar: province + online + day, page 1",
            best_of(lambda: _ours(**filters)),
            best_of(lambda: _raw(where, params)),
            target=2,
            budget_ms=100,
            note=f"{ours_result[0]:,} found; results compared in full",
        ),
        Row(
            "public calendar: everything, page 1",
            plain_ours,
            plain_floor,
            target=2,
            budget_ms=100,
            note="results compared in full",
        ),
    ]


def registration_race(ctx) -> list[Row]:
    """200 clients register for one activity of capacity 50 at the same moment (PostgreSQL)."""
    if ctx.vendor != "postgresql":
        return [Row("registration race 200 → capacity 50", 0.0, note="PostgreSQL only (skipped)")]
    w = _world(ctx)
    starts = timezone.now() + timedelta(days=40)
    activity = Activity.objects.create(
        campaign=w["campaign"],
        unit=w["communes"][0],
        type=ActivityType.objects.filter(campaign=w["campaign"]).first(),
        title="Lớp đông người",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        mode=Mode.IN_PERSON,
        location="Sân",
        capacity=50,
        public=True,
    )
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        max_conn = int(cursor.fetchone()[0])
        cursor.execute("SELECT COUNT(*) FROM pg_stat_activity")
        used = int(cursor.fetchone()[0])
    clients = 200
    # Each thread opens its own connection; the server's max_connections caps how many
    # can be open at once, so at most `slots` threads hold a connection simultaneously.
    slots = max(10, min(clients, max_conn - used - 15))
    gate = threading.BoundedSemaphore(slots)
    barrier = threading.Barrier(clients)
    accepted, refused, errors = [], [], []

    def one(i):
        barrier.wait()
        with gate:
            try:
                services.registration_create(
                    activity=activity, full_name=f"Người {i}", phone=f"09{i:08d}", consent=True
                )
                accepted.append(i)
            except Conflict:
                refused.append(i)
            except Exception as exc:  # noqa: BLE001 - reported as a failure below
                errors.append(repr(exc))
            finally:
                connections.close_all()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    confirmed = activity.registrations.filter(state="confirmed").count()
    ok = len(accepted) == 50 and confirmed == 50 and len(refused) == 150 and not errors
    note = (
        f"{'OK' if ok else 'FAIL'}: accepted {len(accepted)}, refused {len(refused)}, "
        f"errors {len(errors)}, confirmed in DB {confirmed}; {slots} connections at once "
        f"(max_connections {max_conn})"
    )
    if errors:
        ctx.out("  errors: " + "; ".join(errors[:3]))
    return [Row("registration race 200 → capacity 50 (PostgreSQL)", elapsed, note=note)]


BENCHMARKS = [calendar_search, calendar_listing, registration_race]
