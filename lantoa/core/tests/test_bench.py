"""The bench framework's rules (the full run is `lantoa bench --scale 0.01` in ./test.sh)."""

import pytest

from lantoa.core.bench import BenchMismatch, Context, Row, format_rows, same


def test_each_module_gets_its_own_campaign_year():
    ctx = Context(scale=0.01)
    years = {ctx.year(m) for m in ("reports", "documents", "activities")}
    assert len(years) == 3
    assert ctx.year("reports") == ctx.year("reports")


def test_floor_must_give_the_same_full_result():
    assert same([(1, "a")], [(1, "a")], "x") == [(1, "a")]
    with pytest.raises(BenchMismatch, match="only ours \\[\\(2, 'b'\\)\\]"):
        same([(1, "a"), (2, "b")], [(1, "a"), (3, "c")], "rows")
    with pytest.raises(BenchMismatch):
        same({"total": 10}, {"total": 11}, "totals")  # same row count is not enough


def test_budget_is_judged_at_full_scale_only():
    fast_ratio = Row("x", ours=0.300, floor=0.250, target=1.5, budget_ms=200)
    fast_ratio.scale = 0.01
    assert fast_ratio.ok is True
    fast_ratio.scale = 1.0
    assert fast_ratio.ok is False  # 300 ms > 200 ms budget at national scale
    text = format_rows([fast_ratio])
    assert "≤200 ms" in text and "300.0" in text and "SLOW" in text


def test_bench_runs_again_on_a_kept_database(tmp_path):
    """`--keepdb` keeps the bench database after the run; a second run starts afresh
    instead of colliding with the first run's campaign years."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="lantoa.config.settings.base", LANTOA_DATA_DIR=str(tmp_path))
    cmd = [sys.executable, "-m", "lantoa", "bench", "--scale", "0.01"]
    cmd += ["--only", "reports_rollup", "--keepdb"]
    root = Path(__file__).resolve().parents[3]
    for run in (1, 2):
        done = subprocess.run(cmd, env=env, cwd=root, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"run {run}: {done.stderr[-2000:]}"
        assert "== Summary ==" in done.stdout and "national roll-up" in done.stdout
        assert (tmp_path / "bench.sqlite3").exists()  # kept


def test_timing_pauses_the_collector_and_restores_it():
    import gc

    from lantoa.core.bench import best_of, time_once

    seen = []
    assert gc.isenabled()
    assert time_once(lambda: seen.append(gc.isenabled())) >= 0
    assert seen == [False] and gc.isenabled()
    assert best_of(lambda: sum(range(1000)), repeat=3) > 0
    assert gc.isenabled()
