"""create_app(settings) -> Starlette: routes, middleware, error handlers, lifespan.

Nothing is opened at import; the database opens in the lifespan, once per
worker process. The request log (requestlog.py) wraps everything else,
Starlette's own 500 handler included.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from . import admin
from .articles import ArticleIndex
from .config import Settings
from .errors import (
    ApiError,
    handle_api_error,
    handle_http_exception,
    handle_storage_error,
    handle_unexpected,
)
from .events import ChangeFeed, end_streams_on_exit_signals
from .identity import Identity
from .metrics import Metrics
from .requestlog import RequestLog
from .routes import api_routes, feed_routes, outside_routes
from .security import Guard
from .storage import StorageError
from .store import Store
from .store.commits import GroupCommit

# Requests are counted in memory and written to the metrics this often (seconds):
# a scrape sees another worker's requests at most this late.
METRICS_FLUSH = 1.0


class KurierApp(Starlette):
    """Starlette with the request log outermost, so that every answer carries its
    request's id and is logged and counted, a 500 included."""

    def build_middleware_stack(self) -> ASGIApp:
        settings: Settings = self.state.settings
        return RequestLog(super().build_middleware_stack(), settings.secret_key, self.state.metrics)


def create_app(settings: Settings | None = None) -> Starlette:
    """The comments service; without settings, read them from the environment."""
    settings = settings or Settings.from_env()
    app = KurierApp(
        routes=_routes(settings),
        middleware=_middleware(settings),
        exception_handlers={
            ApiError: handle_api_error,
            HTTPException: handle_http_exception,
            StorageError: handle_storage_error,
            Exception: handle_unexpected,
        },
        lifespan=_lifespan(settings),
    )
    app.state.settings = settings
    app.state.metrics = Metrics()
    app.state.articles = ArticleIndex(settings.articles_path, settings.manifest_check_interval)
    return app


def _lifespan(settings: Settings) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    """Open the database and what works on it when a worker starts; close them when it stops."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        db = settings.open_database()
        app.state.db = db
        app.state.store = store = Store(db, settings, app.state.articles)
        app.state.identity = Identity(settings, store)
        metrics: Metrics = app.state.metrics
        app.state.commits = commits = GroupCommit(db, metrics.commit_batch.observe)
        app.state.events = events = ChangeFeed(store, settings, metrics.open_streams)
        await events.start()
        restore_signals = end_streams_on_exit_signals(events)
        flushing = asyncio.create_task(metrics.flush_every(METRICS_FLUSH), name="kurier-metrics")
        try:
            yield
        finally:
            restore_signals()
            await events.close()
            commits.close()  # writes still queued are committed and answered first
            flushing.cancel()
            metrics.flush()  # what this worker counted last, before it goes
            db.close()

    return lifespan


def _routes(settings: Settings) -> list[BaseRoute]:
    routes: list[BaseRoute] = [
        Mount("/api/v1", routes=api_routes()),
        *outside_routes(),  # /healthz
        *feed_routes(),  # before the site: its own feeds/ holds the article feeds
        Mount("/admin", routes=admin.ROUTES),
    ]
    if settings.site_dir is not None:
        # Pages, styles and scripts go out compressed: a third of their size or less.
        # The API is left alone: its answers are small and its streams must not buffer.
        site = StaticFiles(directory=settings.site_dir, html=True)
        routes.append(Mount("/", GZipMiddleware(site, minimum_size=1024)))
    return routes


def _middleware(settings: Settings) -> list[Middleware]:
    middleware: list[Middleware] = []  # the security headers: requestlog.py
    if settings.allowed_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.allowed_origins),
                allow_credentials=True,
                allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                allow_headers=["content-type"],
                max_age=600,
            )
        )
    middleware.append(Middleware(Guard, allowed_origins=settings.own_origins))
    return middleware
