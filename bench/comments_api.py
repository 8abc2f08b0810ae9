"""Comments API under HTTP load: the service beside a bare Starlette endpoint (the ceiling).

Both run as `python -m comments_service serve --workers 1` (the bare app
through the same command, see `bench.bare_app`) on 127.0.0.1, and wrk drives
them with keep-alive connections at several concurrencies, scenarios
interleaved. The service runs on two generated databases, 100,000 comments
(1,000 threads) and 1,000 comments (10 threads), synchronous=FULL; the
measured thread has 100 comments of about 300 characters in both.

`python -m bench.comments_api profile SCENARIO` runs one scenario against
the service under cProfile and prints where the time goes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import pstats
import random
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bench import (
    REPO,
    Budget,
    Section,
    bare_app,
    isso_compare,
    loadgen,
    markdown_table,
    median,
    servers,
)
from bench.comments_seed import Seeded, comment_text, seed
from bench.loadgen import Request, Result
from comments_service.storage import Database

NAME = "comments-api"
TITLE = "Comments API under load: Kurier versus a bare Starlette endpoint"

THREAD_SHARE = 0.30  # GET thread req/s ≥ 30 % of the ceiling's, at BUDGET_CONNECTIONS
POST_P99_MS = 50.0
GROWTH = 1.3  # latency with 100,000 comments ≤ 1.3 × with 1,000
RSS_MB = 150.0
BUDGET_CONNECTIONS = 16
COUNT_SLUGS = 20
POSTERS = 16
ISSO_SECONDS = 6  # Isso takes about 0.1 s per thread GET: long runs for enough samples


@dataclass(frozen=True)
class Plan:
    """How much to measure."""

    big_threads: int
    small_threads: int
    connections: tuple[int, ...]
    seconds: int
    rounds: int
    warmup: int  # seconds of wrk before a point's first round; 0: a few requests
    isso: bool


FULL = Plan(1000, 10, (1, 16, 64), seconds=2, rounds=3, warmup=1, isso=True)
QUICK = Plan(20, 10, (1, 16), seconds=1, rounds=1, warmup=0, isso=False)


class AtLeast(Budget):
    """A budget on a value that must not fall below its limit."""

    @property
    def met(self) -> bool:
        return self.value >= self.limit

    def verdict(self) -> str:
        value, limit = f"{self.value:.2f}{self.unit}", f"{self.limit:g}{self.unit}"
        if self.met:
            return f"✅ within budget: {value} ≥ {limit}"
        return f"❌ under budget: {value} < {limit}"


@dataclass(frozen=True)
class Point:
    """One scenario at one concurrency: the median of its runs, metric by metric,
    and the requests and errors of all of them."""

    rps: float
    p50_ms: float
    p99_ms: float
    bytes_per_request: float
    requests: int
    errors: int

    @classmethod
    def of(cls, runs: list[Result]) -> Point:
        return cls(
            rps=median([run.rps for run in runs]),
            p50_ms=median([run.p50_ms for run in runs]),
            p99_ms=median([run.p99_ms for run in runs]),
            bytes_per_request=median([run.bytes_per_request for run in runs]),
            requests=sum(run.requests for run in runs),
            errors=sum(run.errors for run in runs),
        )


@dataclass(frozen=True)
class Scenario:
    """One thing to measure: requests sent to one server."""

    key: str
    label: str
    stored: str
    port: int
    requests: list[Request]


# --- servers ------------------------------------------------------------------


def serve_command(module: str, port: int) -> list[str]:
    """The service's own command line, one quiet worker; the bare app goes through it too."""
    return [*servers.serve_command(module, port), "--log-level", "warning"]


def service(name: str, data: Seeded, folder: Path, prefix: tuple[str, ...] = ()) -> servers.Server:
    """The service on `data`, not started; `prefix` goes before `-m comments_service`."""
    port = servers.free_port()
    command = serve_command("comments_service", port)
    command[1:1] = prefix
    env = servers.service_env(data.path, COMMENTS_ARTICLES=str(data.manifest))
    return servers.Server(name, command, port, folder / f"{name}.log", env, cwd=REPO)


def bare(folder: Path, payload: bytes) -> servers.Server:
    """The bare app serving `payload` at /payload, not started."""
    (folder / "payload.json").write_bytes(payload)
    port = servers.free_port()
    env = {
        "COMMENTS_DB": str(folder / "bare.sqlite3"),
        "COMMENTS_SECRET_KEY": servers.SECRET_KEY,
        bare_app.PAYLOAD: str(folder / "payload.json"),
    }
    return servers.Server(
        "bare", serve_command("bench.bare_app", port), port, folder / "bare.log", env, cwd=REPO
    )


def uvicorn_options(bare: servers.Server) -> str:
    for line in bare.log_tail(20_000).splitlines():
        if line.startswith(bare_app.OPTIONS_MARK):
            options = json.loads(line.removeprefix(bare_app.OPTIONS_MARK))
            return ", ".join(f"{key}={value}" for key, value in options.items())
    return "unknown"


# --- people and their requests --------------------------------------------------


def origin(port: int) -> str:
    return f"http://{servers.HOST}:{port}"


def sign_in(port: int, name: str) -> str:
    """A reader's cookie from `POST /api/v1/me` (open mode)."""
    headers = {"Origin": origin(port), "Content-Type": "application/json"}
    body = json.dumps({"name": name}).encode()
    status, answer, text = servers.call(port, "POST", "/api/v1/me", headers, body)
    if status != 200:
        raise RuntimeError(f"POST /api/v1/me answered {status}: {text[:300]!r}")
    return answer["set-cookie"].split(";")[0]


def thread_path(slug: str) -> str:
    return f"/api/v1/threads/{slug}"


def get_thread(port: int, slug: str, cookie: str | None = None) -> dict:
    headers = {"Cookie": cookie} if cookie else {}
    status, _, body = servers.call(port, "GET", thread_path(slug), headers)
    if status != 200:
        raise RuntimeError(f"GET {thread_path(slug)} answered {status}: {body[:300]!r}")
    return json.loads(body)


def mark_some(port: int, slug: str, cookie: str) -> None:
    """The reader likes three comments of the thread and reacts to the article."""
    headers = {"Cookie": cookie, "Origin": origin(port)}
    comments = get_thread(port, slug)["comments"]
    targets = [f"/api/v1/comments/{c['id']}/reactions/like" for c in comments[1:4]]
    for path in [*targets, f"{thread_path(slug)}/reactions/insightful"]:
        status, _, body = servers.call(port, "PUT", path, headers)
        if status != 200:
            raise RuntimeError(f"PUT {path} answered {status}: {body[:300]!r}")


def post_requests(port: int, slugs: list[str], texts: list[str]) -> list[Request]:
    """New comments by several people, spread over `slugs`."""
    cookies = [sign_in(port, f"Autor {number}") for number in range(POSTERS)]
    requests = []
    for number in range(max(200, len(slugs))):
        headers = {
            "Cookie": cookies[number % POSTERS],
            "Origin": origin(port),
            "Content-Type": "application/json",
        }
        body = json.dumps({"body": texts[number % len(texts)]}, ensure_ascii=False).encode()
        path = thread_path(slugs[number % len(slugs)]) + "/comments"
        requests.append(Request("POST", path, headers, body))
    return requests


def send(port: int, request: Request) -> tuple[int, bytes]:
    """One request on its own connection: status and body."""
    status, _, body = servers.call(
        port, request.method, request.path, request.headers, request.body
    )
    return status, body


def check(port: int, request: Request, expected: int) -> None:
    """One request as the load will send it, answered as it should be."""
    status, body = send(port, request)
    if status != expected:
        raise RuntimeError(f"{request.method} {request.path}: {status} {body[:300]!r}")


def service_scenarios(
    port: int, data: Seeded, stored: str, suffix: str, texts: list[str]
) -> list[tuple[str, Scenario]]:
    """(table, scenario) pairs for one running service."""
    measured, others = data.slugs[0], data.slugs[1:]
    reader = sign_in(port, "Czytelniczka")
    mark_some(port, measured, reader)
    thread = get_thread(port, measured, reader)
    if len(thread["comments"]) < 2 or thread["thread"]["comment_count"] != 100:
        raise RuntimeError(f"the measured thread does not hold 100 comments: {thread['thread']}")
    if sum(bool(c["my_reactions"]) for c in _all_comments(thread["comments"])) != 3:
        raise RuntimeError("the reader's likes are not in the thread they read")
    path = thread_path(measured)
    plain = sign_in(port, "Czytelnik")
    step = max(1, len(data.slugs) // COUNT_SLUGS)
    counts = "/api/v1/counts?" + "&".join(f"slug={s}" for s in data.slugs[::step][:COUNT_SLUGS])

    def scenario(
        table: str, kind: str, label: str, requests: list[Request]
    ) -> tuple[str, Scenario]:
        return table, Scenario(f"{kind}-{suffix}", label, stored, port, requests)

    found = [
        scenario("thread", "marked", "signed-in reader with likes",
                 [Request("GET", path, {"Cookie": reader})]),
        scenario("thread", "plain", "signed-in reader, no marks",
                 [Request("GET", path, {"Cookie": plain})]),
        scenario("thread", "anonymous", "anonymous reader", [Request("GET", path)]),
        scenario("counts", "counts", "counts", [Request("GET", counts)]),
        scenario("post", "post", "new comment", post_requests(port, others, texts)),
    ]  # fmt: skip
    for _, made in found:
        check(port, made.requests[0], 201 if made.key.startswith("post") else 200)
    return found


def _all_comments(comments: list[dict]) -> Iterator[dict]:
    for comment in comments:
        yield comment
        yield from _all_comments(comment["replies"])


# --- measuring ------------------------------------------------------------------


def measure_all(
    scenarios: list[Scenario], plan: Plan, log: Callable[[str], None]
) -> dict[tuple[str, int], Point]:
    """Every scenario at every concurrency, `plan.rounds` times.

    Rounds interleave the scenarios, so that a disturbance of the machine
    spreads over them rather than hitting one, and the median of the rounds
    leaves it out. The same scenario on both databases runs back to back.
    The POSTs come after all the GETs, which thus see the seeded databases.
    """
    runs: dict[tuple[str, int], list[Result]] = {}
    kinds = list(dict.fromkeys(s.key.rsplit("-", 1)[0] for s in scenarios))
    ordered = sorted(scenarios, key=lambda s: kinds.index(s.key.rsplit("-", 1)[0]))
    gets = [s for s in ordered if not s.key.startswith("post")]
    posts = [s for s in ordered if s.key.startswith("post")]
    for phase in (gets, posts):
        for connections in plan.connections:
            for scenario in phase if plan.warmup else ():
                loadgen.measure(scenario.port, scenario.requests, connections, plan.warmup)
            for round_ in range(plan.rounds):
                for scenario in phase:
                    result = loadgen.measure(
                        scenario.port, scenario.requests, connections, plan.seconds
                    )
                    runs.setdefault((scenario.key, connections), []).append(result)
                    log(
                        f"  {scenario.key} c={connections} round {round_ + 1}: "
                        f"{result.rps:,.0f} req/s, p50 {result.p50_ms:.2f} ms, "
                        f"p99 {result.p99_ms:.2f} ms, errors {result.errors}"
                    )
    return {point: Point.of(results) for point, results in runs.items()}


def sweep(port: int, slugs: list[str], cookie: str) -> float:
    """Read every thread once, anonymously and signed in: fills the thread cache."""
    started = time.perf_counter()
    for slug in slugs:
        get_thread(port, slug)
        get_thread(port, slug, cookie)
    return time.perf_counter() - started


def warm(scenarios: list[Scenario]) -> None:
    for scenario in scenarios:
        for request in scenario.requests[:20]:
            send(scenario.port, request)


# --- the report -----------------------------------------------------------------


def ms(value: float) -> str:
    if value < 10:
        return f"{value:.2f}"
    return f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def mb(value: float) -> str:
    return f"{value / 2**20:.0f} MB"


@dataclass
class Measured:
    """Everything `report` needs."""

    plan: Plan
    big: Seeded
    small: Seeded
    tables: dict[str, list[Scenario]]
    results: dict[tuple[str, int], Point]
    options: str
    memory: dict[str, dict[str, int]]
    sweep_seconds: float
    stored_after: dict[str, int]
    isso: isso_compare.IssoRun | str | None
    payload_bytes: int


TABLE_TITLES = {
    "thread": "GET a thread of 100 comments",
    "counts": f"GET the counts of {COUNT_SLUGS} threads",
    "post": "POST a comment",
}


def table(measured: Measured, name: str, ceiling: list[Scenario]) -> str:
    rows = []
    for scenario in [*ceiling, *measured.tables[name]]:
        for connections in measured.plan.connections:
            result = measured.results.get((scenario.key, connections))
            if result is None:
                continue
            top = measured.results[("ceiling", connections)].rps
            rows.append(
                [
                    scenario.label,
                    scenario.stored,
                    connections,
                    f"{result.rps:,.0f}",
                    f"{result.rps / top:.0%}",
                    ms(result.p50_ms),
                    ms(result.p99_ms),
                    f"{result.bytes_per_request / 1024:.1f} KiB",
                    result.errors,
                ]
            )
    header = [
        "variant",
        "stored",
        "conns",
        "req/s",
        "of ceiling",
        "p50 ms",
        "p99 ms",
        "response",
        "errors",
    ]
    return f"**{TABLE_TITLES[name]}**\n\n" + markdown_table(header, rows)


def growth_rows(measured: Measured) -> tuple[list[list[object]], dict[str, float]]:
    """p50 latency with 1,000 and 100,000 comments stored, and their ratio."""
    rows, ratios = [], {}
    pairs = [
        ("marked", "GET thread, signed-in reader with likes"),
        ("anonymous", "GET thread, anonymous"),
        ("post", "POST a comment"),
    ]
    for key, label in pairs:
        for connections in measured.plan.connections:
            small = measured.results.get((f"{key}-small", connections))
            big = measured.results.get((f"{key}-big", connections))
            if small is None or big is None:
                continue
            ratio = big.p50_ms / small.p50_ms
            ratios[f"{key}@{connections}"] = ratio
            rows.append(
                [
                    label,
                    connections,
                    ms(small.p50_ms),
                    ms(big.p50_ms),
                    f"{ratio:.2f}×",
                    ms(small.p99_ms),
                    ms(big.p99_ms),
                ]
            )
    return rows, ratios


def isso_part(measured: Measured) -> str:
    if measured.isso is None:
        return "**Isso** was not measured in a --quick run."
    if isinstance(measured.isso, str):
        return f"**Isso** could not be measured: {measured.isso}"
    run = measured.isso
    rows = []
    kurier = {
        "get": ("anonymous-big", "GET a thread of 100 comments (anonymous)"),
        "post": ("post-big", "POST a comment"),
    }
    for name, (key, label) in kurier.items():
        ours = measured.results.get((key, BUDGET_CONNECTIONS))
        theirs = run.points[name]
        for who, result in (("Kurier", ours), (run.version, theirs)):
            if result is not None and not result.requests:
                rows.append([label, who, "0", "—", "—", "—", "no answer in the run"])
            elif result is not None:
                rows.append(
                    [
                        label,
                        who,
                        f"{result.rps:,.0f}",
                        ms(result.p50_ms),
                        ms(result.p99_ms),
                        f"{result.bytes_per_request / 1024:.1f} KiB",
                        result.errors,
                    ]
                )
    header = ["scenario", "server", "req/s", "p50 ms", "p99 ms", "response", "errors"]
    return "\n\n".join(
        [
            f"**Isso, for the record** ({run.version} from PyPI in a throwaway virtualenv, "
            f"{run.server}, its spam guard off, a fresh SQLite file; {BUDGET_CONNECTIONS} "
            "connections). Isso stores Markdown and renders every comment on every GET; "
            f"Kurier's rows are from the {measured.big.comments:,}-comment database above.",
            markdown_table(header, rows),
        ]
    )


def report(measured: Measured) -> Section:
    plan, results = measured.plan, measured.results
    ceiling = measured.tables["ceiling"]
    c = BUDGET_CONNECTIONS
    top = results[("ceiling", c)].rps
    share = {key: results[(f"{key}-big", c)].rps / top for key in ("marked", "anonymous")}
    post_p99 = results[("post-big", c)].p99_ms
    rows, ratios = growth_rows(measured)
    hwm = max(memory["VmHWM"] for memory in measured.memory.values())
    memory_rows = [[when, mb(m["VmRSS"]), mb(m["VmHWM"])] for when, m in measured.memory.items()]
    big, small = measured.big, measured.small
    intro = (
        f"Data: {big.comments:,} comments in {big.comments // 100:,} threads and "
        f"{small.comments:,} in {small.comments // 100:,} (100 per thread, a third of them "
        f"replies; Markdown of {big.mean_body_chars:.0f} characters on average, "
        f"{big.mean_html_chars:.0f} of HTML from `comments_service.render`), "
        f"{big.marks:,} and {small.marks:,} likes and reactions, seeded straight into "
        "SQLite; the manifest lists every thread. The service runs "
        "`python -m comments_service serve --workers 1` with synchronous=FULL, open "
        "identity mode and the rate limit lifted; the ceiling is a bare Starlette "
        'endpoint answering `{"message": "Hello, World!"}` through the same command '
        f"(`python -m bench.bare_app serve`), so with the same uvicorn options: "
        f"{measured.options} (at log level warning uvicorn writes no access log). "
        f"The bare app also answers the measured thread's "
        f"{measured.payload_bytes / 1024:.1f} KiB of JSON as stored bytes "
        '("bare Starlette, same bytes"), to show what the response size alone costs.'
    )
    method = (
        f"Load: {loadgen.version()}, one thread, keep-alive connections; each point is "
        f"the median of {plan.rounds} runs of {plan.seconds} s"
        + (f" after {plan.warmup} s of warm-up" if plan.warmup else "")
        + ", metric by metric, the runs of all scenarios interleaved (the machine is "
        "shared: the median leaves out a run another process disturbed). "
        "The signed-in reader has liked three comments of the thread and reacted to "
        f"the article; new comments go to the other threads, by {POSTERS} people. POSTs "
        "run after all the GETs and add comments to the databases (stored at the end: "
        + ", ".join(f"{key} {value:,}" for key, value in measured.stored_after.items())
        + "). Latency is per request, as wrk measures it; `errors` counts "
        "statuses ≥ 400, socket errors and timeouts."
    )
    few, many = f"{small.comments:,}", f"{big.comments:,}"
    growth = (
        f"**{few} versus {many} comments stored** (p50 and p99 in ms; the budget "
        f"uses p50 at {c} connections, where the server is busy, as in use)\n\n"
        + markdown_table(
            [
                "scenario",
                "conns",
                f"p50, {few}",
                f"p50, {many}",
                "ratio",
                f"p99, {few}",
                f"p99, {many}",
            ],
            rows,
        )  # fmt: skip
    )
    memory = (
        f"**Memory of the service process** with {big.comments:,} comments (VmRSS and "
        'its peak VmHWM from /proc). "After a sweep": every thread read once, '
        f"anonymously and signed in ({measured.sweep_seconds:.1f} s), which fills the "
        "service's cache of rendered threads.\n\n"
        + markdown_table(["when", "RSS", "peak RSS"], memory_rows)
    )
    body = "\n\n".join(
        [
            intro,
            method,
            table(measured, "thread", ceiling),
            table(measured, "counts", ceiling[:1]),
            table(measured, "post", ceiling[:1]),
            growth,
            memory,
            isso_part(measured),
        ]
    )
    budgets: list[Budget] = [
        AtLeast(
            f"GET thread, signed-in reader with likes, req/s as a share of the ceiling at "
            f"{c} connections",
            100 * share["marked"],
            100 * THREAD_SHARE,
            "%",
        ),
        AtLeast(
            f"GET thread, anonymous, req/s as a share of the ceiling at {c} connections",
            100 * share["anonymous"],
            100 * THREAD_SHARE,
            "%",
        ),
        Budget(f"POST a comment, p99 at {c} connections", post_p99, POST_P99_MS, " ms"),
        Budget(
            f"GET thread (signed in) p50 at {c} connections, {many} / {few} stored",
            ratios[f"marked@{c}"],
            GROWTH,
        ),
        Budget(f"POST p50 at {c} connections, {many} / {few} stored", ratios[f"post@{c}"], GROWTH),
        Budget(f"service peak RSS with {big.comments:,} comments", hwm / 2**20, RSS_MB, " MB"),
    ]
    return Section(body, budgets)


# --- running --------------------------------------------------------------------


def _log(text: str) -> None:
    print(text, flush=True)


SMALL_KEYS = ("marked", "anonymous", "post")  # what the 1,000-comment database is for


def stored_comments(data: Seeded) -> int:
    with Database(data.path, quick_check=False) as db:
        return len(db.table("comments"))


def measure(plan: Plan, folder: Path, log: Callable[[str], None] = _log) -> Measured:
    started = time.perf_counter()
    big = seed(folder / "big", plan.big_threads)
    small = seed(folder / "small", plan.small_threads)
    log(
        f"  seeded {big.comments:,} and {small.comments:,} comments "
        f"in {time.perf_counter() - started:.0f} s"
    )
    texts = [comment_text(random.Random(number)) for number in range(50)]
    with contextlib.ExitStack() as stack:
        big_service = stack.enter_context(service("service-big", big, folder))
        small_service = stack.enter_context(service("service-small", small, folder))
        payload = servers.call(big_service.port, "GET", thread_path(big.slugs[0]))[2]
        bare_server = stack.enter_context(bare(folder, payload))
        ceiling = [
            Scenario(
                "ceiling",
                "ceiling: bare Starlette JSON",
                "—",
                bare_server.port,
                [Request("GET", "/json")],
            ),
            Scenario(
                "same-bytes",
                "bare Starlette, same bytes",
                "—",
                bare_server.port,
                [Request("GET", "/payload")],
            ),
        ]
        tables: dict[str, list[Scenario]] = {
            "ceiling": ceiling,
            "thread": [],
            "counts": [],
            "post": [],
        }
        for server, data, suffix in ((big_service, big, "big"), (small_service, small, "small")):
            stored = f"{data.comments:,}"
            for name, scenario in service_scenarios(server.port, data, stored, suffix, texts):
                if suffix == "big" or scenario.key.startswith(SMALL_KEYS):
                    tables[name].append(scenario)
        everything = [*ceiling, *(s for name in ("thread", "counts", "post") for s in tables[name])]
        warm(everything)
        results = measure_all(everything, plan, log)
        memory = {"after the runs": big_service.memory()}
        seconds = sweep(big_service.port, big.slugs, sign_in(big_service.port, "Przeglądająca"))
        memory["after a sweep"] = big_service.memory()
        options = uvicorn_options(bare_server)
    stored_after = {f"{data.comments:,} database": stored_comments(data) for data in (big, small)}
    isso = None
    if plan.isso:
        log("  Isso, for the record")
        isso = isso_compare.measure(folder / "isso", texts, BUDGET_CONNECTIONS, ISSO_SECONDS)
        if isinstance(isso, str):
            log(f"  Isso: {isso}")
    return Measured(
        plan,
        big,
        small,
        tables,
        results,
        options,
        memory,
        seconds,
        stored_after,
        isso,
        len(payload),
    )


def run(quick: bool) -> Section:
    """Measure everything, or a small smoke run with `quick`."""
    if not loadgen.available():
        raise RuntimeError("the comments benchmarks need wrk: apt install wrk")
    with tempfile.TemporaryDirectory(prefix="kurier-bench-comments-") as folder:
        return report(measure(QUICK if quick else FULL, Path(folder)))


def profile(scenario: str, threads: int, connections: int, seconds: int, top: int) -> None:
    """Load the service with one scenario under cProfile; print the top costs."""
    with tempfile.TemporaryDirectory(prefix="kurier-bench-comments-") as name:
        folder = Path(name)
        data = seed(folder / "data", threads)
        texts = [comment_text(random.Random(number)) for number in range(50)]
        output = folder / "service.prof"
        server = service("service", data, folder, prefix=("-m", "cProfile", "-o", str(output)))
        server.start()
        try:
            scenarios = service_scenarios(server.port, data, "", "big", texts)
            found = {s.key.removesuffix("-big"): s for _, s in scenarios}
            chosen = found[scenario]
            warm([chosen])
            result = loadgen.measure(server.port, chosen.requests, connections, seconds)
        finally:
            server.stop(signal.SIGINT)  # uvicorn exits normally, so cProfile writes
        print(
            f"{scenario}, {connections} connections: {result.rps:,.0f} req/s, "
            f"p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms (under cProfile)"
        )
        stats = pstats.Stats(str(output)).strip_dirs()
        stats.sort_stats("tottime").print_stats(top)
        stats.sort_stats("cumulative").print_stats(top)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("profile", help="profile the service under one scenario")
    one.add_argument("scenario", choices=["marked", "plain", "anonymous", "counts", "post"])
    one.add_argument("--threads", type=int, default=FULL.big_threads)
    one.add_argument("--connections", type=int, default=BUDGET_CONNECTIONS)
    one.add_argument("--seconds", type=int, default=5)
    one.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    profile(args.scenario, args.threads, args.connections, args.seconds, args.top)
