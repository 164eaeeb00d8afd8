"""Incremental updates of the reporting tree equal a full rebuild (random-ish scenarios):
issued plans, an office's moves, administrative moves, a unit created after the build."""

import random
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lantoa.accounts.models import User
from lantoa.campaigns.models import ReportingDeadline
from lantoa.campaigns.services import campaign_create
from lantoa.core.errors import Conflict
from lantoa.documents.models import Document, DocumentRecipient
from lantoa.reports.lines.incremental import tree_snapshot
from lantoa.reports.lines.services import (
    campaign_close,
    reporting_parent_set,
    reporting_tree_build,
    reporting_tree_on_issue,
    rollup_check,
)
from lantoa.reports.models import ReportingNode
from lantoa.reports.tests.factories import Tree, put_report
from lantoa.units.models import Unit
from lantoa.units.services import unit_create, unit_move

YEAR = 2032


def _child(parent, **fields):
    return Unit.objects.add_child(Unit.objects.get(pk=parent.pk), instance=Unit(**fields))


def _world(rng: random.Random) -> Tree:
    """bo → 3 provinces, each: a Sở, 2 districts (Phòng GDĐT, 2 communes with 3 schools and a
    centre each); deadlines at the root and on some provinces; random reports."""
    t = Tree()
    t.units["bo"] = Unit.objects.add_root(instance=Unit(name="Bộ (gia tăng)", kind="bo_gddt"))
    for p in range(3):
        tinh = t.units[f"tinh{p}"] = _child(t["bo"], name=f"Tỉnh {p}", kind="ubnd_tinh")
        t.units[f"so{p}"] = _child(tinh, name=f"Sở GDĐT {p}", kind="so_gddt")
        for d in range(2):
            huyen = t.units[f"huyen{p}{d}"] = _child(tinh, name=f"Huyện {p}{d}", kind="ubnd_huyen")
            t.units[f"phong{p}{d}"] = _child(huyen, name=f"Phòng {p}{d}", kind="phong_gddt")
            for x in range(2):
                xa = t.units[f"xa{p}{d}{x}"] = _child(huyen, name=f"Xã {p}{d}{x}", kind="ubnd_xa")
                t.units[f"htcd{p}{d}{x}"] = _child(xa, name=f"HTCĐ {p}{d}{x}", kind="tt_htcd")
                for k in range(3):
                    t.units[f"th{p}{d}{x}{k}"] = _child(
                        xa, name=f"Trường {p}{d}{x}{k}", kind="truong_th"
                    )
    t.campaign = campaign_create(
        year=YEAR,
        title=f"Tuần lễ {YEAR}",
        theme="Gia tăng",
        starts_on=date(YEAR, 10, 1),
        ends_on=date(YEAR, 10, 7),
        owner_unit=t["bo"],
    )
    ReportingDeadline.objects.create(campaign=t.campaign, unit=t["bo"], due_on=date(YEAR, 10, 30))
    ReportingDeadline.objects.create(
        campaign=t.campaign, unit=t["tinh1"], due_on=date(YEAR, 10, 20), kinds=["truong_th"]
    )
    for key in rng.sample(sorted(t.units), 30):
        state = rng.choice(["submitted", "accepted", "draft", "returned"])
        put_report(t, key, state, {"lop_hoc": rng.randint(1, 9), "nguoi_hoc": rng.randint(0, 90)})
    reporting_tree_build(campaign=t.campaign)
    return t


def _plan(t: Tree, issuer, area, recipients, *, number: int, due=None, report_to=None, **kw):
    """An issued plan (rows only; the caller announces it as the issue service does)."""
    doc = Document.objects.create(
        campaign=t.campaign,
        kind=kw.get("kind", "ke_hoach"),
        state="issued",
        issuer_unit=issuer,
        drafting_unit=issuer,
        subject="Kế hoạch (gia tăng)",
        year=YEAR,
        number=number,
        symbol="KH",
        issued_on=kw.get("issued_on", date(YEAR, 9, 1)),
        area_path=Unit.objects.get(pk=area.pk).path,
        report_due_on=due,
        report_to_unit=report_to,
    )
    DocumentRecipient.objects.bulk_create(
        DocumentRecipient(document=doc, unit=u, position=i) for i, u in enumerate(recipients)
    )
    return doc


def _issue(t: Tree, rng: random.Random, number: int) -> None:
    """An issued plan from an office to some units of its area (the issue service's effect)."""
    p = rng.randrange(3)
    issuer, area = rng.choice(
        [
            (t[f"so{p}"], t[f"tinh{p}"]),
            (t[f"phong{p}0"], t[f"huyen{p}0"]),
            (t[f"tinh{p}"], t[f"tinh{p}"]),
        ]
    )
    inside = [u for u in t.units.values() if u.pk != issuer.pk]
    inside = [
        u
        for u in Unit.objects.filter(pk__in=[u.pk for u in inside])
        if u.path.startswith(area.path)
    ]
    recipients = rng.sample(inside, min(len(inside), rng.randint(1, 6)))
    due = rng.choice([None, date(YEAR, 10, 10 + number % 9)])
    report_to = rng.choice([None, None, t[f"so{p}"]]) if issuer.pk != t[f"so{p}"].pk else None
    doc = _plan(
        t,
        issuer,
        area,
        recipients,
        number=number,
        due=due,
        report_to=report_to,
        kind=rng.choice(["ke_hoach", "cong_van"]),
        issued_on=date(YEAR, 9, 1 + number % 20),
    )
    if due:
        ReportingDeadline.objects.update_or_create(
            campaign=t.campaign, unit=area, defaults={"due_on": due, "kinds": []}
        )
    reporting_tree_on_issue(document=doc)


def _office_move(t: Tree, rng: random.Random, user) -> None:
    nodes = list(ReportingNode.objects.filter(campaign=t.campaign, depth__gt=1))
    node = rng.choice(nodes)
    target = rng.choice([n for n in nodes if not n.path.startswith(node.path)])
    try:
        reporting_parent_set(
            campaign=t.campaign,
            unit=Unit.objects.get(pk=node.unit_id),
            reports_to=Unit.objects.get(pk=target.unit_id),
            reason="Điều chỉnh thử",
            user=user,
        )
    except ValidationError:
        pass


def _admin_move(t: Tree, rng: random.Random) -> None:
    key = rng.choice([k for k in t.units if k.startswith(("th", "htcd", "xa", "phong", "huyen"))])
    unit = Unit.objects.get(pk=t[key].pk)
    parents = [
        u
        for u in Unit.objects.filter(kind__in=["ubnd_xa", "ubnd_huyen", "ubnd_tinh"])
        if u.path.startswith(t["bo"].path)
    ]
    try:
        unit_move(unit=unit, new_parent=rng.choice(parents), version=None)
    except ValidationError:
        pass


def _new_unit(t: Tree, rng: random.Random, n: int) -> None:
    parent = Unit.objects.get(pk=t[f"xa{rng.randrange(3)}{rng.randrange(2)}{rng.randrange(2)}"].pk)
    unit = unit_create(parent=parent, name=f"Trường mới {n}", kind="truong_th")
    t.units[f"moi{n}"] = unit
    put_report(t, f"moi{n}", "submitted", {"lop_hoc": 4, "nguoi_hoc": n})


def _same_as_full_rebuild(t: Tree, step: str) -> None:
    incremental = tree_snapshot(t.campaign)
    assert rollup_check(campaign=t.campaign) == [], step
    reporting_tree_build(campaign=t.campaign)
    full = tree_snapshot(t.campaign)
    assert incremental[0] == full[0], f"{step}: nodes differ from a full rebuild"
    assert incremental[1] == full[1], f"{step}: totals differ from a full rebuild"


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_incremental_equals_full_rebuild(db, seed):
    rng = random.Random(seed)
    t = _world(rng)
    user = User.objects.create_superuser("gia.tang", "g@lantoa.local", None)
    for n in range(1, 13):
        op = rng.choice(["issue", "issue", "office", "admin", "new"])
        if op == "issue":
            _issue(t, rng, n)
        elif op == "office":
            _office_move(t, rng, user)
        elif op == "admin":
            _admin_move(t, rng)
        else:
            _new_unit(t, rng, n)
        _same_as_full_rebuild(t, f"seed {seed} step {n} ({op})")


def test_a_plan_to_one_district_touches_only_its_part(db):
    rng = random.Random(7)
    t = _world(rng)
    other = ReportingNode.objects.filter(campaign=t.campaign, unit=t["th1000"]).get()
    schools = [t[f"th00{x}{k}"] for x in range(2) for k in range(3)]
    doc = _plan(t, t["phong00"], t["huyen00"], schools, number=1, due=date(YEAR, 10, 15))
    ReportingDeadline.objects.create(
        campaign=t.campaign, unit=t["huyen00"], due_on=date(YEAR, 10, 15)
    )
    reporting_tree_on_issue(document=doc)
    nodes = ReportingNode.objects.filter(campaign=t.campaign, unit__in=schools)
    assert {n.parent_unit_id for n in nodes} == {t["phong00"].pk}
    assert {n.due_on for n in nodes} == {date(YEAR, 10, 15)}
    # Another province's node is not rewritten (same row, same values).
    assert ReportingNode.objects.get(pk=other.pk).path == other.path
    _same_as_full_rebuild(t, "district plan")


def test_incremental_update_runs_a_fixed_number_of_queries(db):
    """The same statements whatever the size of the touched part (no loop over units)."""
    rng = random.Random(8)
    t = _world(rng)

    def move_count(unit_key: str, parent_key: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            unit_move(
                unit=Unit.objects.get(pk=t[unit_key].pk), new_parent=t[parent_key], version=None
            )
        return len(ctx)

    small = move_count("th0000", "xa001")  # one school
    large = move_count("huyen01", "tinh2")  # a district: 2 communes, 6 schools, 2 centres…
    assert small == large
    _same_as_full_rebuild(t, "two moves")


def test_a_closed_campaign_never_changes(db):
    rng = random.Random(9)
    t = _world(rng)
    admin = User.objects.create_superuser("khoa.so", "k@lantoa.local", None)
    campaign_close(campaign=t.campaign, user=admin, closed_on=date(YEAR, 11, 30))
    before = tree_snapshot(t.campaign)
    unit_move(unit=Unit.objects.get(pk=t["huyen00"].pk), new_parent=t["tinh2"], version=None)
    _issue(t, rng, 99)
    assert tree_snapshot(t.campaign) == before
    with pytest.raises(Conflict):
        reporting_parent_set(
            campaign=t.campaign, unit=t["xa000"], reports_to=t["so0"], reason="Thử khóa", user=admin
        )
    assert tree_snapshot(t.campaign) == before


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_plans_a_move_and_submissions_at_once(db):
    """Two plans issued, a district moved and schools submitting at the same moment: the
    campaign lock serialises the tree updates, the report locks keep every submission."""
    import threading

    from django.db import connections, transaction

    from lantoa.accounts.models import Membership
    from lantoa.reports.admin_totals import admin_totals_build
    from lantoa.reports.models import Report
    from lantoa.reports.services import report_save, report_submit

    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers: PostgreSQL only (SQLite serialises them)")
    rng = random.Random(11)
    t = _world(rng)
    schools = [k for k in sorted(t.units) if k.startswith("th") and k[2] in "02"][:8]
    drafts = []
    for i, key in enumerate(schools):
        user = User.objects.create_user(username=f"dua{i}", password="x")
        Membership.objects.create(user=user, unit=t[key], role="editor")
        report = Report.objects.filter(campaign=t.campaign, unit=t[key]).first()
        if report is None or report.state not in ("draft", "returned"):
            Report.objects.filter(campaign=t.campaign, unit=t[key]).delete()
            reporting_tree_build(campaign=t.campaign)
            admin_totals_build(campaign_id=t.campaign.pk)  # the deleted report's figures
            report = Report(campaign=t.campaign, unit=t[key], version=0)
        report = report_save(
            report=report, user=user, version=report.version, values={"lop_hoc": i + 1}
        )
        drafts.append((report.pk, user))
    docs = []
    for n, (issuer, area, keys) in enumerate(
        [
            (t["phong00"], t["huyen00"], ["th0000", "th0001", "xa001"]),
            (t["so2"], t["tinh2"], ["phong20", "xa210", "th2110"]),
        ],
        start=1,
    ):
        recipients = [t[k] for k in keys]
        doc = _plan(t, issuer, area, recipients, number=n, due=date(YEAR, 10, 14 + n))
        docs.append((doc, area))
    work = [("issue", d) for d in docs] + [("move", None)] + [("submit", d) for d in drafts]
    barrier = threading.Barrier(len(work))
    errors: list[Exception] = []

    def run(kind, arg) -> None:
        try:
            barrier.wait()
            if kind == "issue":
                doc, area = arg
                with transaction.atomic():
                    ReportingDeadline.objects.update_or_create(
                        campaign=t.campaign, unit=area, defaults={"due_on": doc.report_due_on}
                    )
                    reporting_tree_on_issue(document=doc)
            elif kind == "move":
                unit_move(
                    unit=Unit.objects.get(pk=t["huyen10"].pk), new_parent=t["tinh0"], version=None
                )
            else:
                report_id, user = arg
                report = Report.objects.select_related("campaign", "unit").get(pk=report_id)
                report_submit(report=report, user=user, now=None)
        except Exception as exc:  # noqa: BLE001 — any error fails the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=w) for w in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Report.objects.filter(pk__in=[d[0] for d in drafts], state="submitted").count() == len(
        drafts
    )
    _same_as_full_rebuild(t, "concurrent")


def test_a_restructuring_sheet_updates_open_trees_once(db):
    """The sheet's moves are announced once (units.paths.units_moved, all moved units): the
    open campaign's tree equals a full rebuild afterwards."""

    from lantoa.core.tests.sheets import xlsx
    from lantoa.units.restructuring import HEADERS, units_restructure

    rng = random.Random(12)
    t = _world(rng)
    for key in ("th0000", "th0001", "xa010", "huyen11", "xa200", "tinh0", "tinh2", "huyen20"):
        Unit.objects.filter(pk=t[key].pk).update(code=f"K-{key}")
    upload = xlsx(
        [
            HEADERS,
            ["K-th0000", "K-xa200", "", "", ""],
            ["K-th0001", "K-xa010", "", "", ""],
            ["K-xa010", "K-huyen20", "", "", ""],  # with the school just moved into it
            ["K-huyen11", "K-tinh0", "", "", ""],
        ]
    )
    units_restructure(root=Unit.objects.get(pk=t["bo"].pk), upload=upload)
    node = ReportingNode.objects.get(campaign=t.campaign, unit=t["th0001"])
    assert node.admin_parent_id == t["xa010"].pk
    _same_as_full_rebuild(t, "restructuring sheet")
