"""The service's log lines: JSON (one object a line) or text, with the request's id.

`serve` configures logging from COMMENTS_LOG_FORMAT (`logging_config`): its
own loggers and uvicorn's write through one of the formatters here, and
uvicorn's access log is off, since the request log (requestlog.py) writes a
line per request itself. Whatever is logged while a request is handled,
an error's traceback included, carries that request's id.
"""

from __future__ import annotations

import logging
import os
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import orjson

#: The id of the request being handled (set by the request log for its task).
REQUEST_ID: ContextVar[str | None] = ContextVar("kurier_request_id", default=None)
ACCESS_LOGGER = "comments_service.access"
_FIELDS = "fields"  # the record's attribute (logging's `extra`) with a line's own fields
# The fields a text line adds to its message (an access line's message has the rest).
_TEXT_FIELDS = ("duration_ms", "request_id", "user")


def new_id() -> str:
    """A new request id: a random UUID (version 4) as 32 hex digits, as uuid4().hex
    gives it at a fifth of the cost."""
    data = bytearray(os.urandom(16))
    data[6] = data[6] & 0x0F | 0x40  # the version, 4
    data[8] = data[8] & 0x3F | 0x80  # the variant, RFC 4122
    return data.hex()


def _time(created: float) -> str:
    moment = datetime.fromtimestamp(created, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    """The record's structured fields (an access line's), else the request id, if any."""
    fields: dict[str, Any] | None = getattr(record, _FIELDS, None)
    if fields is not None:
        return fields
    request_id = REQUEST_ID.get()
    return {"request_id": request_id} if request_id is not None else {}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (ISO 8601 UTC), level, logger, message, the
    request's id and fields, and an error's traceback as `error`."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": _time(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **_fields(record),
        }
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


class TextFormatter(logging.Formatter):
    """`time level logger: message key=value …`, for a person reading a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = _fields(record)
        pairs = " ".join(f"{name}={fields[name]}" for name in _TEXT_FIELDS if name in fields)
        if not pairs:
            return text
        head, _, rest = text.partition("\n")  # a traceback stays below the line
        return f"{head} {pairs}" + (f"\n{rest}" if rest else "")


def logging_config(log_format: str, level: str) -> dict[str, Any]:
    """logging's dictConfig for `serve` (uvicorn applies it in every worker)."""
    formatter = JsonFormatter if log_format == "json" else TextFormatter
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"kurier": {"()": f"{__name__}.{formatter.__name__}"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "kurier",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": level, "propagate": False},
            # The request log says what uvicorn's access log would, and more.
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "comments_service": {"handlers": ["stderr"], "level": level, "propagate": False},
        },
        "root": {"handlers": ["stderr"], "level": "WARNING"},
    }
