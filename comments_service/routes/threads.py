"""Threads: one with its comments, the counts of several, a must-read confirmation."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..errors import invalid
from ..schemas.answers import Acknowledgement, Counts, ThreadView
from ..state import app_state
from .endpoint import ANYONE, IDENTITY, SIGNED_IN, Endpoint, Param
from .http import article, current_user, json_response, signed_in, store, write

MAX_COUNT_SLUGS = 100


async def get_thread(request: Request) -> Response:
    # Bytes serialised once per change (store/threadview.py): sent as they are.
    views, found, user = store(request).views, article(request), current_user(request)
    body = await views.current_thread_json(found, user)
    return json_response(body if body is not None else views.thread_json(found, user))


async def get_counts(request: Request) -> Response:
    slugs = [
        slug for value in request.query_params.getlist("slug") for slug in value.split(",") if slug
    ]
    if not slugs:
        raise invalid("slug", "Name at least one thread: ?slug=a&slug=b.")
    if len(slugs) > MAX_COUNT_SLUGS:
        raise invalid("slug", f"Ask for at most {MAX_COUNT_SLUGS} threads at once.")
    index = app_state(request).articles
    known = [index.get(slug) for slug in dict.fromkeys(slugs)]
    counts = await store(request).views.counts([a for a in known if a and not a.hidden])
    return json_response(counts)


async def put_acknowledgement(request: Request) -> Response:
    found = article(request)
    user = signed_in(request)
    acks = store(request).acks
    return json_response(await write(request, lambda: acks.acknowledge(found, user)))


SLUGS = Param("slug", list[str], "up to 100 slugs, repeated or comma-separated", required=True)

ENDPOINTS = [
    Endpoint("GET", "/threads/{slug}", get_thread, "A thread with its comments", ANYONE,
             ThreadView, errors=(IDENTITY, 404)),
    Endpoint("GET", "/counts", get_counts, "Comment and reaction counts of up to 100 threads; "
             "unknown and hidden threads are left out", ANYONE, dict[str, Counts],
             errors=(422,), params=(SLUGS,)),
    Endpoint("PUT", "/threads/{slug}/acknowledgement", put_acknowledgement, "Confirm having "
             "read a must-read article (409 not_must_read for others)", SIGNED_IN,
             Acknowledgement, errors=(IDENTITY, 401, 404, 409)),
]  # fmt: skip
