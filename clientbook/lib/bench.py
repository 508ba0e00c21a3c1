"""What `make bench` measures with, whatever the page: percentiles, timed requests through
Django's test client (ours beside a baseline, alternating), the queries of one request, and
their plans. The scenarios themselves live with their app (clients/bench.py,
scheduling/bench.py); the command (clientbook/management/commands/bench.py) drives them."""

import math
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.db import connection
from django.test import Client as HttpClient

from practices.models import User


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile: the smallest sample with at least q% of them at or below it."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


@dataclass
class Timing:
    samples_ms: list[float]
    cpu_ms: list[float] = field(default_factory=list)
    queries: int = 0
    db_ms: float = 0.0
    # The slowest queries of one request, (ms, SQL), slowest first.
    slow_queries: list[tuple[float, str]] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        return percentile(self.samples_ms, 95)

    def as_dict(self) -> dict[str, Any]:
        return {
            "median_ms": round(self.median, 3),
            "p95_ms": round(self.p95, 3),
            "min_ms": round(min(self.samples_ms), 3),
            "max_ms": round(max(self.samples_ms), 3),
            "samples": len(self.samples_ms),
            "cpu_median_ms": round(statistics.median(self.cpu_ms), 3) if self.cpu_ms else None,
            "queries": self.queries,
            "db_ms": round(self.db_ms, 3),
            "slowest_queries": [{"ms": round(ms, 3), "sql": sql} for ms, sql in self.slow_queries],
        }


ADMIN = "the Django admin's changelist answering the same question"


@dataclass
class Scenario:
    """One page (or operation) of ours, and a baseline answering the same question."""

    name: str
    ours: str  # the URL of our page, or the operation timed
    baseline: str  # the URL of the baseline page, or what the baseline does
    kind: str  # "list", "search", "code", "agenda", "api", "booking"
    target_ms: float | None = None  # the p95 ours must keep to, if the issue sets one
    ratio_target: float | None = None  # how many times faster than the baseline, if set
    base_note: str = ADMIN  # what the baseline is, for the report
    headers: dict[str, str] = field(default_factory=dict)  # sent with our request
    query: str = ""  # what a search scenario types into the search box
    matches: int | None = None  # how many rows a search finds
    shown: int | None = None  # how many rows our page shows (the agenda's sessions)
    ours_timing: Timing | None = None
    baseline_timing: Timing | None = None

    @property
    def ratio(self) -> float:
        assert self.ours_timing
        assert self.baseline_timing
        return self.baseline_timing.median / self.ours_timing.median


class BenchError(Exception):
    """A page did not answer as the benchmark expects (a redirect, an error, a changed cursor)."""


def profile(fn: Callable[[], Any]) -> tuple[int, float, list[tuple[float, str]]]:
    """One call with its queries timed: (count, DB ms, the 3 slowest (ms, SQL))."""
    timed: list[tuple[float, str]] = []

    def timer(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            ms = (time.perf_counter() - started) * 1000
            timed.append((ms, _interpolate(context["cursor"], sql, params)))

    with connection.execute_wrapper(timer):
        fn()
    slowest = sorted(timed, key=lambda q: q[0], reverse=True)[:3]
    return len(timed), sum(ms for ms, _ in timed), slowest


def _interpolate(cursor: Any, sql: str, params: Any) -> str:
    """The query with its parameters in it, ready to EXPLAIN."""
    return connection.ops.last_executed_query(cursor, sql, params)


class Requester:
    """GET requests through Django's test client, over HTTPS (no SSL redirect), timed."""

    def __init__(self, user: User):
        self.http = HttpClient()
        self.http.force_login(user)
        # CPU time of this process per request, beside the wall-clock time: on a busy machine
        # the wall clock also counts the time spent waiting for a CPU.
        self.cpu_ms: list[float] = []
        self.last_content = b""

    def get(self, url: str, headers: dict[str, str] | None = None) -> float:
        cpu = time.process_time()
        started = time.perf_counter()
        response = self.http.get(url, secure=True, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        self.cpu_ms.append((time.process_time() - cpu) * 1000)
        if response.status_code != 200:
            raise BenchError(
                f"GET {url} answered {response.status_code} "
                f"{response.headers.get('Location', '')}".strip()
            )
        self.last_content = response.content
        return elapsed

    def profile(
        self, url: str, headers: dict[str, str] | None = None
    ) -> tuple[int, float, list[tuple[float, str]]]:
        """One request with its queries timed: (count, DB ms, the 3 slowest (ms, SQL))."""
        return profile(lambda: self.http.get(url, secure=True, headers=headers))


def time_pair(
    ours: Requester, baseline: Requester, scenario: Scenario, *, repeat: int, warmup: int
) -> None:
    """Times our page and the baseline's, alternating, so that any drift of the machine falls
    on both alike."""
    headers = scenario.headers or None
    for _ in range(warmup):
        ours.get(scenario.ours, headers)
        baseline.get(scenario.baseline)
    mine: list[float] = []
    theirs: list[float] = []
    ours.cpu_ms.clear()
    baseline.cpu_ms.clear()
    for _ in range(repeat):
        mine.append(ours.get(scenario.ours, headers))
        theirs.append(baseline.get(scenario.baseline))
    scenario.ours_timing = Timing(mine, cpu_ms=list(ours.cpu_ms))
    scenario.baseline_timing = Timing(theirs, cpu_ms=list(baseline.cpu_ms))
    for requester, url, sent, timing in (
        (ours, scenario.ours, headers, scenario.ours_timing),
        (baseline, scenario.baseline, None, scenario.baseline_timing),
    ):
        timing.queries, timing.db_ms, timing.slow_queries = requester.profile(url, sent)


def time_call(fn: Callable[[], Any], *, repeat: int, warmup: int) -> Timing:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return Timing(samples)


def analyze() -> None:
    """Fresh planner statistics after a seed."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        if connection.vendor == "sqlite":
            # Fold the write-ahead log into the database file: the timings should not depend
            # on how much of the seed is still in the log.
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def explain(sql: str) -> list[str]:
    """The plan of one captured query: EXPLAIN QUERY PLAN (SQLite), EXPLAIN ANALYZE (PostgreSQL).
    Only reading queries: EXPLAIN ANALYZE would run a write."""
    if not sql.lstrip().upper().startswith("SELECT"):
        return ["(not a SELECT: not explained)"]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            rows = cursor.fetchall()
            depth: dict[int, int] = {0: 0}
            lines = []
            for node, parent, _, detail in rows:
                depth[node] = depth.get(parent, 0) + 1
                lines.append("  " * depth[node] + detail)
            return lines
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return [row[0] for row in cursor.fetchall()]


def shorten(sql: str) -> str:
    """The query without its long list of selected columns."""
    head, sep, tail = sql.partition(" FROM ")
    if sep and head.startswith("SELECT ") and len(head) > 120:
        head = "SELECT …"
    return head + sep + tail


def progress(items: list[Scenario], out: TextIO) -> Iterator[Scenario]:
    for i, item in enumerate(items, 1):
        out.write(f"  [{i}/{len(items)}] {item.name}\n")
        out.flush()
        yield item
