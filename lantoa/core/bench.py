"""`lantoa bench`: performance goals as ratios against a floor measured in the same run.

Each app may have a ``bench.py`` with ``BENCHMARKS = [fn, ...]``; ``fn(ctx)`` builds what
it needs (once per run; ``ctx.cache`` is shared) and returns a list of ``Row``. A row's
ratio is our time divided by the floor's time (e.g. the same aggregate in raw SQL).
"""

import gc
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Row:
    name: str
    ours: float
    floor: float | None = None
    target: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.floor in (None, 0):
            return None
        return self.ours / self.floor

    @property
    def ok(self) -> bool | None:
        if self.target is None or self.ratio is None:
            return None
        return self.ratio <= self.target


@dataclass
class Context:
    scale: float = 1.0
    vendor: str = ""
    cache: dict = field(default_factory=dict)
    out: Callable[[str], None] = print


def best_of(fn: Callable[[], object], *, repeat: int = 5) -> float:
    """Best wall time of ``repeat`` runs (after one warm-up run)."""
    fn()
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def peak_memory(fn: Callable[[], object]) -> tuple[float, int]:
    """(seconds, peak traced bytes) of one run of ``fn``."""
    gc.collect()
    tracemalloc.start()
    start = time.perf_counter()
    try:
        fn()
        return time.perf_counter() - start, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def format_rows(rows: list[Row]) -> str:
    lines = [
        f"{'benchmark':<58} {'ours (ms)':>10} {'floor (ms)':>10} {'ratio':>7} {'target':>7}  result"
    ]
    for r in rows:
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else "—"
        floor = f"{r.floor * 1000:.1f}" if r.floor is not None else "—"
        target = f"≤{r.target:g}" if r.target is not None else ""
        verdict = {True: "OK", False: "SLOW", None: ""}[r.ok]
        lines.append(
            f"{r.name:<58} {r.ours * 1000:>10.1f} {floor:>10} {ratio:>7} {target:>7}  {verdict} {r.note}"
        )
    return "\n".join(lines)
