"""The service's health and numbers, outside /api/v1: /healthz, /readyz and /metrics.

/healthz says the service answers and reads its database (is it alive?);
/readyz that it can take writes (should the front send it requests?);
/metrics is for Prometheus, and only for COMMENTS_METRICS_ALLOW: anyone else
gets the 404 of a path that does not exist.
"""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from ..errors import ApiError
from ..metrics import CONTENT_TYPE
from ..schemas.answers import Health, Readiness
from ..state import app_state
from ..storage import StorageError
from .endpoint import ANYONE, Endpoint, Handler
from .http import NO_STORE, json_response

logger = logging.getLogger("comments_service")

WRITE_LOCK_WAIT = 0.5  # seconds /readyz waits for the writers' lock: busy, not stuck


async def healthz(request: Request) -> Response:
    """The service answers and its database can be read."""
    try:
        app_state(request).db.storage.ping()
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        logger.exception("health check failed")
        return json_response({"status": "unavailable", "database": "error"}, 503)
    threads = len(app_state(request).articles.articles())
    return json_response({"status": "ok", "database": "ok", "threads": threads})


async def readyz(request: Request) -> Response:
    """200 when a write could be taken now, else 503 `not_ready` saying what is wrong."""
    state = app_state(request)
    problems = []
    if state.events.ending:
        problems.append("the service is stopping")
    try:
        state.db.storage.check_writable(WRITE_LOCK_WAIT)
    except StorageError as error:
        # The details (a file's path, a server's name) go to the log, not to anyone who asks.
        logger.warning("not ready: %s", error)
        problems.append("the database takes no writes (busy, read-only or unreachable)")
    articles = state.articles
    if not articles.loaded:
        problems.append("the articles manifest is not loaded (COMMENTS_ARTICLES)")
    if problems:
        message = "Not ready: " + "; ".join(problems) + "."
        raise ApiError(503, "not_ready", message, headers={"Retry-After": "5", **NO_STORE})
    body = {"status": "ready", "database": "writable", "articles": "loaded",
            "threads": len(articles.articles())}  # fmt: skip
    return json_response(body)


async def metrics(request: Request) -> Response:
    """Every worker's metrics in Prometheus' text format, for the allowed peers only."""
    state = app_state(request)
    if not state.settings.metrics_allow.admit(request.scope):
        raise HTTPException(404)  # the very answer of a path that does not exist
    if request.method not in ("GET", "HEAD"):
        raise HTTPException(405, headers={"Allow": "GET, HEAD"})
    return Response(state.metrics.scrape(), media_type=CONTENT_TYPE, headers=NO_STORE)


ENDPOINTS = [
    Endpoint("GET", "/healthz", healthz, "Whether the service answers and can read its "
             "database (503 when it cannot)", ANYONE, Health, errors=(503,), mount="",
             other_answers=((503, Health),)),
    Endpoint("GET", "/readyz", readyz, "Whether the service can take writes: its database "
             "writable and the articles manifest loaded", ANYONE, Readiness, errors=(503,),
             mount="", description="503 not_ready names what is wrong, with Retry-After."),
]  # fmt: skip


class EveryMethod:
    """A handler as an ASGI app, which Starlette routes every method to: to a stranger,
    POST or PROPFIND /metrics is the 404 of GET, not a 405 telling that it exists."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.handler(Request(scope, receive))
        await response(scope, receive, send)


ROUTES: list[BaseRoute] = [Route("/metrics", EveryMethod(metrics))]
