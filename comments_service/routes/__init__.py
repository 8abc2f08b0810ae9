"""The route table: every endpoint of the service's API, declared once, one module per resource.

- endpoint.py   how a route is declared: `Endpoint` (method, path, handler, body, answer, errors)
- http.py       what every handler uses: JSON answers, bodies, who asks, the article, writes
- people.py     /me, the moderators' session (open mode), mutes
- threads.py    a thread, counts, must-read confirmations
- comments.py   writing, editing, deleting comments
- reactions.py  article reactions and comment likes
- events.py     the live event stream of a thread
- moderation.py moderators' decisions, readers' reports, the moderators' lists
- reports.py    engagement and acknowledgement reports, JSON and CSV
- health.py     /healthz, /readyz, and /metrics (for Prometheus: not in the table)
- openapi.py    the OpenAPI document, made from this table
- reference.py  the endpoint table of docs/API.md, made from this table

- feeds.py      the comment feeds (Atom and RSS), outside /api/v1

The feeds and the moderators' pages (admin/) are mounted
beside it by app.py.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from . import comments, events, feeds, health, moderation, people, reactions, reports, threads
from .endpoint import API, Endpoint
from .openapi import openapi_endpoint

# Matched in this order: the hot paths (reading a thread, writing a comment) first.
DOCUMENTED: tuple[Endpoint, ...] = (
    *threads.ENDPOINTS,
    *comments.ENDPOINTS,
    *reactions.ENDPOINTS,
    *events.ENDPOINTS,
    *people.ENDPOINTS,
    *moderation.ENDPOINTS,
    *reports.ENDPOINTS,
    *health.ENDPOINTS,
)
ENDPOINTS: tuple[Endpoint, ...] = (*DOCUMENTED, openapi_endpoint(DOCUMENTED))


def api_routes() -> list[BaseRoute]:
    """The routes under /api/v1, in the order they are matched."""
    return [endpoint.route() for endpoint in ENDPOINTS if endpoint.mount == API]


def outside_routes() -> list[BaseRoute]:
    """The routes outside /api/v1 (health, readiness and metrics)."""
    return [endpoint.route() for endpoint in ENDPOINTS if endpoint.mount != API] + health.ROUTES


def feed_routes() -> list[BaseRoute]:
    """The comment feeds, outside /api/v1 (before the site: its own feeds/ holds the site's)."""
    return list(feeds.ROUTES)
