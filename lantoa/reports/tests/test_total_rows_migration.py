"""Migration 0006 folds the per-code node total rows into one row per (node, shard)."""

import json
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("reports", "0005_admin_totals")]
AFTER = [("reports", "0006_reporting_total_rows")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_per_code_rows_are_folded_into_one_row_per_shard():
    old = _migrate(BEFORE)
    Unit = old.get_model("units", "Unit")
    Campaign = old.get_model("campaigns", "Campaign")
    Total = old.get_model("reports", "ReportingTotal")
    bo = Unit.objects.create(name="Bộ GDĐT", kind="bo_gddt", path="0001", depth=1)
    tinh = Unit.objects.create(name="UBND tỉnh", kind="ubnd_tinh", path="00010001", depth=2)
    campaign = Campaign.objects.create(
        year=2023,
        title="Tuần lễ 2023",
        theme="Học tập suốt đời",
        starts_on=date(2023, 10, 1),
        ends_on=date(2023, 10, 7),
        owner_unit=bo,
    )
    Total.objects.bulk_create(
        [
            Total(campaign=campaign, unit=bo, shard=0, code="lop_hoc", value=5),
            Total(campaign=campaign, unit=bo, shard=0, code="#expected", value=3),
            Total(campaign=campaign, unit=bo, shard=0, code="nguoi_hoc", value=0),
            Total(campaign=campaign, unit=bo, shard=3, code="lop_hoc", value=2),
            Total(campaign=campaign, unit=tinh, shard=0, code="lop_hoc", value=-1),
            Total(campaign=campaign, unit=tinh, shard=0, code="lop_hoc_2", value=7),
        ]
    )
    try:
        new = _migrate(AFTER)
        rows = {
            (r.unit_id, r.shard): json.loads(r.totals)
            for r in new.get_model("reports", "ReportingTotal").objects.all()
        }
        assert rows == {
            (bo.pk, 0): {"lop_hoc": 5, "#expected": 3},
            (bo.pk, 3): {"lop_hoc": 2},
            (tinh.pk, 0): {"lop_hoc": -1, "lop_hoc_2": 7},
        }
    finally:
        call_command("migrate", verbosity=0)
