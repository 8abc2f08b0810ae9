"""HTTP handlers of /api/v1: parse, call the store, answer. The route table is at the bottom.

Handlers are `async` and call SQLite inline: its short queries are faster on
the event loop than through a thread pool.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TypeVar

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .articles import Article
from .errors import ApiError, invalid, not_found, not_signed_in
from .identity import me_body, parse_name
from .store import Store, parse_parent, prepare_text
from .user import User
from .validation import parse_reason

T = TypeVar("T")
MAX_COUNT_SLUGS = 100
NO_STORE = {"cache-control": "private, no-store"}


def json_response(content: object, status: int = 200) -> Response:
    body = content if isinstance(content, bytes) else orjson.dumps(content)
    return Response(body, status_code=status, media_type="application/json", headers=NO_STORE)


def _store(request: Request) -> Store:
    return request.app.state.store


def _user(request: Request) -> User | None:
    return request.app.state.identity.user(request)


def _signed_in(request: Request) -> User:
    user = _user(request)
    if user is None:
        raise not_signed_in()
    return user


def _article(request: Request, slug: str | None = None) -> Article:
    """The article a thread belongs to; hidden threads do not exist."""
    slug = slug if slug is not None else request.path_params["slug"]
    article = request.app.state.articles.get(slug)
    if article is None or article.hidden:
        raise not_found("thread")
    return article


async def _write(request: Request, operation: Callable[[], T]) -> T:
    """Run a store operation in the next group commit."""
    return await request.app.state.commits.run(operation)


async def _json_body(request: Request, fields: dict[str, bool]) -> dict:
    """The body as a JSON object with only `fields` (name: required)."""
    raw = await request.body()
    try:
        # The standard parser, not orjson: it keeps an unpaired surrogate
        # ("\ud800") as text, so validation can refuse it with a 422 that
        # names the field instead of a vague 400.
        data = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: thousands of nested [ or {
        raise ApiError(400, "malformed_json", "The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ApiError(400, "malformed_json", "The body must be a JSON object.")
    for name in data:
        if name not in fields:
            raise invalid(name, f"Unknown field '{name}'.", code="unknown_field")
    for name, required in fields.items():
        if required and name not in data:
            raise invalid(name, f"The field '{name}' is required.", code="missing_field")
    return data


# --- people -------------------------------------------------------------------


async def get_me(request: Request) -> Response:
    return json_response(me_body(_user(request), request.app.state.settings.auth))


async def post_me(request: Request) -> Response:
    """Open mode: choose a display name (kept in a signed cookie)."""
    settings = request.app.state.settings
    if settings.auth != "open":
        raise ApiError(409, "managed_identity", "Your name comes from the company sign-in here.")
    data = await _json_body(request, {"name": True})
    name, identity = parse_name(data["name"]), request.app.state.identity
    if identity.cookie_user(request) is None:  # a new identity: limited per address
        _store(request).limits.take_identity(identity.address(request))
    user, cookie = identity.sign_in(request, name)
    response = json_response(me_body(user, settings.auth))
    response.set_cookie(**cookie)
    return response


# --- threads ------------------------------------------------------------------


async def get_thread(request: Request) -> Response:
    return json_response(_store(request).views.thread_json(_article(request), _user(request)))


async def get_counts(request: Request) -> Response:
    slugs = [
        slug for value in request.query_params.getlist("slug") for slug in value.split(",") if slug
    ]
    if not slugs:
        raise invalid("slug", "Name at least one thread: ?slug=a&slug=b.")
    if len(slugs) > MAX_COUNT_SLUGS:
        raise invalid("slug", f"Ask for at most {MAX_COUNT_SLUGS} threads at once.")
    index = request.app.state.articles
    known = [index.get(slug) for slug in dict.fromkeys(slugs)]
    return json_response(_store(request).views.counts([a for a in known if a and not a.hidden]))


async def post_comment(request: Request) -> Response:
    article = _article(request)
    user = _signed_in(request)
    data = await _json_body(request, {"body": True, "parent": False})
    text, parent = prepare_text(data["body"]), parse_parent(data.get("parent"))
    store = _store(request)
    comment = await _write(request, lambda: store.comments.add(article, user, text, parent))
    return json_response(comment, status=201)


async def patch_comment(request: Request) -> Response:
    user = _signed_in(request)
    data = await _json_body(request, {"body": True})
    text, store = prepare_text(data["body"]), _store(request)
    comment_id = request.path_params["comment_id"]
    comment = await _write(request, lambda: store.comments.edit(comment_id, user, text))
    return json_response(comment)


async def delete_comment(request: Request) -> Response:
    """Its author or a moderator deletes a comment; a moderator may say why: {"reason"}."""
    user = _signed_in(request)
    reason = None
    if (await request.body()).strip():
        data = await _json_body(request, {"reason": False})
        reason = parse_reason(data.get("reason"), required=False)
    store, comment_id = _store(request), request.path_params["comment_id"]
    await _write(request, lambda: store.comments.delete(comment_id, user, reason))
    return Response(status_code=204, headers=NO_STORE)


async def put_reaction(request: Request) -> Response:
    return await _reaction(request, on=True)


async def delete_reaction(request: Request) -> Response:
    return await _reaction(request, on=False)


async def _reaction(request: Request, on: bool) -> Response:
    article = _article(request)
    user = _signed_in(request)
    store, kind = _store(request), request.path_params["kind"]
    return json_response(
        await _write(request, lambda: store.reactions.set_reaction(article, user, kind, on))
    )


async def put_like(request: Request) -> Response:
    return await _like(request, on=True)


async def delete_like(request: Request) -> Response:
    return await _like(request, on=False)


async def _like(request: Request, on: bool) -> Response:
    user = _signed_in(request)
    if request.path_params["kind"] != "like":
        raise invalid("kind", "Comments take one reaction: like.")
    result = _store(request).reactions.set_like(request.path_params["comment_id"], user, on)
    return json_response(result)


async def get_events(request: Request) -> Response:
    """The thread's changes as Server-Sent Events, resuming after Last-Event-ID if given."""
    article = _article(request)
    user = _user(request)
    resume = _last_event_id(request)
    events, address = request.app.state.events, request.app.state.identity.address(request)
    return events.stream(article.slug, user.id if user else None, resume, address)


def _last_event_id(request: Request) -> int | None:
    """The last event the reader saw: the browser's header on reconnecting, else ?last_event_id."""
    value = request.headers.get("last-event-id", request.query_params.get("last_event_id"))
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise invalid("last_event_id", "last_event_id is the id of an event of this stream.")
    return int(value)


async def put_acknowledgement(request: Request) -> Response:
    article = _article(request)
    user = _signed_in(request)
    store = _store(request)
    return json_response(await _write(request, lambda: store.acks.acknowledge(article, user)))


ROUTES = [
    Route("/me", get_me, methods=["GET"]),
    Route("/me", post_me, methods=["POST"]),
    Route("/counts", get_counts, methods=["GET"]),
    Route("/threads/{slug}", get_thread, methods=["GET"]),
    Route("/threads/{slug}/comments", post_comment, methods=["POST"]),
    Route("/threads/{slug}/reactions/{kind}", put_reaction, methods=["PUT"]),
    Route("/threads/{slug}/reactions/{kind}", delete_reaction, methods=["DELETE"]),
    Route("/threads/{slug}/acknowledgement", put_acknowledgement, methods=["PUT"]),
    Route("/threads/{slug}/events", get_events, methods=["GET"]),
    Route("/comments/{comment_id}", patch_comment, methods=["PATCH"]),
    Route("/comments/{comment_id}", delete_comment, methods=["DELETE"]),
    Route("/comments/{comment_id}/reactions/{kind}", put_like, methods=["PUT"]),
    Route("/comments/{comment_id}/reactions/{kind}", delete_like, methods=["DELETE"]),
]
