"""HTTP handlers of /api/v1 for moderation, reports and the admin session.

Each handler checks who is asking before it reads the body: 401 for nobody,
403 `forbidden` for a reader who does not moderate. The route table is at
the bottom.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .api import _article, _json_body, _signed_in, _store, _user, _write, json_response
from .errors import invalid
from .identity import me_body
from .store import Store
from .store.audit import ACTIONS
from .user import User, require_moderator
from .validation import parse_page, parse_reason, parse_until

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
    user, cookie = await identity.admin_sign_in(request, data["password"])
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

# One comment action: (store, comment id, user, reason) -> its JSON answer.
CommentAction = Callable[[Store, str, User, str | None], object]


def _on_comment(
    act: CommentAction, reason_required: bool = False, moderators_only: bool = True,
    status: int = 200,
) -> Callable[[Request], Awaitable[Response]]:  # fmt: skip
    """A handler for /comments/{id}/…: who asks, then the reason, then the action."""

    async def handler(request: Request) -> Response:
        user = _moderator(request) if moderators_only else _signed_in(request)
        reason = await _reason(request, required=reason_required)
        store, comment_id = _store(request), _comment_id(request)
        result = await _write(request, lambda: act(store, comment_id, user, reason))
        return json_response(result, status=status)

    return handler


put_hidden = _on_comment(lambda s, cid, user, reason: s.moderation.hide(cid, user, reason),
                         reason_required=True)  # fmt: skip
delete_hidden = _on_comment(lambda s, cid, user, reason: s.moderation.unhide(cid, user, reason))
put_pinned = _on_comment(lambda s, cid, user, reason: s.moderation.pin(cid, user, True, reason))
delete_pinned = _on_comment(lambda s, cid, user, reason: s.moderation.pin(cid, user, False, reason))
put_approved = _on_comment(lambda s, cid, user, reason: s.moderation.approve(cid, user, reason))
# Reject a comment waiting for pre-moderation: it is removed.
delete_approved = _on_comment(lambda s, cid, user, reason: s.moderation.reject(cid, user, reason))
# Report a comment to the moderators (any signed-in person, once).
post_flag = _on_comment(
    lambda s, cid, user, reason: s.moderation.report(cid, user, reason),
    reason_required=True, moderators_only=False, status=201,
)  # fmt: skip
put_flags_dismissed = _on_comment(
    lambda s, cid, user, reason: s.moderation.dismiss_reports(cid, user, reason)
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
        await _write(request, lambda: store.moderation.lock(article, user, on, reason))
    )


async def put_mute(request: Request) -> Response:
    user = _moderator(request)
    person = _person_id(request)
    data = await _json_body(request, {"until": True, "reason": True})
    until, reason = parse_until(data["until"]), parse_reason(data["reason"], required=True)
    store = _store(request)
    return json_response(
        await _write(request, lambda: store.people.mute(person, user, until, reason))
    )


async def delete_mute(request: Request) -> Response:
    user = _moderator(request)
    person = _person_id(request)
    reason = await _reason(request)
    store = _store(request)
    return json_response(await _write(request, lambda: store.people.unmute(person, user, reason)))


# --- moderators' lists ----------------------------------------------------------


def _page(request: Request) -> tuple[int, int | None]:
    return parse_page(request.query_params.get("limit"), request.query_params.get("before"))


async def get_flag_queue(request: Request) -> Response:
    user = _moderator(request)
    limit, before = _page(request)
    return json_response(_store(request).queues.reported(user, limit, before))


async def get_pending_queue(request: Request) -> Response:
    user = _moderator(request)
    limit, before = _page(request)
    return json_response(_store(request).queues.waiting(user, limit, before))


async def get_audit_log(request: Request) -> Response:
    user = _moderator(request)
    limit, before = _page(request)
    query = request.query_params
    action = query.get("action") or None
    if action is not None and action not in ACTIONS:
        raise invalid("action", f"action is one of: {', '.join(ACTIONS)}.")
    log = _store(request).audit.log(
        user, limit, before, query.get("thread") or None, query.get("actor") or None, action
    )
    return json_response(log)


async def get_mutes(request: Request) -> Response:
    return json_response(_store(request).people.active_mutes(_moderator(request)))


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
