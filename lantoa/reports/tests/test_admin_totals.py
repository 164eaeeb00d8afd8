"""Administrative subtree totals (``AdminTotal``) and year over year read from them.

After every step of the scenarios below the stored totals equal a recomputation from the
values (``admin_totals_check``, part of ``rollup_check``) and ``year_over_year`` equals the
raw sum over the values (``year_over_year_raw``) for every unit: the demo (the 2025 reform,
splits with shares, merges) and random reports, reviews, moves, closures and a
restructuring sheet."""

import random
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lantoa.accounts.models import Membership, Role, User
from lantoa.accounts.services import membership_set
from lantoa.campaigns.models import Campaign, ReportingDeadline
from lantoa.campaigns.services import campaign_create
from lantoa.core import prepared
from lantoa.core.errors import Conflict
from lantoa.notifications.tests.factories import local, make_campaign, set_deadline, submit
from lantoa.reports import admin_totals
from lantoa.reports.admin_totals import admin_totals_build, admin_totals_check
from lantoa.reports.dashboards.selectors import year_over_year, year_over_year_raw
from lantoa.reports.lines.services import rollup_check
from lantoa.reports.models import AdminTotal, Report, ReportState
from lantoa.reports.selectors import report_get_for_user
from lantoa.reports.services import (
    report_accept,
    report_reopen,
    report_return,
    report_save,
    report_submit,
)
from lantoa.units.models import Unit
from lantoa.units.services import unit_close, unit_move


def _all_agree(step: str) -> None:
    for campaign_id in Campaign.objects.values_list("pk", flat=True):
        assert admin_totals_check(campaign_id=campaign_id) == [], step
    for unit in Unit.objects.order_by("path"):
        assert year_over_year(unit=unit) == year_over_year_raw(unit=unit), f"{step}: {unit}"


def _stored() -> dict:
    sums: dict = {}
    for campaign_id, unit_id, code, value, entries in AdminTotal.objects.values_list(
        "campaign_id", "unit_id", "code", "value", "entries"
    ):
        cell = sums.setdefault((campaign_id, unit_id, code), [0, 0])
        cell[0] += value
        cell[1] += entries
    return {key: tuple(cell) for key, cell in sums.items() if cell != [0, 0]}


# ---- the demo ------------------------------------------------------------------------------


PAST_DUE = date(2024, 10, 12)


@pytest.mark.django_db
def test_demo_year_over_year_equals_the_raw_sum(demo):
    """The demo after the 2025 reform (units moved under the new wards), a 2024 Week, then
    a school split by shares and one merged whole: the same figures from the totals as from
    the values, for every unit, including the offices of phuongmoi.bode, so.hanoi, bo.gddt."""
    u = demo.units
    week = make_campaign(demo, 2024)
    set_deadline(week, u["ubnd_hanoi"], PAST_DUE)
    for key, username in (("mn_hoasua", "mn.hoasua"), ("th_giathuy", "th.giathuy")):
        if username not in demo.users:
            user = User.objects.create_user(username, password="hoctapsuotdoi")
            membership_set(user=user, unit=u[key], role=Role.EDITOR)
            demo.users[username] = user
    submit(demo, "mn.hoasua", "mn_hoasua", week, {"lop_hoc": 3, "nguoi_hoc": 91}, PAST_DUE)
    submit(demo, "th.giathuy", "th_giathuy", week, {"lop_hoc": 2, "nguoi_hoc": 0}, PAST_DUE)
    submit(demo, "phuong.bode", "ward_bode", week, {"lop_hoc": 7}, PAST_DUE)
    _all_agree("demo after the reform")
    unit_close(
        unit=Unit.objects.get(pk=u["mn_hoasua"].pk),
        valid_to=date(2026, 6, 30),
        successors=[(u["new_bode"], Decimal("0.6")), (u["new_viethung"], Decimal("0.4"))],
    )
    unit_close(
        unit=Unit.objects.get(pk=u["th_giathuy"].pk),
        valid_to=date(2026, 6, 30),
        successors=[(u["new_phucloi"], None)],
    )
    _all_agree("a split with shares and a merge")
    offices = {
        m.user.username: m.unit
        for m in Membership.objects.select_related("user", "unit").filter(
            user__username__in=["phuongmoi.bode", "so.hanoi", "bo.gddt"]
        )
    }
    assert set(offices) == {"phuongmoi.bode", "so.hanoi", "bo.gddt"}
    for username, unit in offices.items():
        ours = year_over_year(unit=unit)
        assert ours == year_over_year_raw(unit=unit), username
        # The Sở GDĐT is a leaf of the administrative tree: nothing below it.
        assert bool(ours["rows"]) == (username != "so.hanoi"), username
    bode = year_over_year(unit=u["new_bode"])
    column = [c.year for c in bode["campaigns"]].index(2024)
    values = {r["code"]: r["values"][column] for r in bode["rows"]}
    assert values["nguoi_hoc"] == 55  # 0,6 × 91 = 54,6 → 55, rounded as the raw sum rounds
    # A figure reported as 0 is a figure (TH Gia Thụy's learners, merged into Phúc Lợi).
    phucloi = year_over_year(unit=u["new_phucloi"])
    values = {r["code"]: r["values"][column] for r in phucloi["rows"]}
    assert values["nguoi_hoc"] == 0
    assert rollup_check(campaign=week) == []


@pytest.mark.django_db
def test_year_over_year_reads_a_fixed_number_of_queries(demo):
    counts = {}
    for key in ("bo", "ubnd_hanoi", "new_bode", "thcs_ngoclam"):
        with CaptureQueriesContext(connection) as queries:
            year_over_year(unit=demo.units[key])
        counts[key] = len(queries)
    assert set(counts.values()) == {4}, counts


@pytest.mark.django_db
def test_a_submission_writes_the_ancestors_in_one_statement(demo):
    """One upsert for every ancestor and code; the national and provincial rows are sharded."""
    u = demo.units
    week = make_campaign(demo, 2024)
    set_deadline(week, u["ubnd_hanoi"], PAST_DUE)
    with CaptureQueriesContext(connection) as queries:
        submit(demo, "phuong.bode", "ward_bode", week, {"lop_hoc": 7}, PAST_DUE)
    # Prepared on PostgreSQL: the session's first run names the table, later ones the statement.
    name = prepared.statement_name(admin_totals._apply_sql())
    writes = [q["sql"] for q in queries if "reports_admintotal" in q["sql"] or name in q["sql"]]
    assert len(writes) == 1
    ward = Unit.objects.get(pk=u["ward_bode"].pk)
    rows = AdminTotal.objects.filter(campaign=week, code="lop_hoc")
    ancestors = set(
        Unit.objects.filter(
            path__in=[ward.path[:end] for end in range(4, len(ward.path), 4)]
        ).values_list("pk", flat=True)
    )
    assert len(ancestors) == ward.depth - 1
    assert {r.unit_id for r in rows} == ancestors
    assert all(r.value == 7 and r.entries == 1 for r in rows)
    assert {r.shard for r in rows if r.unit.depth <= 2} == {ward.pk % 8}
    assert {r.shard for r in rows if r.unit.depth > 2} == {0}


@pytest.mark.django_db
def test_rollup_check_finds_a_wrong_administrative_total(demo):
    u = demo.units
    week = make_campaign(demo, 2024)
    set_deadline(week, u["ubnd_hanoi"], PAST_DUE)
    submit(demo, "phuong.bode", "ward_bode", week, {"lop_hoc": 7}, PAST_DUE)
    assert rollup_check(campaign=week) == []
    AdminTotal.objects.filter(campaign=week, unit=u["ubnd_hanoi"], code="lop_hoc").update(value=8)
    problems = rollup_check(campaign=week)
    assert len(problems) == 1 and "stored 8" in problems[0] and "recomputed 7" in problems[0]


@pytest.mark.django_db
def test_the_build_equals_the_kept_totals(demo):
    before = _stored()
    assert before  # the demo's Weeks were submitted through the services
    admin_totals_build()
    assert _stored() == before


# ---- random scenarios ------------------------------------------------------------------------

CODES = ("lop_hoc", "nguoi_hoc", "budget_state")


def _child(parent: Unit, **fields) -> Unit:
    return Unit.objects.add_child(Unit.objects.get(pk=parent.pk), instance=Unit(**fields))


def _world() -> tuple[User, list[Campaign]]:
    """bo → 2 provinces → 2 districts → 2 communes → 3 schools; two Weeks; one user who
    writes and reviews every unit's report."""
    bo = Unit.objects.add_root(instance=Unit(name="Bộ (tổng cây)", kind="bo_gddt"))
    for p in range(2):
        tinh = _child(bo, name=f"Tỉnh {p}", kind="ubnd_tinh", code=f"T{p}")
        for d in range(2):
            huyen = _child(tinh, name=f"Huyện {p}{d}", kind="ubnd_huyen", code=f"H{p}{d}")
            for x in range(2):
                xa = _child(huyen, name=f"Xã {p}{d}{x}", kind="ubnd_xa", code=f"X{p}{d}{x}")
                for k in range(3):
                    _child(xa, name=f"Trường {p}{d}{x}{k}", kind="truong_th", code=f"S{p}{d}{x}{k}")
    user = User.objects.create_user("tong.cay", password="hoctapsuotdoi")
    for unit in Unit.objects.all():
        membership_set(user=user, unit=unit, role=Role.APPROVER)
    campaigns = []
    for year in (2030, 2031):
        campaign = campaign_create(
            year=year,
            title=f"Tuần lễ {year}",
            theme="Tổng cây",
            starts_on=date(year, 10, 1),
            ends_on=date(year, 10, 7),
            owner_unit=bo,
        )
        ReportingDeadline.objects.create(campaign=campaign, unit=bo, due_on=date(year, 10, 30))
        campaigns.append(campaign)
    return user, campaigns


def _report_step(rng: random.Random, user: User, campaigns: list[Campaign]) -> str:
    campaign = rng.choice(campaigns)
    # The ministry's own report has nobody above to review it.
    unit = rng.choice(list(Unit.objects.filter(valid_to__isnull=True, depth__gt=1)))
    report = report_get_for_user(user, campaign.pk, unit.pk)
    now = date(campaign.year, 10, 10)
    try:
        if report.state in (ReportState.DRAFT, ReportState.RETURNED):
            codes = rng.sample(CODES[:2], rng.randint(1, 2))
            values = {code: rng.choice([0, rng.randint(1, 99)]) for code in codes}
            budget = rng.choice([None, rng.randint(0, 10**6)])
            report = report_save(
                report=report,
                user=user,
                version=report.version,
                values=values,
                budget_state=budget,
            )
            if rng.random() < 0.8:
                report_submit(report=report, user=user, now=local(now))
            return f"save/submit {unit}"
        if report.state == ReportState.SUBMITTED:
            if rng.random() < 0.5:
                report_accept(report=report, user=user)
                return f"accept {unit}"
            report_return(report=report, user=user, reason="Bổ sung số liệu")
            return f"return {unit}"
        report_reopen(report=report, user=user, reason="Mở lại để sửa")
        return f"reopen {unit}"
    except (ValidationError, Conflict) as exc:
        return f"refused {unit}: {exc}"


def _move_step(rng: random.Random) -> str:
    unit = rng.choice(list(Unit.objects.filter(depth__gt=2, valid_to__isnull=True)))
    parents = [
        p
        for p in Unit.objects.filter(depth__lt=unit.depth, valid_to__isnull=True)
        if not p.path.startswith(unit.path)
    ]
    parent = rng.choice(parents)
    try:
        unit_move(unit=unit, new_parent=parent, version=None)
    except ValidationError:
        return f"move refused {unit}"
    return f"move {unit} under {parent}"


def _close_step(rng: random.Random) -> str:
    open_units = list(Unit.objects.filter(depth__gt=2, valid_to__isnull=True))
    unit = rng.choice(open_units)
    others = [u for u in open_units if not u.path.startswith(unit.path)]
    if len(others) < 2:
        return "no close"
    a, b = rng.sample(others, 2)
    share = Decimal(rng.choice(["0.3", "0.5", "0.75"]))
    successors = rng.choice([[(a, share), (b, 1 - share)], [(a, None)]])
    try:
        unit_close(unit=unit, valid_to=date(2032, 1, 1), successors=successors)
    except (ValidationError, Conflict):
        return f"close refused {unit}"
    return f"close {unit} → {[s.name for s, _ in successors]}"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_reports_moves_and_closures(db, seed):
    rng = random.Random(seed)
    user, campaigns = _world()
    for n in range(30):
        op = rng.choice(["report"] * 5 + ["move", "move", "close"])
        if op == "report":
            step = _report_step(rng, user, campaigns)
        elif op == "move":
            step = _move_step(rng)
        else:
            step = _close_step(rng)
        if op != "report" or n % 5 == 4:
            _all_agree(f"seed {seed} step {n}: {step}")
    _all_agree(f"seed {seed} at the end")
    assert Report.objects.filter(state__in=["submitted", "accepted"]).exists()


def test_a_restructuring_sheet_with_moves_inside_moves(db):
    """A sheet moves a school into a commune that it moves too, a district to the other
    province and a commune out of that district: each part leaves and joins its ancestors
    once, in every Week."""
    from lantoa.core.tests.sheets import xlsx
    from lantoa.units.restructuring import HEADERS, units_restructure

    rng = random.Random(5)
    user, campaigns = _world()
    for _ in range(40):
        _report_step(rng, user, campaigns)
    _all_agree("before the sheet")
    upload = xlsx(
        [
            HEADERS,
            ["S0000", "X100", "", "", ""],
            ["S0001", "X001", "", "", ""],
            ["X001", "H11", "", "", ""],  # with the school just moved into it
            ["H01", "T1", "", "", ""],
            ["X010", "H00", "", "", ""],  # out of the district moved above
        ]
    )
    bo = Unit.objects.get(depth=1, name="Bộ (tổng cây)")
    units_restructure(root=bo, upload=upload)
    school = Unit.objects.get(code="S0001")
    assert school.path.startswith(Unit.objects.get(code="H11").path)
    _all_agree("after the sheet")


def test_values_of_a_week_follow_a_move_in_every_campaign(db):
    """A district moved to the other province takes its figures of both Weeks along."""
    rng = random.Random(9)
    user, campaigns = _world()
    for _ in range(60):
        _report_step(rng, user, campaigns)
    district, target = Unit.objects.get(code="H00"), Unit.objects.get(code="T1")
    before = year_over_year_raw(unit=district)
    assert before["rows"]
    unit_move(unit=district, new_parent=target, version=None)
    assert year_over_year(unit=target) == year_over_year_raw(unit=target)
    assert year_over_year(unit=Unit.objects.get(code="H00")) == before
    _all_agree("after the move")
