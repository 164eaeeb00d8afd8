"""The deadline surge: 50 units submit at the same moment; the node totals lose nothing
(every transition adds to its ancestors in its own transaction) and rollup_check agrees."""

import threading
from datetime import date

import pytest
from django.db import connection, connections

from lantoa.accounts.models import Membership, User
from lantoa.campaigns.models import ReportingDeadline
from lantoa.campaigns.services import campaign_create
from lantoa.reports.lines.selectors import completeness_by_line, rollup_by_line
from lantoa.reports.lines.services import reporting_tree_build, rollup_check
from lantoa.reports.models import Report
from lantoa.reports.selectors import report_get_for_user
from lantoa.reports.services import report_save, report_submit
from lantoa.units.models import Unit

CLIENTS = 50


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_submits_then_rollup_check_agrees():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers: PostgreSQL only (SQLite serialises them)")
    root = Unit.objects.add_root(instance=Unit(name="Bộ (đua)", kind="bo_gddt"))
    province = Unit.objects.add_child(root, instance=Unit(name="Tỉnh (đua)", kind="ubnd_tinh"))
    schools = [
        Unit.objects.add_child(province, instance=Unit(name=f"Trường {i}", kind="truong_th"))
        for i in range(CLIENTS)
    ]
    campaign = campaign_create(
        year=2031,
        title="Tuần lễ 2031",
        theme="Đua",
        starts_on=date(2031, 10, 1),
        ends_on=date(2031, 10, 7),
        owner_unit=root,
    )
    ReportingDeadline.objects.create(campaign=campaign, unit=root, due_on=date(2031, 10, 30))
    reporting_tree_build(campaign=campaign)
    reports = []
    for i, school in enumerate(schools):
        user = User.objects.create_user(username=f"truong{i}", password="x")
        Membership.objects.create(user=user, unit=school, role="editor")
        report = report_save(
            report=Report(campaign=campaign, unit=school, version=0),
            user=user,
            version=0,
            values={"lop_hoc": i + 1, "nguoi_hoc": 10},
        )
        reports.append((report.pk, user))

    barrier = threading.Barrier(CLIENTS)
    errors: list[Exception] = []

    def submit(report_id: int, user) -> None:
        try:
            report = Report.objects.select_related("campaign", "unit").get(pk=report_id)
            barrier.wait()
            report_submit(report=report, user=user, now=None)
        except Exception as exc:  # noqa: BLE001 — any error fails the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=r) for r in reports]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    totals = rollup_by_line(campaign=campaign, unit=root)["totals"]
    assert totals == {"lop_hoc": CLIENTS * (CLIENTS + 1) // 2, "nguoi_hoc": 10 * CLIENTS}
    assert completeness_by_line(campaign=campaign, unit=province)["submitted"] == CLIENTS
    assert rollup_check(campaign=campaign) == []


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_tree_rebuilt_while_units_submit_and_save():
    """Saves and submits share-lock the campaign; a rebuild of the reporting tree (an issued
    plan, a moved unit) locks it for update: it waits for them, they wait for it, nothing
    deadlocks and the node totals still agree with the values."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers: PostgreSQL only (SQLite serialises them)")
    root = Unit.objects.add_root(instance=Unit(name="Bộ (dựng lại)", kind="bo_gddt"))
    province = Unit.objects.add_child(root, instance=Unit(name="Tỉnh (dựng lại)", kind="ubnd_tinh"))
    campaign = campaign_create(
        year=2032,
        title="Tuần lễ 2032",
        theme="Dựng lại",
        starts_on=date(2032, 10, 1),
        ends_on=date(2032, 10, 7),
        owner_unit=root,
    )
    ReportingDeadline.objects.create(campaign=campaign, unit=root, due_on=date(2032, 10, 30))
    jobs = []
    for i in range(24):
        if i == 20:
            # Four units created after the tree: their submissions rebuild it.
            reporting_tree_build(campaign=campaign)
        school = Unit.objects.add_child(
            province, instance=Unit(name=f"Trường {i}", kind="truong_th")
        )
        user = User.objects.create_user(username=f"dung{i}", password="x")
        Membership.objects.create(user=user, unit=school, role="editor")
        report = report_save(
            report=Report(campaign=campaign, unit=school, version=0),
            user=user,
            version=0,
            values={"lop_hoc": i + 1},
        )
        jobs.append((report.pk, user))
    barrier = threading.Barrier(len(jobs) + 2)
    errors: list[Exception] = []

    def submit(report_id: int, user) -> None:
        try:
            unit_id = Report.objects.get(pk=report_id).unit_id
            report = report_get_for_user(user, campaign.pk, unit_id)  # as the API reads it
            barrier.wait()
            if report_id % 2 == 0:
                report = report_save(report=report, user=user, version=1, values={"lop_hoc": 100})
            report_submit(report=report, user=user)
        except Exception as exc:  # noqa: BLE001 — any error fails the test
            errors.append(exc)
        finally:
            connections.close_all()

    def rebuild() -> None:
        try:
            barrier.wait()
            for _ in range(3):
                reporting_tree_build(campaign=campaign)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=job) for job in jobs]
    threads += [threading.Thread(target=rebuild) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Report.objects.filter(campaign=campaign, state="submitted").count() == len(jobs)
    expected = sum(100 if pk % 2 == 0 else i + 1 for i, (pk, _) in enumerate(jobs))
    assert rollup_by_line(campaign=campaign, unit=root)["totals"] == {"lop_hoc": expected}
    assert rollup_check(campaign=campaign) == []
