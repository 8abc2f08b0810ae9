"""Request guards, as plain ASGI middleware.

- every state-changing API request needs an allowed Origin (or Referer):
  403 `origin_not_allowed`, the defence against cross-site request forgery;
- POST and PATCH need `Content-Type: application/json` (415), because
  Starlette parses any body as JSON whatever its declared type;
- bodies over 64 KiB are refused (413) without being read whole.

Every response's security headers (nosniff, frame-ancestors, a referrer
policy: headers.py) are added by the request log, the outermost layer
(requestlog.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import ApiError, error_body

MAX_BODY = 64 * 1024
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
WITH_JSON_BODY = frozenset({"POST", "PATCH"})


def request_origin(headers: Headers) -> str | None:
    """The origin a browser declared for the request: Origin, else (without one) Referer's.

    `Origin: null` (a sandboxed frame, a data: page, some redirects) names no
    origin at all, and is not a reason to fall back to the Referer.
    """
    origin = headers.get("origin")
    if origin is not None:
        origin = origin.strip()
        return None if origin.lower() in ("null", "") else origin.rstrip("/").lower()
    referer = headers.get("referer")
    if referer:
        parts = urlsplit(referer)
        if parts.scheme and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}".lower()
    return None


def origin_allowed(origin: str | None, headers: Headers, allowed: Iterable[str]) -> bool:
    """Whether `origin` may change state.

    `allowed` is Settings.own_origins: COMMENTS_ALLOWED_ORIGINS, else the
    origin of COMMENTS_PUBLIC_URL. With neither configured (a laptop, a
    test), the host a browser addressed is taken for the service's own
    (scheme aside, since a TLS-terminating proxy may sit in front); a
    deployment sets COMMENTS_PUBLIC_URL so that no Host header decides.
    """
    if origin is None:
        return False
    allowed = tuple(allowed)
    if allowed:
        return origin in allowed
    host = headers.get("host", "").lower()
    return bool(host) and urlsplit(origin).netloc == host


class Guard:
    """Origin, content type and body size checks for the API."""

    def __init__(self, app: ASGIApp, allowed_origins: Iterable[str] = (), prefix: str = "/api/"):
        self.app = app
        self.allowed_origins = tuple(allowed_origins)
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        headers = Headers(scope=scope)
        error = self._refusal(method, headers)
        if error is not None:
            await _send_error(send, error)
            return
        await self.app(scope, _limited(receive), send)

    def _refusal(self, method: str, headers: Headers) -> ApiError | None:
        if method not in STATE_CHANGING:
            return None
        if not origin_allowed(request_origin(headers), headers, self.allowed_origins):
            return ApiError(
                403,
                "origin_not_allowed",
                "This request did not come from a page allowed to change comments.",
            )
        if method in WITH_JSON_BODY:
            media_type = headers.get("content-type", "").split(";")[0].strip().lower()
            if media_type != "application/json":
                return ApiError(415, "unsupported_media_type", "Send the body as application/json.")
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            return _too_large()
        return None


def _too_large() -> ApiError:
    return ApiError(413, "body_too_large", f"The body is over {MAX_BODY // 1024} KiB.")


def _limited(receive: Receive) -> Receive:
    """A receive that stops a body growing past MAX_BODY (for chunked uploads)."""
    received = 0

    async def receive_limited() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > MAX_BODY:
                raise _too_large()
        return message

    return receive_limited


async def _send_error(send: Send, error: ApiError) -> None:
    body = error_body(error.code, error.message, error.field)
    await send(
        {
            "type": "http.response.start",
            "status": error.status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
