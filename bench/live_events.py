"""Live events over real HTTP with the standard library only: a stream reader and a latency probe.

`measure_event_latency(base_url)` posts comments one at a time, each on a new
connection (so they land on any worker), and times how long each takes to
reach every listener, each listening on a connection of its own. The load
tests use it, and the benchmark suite can call it against any running server:

    report = asyncio.run(measure_event_latency("http://127.0.0.1:8001", posts=50))
    print(report.p50_ms, report.p95_ms)

The server's rate limit must allow `posts / posters` comments per person.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import random
import re
import secrets
import statistics
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

API = "/api/v1"
TOKEN = re.compile(r"probe-[0-9a-f]+-\d+")


@dataclass(frozen=True)
class SseEvent:
    """One event as it arrived: its id, name, JSON data and arrival time (perf_counter)."""

    id: int | None
    name: str
    data: dict
    received: float


def _origin(base_url: str) -> tuple[str, int]:
    url = urlsplit(base_url)
    return url.hostname or "127.0.0.1", url.port or 80


async def _read_head(reader: asyncio.StreamReader) -> tuple[int, dict[str, str]]:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("the server closed the connection without answering")
    status = int(status_line.split()[1])
    headers: dict[str, str] = {}
    while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers


def _request_bytes(
    host: str, port: int, method: str, path: str, headers: dict[str, str], body: bytes
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def http_request(
    base_url: str,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    json_body: object = None,
    timeout: float = 10.0,
) -> tuple[int, dict[str, str], bytes]:
    """One request on a new connection: status, headers (lowercase names), body."""
    host, port = _origin(base_url)
    sent = {"Connection": "close", **(headers or {})}
    body = b""
    if json_body is not None:
        body = json.dumps(json_body).encode()
        sent["Content-Type"] = "application/json"
    async with asyncio.timeout(timeout):
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(_request_bytes(host, port, method, path, sent, body))
            status, received = await _read_head(reader)
            if "content-length" in received:
                content = await reader.readexactly(int(received["content-length"]))
            else:
                content = await reader.read()
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
    return status, received, content


async def sign_in(base_url: str, name: str) -> dict[str, str]:
    """Open mode: choose a display name; the headers that act as that person."""
    status, headers, body = await http_request(
        base_url, "POST", f"{API}/me", {"Origin": base_url}, {"name": name}
    )
    if status != 200:
        raise RuntimeError(f"POST /me answered {status}: {body[:200]!r}")
    cookie = headers["set-cookie"].split(";", 1)[0]
    return {"Origin": base_url, "Cookie": cookie}


class EventStream:
    """An open GET /threads/{slug}/events, read event by event."""

    def __init__(self, base_url: str, slug: str, headers: dict[str, str] | None = None):
        self.base_url = base_url
        self.path = f"{API}/threads/{slug}/events"
        self.headers = headers or {}
        self.status = 0
        self.response_headers: dict[str, str] = {}
        self.local_port = 0
        self.pings = 0
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._chunk_left = 0
        self._lines: list[str] = []
        self._partial = b""

    async def open(self, timeout: float = 10.0) -> EventStream:
        host, port = _origin(self.base_url)
        async with asyncio.timeout(timeout):
            self._reader, self._writer = await asyncio.open_connection(host, port)
            self.local_port = self._writer.get_extra_info("sockname")[1]
            headers = {"Accept": "text/event-stream", **self.headers}
            self._writer.write(_request_bytes(host, port, "GET", self.path, headers, b""))
            self.status, self.response_headers = await _read_head(self._reader)
        return self

    async def _read_chunk(self) -> bytes:
        """The next piece of the chunked body; b"" at its end."""
        reader = self._reader
        if self.response_headers.get("transfer-encoding") != "chunked":
            return await reader.read(65536)
        if self._chunk_left == 0:
            size = int((await reader.readline()).split(b";")[0], 16)
            if size == 0:
                return b""
            self._chunk_left = size
        data = await reader.read(self._chunk_left)
        if not data:
            return b""
        self._chunk_left -= len(data)
        if self._chunk_left == 0:
            await reader.readexactly(2)  # the CRLF after a chunk
        return data

    async def _line(self) -> str:
        while b"\n" not in self._partial:
            data = await self._read_chunk()
            if not data:
                raise EOFError("the stream ended")
            self._partial += data
        line, self._partial = self._partial.split(b"\n", 1)
        return line.decode().rstrip("\r")

    async def next_event(self, timeout: float = 10.0) -> SseEvent:
        """The next event; pings are counted, retry lines skipped."""
        async with asyncio.timeout(timeout):
            fields: dict[str, str] = {}
            while True:
                line = await self._line()
                if line == "":
                    if "event" in fields or "data" in fields:
                        return SseEvent(
                            int(fields["id"]) if "id" in fields else None,
                            fields.get("event", "message"),
                            json.loads(fields.get("data", "null")),
                            time.perf_counter(),
                        )
                    fields = {}
                elif line.startswith(":"):
                    self.pings += 1
                else:
                    name, _, value = line.partition(":")
                    fields[name] = value.removeprefix(" ")

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError):
                await self._writer.wait_closed()
            self._writer = None


@dataclass
class LatencyReport:
    """POST→event times in seconds, one per post and listener, and what went wrong."""

    samples: list[float] = field(default_factory=list)
    missing: int = 0  # events a listener never got within the timeout
    out_of_order: int = 0  # events whose id was not above the listener's previous one
    listeners: int = 0
    posts: int = 0
    seen: list[list[int]] = field(default_factory=list)  # each listener's event ids

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.samples)
        if not ordered:
            return math.nan
        return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.samples) * 1000 if self.samples else math.nan

    @property
    def p95_ms(self) -> float:
        return self.percentile(0.95) * 1000

    @property
    def max_ms(self) -> float:
        return max(self.samples) * 1000 if self.samples else math.nan


async def measure_event_latency(
    base_url: str,
    slug: str = "open-news",
    posts: int = 50,
    listeners: int = 4,
    posters: int = 10,
    timeout: float = 5.0,
    streams: list[EventStream] | None = None,
    spacing: float = 0.2,
) -> LatencyReport:
    """Post `posts` comments one after another; time each until every listener has it.

    Listeners are new anonymous streams unless `streams` (already open) are
    given. Before each post the probe waits a random time up to `spacing`
    seconds: a post right after the previous event would always fall just
    after a worker looked at the log, and so measure its worst case only.
    """
    run = secrets.token_hex(4)
    pause = random.Random(run)
    people = [await sign_in(base_url, f"Sonda {n}") for n in range(posters)]
    opened = streams is None
    streams = streams or [await EventStream(base_url, slug).open() for _ in range(listeners)]
    report = LatencyReport(listeners=len(streams), posts=posts)
    report.seen = [[] for _ in streams]
    arrived: dict[str, dict[int, float]] = {}  # token -> listener -> arrival time
    changed = asyncio.Condition()

    async def listen(number: int, stream: EventStream) -> None:
        last_id = 0
        while True:
            event = await stream.next_event(timeout=3600)
            if event.id is not None:
                report.seen[number].append(event.id)
                report.out_of_order += event.id <= last_id
                last_id = max(last_id, event.id)
            if event.name != "comment":
                continue
            found = TOKEN.search(event.data["comment"]["body_html"])
            if found:
                async with changed:
                    arrived.setdefault(found[0], {})[number] = event.received
                    changed.notify_all()

    tasks = [asyncio.create_task(listen(n, s)) for n, s in enumerate(streams)]
    try:
        for n in range(posts):
            await asyncio.sleep(pause.uniform(0, spacing))
            token = f"probe-{run}-{n}"
            headers = people[n % len(people)]
            started = time.perf_counter()
            status, _, body = await http_request(
                base_url, "POST", f"{API}/threads/{slug}/comments", headers, {"body": token}
            )
            if status != 201:
                raise RuntimeError(f"posting answered {status}: {body[:200]!r}")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout), changed:
                    await changed.wait_for(lambda t=token: len(arrived.get(t, {})) == len(streams))
            times = arrived.get(token, {})
            report.samples += [at - started for at in times.values()]
            report.missing += len(streams) - len(times)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if opened:
            for stream in streams:
                await stream.close()
    return report
