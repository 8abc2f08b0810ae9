"""The HTTP protocol Kurier serves with: uvicorn's httptools one, with limits on request heads.

uvicorn's httptools protocol bounds neither the size of a request's line and
headers nor the time a client may take to send them: an 8 MB header was parsed
whole, and a client sending one header line every few seconds kept its
connection as long as it liked. Here a head is fed to the parser only up to
MAX_HEAD_BYTES (then 431), and must be complete within the head timeout
(then 408). Everything else (keep-alive, pipelining) is uvicorn's own.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from http import HTTPStatus
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .config import head_timeout_from_env
from .errors import error_body
from .headers import security_headers
from .logs import new_id

MAX_HEAD_BYTES = 64 * 1024  # the request line and all headers together
KEEP_ALIVE_TIMEOUT = 5  # seconds an idle connection is kept between requests

_REFUSALS = {
    431: ("headers_too_large", f"The request line and headers exceed {MAX_HEAD_BYTES} bytes."),
    408: ("request_timeout", "The request line and headers did not arrive in time."),
}

logger = logging.getLogger("comments_service")


@functools.cache
def _process_head_timeout() -> float:
    # Each worker process reads the variable once; serve has already checked it.
    return head_timeout_from_env()


def _refusal_headers(status: int, request_id: str) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """Headers and body of a 431 or 408: our JSON error shape, then the connection closes."""
    body = error_body(*_REFUSALS[status])
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        (b"x-request-id", request_id.encode()),
        *((name.encode(), value.encode()) for name, value in security_headers("/api/").items()),
    ]
    return headers, body


def _refusal(status: int, default_headers: list[tuple[bytes, bytes]], request_id: str) -> bytes:
    """A whole 431 or 408 response, written outside any request cycle."""
    headers, body = _refusal_headers(status, request_id)
    lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}".encode()]
    lines += [name + b": " + value for name, value in [*default_headers, *headers]]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def large_head_refusal(request_id: str) -> ASGIApp:
    """431 as an ASGI app, for a head seen to be too large only once complete."""

    async def refuse(scope: Scope, receive: Receive, send: Send) -> None:
        headers, body = _refusal_headers(431, request_id)
        await send({"type": "http.response.start", "status": 431, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return refuse


class KurierHttpProtocol(HttpToolsProtocol):
    """httptools with a byte budget and a deadline for each request head."""

    max_head_bytes = MAX_HEAD_BYTES
    # Slots keep uvicorn's per-connection __dict__ at its own size: with ten
    # thousand open event streams, every connection's bytes count.
    __slots__ = ("head_timeout", "_in_head", "_head_started", "_head_bytes", "_head_timer")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.head_timeout = _process_head_timeout()
        self._in_head = True  # between requests or inside a line and headers
        self._head_started = False  # a byte of the current request has arrived
        self._head_bytes = 0
        self._head_timer: asyncio.TimerHandle | None = None

    # uvicorn's protocol takes an asyncio.Transport where asyncio.Protocol declares a
    # BaseTransport (and ignores the override itself); this keeps uvicorn's signature.
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_head_clock()  # the first request's deadline runs from the connection

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_clock()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Feed a head no more than its remaining budget: an oversize one is never parsed whole."""
        if self._in_head:
            # From the first byte, even a line break that starts no request:
            # uvicorn has just cancelled its keep-alive timer for it.
            self._start_head_clock()
        while data and self._in_head and not self.transport.is_closing():
            room = self.max_head_bytes - self._head_bytes
            if room <= 0:
                self._refuse(431)
                return
            piece, data = data[:room], data[room:]
            self._head_bytes += len(piece)
            super().data_received(piece)
        if data and not self.transport.is_closing():
            super().data_received(data)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_started = True
        self._start_head_clock()  # also for a request that began inside a body's read

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._stop_head_clock()
        if self._head_size() <= self.max_head_bytes:
            super().on_headers_complete()
            return
        # Only a head that arrived in the same read as the end of a body gets
        # here: data_received cannot tell where it began. It is answered in its
        # turn, after the requests before it, through uvicorn's request cycle.
        request_id = new_id()
        self._log_refusal(431, request_id)
        app, self.app = self.app, large_head_refusal(request_id)
        try:
            super().on_headers_complete()
        finally:
            self.app = app

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head, self._head_started, self._head_bytes = True, False, 0

    def _head_size(self) -> int:
        return len(self.url) + sum(len(name) + len(value) for name, value in self.headers)

    def _start_head_clock(self) -> None:
        if self._head_timer is None:
            loop = asyncio.get_running_loop()
            self._head_timer = loop.call_later(self.head_timeout, self._head_timed_out)

    def _stop_head_clock(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        if self._head_started:
            self._refuse(408)
        else:
            self.transport.close()  # nothing was asked, so nothing is answered

    def _refuse(self, status: int) -> None:
        """Answer `status` and close; never in the middle of an earlier response."""
        self._stop_head_clock()
        request_id = new_id()
        self._log_refusal(status, request_id)
        if self.cycle is None or self.cycle.response_complete:
            default_headers = self.server_state.default_headers
            self.transport.write(_refusal(status, default_headers, request_id))
        self.transport.close()

    def _log_refusal(self, status: int, request_id: str) -> None:
        # A 431 may be a real reader whose cookies grew; a 408 is mostly a slow network.
        level = logging.WARNING if status == 431 else logging.INFO
        text, fields = _REFUSALS[status][1], {"request_id": request_id}
        logger.log(level, "%s to %s: %s", status, self.client, text, extra={"fields": fields})
