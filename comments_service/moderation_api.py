"""HTTP handlers of /api/v1 for moderation, reports and the admin session.

Each handler checks who is asking before it reads the body: 401 for nobody,
403 `forbidden` for a reader who does not moderate. The route table is at
the bottom.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .api import _article, _json_body, _lookup, _signed_in, _store, _user, _write, json_response
from .errors import invalid
from .identity import User, me_body
from .moderation import ACTIONS, parse_page, parse_reason, parse_until, require_moderator

PERSON_ID_MAX = 200


def _moderator(request: Request) -> User:
    return require_moderator(_user(request))


async def _optional_body(request: Request, fields: dict[str, bool]) -> dict:
    """A JSON object body with `fields`, or {} when there is no body at all."""
    if not (await request.body()).strip():
        return {}
    return await _json_body(request, fields)


async def _reason(request: Request, required: bool = False) -> str | None:
    data = await (_json_body if required else _optional_body)(request, {"reason": required})
    return parse_reason(data.get("reason"), required)


def _comment_id(request: Request) -> str:
    return request.path_params["comment_id"]


def _person_id(request: Request) -> str:
    person = request.path_params["user_id"]
    if not person or len(person) > PERSON_ID_MAX:
        raise invalid("user_id", "That is not a person's id.")
    return person


# --- admin session (open mode) --------------------------------------------------


async def post_admin_session(request: Request) -> Response:
    """Open mode: a moderator signs in with the admin password."""
    data = await _json_body(request, {"password": True})
    identity = request.app.state.identity
    user, cookie = identity.admin_sign_in(request, data["password"])
    response = json_response(me_body(user, request.app.state.settings.auth))
    response.set_cookie(**cookie)
    return response


async def delete_admin_session(request: Request) -> Response:
    """Sign the moderator out (their display name, if any, stays)."""
    cookie = request.app.state.identity.admin_sign_out(request)
    response = json_response(me_body(_user(request), request.app.state.settings.auth))
    response.delete_cookie(**cookie)
    return response


# --- comments -------------------------------------------------------------------


async def put_hidden(request: Request) -> Response:
    user = _moderator(request)
    reason = await _reason(request, required=True)
    store, comment_id, lookup = _store(request), _comment_id(request), _lookup(request)
    return json_response(
        await _write(request, lambda: store.hide_comment(comment_id, user, reason, lookup))
    )


async def delete_hidden(request: Request) -> Response:
    user = _moderator(request)
    reason = await _reason(request)
    store, comment_id, lookup = _store(request), _comment_id(request), _lookup(request)
    return json_response(
        await _write(request, lambda: store.unhide_comment(comment_id, user, lookup, reason))
    )


async def put_pinned(request: Request) -> Response:
    return await _pinned(request, on=True)


async def delete_pinned(request: Request) -> Response:
    return await _pinned(request, on=False)


async def _pinned(request: Request, on: bool) -> Response:
    user = _moderator(request)
    reason = await _reason(request)
    store, comment_id, lookup = _store(request), _comment_id(request), _lookup(request)
    return json_response(
        await _write(request, lambda: store.pin_comment(comment_id, user, on, lookup, reason))
    )


async def put_approved(request: Request) -> Response:
    user = _moderator(request)
    reason = await _reason(request)
    store, comment_id, lookup = _store(request), _comment_id(request), _lookup(request)
    return json_response(
        await _write(request, lambda: store.approve_comment(comment_id, user, lookup, reason))
    )


async def delete_approved(request: Request) -> Response:
    """Reject a comment waiting for pre-moderation: it is removed."""
    user = _moderator(request)
    reason = await _reason(request)
    store, comment_id, lookup = _store(request), _comment_id(request), _lookup(request)
    return json_response(
        await _write(request, lambda: store.reject_comment(comment_id, user, lookup, reason))
    )


async def post_flag(request: Request) -> Response:
    """Report a comment to the moderators (any signed-in person, once)."""
    user = _signed_in(request)
    reason = await _reason(request, required=True)
    store, comment_id, lookup = _store(request), _comment_id(request), _lookup(request)
    flag = await _write(request, lambda: store.flag_comment(comment_id, user, reason, lookup))
    return json_response(flag, status=201)


async def put_flags_dismissed(request: Request) -> Response:
    user = _moderator(request)
    reason = await _reason(request)
    store, comment_id, lookup = _store(request), _comment_id(request), _lookup(request)
    return json_response(
        await _write(request, lambda: store.dismiss_flags(comment_id, user, lookup, reason))
    )


# --- threads and people ---------------------------------------------------------


async def put_lock(request: Request) -> Response:
    return await _lock(request, on=True)


async def delete_lock(request: Request) -> Response:
    return await _lock(request, on=False)


async def _lock(request: Request, on: bool) -> Response:
    user = _moderator(request)
    article = _article(request)
    reason = await _reason(request)
    store = _store(request)
    return json_response(
        await _write(request, lambda: store.lock_thread(article, user, on, reason))
    )


async def put_mute(request: Request) -> Response:
    user = _moderator(request)
    person = _person_id(request)
    data = await _json_body(request, {"until": True, "reason": True})
    until, reason = parse_until(data["until"]), parse_reason(data["reason"], required=True)
    store = _store(request)
    return json_response(
        await _write(request, lambda: store.mute_person(person, user, until, reason))
    )


async def delete_mute(request: Request) -> Response:
    user = _moderator(request)
    person = _person_id(request)
    reason = await _reason(request)
    store = _store(request)
    return json_response(await _write(request, lambda: store.unmute_person(person, user, reason)))


# --- moderators' lists ----------------------------------------------------------


def _page(request: Request) -> tuple[int, int | None]:
    return parse_page(request.query_params.get("limit"), request.query_params.get("before"))


async def get_flag_queue(request: Request) -> Response:
    user = _moderator(request)
    limit, before = _page(request)
    return json_response(_store(request).flag_queue(user, _lookup(request), limit, before))


async def get_pending_queue(request: Request) -> Response:
    user = _moderator(request)
    limit, before = _page(request)
    return json_response(_store(request).pending_queue(user, _lookup(request), limit, before))


async def get_audit_log(request: Request) -> Response:
    user = _moderator(request)
    limit, before = _page(request)
    query = request.query_params
    action = query.get("action") or None
    if action is not None and action not in ACTIONS:
        raise invalid("action", f"action is one of: {', '.join(ACTIONS)}.")
    log = _store(request).audit_log(
        user, limit, before, query.get("thread") or None, query.get("actor") or None, action
    )
    return json_response(log)


async def get_mutes(request: Request) -> Response:
    return json_response(_store(request).active_mutes(_moderator(request)))


ROUTES = [
    Route("/admin/session", post_admin_session, methods=["POST"]),
    Route("/admin/session", delete_admin_session, methods=["DELETE"]),
    Route("/comments/{comment_id}/hidden", put_hidden, methods=["PUT"]),
    Route("/comments/{comment_id}/hidden", delete_hidden, methods=["DELETE"]),
    Route("/comments/{comment_id}/pinned", put_pinned, methods=["PUT"]),
    Route("/comments/{comment_id}/pinned", delete_pinned, methods=["DELETE"]),
    Route("/comments/{comment_id}/approved", put_approved, methods=["PUT"]),
    Route("/comments/{comment_id}/approved", delete_approved, methods=["DELETE"]),
    Route("/comments/{comment_id}/flags", post_flag, methods=["POST"]),
    Route("/comments/{comment_id}/flags/dismissed", put_flags_dismissed, methods=["PUT"]),
    Route("/threads/{slug}/lock", put_lock, methods=["PUT"]),
    Route("/threads/{slug}/lock", delete_lock, methods=["DELETE"]),
    Route("/people/{user_id}/mute", put_mute, methods=["PUT"]),
    Route("/people/{user_id}/mute", delete_mute, methods=["DELETE"]),
    Route("/moderation/flags", get_flag_queue, methods=["GET"]),
    Route("/moderation/pending", get_pending_queue, methods=["GET"]),
    Route("/moderation/log", get_audit_log, methods=["GET"]),
    Route("/moderation/mutes", get_mutes, methods=["GET"]),
]
