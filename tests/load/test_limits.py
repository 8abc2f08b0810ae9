"""Request heads: too large ones get 431, too slow ones are cut off, normal ones still work.

Raw sockets to one real worker, so that what a misbehaving client costs is
paid by the same process that must then answer everyone else.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

import pytest

from tests.load.conftest import StartServer
from tests.servers import REPO, Server

pytestmark = pytest.mark.load

HEAD_TIMEOUT = 2.0  # COMMENTS_HEADER_TIMEOUT for these tests (10 s in production)
KEEP_ALIVE = 5.0  # uvicorn's timeout_keep_alive, as serve passes it
SLACK = 1.0  # scheduling and the event loop's timer resolution
PROMPT = 0.5  # what "answered promptly" means on 127.0.0.1
MAX_HEAD = 64 * 1024


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def error_code(self) -> str:
        return json.loads(self.body)["error"]["code"]


@dataclass
class Connection:
    """One TCP connection to the server, read through its own buffer."""

    sock: socket.socket
    opened: float = field(default_factory=time.monotonic)
    buffer: bytearray = field(default_factory=bytearray)
    closed_at: float | None = None

    @classmethod
    def open(cls, server: Server) -> Connection:
        return cls(socket.create_connection(("127.0.0.1", server.port), timeout=5.0))

    def send(self, data: bytes) -> bool:
        """Send everything; False when the server closed the connection first."""
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            return False
        return True

    def receive(self, timeout: float) -> bool:
        """Read what arrives within `timeout`; False once the server has closed."""
        if self.closed_at is not None:
            return False
        self.sock.settimeout(max(timeout, 0.01))  # 0 would make the socket non-blocking
        try:
            data = self.sock.recv(65536)
        except TimeoutError:
            return True
        except ConnectionResetError:
            data = b""
        if not data:
            self.closed_at = time.monotonic()
            return False
        self.buffer += data
        return True

    def read_answer(self, timeout: float = 5.0) -> Answer:
        """The next whole response (status line, headers and a Content-Length body)."""
        deadline = time.monotonic() + timeout
        while b"\r\n\r\n" not in self.buffer:
            assert self.receive(deadline - time.monotonic()), f"closed: {bytes(self.buffer)!r}"
            assert time.monotonic() < deadline, f"no answer: {bytes(self.buffer)!r}"
        head, _, rest = bytes(self.buffer).partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines)
        }
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            assert self.receive(deadline - time.monotonic()), "closed in the middle of a body"
            rest = bytes(self.buffer).partition(b"\r\n\r\n")[2]
        self.buffer = bytearray(rest[length:])
        return Answer(int(status_line.split()[1]), headers, rest[:length])

    def seconds_until_closed(self, timeout: float) -> float | None:
        """Seconds from opening until the server closed; None if it still had not."""
        deadline = time.monotonic() + timeout
        while self.receive(deadline - time.monotonic()):
            if time.monotonic() >= deadline:
                return None
        return self.closed_at - self.opened

    def close(self) -> None:
        self.sock.close()


def request(path: str = "/healthz", *header_lines: str) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", *header_lines, "", ""]
    return "\r\n".join(lines).encode("latin-1")


def timed_health_check(server: Server) -> tuple[Answer, float]:
    """GET /healthz on a fresh connection: the answer and how long it took."""
    started = time.monotonic()
    connection = Connection.open(server)
    try:
        assert connection.send(request())
        answer = connection.read_answer()
    finally:
        connection.close()
    return answer, time.monotonic() - started


@pytest.fixture
def server(start_server: StartServer) -> Server:
    return start_server(workers=1, header_timeout=str(HEAD_TIMEOUT))


def test_limits_huge_header_answered_431_quickly(server):
    connection = Connection.open(server)
    started = time.monotonic()
    huge = request("/healthz", "X-Padding: " + "a" * 1024 * 1024)
    sender = threading.Thread(target=connection.send, args=(huge,))
    sender.start()
    answer = connection.read_answer()
    elapsed = time.monotonic() - started
    sender.join(timeout=5.0)

    assert answer.status == 431, answer
    assert answer.error_code() == "headers_too_large"
    assert answer.headers["connection"] == "close"
    assert len(answer.headers["x-request-id"]) == 32  # refused before any app, yet with an id
    assert elapsed < PROMPT
    assert connection.seconds_until_closed(timeout=SLACK) is not None
    connection.close()
    health, took = timed_health_check(server)
    assert health.status == 200 and took < PROMPT


def test_limits_slow_head_cut_off_while_others_are_served(server):
    slow = Connection.open(server)
    assert slow.send(request("/healthz").removesuffix(b"\r\n"))
    checked: list[tuple[Answer, float]] = []
    line = 0
    while slow.receive(timeout=1.0) and time.monotonic() - slow.opened < HEAD_TIMEOUT + 3:
        if not checked:
            checked.append(timed_health_check(server))
        line += 1
        slow.send(f"X-Line-{line}: still typing\r\n".encode())
    slow.close()

    assert slow.closed_at is not None, "the slow client was never cut off"
    assert HEAD_TIMEOUT - 0.1 <= slow.closed_at - slow.opened <= HEAD_TIMEOUT + SLACK
    answer = slow.read_answer(timeout=0.1)  # what arrived before the close
    assert answer.status == 408 and answer.error_code() == "request_timeout"
    assert len(answer.headers["x-request-id"]) == 32
    health, took = checked[0]
    assert health.status == 200 and took < PROMPT


def test_limits_silent_connection_closed_after_head_timeout(server):
    silent = Connection.open(server)
    took = silent.seconds_until_closed(timeout=HEAD_TIMEOUT + SLACK)
    silent.close()
    assert took is not None, "a connection that never sent a byte was kept open"
    assert took >= HEAD_TIMEOUT - 0.1
    assert silent.buffer == b""  # nothing was asked, so nothing is answered


def test_limits_stray_line_breaks_between_requests_do_not_hold_a_connection(server):
    connection = Connection.open(server)
    assert connection.send(request())
    assert connection.read_answer().status == 200
    started = time.monotonic()
    assert connection.send(b"\r\n")  # ends the keep-alive wait, yet starts no request
    took = connection.seconds_until_closed(timeout=HEAD_TIMEOUT + SLACK)
    connection.close()
    assert took is not None, "the connection was kept open after a stray line break"
    assert HEAD_TIMEOUT - 0.1 <= connection.closed_at - started <= HEAD_TIMEOUT + SLACK


def test_limits_keep_alive_serves_requests_then_closes_when_idle(server):
    connection = Connection.open(server)
    assert connection.send(request())
    first = connection.read_answer()
    # A deliberate idle period, longer than the head timeout: waiting between
    # requests is keep-alive, not a slow head, and must not be cut off as one.
    time.sleep(HEAD_TIMEOUT + 0.5)
    assert connection.send(request())
    second = connection.read_answer()
    idle_from = time.monotonic()
    took = connection.seconds_until_closed(timeout=KEEP_ALIVE + SLACK)
    connection.close()

    assert first.status == 200 and second.status == 200
    assert "connection" not in second.headers
    assert took is not None, "an idle keep-alive connection was kept open"
    assert KEEP_ALIVE - 0.5 <= connection.closed_at - idle_from <= KEEP_ALIVE + SLACK


def test_limits_pipelined_requests_answered_in_order(server):
    connection = Connection.open(server)
    assert connection.send(request("/healthz") + request("/nowhere") + request("/healthz"))
    statuses = [connection.read_answer().status for _ in range(3)]
    connection.close()
    assert statuses == [200, 404, 200]


def test_limits_large_legal_head_accepted(server):
    cookies = "; ".join(f"k{number:03}={'c' * 290}" for number in range(100))
    head = request("/healthz", f"Cookie: {cookies}", "X-Trace: " + "t" * 1000)
    assert 30 * 1024 < len(head) < MAX_HEAD
    connection = Connection.open(server)
    assert connection.send(head)
    answer = connection.read_answer()
    connection.close()
    assert answer.status == 200


def test_limits_oversize_head_pipelined_behind_a_body_refused(server):
    connection = Connection.open(server)
    post = b"POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n\r\n"
    assert connection.send(post)
    # The 405 needs only the head: once it is here, the server is reading the body.
    first = connection.read_answer()
    big = request("/healthz", "X-Padding: " + "a" * (100 * 1024))
    connection.send(b"0123456789" + big)
    second = connection.read_answer()
    connection.close()
    assert first.status == 405
    assert second.status == 431 and second.error_code() == "headers_too_large"


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("0", id="zero"),
        pytest.param("-5", id="negative"),
        pytest.param("soon", id="not-a-number"),
        pytest.param("inf", id="infinite"),
        pytest.param("nan", id="nan"),
    ],
)
def test_limits_bad_header_timeout_stops_serve(tmp_path, value):
    env = {
        "PATH": "/usr/bin:/bin",
        "COMMENTS_DB": str(tmp_path / "comments.sqlite3"),
        "COMMENTS_SECRET_KEY": "limits-secret-key-" + "x" * 32,
        "COMMENTS_HEADER_TIMEOUT": value,
    }
    result = subprocess.run(
        [sys.executable, "-m", "comments_service", "serve", "--port", "0"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert result.returncode == 2
    assert "COMMENTS_HEADER_TIMEOUT" in result.stderr


def test_limits_header_timeout_documented():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "| `COMMENTS_HEADER_TIMEOUT` |" in readme
