"""Thousands of open event streams against one worker: delivery, memory, and the cost to others.

The streams come from `bench.stream_crowd` processes over loopback. With N
streams open on one thread, `measure_streams` notes the worker's RSS, times
GET thread under wrk, then posts comments one at a time, each once every
stream has the previous one (or a timeout passed), and collects when each
arrived in each stream. The suite `bench.postgres_streams` runs it.
"""

from __future__ import annotations

import contextlib
import json
import math
import queue
import resource
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from bench import REPO, loadgen, median, servers
from bench.loadgen import Request

EVENT_TIMEOUT = 15.0  # seconds a post waits for every stream to have it


@contextlib.contextmanager
def open_files_raised() -> Iterator[int]:
    """RLIMIT_NOFILE's soft limit at the hard one, for this process and the servers it
    starts (children inherit it); put back afterwards. Yields the limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    try:
        yield hard
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


class CrowdProcess:
    """One `python -m bench.stream_crowd` child and its answers."""

    def __init__(self, port: int, path: str, cookie: str) -> None:
        module = "bench.stream_crowd"
        command = [sys.executable, "-m", module, servers.HOST, str(port), path, cookie]
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO
        )
        self.messages: queue.Queue[dict] = queue.Queue()
        self.complete: set[str] = set()  # tokens every stream of this process has
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.messages.put(json.loads(line))

    def _next(self, timeout: float) -> dict:
        message = self.messages.get(timeout=timeout)
        if "all" in message:
            self.complete.add(message["all"])
        return message

    def send(self, command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()

    def ask(self, command: str, key: str, timeout: float = 600) -> dict:
        """Send `command`; its answer, the message with `key`."""
        self.send(command)
        deadline = time.monotonic() + timeout
        while True:
            message = self._next(max(0.01, deadline - time.monotonic()))
            if key in message:
                return message

    def wait_complete(self, token: str, deadline: float) -> bool:
        """Until every stream of this process has `token`, or the deadline."""
        while token not in self.complete:
            try:
                self._next(max(0.001, deadline - time.monotonic()))
            except queue.Empty:
                return False
        return True

    def quit(self) -> None:
        with contextlib.suppress(OSError):
            self.send("quit")
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class StreamPoint:
    """N streams open on one worker: what they got and what they cost."""

    streams: int
    opened: int = 0
    failed: int = 0
    posts: int = 0
    delivered: int = 0  # (stream, post) pairs that arrived
    delays: list[float] = field(default_factory=list)  # seconds, POST sent → arrival
    rss_growth: int = 0  # bytes, worker RSS with the streams open minus before any
    get_p50_ms: float = math.nan  # GET thread p50 with the streams open
    still_open: int = 0

    @property
    def expected(self) -> int:
        return self.posts * self.streams

    @property
    def delivered_share(self) -> float:
        return self.delivered / self.expected if self.expected else 0.0

    def percentile_ms(self, fraction: float) -> float:
        ordered = sorted(self.delays)
        if not ordered:
            return math.nan
        at = min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))
        return ordered[at] * 1000

    @property
    def per_stream_kb(self) -> float:
        return self.rss_growth / self.streams / 1000 if self.streams else 0.0


@dataclass(frozen=True)
class Setup:
    """What `measure_streams` needs of the running service."""

    server: servers.Server
    slug: str  # the thread the streams follow and the comments go to
    cookie: str  # a signed-in reader (a person's streams limit is lifted for the run)
    poster: str  # the cookie of the person who posts
    get: list[Request]  # GET thread, measured with and without streams
    connections: int
    seconds: int
    rounds: int


def get_p50(setup: Setup) -> float:
    """GET thread p50 under wrk: the median of `rounds` runs."""
    runs = [
        loadgen.measure(setup.server.port, setup.get, setup.connections, setup.seconds)
        for _ in range(setup.rounds)
    ]
    if any(run.errors for run in runs):
        raise RuntimeError(f"GET thread failed under load: {runs}")
    return median([run.p50_ms for run in runs])


def post_and_follow(
    setup: Setup, crowds: list[CrowdProcess], point: StreamPoint, posts: int
) -> None:
    """Post `posts` comments one at a time; note when each reached each stream."""
    run = secrets.token_hex(4)
    sent: dict[str, float] = {}
    headers = {"Cookie": setup.poster, "Origin": f"http://{servers.HOST}:{setup.server.port}",
               "Content-Type": "application/json"}  # fmt: skip
    path = f"/api/v1/threads/{setup.slug}/comments"
    for number in range(posts):
        token = f"probe-{run}-{number}"
        body = json.dumps({"body": f"Sprawdzam {token}"}).encode()
        sent[token] = time.monotonic()
        status, _, answer = servers.call(setup.server.port, "POST", path, headers, body)
        if status != 201:
            raise RuntimeError(f"POST {path} answered {status}: {answer[:300]!r}")
        deadline = time.monotonic() + EVENT_TIMEOUT
        for crowd in crowds:
            crowd.wait_complete(token, deadline)
        time.sleep(0.05)
    point.posts = posts
    for crowd in crowds:
        report = crowd.ask("report", "arrivals")
        point.still_open += report["open"]
        for token, times in report["arrivals"].items():
            if token in sent:
                point.delivered += len(times)
                point.delays += [at - sent[token] for at in times]


def measure_streams(
    setup: Setup, counts: tuple[int, ...], posts: int, processes: int, log: Callable[[str], None]
) -> tuple[float, list[StreamPoint]]:
    """GET p50 with no stream open, and a point for each number of streams in `counts`
    (opened on top of the previous ones)."""
    before = setup.server.memory()["VmRSS"]
    none_p50 = get_p50(setup)
    log(f"  no streams: RSS {before / 2**20:.1f} MB, GET p50 {none_p50:.2f} ms")
    path = f"/api/v1/threads/{setup.slug}/events"
    crowds = [CrowdProcess(setup.server.port, path, setup.cookie) for _ in range(processes)]
    points, opened = [], 0
    try:
        for count in counts:
            point = StreamPoint(count)
            for number, crowd in enumerate(crowds):
                share = (count - opened) // processes + (number < (count - opened) % processes)
                answer = crowd.ask(f"open {share}", "failed")
                point.failed += answer["failed"]
            point.opened, opened = count - point.failed, count
            time.sleep(1.0)  # let the worker settle before reading its memory
            point.rss_growth = setup.server.memory()["VmRSS"] - before
            point.get_p50_ms = get_p50(setup)
            post_and_follow(setup, crowds, point, posts)
            log(
                f"  {count:,} streams ({point.failed} failed): "
                f"{point.delivered:,}/{point.expected:,} events, "
                f"p95 {point.percentile_ms(0.95):.0f} ms, {point.per_stream_kb:.1f} KB/stream, "
                f"GET p50 {point.get_p50_ms:.2f} ms"
            )
            points.append(point)
    finally:
        for crowd in crowds:
            crowd.quit()
    return none_p50, points
