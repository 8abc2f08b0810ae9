"""Each request's id, log line and metrics: pure ASGI middleware around the whole app.

- `X-Request-ID`: the request's own when it is a sane token (letters,
  digits, `-_.:@`, at most 128), else a new uuid4 hex. Every answer carries
  it (errors, 404s and event streams too), and so does every log line
  written while the request is handled (logs.py).
- One line per request on the `comments_service.access` logger: the method,
  the route template as routed (`/api/v1/threads/{slug}`; the raw path, cut
  short, only when no route was reached), the status, the duration and a
  short keyed hash of the person, if one was asked for. Never a body, an
  e-mail, a name or a query string.
- The security headers of headers.py on every answer that did not set its
  own (here rather than in a layer of their own: an open event stream keeps
  every layer it passed through for as long as it lasts).
- The request counter and latency histogram of metrics.py.

Pure ASGI rather than BaseHTTPMiddleware, which would buffer event streams;
it sits outside Starlette's own 500 handler so that a 500 carries the id too.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from functools import lru_cache
from time import perf_counter

from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .headers import security_header_lines
from .logs import ACCESS_LOGGER, REQUEST_ID, new_id
from .metrics import UNROUTED, Metrics

HEADER = b"x-request-id"
_SANE_ID = re.compile(rb"[A-Za-z0-9_.:@-]{1,128}")  # @: Apache's UNIQUE_ID
_UNPRINTABLE = re.compile(rb"[^\x21-\x7e]")
EVENTS_SUFFIX = "/events"  # a thread's live event stream: /api/v1/threads/{slug}/events
PATH_LIMIT = 200  # characters of a raw path a log line keeps
access = logging.getLogger(ACCESS_LOGGER)


def request_id(headers: list[tuple[bytes, bytes]]) -> str:
    """The id the request brought, if it is a sane token, else a new one."""
    for name, value in headers:
        if name == HEADER:
            if _SANE_ID.fullmatch(value):
                return value.decode("ascii")
            break
    return new_id()


def route_template(scope: Scope) -> str | None:
    """The path template the request was routed to, mounts included; None if no route
    was reached. A mount without a route of its own (the site, static files) is
    `{prefix}/{path}`."""
    route = scope.get("route")
    if route is None:
        return None
    root: str = scope.get("root_path", "")  # the mounts' prefixes, as matched
    if isinstance(route, Mount):
        return root + "/{path}"
    return root + str(getattr(route, "path", ""))


def logged_path(scope: Scope) -> str:
    """What a log line names: the template of a route, else the raw path (no query),
    cut short, with anything but visible ASCII replaced."""
    route = scope.get("route")
    if route is not None and not isinstance(route, Mount):
        return route_template(scope) or ""
    raw: bytes = scope.get("raw_path") or scope["path"].encode("utf-8", "replace")
    return _UNPRINTABLE.sub(b"?", raw[:PATH_LIMIT]).decode("ascii")


class Answer:
    """One request on its way out: what its answer's start gets (its id, the security
    headers), and what the log line says of it. Slots, not a closure: an open event
    stream keeps this for as long as it lasts."""

    __slots__ = ("scope", "send", "rid", "metrics", "start", "status", "complete")

    def __init__(self, scope: Scope, send: Send, rid: str, metrics: Metrics) -> None:
        self.scope, self.send, self.rid, self.metrics = scope, send, rid, metrics
        self.start = perf_counter()
        self.status, self.complete = 0, False

    async def send_with_id(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            self.status = message["status"]
            scope = self.scope
            headers = list(message.get("headers") or ())
            # The security headers too (headers.py), unless the app set its own: one
            # layer less for each request, and for the life of each open stream.
            present = {name.lower() for name, _ in headers}
            headers += [line for line in security_header_lines(scope["path"])
                        if line[0] not in present]  # fmt: skip
            headers.append((HEADER, self.rid.encode("ascii")))
            message["headers"] = headers
            route = route_template(scope) or UNROUTED
            self.metrics.answered(scope["method"], route, self.status, perf_counter() - self.start)
        elif kind == "http.response.body" and not message.get("more_body", False):
            self.complete = True
        await self.send(message)


class RequestLog:
    """Gives every request its id, and logs and counts it once answered."""

    def __init__(self, app: ASGIApp, secret_key: str, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        key = hmac.new(secret_key.encode(), b"kurier-request-log", hashlib.sha256).digest()

        @lru_cache(maxsize=4096)
        def person_tag(user_id: str) -> str:
            # Keyed, so a log reader cannot test a guessed login against it.
            text = user_id.encode("utf-8", "surrogatepass")
            return hmac.new(key, text, hashlib.sha256).hexdigest()[:16]

        self.person_tag = person_tag

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        answer = Answer(scope, send, request_id(scope["headers"]), self.metrics)
        if not scope["path"].endswith(EVENTS_SUFFIX):
            # For every log line of this request (each request runs in a task of its
            # own). Not for a live event stream: it would keep a context of its own
            # for as long as it lasts, thousands of them; its access line names its id.
            REQUEST_ID.set(answer.rid)
        try:
            await self.app(scope, receive, answer.send_with_id)
        except Exception:
            answer.status = answer.status or 500
            # Answered already: Starlette's 500 handler raises again only so that the
            # server may log it, and errors.handle_unexpected has, with this request's id.
            if not answer.complete:
                raise
        finally:
            if access.isEnabledFor(logging.INFO):
                self._log(scope, answer.rid, answer.status, answer.start)

    def _log(self, scope: Scope, rid: str, status: int, start: float) -> None:
        method, path = scope["method"], logged_path(scope)
        fields = {
            "request_id": rid,
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": round((perf_counter() - start) * 1000, 2),
        }
        user = scope.get("kurier_user")  # only if the request asked who it was
        if user is not None:
            fields["user"] = self.person_tag(user.id)
        access.info("%s %s %d", method, path, status, extra={"fields": fields})
