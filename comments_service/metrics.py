"""What /metrics tells Prometheus: requests, latency, comments, streams, commits, database errors.

Under `serve` every worker writes its numbers to files in the folder of
PROMETHEUS_MULTIPROC_DIR (prometheus_client's multiprocess mode, chosen when
prometheus_client is first imported), and a scrape adds up the files of
every worker, whichever worker it reaches; the open streams count the live
workers only (serve marks exited workers dead). Without that folder (the
tests, an app run some other way) each app counts in a registry of its own.
"""

from __future__ import annotations

import asyncio
import os
from bisect import bisect_left

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    values,
)
from prometheus_client.multiprocess import MultiProcessCollector

# The classic text format, which every Prometheus reads (generate_latest writes it).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
UNROUTED = "unrouted"  # the route of a request no route matched: raw paths would be unbounded
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)


def multiprocess_dir() -> str | None:
    """The folder every worker writes to, if this process counts in multiprocess mode."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return directory if directory and values.ValueClass is not values.MutexValue else None


class Metrics:
    """One app's metrics, and the text of a scrape."""

    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        self.requests = Counter(
            "kurier_requests", "Requests answered, by method, route template and status",
            ("method", "route", "status"), registry=registry,
        )  # fmt: skip
        self.latency = Histogram(
            "kurier_request_duration_seconds",
            "Seconds from a request's arrival to its answer's first byte (a live stream's "
            "opening, not its life), by route template",
            ("route",), buckets=LATENCY_BUCKETS, registry=registry,
        )  # fmt: skip
        self.comments_posted = Counter(
            "kurier_comments_posted", "Comments and replies written", registry=registry
        )
        self.open_streams = Gauge(
            "kurier_open_event_streams", "Live event streams open now, on every live worker",
            multiprocess_mode="livesum", registry=registry,
        )  # fmt: skip
        self.commit_batch = Histogram(
            "kurier_commit_batch_size", "Writes committed together in one transaction",
            buckets=BATCH_BUCKETS, registry=registry,
        )  # fmt: skip
        self.database_errors = Counter(
            "kurier_database_errors", "Requests answered 503 database_unavailable, by error",
            ("kind",), registry=registry,
        )  # fmt: skip
        # The children of each label set, made once.
        self._counted: dict[tuple[str, str, int], Counter] = {}
        self._timed: dict[str, Histogram] = {}
        # Requests answered since the last flush: count per label set; per route the
        # seconds in all, then how many fell in each bucket (the last: above them all).
        self._answers: dict[tuple[str, str, int], int] = {}
        self._durations: dict[str, list[float]] = {}

    def answered(self, method: str, route: str, status: int, seconds: float) -> None:
        """A request was answered `status` after `seconds`.

        Counted in this process's dictionaries, which `flush` adds to the
        metrics (in multiprocess mode every metric write is a write to a
        shared file, with a lock: once a second per label set, not per request).
        """
        if method not in METHODS:  # any token is a method to HTTP: keep the labels few
            method = "other"
        key = (method, route, status)
        self._answers[key] = self._answers.get(key, 0) + 1
        timed = self._durations.get(route)
        if timed is None:
            timed = self._durations[route] = [0.0] + [0] * (len(LATENCY_BUCKETS) + 1)
        timed[0] += seconds
        timed[1 + bisect_left(LATENCY_BUCKETS, seconds)] += 1

    def flush(self) -> None:
        """Add what `answered` counted since the last flush to the metrics."""
        answers, self._answers = self._answers, {}
        durations, self._durations = self._durations, {}
        for (method, route, status), count in answers.items():
            counted = self._counted.get((method, route, status))
            if counted is None:
                counted = self._counted[(method, route, status)] = self.requests.labels(
                    method, route, str(status)
                )
            counted.inc(count)
        for route, (total, *per_bucket) in durations.items():
            timed = self._timed.get(route)
            if timed is None:
                timed = self._timed[route] = self.latency.labels(route)
            add_observations(timed, total, per_bucket)

    async def flush_every(self, seconds: float) -> None:
        """Flush every `seconds` (a worker's task, while it runs)."""
        while True:
            await asyncio.sleep(seconds)
            self.flush()

    def database_error(self, error: Exception) -> None:
        self.database_errors.labels(type(error).__name__).inc()

    def scrape(self) -> bytes:
        """The Prometheus text of every worker's metrics (this app's alone without a folder)."""
        self.flush()  # this worker's own are current; the others' at most a flush old
        directory = multiprocess_dir()
        if directory is None:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
        return generate_latest(registry)


def add_observations(histogram: Histogram, total: float, per_bucket: list[float]) -> None:
    """What `observe` would have made of many observations at once: `per_bucket[i]`
    of them in bucket i (the last beyond every bound), `total` their sum.

    prometheus_client's histograms keep a value per bucket and one for the sum
    (non-cumulative buckets, added up when collected); observations are added
    to them as `observe` does, in one write each.
    """
    buckets = histogram._buckets  # noqa: SLF001 - no public way to add many at once
    for index, count in enumerate(per_bucket):
        if count:
            buckets[index].inc(count)
    histogram._sum.inc(total)  # noqa: SLF001
