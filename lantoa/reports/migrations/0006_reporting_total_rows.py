"""Node totals: one row per (campaign, node, shard) holding every code as a JSON object,
instead of one row per code (a roll-up fetches one row per reporting child; a transition
writes one row per ancestor); leaf nodes keep a row too (their own report), so a roll-up
reads every child the same way."""

import json
from collections import defaultdict

from django.db import migrations, models


def fold(apps, schema_editor):
    # The per-code rows folded into the first row of each (campaign, unit, shard); the
    # others deleted. Raw SQL on the table as it stands here (code, value and totals).
    connection = schema_editor.connection
    groups: dict[tuple, dict] = defaultdict(dict)
    first: dict[tuple, int] = {}
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id, campaign_id, unit_id, shard, code, value FROM reports_reportingtotal "
            "ORDER BY campaign_id, unit_id, shard, id"
        )
        for pk, campaign_id, unit_id, shard, code, value in cur.fetchall():
            key = (campaign_id, unit_id, shard)
            first.setdefault(key, pk)
            if value:
                groups[key][code] = groups[key].get(code, 0) + value
        keep = list(first.values())
        cur.executemany(
            "UPDATE reports_reportingtotal SET totals = %s WHERE id = %s",
            [(json.dumps(groups.get(key, {}), separators=(",", ":")), pk) for key, pk in first.items()],
        )
        cur.execute("SELECT id FROM reports_reportingtotal")
        drop = sorted(set(row[0] for row in cur.fetchall()) - set(keep))
        for start in range(0, len(drop), 500):
            chunk = drop[start : start + 500]
            cur.execute(
                "DELETE FROM reports_reportingtotal WHERE id IN (%s)" % ", ".join(["%s"] * len(chunk)),
                chunk,
            )


def leaf_rows(apps, schema_editor):
    # Set-based, from the values and reports (raw SQL on the tables as they stand here).
    from lantoa.reports.lines.services import leaf_totals_add

    leaf_totals_add()


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0005_admin_totals'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='reportingtotal',
            name='reporting_total_unique',
        ),
        migrations.RemoveIndex(
            model_name='reportingtotal',
            name='reporting_total_read',
        ),
        migrations.AddField(
            model_name='reportingtotal',
            name='totals',
            field=models.TextField(default='{}'),
        ),
        migrations.RunPython(fold, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='reportingtotal',
            name='code',
        ),
        migrations.RemoveField(
            model_name='reportingtotal',
            name='value',
        ),
        migrations.AddConstraint(
            model_name='reportingtotal',
            constraint=models.UniqueConstraint(fields=('campaign', 'unit', 'shard'), name='reporting_total_unique_shard'),
        ),
        migrations.RunPython(leaf_rows, migrations.RunPython.noop),
    ]
