"""PostgreSQL versus SQLite under the comments API's load, and thousands of open event streams.

One service per engine, `python -m comments_service serve --workers 1`, on
the same generated data as `bench.comments_api` (100,000 comments): the
SQLite file, and a fresh PostgreSQL schema seeded through the storage layer
(`Database(address)`) and dropped at the end. wrk measures GET thread, counts
and POST on both, interleaved; then `bench.stream_capacity` opens 1,000,
5,000 and 10,000 event streams against each worker in turn.

The PostgreSQL server is KURIER_BENCH_POSTGRES (default
postgresql://postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import contextlib
import os
import random
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from bench import REPO, Budget, Section, comments_api, loadgen, markdown_table, servers
from bench.comments_api import AtLeast, Point, Scenario, ms
from bench.comments_seed import Seeded, comment_text, seed
from bench.stream_capacity import Setup, StreamPoint, measure_streams, open_files_raised

NAME = "postgres-streams"
TITLE = "PostgreSQL versus SQLite, and thousands of open event streams"

POSTGRES = os.environ.get("KURIER_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
ENGINES = ("sqlite", "postgres")
ENGINE_NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
THREAD_SHARE = 0.70  # PostgreSQL's GET thread req/s ≥ 70 % of SQLite's
POST_P99_MS = 50.0
DELIVERY_P95_S = 1.0
RSS_PER_STREAM_KB = 20.0
GET_SLOWDOWN = 2.0  # GET thread p50 with the streams open ≤ 2 × with none
KEYS = {"marked": "GET thread, signed-in reader with likes", "counts": "GET counts",
        "post": "POST a comment"}  # fmt: skip


@dataclass(frozen=True)
class Plan:
    """How much to measure."""

    threads: int
    api: comments_api.Plan  # its connections, seconds, rounds and warm-up
    streams: tuple[int, ...]
    posts: int
    processes: int  # stream_crowd processes
    get_rounds: int


FULL = Plan(1000, comments_api.Plan(1000, 0, (16,), seconds=2, rounds=3, warmup=1, isso=False),
            (1000, 5000, 10000), posts=20, processes=2, get_rounds=3)  # fmt: skip
QUICK = Plan(10, comments_api.Plan(10, 0, (16,), seconds=1, rounds=1, warmup=0, isso=False),
             (50,), posts=3, processes=1, get_rounds=1)  # fmt: skip


@contextlib.contextmanager
def fresh_schema() -> Iterator[str]:
    """The address of a new PostgreSQL schema for this run; dropped afterwards."""
    schema = f"kurier_bench_{uuid.uuid4().hex[:12]}"
    try:
        yield f"{POSTGRES}{'&' if '?' in POSTGRES else '?'}schema={schema}"
    finally:
        with psycopg.connect(POSTGRES, autocommit=True) as conn:
            conn.execute("SET lock_timeout = '20s'")
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def service(engine: str, data: Seeded, folder: Path) -> servers.Server:
    """The service on `data`, one worker, a person's stream limit lifted; not started."""
    port = servers.free_port()
    env = servers.service_env(
        data.path,  # type: ignore[arg-type]  # a file or an address: it becomes text
        COMMENTS_ARTICLES=str(data.manifest),
        COMMENTS_MAX_STREAMS="1000000",
    )
    command = comments_api.serve_command("comments_service", port)
    return servers.Server(engine, command, port, folder / f"{engine}.log", env, cwd=REPO)


@dataclass
class Measured:
    """Everything `report` needs."""

    plan: Plan
    data: dict[str, Seeded]
    seed_seconds: dict[str, float]
    api: dict[tuple[str, int], Point]
    none_p50: dict[str, float]
    points: dict[str, list[StreamPoint]]
    open_files: int


def _log(text: str) -> None:
    print(text, flush=True)


def measure(plan: Plan, folder: Path, log: Callable[[str], None] = _log) -> Measured:
    texts = [comment_text(random.Random(number)) for number in range(50)]
    with contextlib.ExitStack() as stack:
        limit = stack.enter_context(open_files_raised())
        address = stack.enter_context(fresh_schema())
        data, took = {}, {}
        for engine, location in (("sqlite", None), ("postgres", address)):
            started = time.perf_counter()
            data[engine] = seed(folder / engine, plan.threads, location=location)
            took[engine] = time.perf_counter() - started
            log(f"  seeded {data[engine].comments:,} comments in {engine} in {took[engine]:.0f} s")
        running = {e: stack.enter_context(service(e, data[e], folder)) for e in ENGINES}
        scenarios: list[Scenario] = []
        for engine, server in running.items():
            label = f"{data[engine].comments:,}"
            found = comments_api.service_scenarios(server.port, data[engine], label, engine, texts)
            scenarios += [s for _, s in found if s.key.split("-")[0] in KEYS]
        comments_api.warm(scenarios)
        api = comments_api.measure_all(scenarios, plan.api, log)
        none_p50, points = {}, {}
        for engine, server in running.items():
            log(f"  streams on {engine}")
            marked = next(s for s in scenarios if s.key == f"marked-{engine}")
            setup = Setup(
                server, data[engine].slugs[-1], comments_api.sign_in(server.port, "Obserwator"),
                comments_api.sign_in(server.port, "Piszący"), marked.requests,
                comments_api.BUDGET_CONNECTIONS, plan.api.seconds, plan.get_rounds,
            )  # fmt: skip
            none_p50[engine], points[engine] = measure_streams(
                setup, plan.streams, plan.posts, plan.processes, log
            )
    return Measured(plan, data, took, api, none_p50, points, limit)


def api_table(measured: Measured) -> str:
    c = comments_api.BUDGET_CONNECTIONS
    rows = []
    for key, label in KEYS.items():
        sqlite = measured.api[(f"{key}-sqlite", c)]
        for engine in ENGINES:
            point = measured.api[(f"{key}-{engine}", c)]
            rows.append([label, ENGINE_NAMES[engine], c, f"{point.rps:,.0f}",
                         f"{point.rps / sqlite.rps:.0%}", ms(point.p50_ms), ms(point.p99_ms),
                         point.errors])  # fmt: skip
    header = ["scenario", "engine", "conns", "req/s", "of SQLite", "p50 ms", "p99 ms", "errors"]
    return markdown_table(header, rows)


def streams_table(measured: Measured) -> str:
    rows = []
    for count in measured.plan.streams:
        for engine in ENGINES:
            point = next(p for p in measured.points[engine] if p.streams == count)
            none = measured.none_p50[engine]
            rows.append([f"{count:,}", ENGINE_NAMES[engine], f"{point.opened:,}",
                         f"{point.delivered:,} / {point.expected:,}",
                         f"{point.percentile_ms(0.5):.0f}", f"{point.percentile_ms(0.95):.0f}",
                         f"{point.percentile_ms(1.0):.0f}", f"{point.per_stream_kb:.1f}",
                         ms(none), ms(point.get_p50_ms),
                         f"{point.get_p50_ms / none:.2f}×"])  # fmt: skip
    header = ["streams", "engine", "opened", "events received", "delivery p50 ms",
              "p95 ms", "max ms", "RSS KB / stream", "GET p50, none", "GET p50, open",
              "ratio"]  # fmt: skip
    return markdown_table(header, rows)


def describe(measured: Measured) -> str:
    plan, data = measured.plan, measured.data["sqlite"]
    api = (
        f"Data: the comments API suite's, {data.comments:,} comments in "
        f"{data.comments // 100:,} threads, seeded into an SQLite file "
        f"({measured.seed_seconds['sqlite']:.0f} s) and through the storage layer into a "
        f"fresh PostgreSQL schema ({measured.seed_seconds['postgres']:.0f} s, dropped "
        "afterwards; the server on the same machine). Each engine behind "
        "`python -m comments_service serve --workers 1`, synchronous=FULL (on PostgreSQL "
        f"synchronous_commit on). Load: {loadgen.version()}, one thread; each point is the "
        f"median of {plan.api.rounds} runs of {plan.api.seconds} s, both engines interleaved."
    )
    streams = (
        f"**Open event streams on one worker.** `bench.stream_crowd` holds the streams, "
        f"{plan.processes} process{'es' if plan.processes > 1 else ''} of asyncio "
        "protocols on raw sockets (RLIMIT_NOFILE "
        f"raised to {measured.open_files:,} for them and the server); they are opened "
        f"{', then '.join(f'{count:,}' for count in plan.streams)} in all, by one signed-in "
        "reader (COMMENTS_MAX_STREAMS "
        "lifted: anonymous readers are capped at 1,000 per worker), on one thread. With "
        "them open: the worker's RSS (VmRSS) minus before any was opened, per stream; "
        f"GET thread (the signed-in reader's, another thread) p50 at "
        f"{comments_api.BUDGET_CONNECTIONS} connections, median of {plan.get_rounds} wrk "
        f"runs of {plan.api.seconds} s, against the same with none open; then "
        f"{plan.posts} comments posted one at a time, each once every stream had the "
        "previous one, and delivery timed from sending the POST to the event's arrival in "
        "each stream (one monotonic clock for all processes)."
    )
    return "\n\n".join([api, api_table(measured), streams, streams_table(measured)])


def report(measured: Measured) -> Section:
    c = comments_api.BUDGET_CONNECTIONS
    share = measured.api[("marked-postgres", c)].rps / measured.api[("marked-sqlite", c)].rps
    budgets: list[Budget] = [
        AtLeast(f"GET thread on PostgreSQL, req/s as a share of SQLite's at {c} connections",
                100 * share, 100 * THREAD_SHARE, "%"),
        Budget(f"POST p99 on PostgreSQL at {c} connections",
               measured.api[("post-postgres", c)].p99_ms, POST_P99_MS, " ms"),
    ]  # fmt: skip
    for engine in ENGINES:
        point = measured.points[engine][-1]
        name, count = ENGINE_NAMES[engine], f"{point.streams:,}"
        ratio = point.get_p50_ms / measured.none_p50[engine]
        budgets += [
            AtLeast(f"{name}, {count} streams: every stream receives every event",
                    100 * point.delivered_share, 100, "%"),
            Budget(f"{name}, {count} streams: delivery p95",
                   point.percentile_ms(0.95) / 1000, DELIVERY_P95_S, " s"),
            Budget(f"{name}, {count} streams: worker RSS growth per open stream",
                   point.per_stream_kb, RSS_PER_STREAM_KB, " KB"),
            Budget(f"{name}, {count} streams: GET thread p50 with them open / with none",
                   ratio, GET_SLOWDOWN),
        ]  # fmt: skip
    return Section(describe(measured), budgets)


def run(quick: bool) -> Section:
    """Measure everything, or a small smoke run with `quick`."""
    if not loadgen.available():
        raise RuntimeError("the PostgreSQL and streams benchmarks need wrk: apt install wrk")
    with tempfile.TemporaryDirectory(prefix="kurier-bench-postgres-") as folder:
        return report(measure(QUICK if quick else FULL, Path(folder)))
