"""SIGTERM while comments are being written and streams are open: a graceful stop.

Every POST answered 201 is in the database, whole; writes in flight are
finished and answered before the database closes; every open stream gets a
`retry:` of its own (1 to 5 s) and then ends cleanly.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time

import pytest

from tests.load.conftest import OPEN, StartServer, read_stopped, wait_for_progress
from tests.load.test_crash import Outcomes, write_until
from tests.servers import Server

pytestmark = pytest.mark.load

WRITERS = 8
STREAMS = 6
STOP_WITHIN = 8.0  # seconds: uvicorn's graceful timeout is 5


class RawStream:
    """GET of the thread's event stream over a plain socket, read to the end by a thread."""

    def __init__(self, server: Server) -> None:
        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
        request = (f"GET /api/v1/threads/{OPEN}/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   "Accept: text/event-stream\r\n\r\n")  # fmt: skip
        self.sock.sendall(request.encode())
        self.data = b""
        self.ended_cleanly = False
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        try:
            while chunk := self.sock.recv(65536):
                self.data += chunk
            self.ended_cleanly = self.data.endswith(b"\r\n0\r\n\r\n")  # the chunked body's end
        except OSError:
            pass
        finally:
            self.sock.close()

    def opened(self) -> bool:
        return b"retry: 3000" in self.data

    def retries(self) -> list[int]:
        return [int(line.split(b":")[1]) for line in self.data.split(b"\n")
                if line.startswith(b"retry:")]  # fmt: skip


def until(condition, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"waited {timeout} s for {what}"
        time.sleep(0.02)


def test_shutdown_finishes_accepted_writes_and_ends_streams_with_a_retry(
    start_server: StartServer,
) -> None:
    server = start_server(workers=2)
    streams = [RawStream(server) for _ in range(STREAMS)]
    until(lambda: all(stream.opened() for stream in streams), "the streams to open")
    writers = [server.client(f"Piszący {n}") for n in range(WRITERS)]
    outcomes, stop = Outcomes(), threading.Event()
    threads = [threading.Thread(target=write_until, args=(stop, n, client, outcomes), daemon=True)
               for n, client in enumerate(writers)]  # fmt: skip
    for thread in threads:
        thread.start()
    try:
        wait_for_progress(outcomes.lock, outcomes.answered, 50, "before the stop")
        started = time.monotonic()
        os.killpg(server.process.pid, signal.SIGTERM)  # what systemd sends every process
        status = server.process.wait(timeout=STOP_WITHIN)
        stopped_in = time.monotonic() - started
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert status == 0 and stopped_in < STOP_WITHIN
    assert not outcomes.other, outcomes.other[:5]

    for stream in streams:
        stream.thread.join(timeout=10)
        assert stream.ended_cleanly, stream.data[-200:]
        retries = stream.retries()
        assert retries[0] == 3000 and len(retries) == 2, retries  # the opening one, the last
        assert 1000 <= retries[-1] <= 5000
        assert stream.data.endswith(b"retry: %d\n\n\r\n0\r\n\r\n" % retries[-1])  # last
    assert len({stream.retries()[-1] for stream in streams}) > 1, "one moment for everyone"

    stored, in_thread = read_stopped(server)
    assert stored.threads[OPEN]["comment_count"] == len(in_thread), "the counter is torn"
    missing = sorted(set(outcomes.answered) - set(in_thread), key=int)
    assert not missing, f"{len(missing)} comments answered 201 are gone: {missing[:10]}"
    for comment_id, post in outcomes.answered.items():
        parent = int(post["parent"]) if "parent" in post else None
        assert (in_thread[comment_id]["body"], in_thread[comment_id]["parent"]) == (
            post["body"], parent)  # fmt: skip
    bodies = [doc["body"] for doc in in_thread.values()]
    assert len(set(bodies)) == len(bodies), "a post was stored twice"
    unanswered = {doc["body"] for key, doc in in_thread.items() if key not in outcomes.answered}
    assert not unanswered - outcomes.in_doubt, "stored, yet neither answered 201 nor cut off"
