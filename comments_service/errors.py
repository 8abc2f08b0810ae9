"""The one JSON error shape of the API, produced here and nowhere else.

{"error": {"code": "snake_case", "message": "human sentence", "field": null}}
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from .headers import security_headers

logger = logging.getLogger("comments_service")

# Codes for Starlette's own HTTP errors (unknown route, wrong method, ...).
_HTTP_CODES = {
    400: "bad_request",
    401: "not_signed_in",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "invalid_field",
    429: "rate_limited",
}


class ApiError(Exception):
    """An answer other than success, with its status, code and message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        headers: Mapping[str, str] | None = None,
        extra: dict[str, object] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers or {}
        self.extra = extra or {}  # more members of the error object, e.g. a mute's `until`


def error_body(
    code: str, message: str, field: str | None = None, extra: dict[str, object] | None = None
) -> bytes:
    """The error as JSON; a name or message quoting what a client sent stays encodable."""
    return orjson.dumps(
        {
            "error": {
                "code": code,
                "message": _encodable(message),
                "field": _encodable(field) if field is not None else None,
                **(extra or {}),
            }
        }
    )


def _encodable(text: str) -> str:
    """`text` with any unpaired surrogate (from a client's JSON, e.g. a field name) escaped."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def error_response(error: ApiError) -> Response:
    return Response(
        error_body(error.code, error.message, error.field, error.extra),
        status_code=error.status,
        media_type="application/json",
        headers=error.headers,
    )


async def handle_api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc)


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    """Starlette's plain-text errors (404, 405...) in our shape."""
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    message = exc.detail if isinstance(exc.detail, str) else HTTPStatus(status).phrase
    if message == HTTPStatus(status).phrase:
        message = f"{message}."
    code = _HTTP_CODES.get(status, HTTPStatus(status).phrase.lower().replace(" ", "_"))
    return error_response(ApiError(status, code, message, headers=exc.headers))


async def handle_storage_error(request: Request, exc: Exception) -> Response:
    """The database cannot be reached or stayed busy: nothing was written; try again soon."""
    logger.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
    metrics = getattr(request.app.state, "metrics", None)  # app.state.metrics (metrics.py)
    if metrics is not None:
        metrics.database_error(exc)
    error = ApiError(
        503,
        "database_unavailable",
        "The comments are briefly unavailable; nothing was saved. Try again in a moment.",
        headers={"Retry-After": "2"},
    )
    response = error_response(error)
    response.headers.update(security_headers(request.url.path))
    return response


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    """Log what went wrong; tell the client nothing about it."""
    logger.exception("unexpected error on %s %s", request.method, request.url.path)
    response = error_response(ApiError(500, "internal_error", "Something went wrong on our side."))
    # Answered outside the middleware that adds these to every other response.
    response.headers.update(security_headers(request.url.path))
    return response


def not_signed_in() -> ApiError:
    return ApiError(401, "not_signed_in", "Sign in (or choose a display name) first.")


def forbidden(message: str = "You may not do that.") -> ApiError:
    return ApiError(403, "forbidden", message)


def not_found(what: str) -> ApiError:
    codes = {"thread": "thread_not_found", "comment": "comment_not_found"}
    return ApiError(404, codes.get(what, "not_found"), f"There is no such {what}.")


def invalid(field: str, message: str, code: str = "invalid_field") -> ApiError:
    return ApiError(422, code, message, field=field)


def rate_limited(wait: int, message: str) -> ApiError:
    """429 with the seconds to wait, in Retry-After and in the message."""
    return ApiError(429, "rate_limited", message, headers={"Retry-After": str(wait)})


def thread_locked() -> ApiError:
    return ApiError(403, "thread_locked", "The discussion of this article is closed.")


def muted(until: str) -> ApiError:
    """403 while a moderator's mute applies; the error says until when."""
    return ApiError(
        403,
        "muted",
        f"A moderator muted you until {until}: you cannot write until then.",
        extra={"until": until},
    )


def comment_deleted() -> ApiError:
    return ApiError(409, "comment_deleted", "That comment was deleted.")


def comment_hidden() -> ApiError:
    return ApiError(409, "comment_hidden", "A moderator hid that comment.")


def not_must_read() -> ApiError:
    return ApiError(409, "not_must_read", "This article does not ask for confirmation.")
