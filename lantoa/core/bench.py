"""`lantoa bench`: performance goals as ratios against a floor measured in the same run,
and absolute budgets at national scale.

Each app may have a ``bench.py`` with ``BENCHMARKS = [fn, ...]``; ``fn(ctx)`` builds what
it needs (once per run; ``ctx.cache`` is shared) and returns a list of ``Row``.

Rules for a benchmark (docs/operations.md, "Benchmarks"):

- It owns its data: its own root unit (``ctx.root``) and campaign year (``ctx.year``), so
  modules never collide nor measure each other's rows. Sharing is explicit: a module may
  reuse another module's world through its ``_world(ctx)`` (``ctx.cache``).
- The floor answers the same question in hand-written SQL, and its full result is compared
  with ours (``same``) before anything is timed: a floor that computes something else, or
  only a row count, is not a floor.
- A row's ratio is our time divided by the floor's; ``budget_ms`` is the absolute time
  allowed at scale 1.0 (shown at every scale, judged only at 1.0).
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
    budget_ms: float | None = None
    scale: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.floor in (None, 0):
            return None
        return self.ours / self.floor

    @property
    def ok(self) -> bool | None:
        verdicts = []
        if self.target is not None and self.ratio is not None:
            verdicts.append(self.ratio <= self.target)
        if self.budget_ms is not None and self.scale == 1.0:
            verdicts.append(self.ours * 1000 <= self.budget_ms)
        return all(verdicts) if verdicts else None


class BenchMismatch(AssertionError):
    """Ours and the floor disagree: the comparison would be meaningless."""


def same(ours, floor, what: str):
    """Fail unless ``ours`` and ``floor`` (normalised by the caller) are equal, in full."""
    if ours != floor:
        if isinstance(ours, list | set | tuple) and isinstance(floor, list | set | tuple):
            a, b = list(ours), list(floor)
            extra = [x for x in a if x not in b][:3]
            missing = [x for x in b if x not in a][:3]
            detail = f"{len(a)} vs {len(b)} rows; only ours {extra}; only floor {missing}"
        else:
            detail = f"{ours!r:.300} != {floor!r:.300}"
        raise BenchMismatch(f"{what}: ours and the floor differ ({detail})")
    return ours


@dataclass
class Context:
    scale: float = 1.0
    vendor: str = ""
    cache: dict = field(default_factory=dict)
    out: Callable[[str], None] = print
    years: dict = field(default_factory=dict)

    def year(self, owner: str) -> int:
        """A campaign year no other benchmark module uses (2086, 2087, …)."""
        if owner not in self.years:
            self.years[owner] = 2086 + len(self.years)
        return self.years[owner]

    def root(self, owner: str, name: str):
        """A root unit of the benchmark module's own (its tree touches no one else's)."""
        key = f"root:{owner}"
        if key not in self.cache:
            from lantoa.units.models import Unit, UnitKind

            self.cache[key] = Unit.objects.add_root(
                instance=Unit(name=name, kind=UnitKind.BO_GDDT, abbreviation="BGDĐT")
            )
        return self.cache[key]


def time_once(fn: Callable[[], object]) -> float:
    """Wall time of one run of ``fn`` with the cyclic garbage collector paused, as
    ``timeit`` does. (A ``gc.collect()`` right before the run instead empties Python's
    free lists: the next run pays for fresh allocations, ~0.5 ms that swamped
    sub-millisecond reads and made ours look 2–3× slower than it runs in a server.)"""
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start
    finally:
        if enabled:
            gc.enable()


def best_of(fn: Callable[[], object], *, repeat: int = 5) -> float:
    """Best wall time of ``repeat`` runs (after one warm-up run)."""
    fn()
    gc.collect()
    return min(time_once(fn) for _ in range(repeat))


def request_row(client, url: str, name: str, *, budget_ms: float, note: str = "", repeat=3) -> Row:
    """A row timing a whole GET through ``client`` (middleware, scope, view, rendering): it
    must answer 200; the note gives the queries of one request and the response size."""
    from django.db import connection

    queries = []  # the test client resets connection.queries at each request

    def counted(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        response = client.get(url)
    if response.status_code != 200:
        raise BenchMismatch(f"{url}: {response.status_code} {response.content[:200]!r}")
    return Row(
        name,
        best_of(lambda: client.get(url), repeat=repeat),
        budget_ms=budget_ms,
        note=f"{len(queries)} queries, {len(response.content):,} bytes; {note}".rstrip("; "),
    )


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
        f"{'benchmark':<58} {'ours (ms)':>10} {'floor (ms)':>10} {'ratio':>7} {'target':>7}"
        f" {'budget@1.0':>11}  result"
    ]
    for r in rows:
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else "—"
        floor = f"{r.floor * 1000:.1f}" if r.floor is not None else "—"
        target = f"≤{r.target:g}" if r.target is not None else ""
        budget = f"≤{r.budget_ms:g} ms" if r.budget_ms is not None else ""
        verdict = {True: "OK", False: "SLOW", None: ""}[r.ok]
        lines.append(
            f"{r.name:<58} {r.ours * 1000:>10.1f} {floor:>10} {ratio:>7} {target:>7}"
            f" {budget:>11}  {verdict} {r.note}"
        )
    return "\n".join(lines)
