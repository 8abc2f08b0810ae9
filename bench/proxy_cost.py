"""What the production path costs: nginx and the unix socket versus the service's own port.

Two services on one generated database (`bench.comments_seed`, 1,000 threads
of 100 comments): one `serve --port` on loopback, one `serve --uds` behind
Debian's nginx with Kurier's own site configuration
(deploy/nginx/kurier.conf.template, as `make stack` fills it in), each with
one worker. wrk measures GET thread (a signed-in reader with likes) and POST
a comment on both paths, interleaved, at 16 connections.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from bench import REPO, Section, comments_api, loadgen, markdown_table, servers
from bench.comments_api import AtLeast, Point, Scenario, ms
from bench.comments_seed import Seeded, comment_text, seed

NAME = "proxy-cost"
TITLE = "The production path: nginx and a unix socket versus the service's own port"

PATHS = {"direct": "straight to the service's TCP port", "proxy": "nginx + unix socket"}
KEYS = {"marked": "GET thread, signed-in reader with likes", "post": "POST a comment"}
SHARE = 0.85  # the proxy path keeps ≥ 85 % of the direct path's throughput


@dataclass(frozen=True)
class Plan:
    threads: int
    api: comments_api.Plan


FULL = Plan(1000, comments_api.Plan(1000, 0, (16,), seconds=2, rounds=3, warmup=1, isso=False))
QUICK = Plan(10, comments_api.Plan(10, 0, (16,), seconds=1, rounds=1, warmup=0, isso=False))


def deploy_module(name: str) -> ModuleType:
    """One of deploy/'s scripts as a module (they import each other by name)."""
    deploy = str(REPO / "deploy")
    if deploy not in sys.path:
        sys.path.insert(0, deploy)
    spec = importlib.util.spec_from_file_location(name, REPO / "deploy" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@contextlib.contextmanager
def proxied_service(data: Seeded, folder: Path) -> Iterator[int]:
    """`serve --uds` behind nginx; yields nginx's port."""
    parts = deploy_module("stack_parts")
    processes = deploy_module("processes")
    runtime = folder / "proxy"
    runtime.mkdir()
    socket_path = runtime / "comments.sock"
    env = servers.service_env(data.path, COMMENTS_ARTICLES=str(data.manifest))
    command = [sys.executable, "-m", "comments_service", "serve", "--uds", str(socket_path),
               "--workers", "1", "--log-level", "warning"]  # fmt: skip
    ready = lambda: parts.service_ready(socket_path)  # noqa: E731 - the socket answers /readyz
    service = processes.Child("service", command, {**os.environ, **env}, runtime / "service.log",
                              ready)  # fmt: skip
    port = servers.free_port()
    site = runtime / "site"  # the site nginx serves: only what the health check reads
    site.mkdir()
    (site / "index.html").write_text("<!doctype html><title>Kurier</title>\n", encoding="utf-8")
    conf = parts.nginx_files(runtime, site, port, socket_path, "bench-no-front")
    nginx = processes.Child("nginx", parts.nginx_command(processes.find_nginx(), runtime, conf),
                            dict(os.environ), runtime / "nginx.log",
                            f"http://127.0.0.1:{port}/index.html")  # fmt: skip
    try:
        for child in (service, nginx):
            child.start()
            child.wait_ready()
        yield port
    finally:
        for child in (nginx, service):
            child.stop()


@dataclass
class Measured:
    plan: Plan
    data: Seeded
    seed_seconds: float
    api: dict[tuple[str, int], Point]


def _log(text: str) -> None:
    print(text, flush=True)


def measure(plan: Plan, folder: Path, log: Callable[[str], None] = _log) -> Measured:
    texts = [comment_text(random.Random(number)) for number in range(50)]
    started = time.perf_counter()
    data = seed(folder / "data", plan.threads)
    took = time.perf_counter() - started
    log(f"  seeded {data.comments:,} comments in {took:.0f} s")
    with contextlib.ExitStack() as stack:
        direct = stack.enter_context(comments_api.service("direct", data, folder))
        proxy_port = stack.enter_context(proxied_service(data, folder))
        scenarios: list[Scenario] = []
        for path, port in (("direct", direct.port), ("proxy", proxy_port)):
            found = comments_api.service_scenarios(port, data, f"{data.comments:,}", path, texts)
            scenarios += [s for _, s in found if s.key.split("-")[0] in KEYS]
        comments_api.warm(scenarios)
        api = comments_api.measure_all(scenarios, plan.api, log)
    return Measured(plan, data, took, api)


def describe(measured: Measured) -> str:
    c = comments_api.BUDGET_CONNECTIONS
    rows = []
    for key, label in KEYS.items():
        direct = measured.api[(f"{key}-direct", c)]
        for path, name in PATHS.items():
            point = measured.api[(f"{key}-{path}", c)]
            rows.append([label, name, c, f"{point.rps:,.0f}", f"{point.rps / direct.rps:.0%}",
                         ms(point.p50_ms), ms(point.p99_ms), point.errors])  # fmt: skip
    header = ["scenario", "path", "conns", "req/s", "of direct", "p50 ms", "p99 ms", "errors"]
    plan = measured.plan
    text = (
        f"Data: {measured.data.comments:,} comments in {plan.threads:,} threads (SQLite, seeded "
        f"in {measured.seed_seconds:.0f} s), shared by two services of one worker each: "
        "`serve --port` measured straight, and `serve --uds` behind Debian's nginx with "
        "deploy/nginx/kurier.conf.template (2 nginx workers, keep-alive to the socket, "
        f"identity headers dropped without the front's secret). Load: {loadgen.version()}, one "
        f"thread; each point is the median of {plan.api.rounds} runs of {plan.api.seconds} s, "
        "both paths interleaved; all on this machine's 2 cores."
    )
    return text + "\n\n" + markdown_table(header, rows)


def report(measured: Measured) -> Section:
    c = comments_api.BUDGET_CONNECTIONS
    budgets = []
    for key, label in KEYS.items():
        share = measured.api[(f"{key}-proxy", c)].rps / measured.api[(f"{key}-direct", c)].rps
        budgets.append(AtLeast(f"{label} through nginx + socket, req/s as a share of direct "
                               f"at {c} connections", 100 * share, 100 * SHARE, "%"))  # fmt: skip
    return Section(describe(measured), budgets)


def run(quick: bool) -> Section:
    if not loadgen.available():
        raise RuntimeError("the proxy benchmark needs wrk: apt install wrk")
    with tempfile.TemporaryDirectory(prefix="kurier-bench-proxy-") as folder:
        return report(measure(QUICK if quick else FULL, Path(folder)))
