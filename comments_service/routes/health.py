"""The service's health, outside /api/v1: whether it answers and can read its database."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import Response

from ..schemas.answers import Health
from ..state import app_state
from .endpoint import ANYONE, Endpoint
from .http import json_response

logger = logging.getLogger("comments_service")


async def healthz(request: Request) -> Response:
    """The service answers and its database can be read."""
    try:
        app_state(request).db.storage.ping()
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        logger.exception("health check failed")
        return json_response({"status": "unavailable", "database": "error"}, 503)
    threads = len(app_state(request).articles.articles())
    return json_response({"status": "ok", "database": "ok", "threads": threads})


ENDPOINTS = [
    Endpoint("GET", "/healthz", healthz, "Whether the service answers and can read its "
             "database (503 when it cannot)", ANYONE, Health, errors=(503,), mount="",
             other_answers=((503, Health),)),
]  # fmt: skip
