"""/metrics with real workers: whichever worker a scrape reaches, the numbers are everyone's.

Each scrape is answered by one worker, picked by the kernel; every answer
must add up the traffic of both (PROMETHEUS_MULTIPROC_DIR), and the open
streams count the workers that are alive.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

import httpx2
import pytest

from comments_service.app import METRICS_FLUSH
from tests.load.conftest import OPEN, StartServer
from tests.load.test_events import open_across_workers, workers_serving
from tests.ops import samples, value
from tests.servers import Server

pytestmark = pytest.mark.load

GETS, POSTS, SCRAPES = 40, 12, 12
THREAD_ROUTE = "/api/v1/threads/{slug}"
COMMENTS_ROUTE = "/api/v1/threads/{slug}/comments"


def scrape(server: Server) -> dict:
    """One scrape, on a connection of its own (so any worker may answer it)."""
    response = httpx2.get(server.base_url + "/metrics", headers={"connection": "close"},
                          timeout=10, trust_env=False)  # fmt: skip
    assert response.status_code == 200, response.text
    return samples(response.text)


def fresh(server: Server, name: str | None = None) -> httpx2.Client:
    """A client that opens a new connection for every request: the kernel spreads them."""
    return server.client(name, limits=httpx2.Limits(max_keepalive_connections=0))


def workers_counting(folder: Path) -> set[str]:
    """The pids whose counter files hold numbers (a file per worker process)."""
    return {path.stem.rsplit("_", 1)[1] for path in folder.glob("counter_*.db")}


def test_metrics_add_up_across_workers(start_server: StartServer, tmp_path, monkeypatch) -> None:
    folder = tmp_path / "metrics"
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))  # the operator's own folder
    server = start_server(workers=2)
    earlier = fresh(server, "Wcześniej")
    for n in range(5):
        assert earlier.post(f"/threads/{OPEN}/comments", json={"body": f"Stary {n}"}).is_success
    server.stop()
    assert list(folder.glob("*.db")), "an operator's folder is kept"
    server.start()  # ... and emptied at start: the last run's numbers do not count again

    writer = fresh(server, "Ewa")
    for n in range(POSTS):
        response = writer.post(f"/threads/{OPEN}/comments", json={"body": f"Wpis {n}"})
        assert response.status_code == 201, response.text
    reader = fresh(server)
    for _ in range(GETS):
        assert reader.get(f"/threads/{OPEN}").status_code == 200
    # Each worker writes what it counted to the shared files once a second.
    deadline = time.monotonic() + 10 * METRICS_FLUSH
    requests = "kurier_requests_total"
    while time.monotonic() < deadline:
        found = scrape(server)
        if value(found, requests, method="GET", route=THREAD_ROUTE, status="200") == GETS:
            break
        time.sleep(0.1)
    assert len(workers_counting(folder)) == 2, "both workers should have served requests"

    for _ in range(SCRAPES):
        found = scrape(server)
        assert value(found, requests, method="GET", route=THREAD_ROUTE, status="200") == GETS
        assert value(found, requests, method="POST", route=COMMENTS_ROUTE, status="201") == POSTS
        assert value(found, "kurier_comments_posted_total") == POSTS
        assert value(found, "kurier_request_duration_seconds_count", route=THREAD_ROUTE) == GETS
        batches = value(found, "kurier_commit_batch_size_count")
        assert batches >= 1 and value(found, "kurier_commit_batch_size_sum") >= POSTS
        assert value(found, "kurier_database_errors_total", kind="DatabaseBusyError") == 0


def test_metrics_open_streams_count_live_workers_only(start_server: StartServer) -> None:
    server = start_server(workers=2)
    loop = asyncio.new_event_loop()
    try:
        streams = loop.run_until_complete(open_across_workers(server))
        for _ in range(SCRAPES):
            assert value(scrape(server), "kurier_open_event_streams") == len(streams)

        serving = workers_serving(server, [stream.local_port for stream in streams])
        victim = next(iter(set(serving.values()) - {0}))
        left = sum(1 for pid in serving.values() if pid != victim)
        os.kill(victim, signal.SIGKILL)  # its streams die with it; the supervisor replaces it
        deadline, seen = time.monotonic() + 20, None
        while time.monotonic() < deadline:
            seen = [value(scrape(server), "kurier_open_event_streams") for _ in range(4)]
            if seen == [left] * 4:
                break
            time.sleep(0.2)
        assert seen == [left] * 4, f"{len(streams)} streams, {left} left alive: {seen}"
    finally:
        for stream in locals().get("streams", []):
            loop.run_until_complete(stream.close())
        loop.close()
