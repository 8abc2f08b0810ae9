"""A route declared once: method, path, handler, what it takes, what it answers, its errors.

Each route module ends with its `Endpoint`s; routes/__init__.py gathers them
into the route table. The same declarations make the OpenAPI document
(routes/openapi.py) and the endpoint table of docs/API.md (routes/reference.py),
and the tests check real answers against them.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..schemas import Body
from ..security import STATE_CHANGING, WITH_JSON_BODY

Handler = Callable[[Request], Awaitable[Response]]
API = "/api/v1"
JSON, CSV, EVENTS = "application/json", "text/csv", "text/event-stream"

# Who may call a route, in the words of the docs.
ANYONE, SIGNED_IN, MODERATORS = "anyone", "signed in", "moderators"

# Error statuses that many routes share.
IDENTITY = 400  # header mode: an identity header sent twice, or not clean UTF-8
WRITER = (IDENTITY, 401, 404, 429)  # who asks, what about, how often
MODERATOR = (IDENTITY, 401, 403)


@dataclass(frozen=True)
class Param:
    """A query or header parameter (path parameters come from the path)."""

    name: str
    type: Any = str
    description: str = ""
    where: str = "query"
    required: bool = False


@dataclass(frozen=True)
class Endpoint:
    """One route of the service, as the route table, the documents and the tests see it."""

    method: str
    path: str
    handler: Handler
    summary: str
    who: str
    answer: Any = None  # the shape of a successful answer; None: no content
    status: int = 200
    media_type: str = JSON
    body: type[Body] | None = None
    errors: tuple[int, ...] = ()
    params: tuple[Param, ...] = ()
    mount: str = API
    description: str = ""
    # Error statuses answered with a shape of their own instead of Error.
    other_answers: tuple[tuple[int, Any], ...] = ()

    def route(self) -> Route:
        return Route(self.path, self.handler, methods=[self.method])

    @property
    def full_path(self) -> str:
        return self.mount + self.path

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"\{(\w+)\}", self.path)

    @property
    def body_required(self) -> bool:
        """Whether a body must be sent (a body of optional fields may be left out)."""
        fields = msgspec.structs.fields(self.body) if self.body else ()
        return any(info.required for info in fields)

    @property
    def statuses(self) -> tuple[int, ...]:
        """Every error status: those declared, and those the request guard and the body
        reader give (security.py: origin 403, size 413, content type 415; JSON 400, 422)."""
        found = set(self.errors)
        if self.mount == API and self.method in STATE_CHANGING:
            found |= {403, 413}
            if self.method in WITH_JSON_BODY:
                found.add(415)
        if self.body is not None:
            found |= {400, 422}
        return tuple(sorted(found))
