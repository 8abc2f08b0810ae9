"""Live events across real uvicorn workers: every reader gets every event, in order, soon."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from bench.live_events import EventStream, http_request, measure_event_latency, sign_in

pytestmark = pytest.mark.load

SLUG = "open-news"  # an open thread of the load tests' manifest
WORKERS = 2
POSTS = 30
MIN_LISTENERS = 6
MAX_LISTENERS = 40  # opened one by one until they span every worker
LATENCY_BOUND = 2.0  # seconds: the browser test's bound; polling makes it ~0.1 s
SCENARIO_TIMEOUT = 120.0


def _group_pids(pgid: int) -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid:
            pids.append(int(stat.parent.name))
    return pids


def _accepted_sockets(server_port: int) -> dict[int, int]:
    """Socket inode of each connection to `server_port`, by the client's port."""
    found = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if local_port == server_port and int(fields[9]):
                found[remote_port] = int(fields[9])
    return found


def workers_serving(server, client_ports: list[int]) -> dict[int, int]:
    """Which worker process (pid) holds each of these client connections."""
    owner = {}
    for pid in _group_pids(server.process.pid):
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    owner[int(target[8:-1])] = pid
        except OSError:
            continue
    inodes = _accepted_sockets(server.port)
    return {port: owner.get(inodes.get(port, -1), 0) for port in client_ports}


async def open_across_workers(server) -> list[EventStream]:
    """Anonymous streams, opened until there are enough and they span every worker."""
    streams: list[EventStream] = []
    while len(streams) < MAX_LISTENERS:
        stream = await EventStream(server.base_url, SLUG).open()
        assert stream.status == 200
        streams.append(stream)
        serving = workers_serving(server, [s.local_port for s in streams])
        if len(streams) >= MIN_LISTENERS and len(set(serving.values()) - {0}) == WORKERS:
            return streams
    pytest.fail(f"{MAX_LISTENERS} connections did not reach all {WORKERS} workers: {serving}")


def test_events_reach_every_reader_of_every_worker_in_order(start_server) -> None:
    server = start_server(workers=WORKERS)

    async def scenario() -> None:
        streams = await open_across_workers(server)
        report = await measure_event_latency(
            server.base_url, SLUG, posts=POSTS, streams=streams, timeout=LATENCY_BOUND + 1
        )
        for stream in streams:
            await stream.close()
        print(
            f"\nPOST -> event across {WORKERS} workers, {POSTS} posts x {len(streams)} readers:"
            f" p50 {report.p50_ms:.0f} ms, p95 {report.p95_ms:.0f} ms,"
            f" max {report.max_ms:.0f} ms"
        )
        assert report.missing == 0, f"{report.missing} events never arrived"
        assert report.out_of_order == 0
        assert all(seen == report.seen[0] for seen in report.seen), "readers saw different events"
        assert len(report.seen[0]) == POSTS
        assert max(report.samples) < LATENCY_BOUND, report.max_ms

    asyncio.run(asyncio.wait_for(scenario(), SCENARIO_TIMEOUT))


def test_events_resume_on_any_worker(start_server) -> None:
    server = start_server(workers=WORKERS)

    async def scenario() -> None:
        person = await sign_in(server.base_url, "Ewa")
        path = f"/api/v1/threads/{SLUG}/comments"

        async def post(text: str) -> str:
            status, _, body = await http_request(
                server.base_url, "POST", path, person, {"body": text}
            )
            assert status == 201, body
            return body.decode()

        stream = await EventStream(server.base_url, SLUG).open()
        await post("Przed przerwą")
        seen = await stream.next_event()
        await stream.close()
        for n in range(3):
            await post(f"W przerwie {n}")
        # Reconnections land on any worker; each replays the same missed events.
        for _ in range(4):
            resumed = await EventStream(
                server.base_url, SLUG, {"Last-Event-ID": str(seen.id)}
            ).open()
            missed = [await resumed.next_event(timeout=5) for _ in range(3)]
            assert [e.data["comment"]["body_html"] for e in missed] == [
                f"<p>W przerwie {n}</p>" for n in range(3)
            ]
            assert [e.id for e in missed] == list(range(seen.id + 1, seen.id + 4))
            await resumed.close()

    asyncio.run(asyncio.wait_for(scenario(), SCENARIO_TIMEOUT))


def test_events_streams_do_not_hold_up_a_stop(start_server) -> None:
    """uvicorn waits up to 5 s for open responses; streams end at once instead."""
    server = start_server(workers=WORKERS)

    async def open_streams() -> list[EventStream]:
        return await open_across_workers(server)

    async def read_to_end(streams: list[EventStream]) -> int:
        ended = 0
        for stream in streams:
            try:
                while True:
                    await stream.next_event(timeout=5)
            except EOFError:
                ended += 1
            except (TimeoutError, ConnectionError):
                pass
            await stream.close()
        return ended

    loop = asyncio.new_event_loop()
    try:
        streams = loop.run_until_complete(open_streams())
        started = time.monotonic()
        server.stop()
        stopped_in = time.monotonic() - started
        ended = loop.run_until_complete(read_to_end(streams))
    finally:
        loop.close()
    assert stopped_in < 3.0, f"stopping took {stopped_in:.1f} s with streams open"
    assert ended == len(streams), "every stream should end cleanly, not be cut"
