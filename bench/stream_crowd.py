"""Many idle event streams from one process: `python -m bench.stream_crowd HOST PORT PATH`.

The load generator of `bench.stream_capacity`. Each stream is a bare
asyncio Protocol on a raw socket (no StreamReader, no task per stream): it
sends its GET, checks the answer is 200, and afterwards only looks for probe
tokens (`probe-RUN-N`) in what arrives, noting when each first came. The
process raises its own RLIMIT_NOFILE to the hard limit.

It takes commands on stdin, one a line, and answers each with one JSON line
on stdout; it also prints `{"all": TOKEN}` as soon as every open stream has
seen TOKEN:

- `open N`: open N more streams; `{"open": total, "failed": count}`;
- `report`: `{"arrivals": {token: [monotonic times]}, "open": n, "ended": n}`,
  and forget the arrivals;
- `quit`: close every stream and exit.

Times are `time.monotonic()`, one clock for every process of the machine.
"""

from __future__ import annotations

import asyncio
import json
import re
import resource
import sys
import threading
import time

TOKEN = re.compile(rb"probe-[0-9a-f]+-\d+")
TAIL = 64  # bytes kept from the last piece: a token split between two is still found
BATCH = 200  # streams opening at once


def raise_open_files() -> int:
    """RLIMIT_NOFILE's soft limit up to the hard one; the new soft limit."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


class Crowd:
    """The streams of this process and what they received."""

    def __init__(self, host: str, port: int, request: bytes) -> None:
        self.host, self.port, self.request = host, port, request
        self.streams: list[Stream] = []
        self.ended = 0
        self.arrivals: dict[bytes, list[float]] = {}

    def arrived(self, token: bytes, at: float) -> None:
        times = self.arrivals.setdefault(token, [])
        times.append(at)
        if len(times) == len(self.streams) - self.ended:
            say({"all": token.decode()})

    async def open(self, count: int) -> dict[str, int]:
        loop = asyncio.get_running_loop()
        failed = 0
        for start in range(0, count, BATCH):
            pending = [Stream(self, loop) for _ in range(min(BATCH, count - start))]
            results = await asyncio.gather(
                *(self._connect(loop, stream) for stream in pending), return_exceptions=True
            )
            for stream, result in zip(pending, results, strict=True):
                if result is True:
                    self.streams.append(stream)
                else:
                    failed += 1
                    stream.close()
        return {"open": len(self.streams) - self.ended, "failed": failed}

    async def _connect(self, loop: asyncio.AbstractEventLoop, stream: Stream) -> bool:
        await loop.create_connection(lambda: stream, self.host, self.port)
        async with asyncio.timeout(30):
            return await stream.answered


class Stream(asyncio.Protocol):
    """One open stream: the tokens it has seen, nothing else kept."""

    __slots__ = ("crowd", "transport", "answered", "head", "tail", "seen")

    def __init__(self, crowd: Crowd, loop: asyncio.AbstractEventLoop) -> None:
        self.crowd = crowd
        self.transport: asyncio.Transport | None = None
        self.answered: asyncio.Future[bool] = loop.create_future()
        self.head = True
        self.tail = b""
        self.seen: set[bytes] = set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self.crowd.request)

    def data_received(self, data: bytes) -> None:
        at = time.monotonic()
        if self.head:
            self.head = False
            ok = data.startswith(b"HTTP/1.1 200")
            if not self.answered.done():
                self.answered.set_result(ok)
            if not ok:
                self.close()
                return
        piece = self.tail + data
        self.tail = piece[-TAIL:]
        for token in TOKEN.findall(piece):
            if token not in self.seen:
                self.seen.add(token)
                self.crowd.arrived(token, at)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.answered.done():
            self.answered.set_result(False)
        elif self.transport is not None:
            self.crowd.ended += 1
        self.transport = None

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


def say(message: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def serve(host: str, port: int, path: str, cookie: str) -> None:
    lines: asyncio.Queue[str] = asyncio.Queue()
    loop = asyncio.get_running_loop()

    def read_stdin() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(lines.put_nowait, line.strip())
        loop.call_soon_threadsafe(lines.put_nowait, "quit")

    threading.Thread(target=read_stdin, daemon=True).start()
    headers = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n"
    if cookie:
        headers += f"Cookie: {cookie}\r\n"
    crowd = Crowd(host, port, (headers + "\r\n").encode())
    while (command := await lines.get()) != "quit":
        name, _, argument = command.partition(" ")
        if name == "open":
            say(await crowd.open(int(argument)))
        elif name == "report":
            arrivals = {token.decode(): times for token, times in crowd.arrivals.items()}
            crowd.arrivals = {}
            say({"arrivals": arrivals, "open": len(crowd.streams) - crowd.ended,
                 "ended": crowd.ended})  # fmt: skip
    for stream in crowd.streams:
        stream.close()
    await asyncio.sleep(0.2)


def main(argv: list[str]) -> None:
    host, port, path, *rest = argv
    raise_open_files()
    asyncio.run(serve(host, int(port), path, rest[0] if rest else ""))


if __name__ == "__main__":
    main(sys.argv[1:])
