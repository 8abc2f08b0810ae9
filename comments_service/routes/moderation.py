"""Moderation: moderators' decisions on comments and threads, readers' reports, the lists.

Each handler checks who is asking before it reads the body: 401 for nobody,
403 `forbidden` for a reader who does not moderate.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import TypeVar

from starlette.requests import Request
from starlette.responses import Response

from ..errors import invalid
from ..schemas.answers import (
    AuditPage,
    CommentPage,
    Flag,
    ModeratedComment,
    Mutes,
    Rejection,
    ReportedPage,
    ThreadState,
)
from ..schemas.requests import GivenReason, OptionalReason
from ..store import Store
from ..store.audit import ACTIONS
from ..user import User
from ..validation import parse_page
from .endpoint import MODERATOR, MODERATORS, WRITER, Endpoint, Handler, Param
from .http import article, json_response, moderator, read_reason, signed_in, store, write

R = TypeVar("R", str, str | None)  # a reason that must be given, or one that may be left out
# One comment action: (store, comment id, user, reason) -> its JSON answer.
CommentAction = Callable[[Store, str, User, R], object]


async def _optional_reason(request: Request) -> str | None:
    return await read_reason(request)


async def _given_reason(request: Request) -> str:
    return await read_reason(request, required=True)


def _on_comment(
    act: CommentAction[R],
    reason: Callable[[Request], Awaitable[R]],
    moderators_only: bool = True,
    status: int = 200,
) -> Handler:
    """A handler for /comments/{id}/…: who asks, then the reason, then the action."""

    async def handler(request: Request) -> Response:
        user = moderator(request) if moderators_only else signed_in(request)
        given = await reason(request)
        found, comment_id = store(request), request.path_params["comment_id"]
        result = await write(request, lambda: act(found, comment_id, user, given))
        return json_response(result, status=status)

    return handler


put_hidden = _on_comment(lambda s, cid, user, reason: s.moderation.hide(cid, user, reason),
                         _given_reason)  # fmt: skip
delete_hidden = _on_comment(
    lambda s, cid, user, reason: s.moderation.unhide(cid, user, reason), _optional_reason
)
put_pinned = _on_comment(
    lambda s, cid, user, reason: s.moderation.pin(cid, user, True, reason), _optional_reason
)
delete_pinned = _on_comment(
    lambda s, cid, user, reason: s.moderation.pin(cid, user, False, reason), _optional_reason
)
put_approved = _on_comment(
    lambda s, cid, user, reason: s.moderation.approve(cid, user, reason), _optional_reason
)
# Reject a comment waiting for pre-moderation: it is removed.
delete_approved = _on_comment(
    lambda s, cid, user, reason: s.moderation.reject(cid, user, reason), _optional_reason
)
# Report a comment to the moderators (any signed-in person, once).
post_flag = _on_comment(
    lambda s, cid, user, reason: s.moderation.report(cid, user, reason),
    _given_reason, moderators_only=False, status=201,
)  # fmt: skip
put_flags_dismissed = _on_comment(
    lambda s, cid, user, reason: s.moderation.dismiss_reports(cid, user, reason), _optional_reason
)


async def set_lock(request: Request, on: bool) -> Response:
    """PUT (on) or DELETE a thread's lock."""
    user = moderator(request)
    found = article(request)
    reason = await read_reason(request)
    moderation = store(request).moderation
    return json_response(await write(request, lambda: moderation.lock(found, user, on, reason)))


# --- moderators' lists ----------------------------------------------------------


def _page(request: Request) -> tuple[int, int | None]:
    return parse_page(request.query_params.get("limit"), request.query_params.get("before"))


async def get_flag_queue(request: Request) -> Response:
    user = moderator(request)
    limit, before = _page(request)
    return json_response(store(request).queues.reported(user, limit, before))


async def get_pending_queue(request: Request) -> Response:
    user = moderator(request)
    limit, before = _page(request)
    return json_response(store(request).queues.waiting(user, limit, before))


async def get_audit_log(request: Request) -> Response:
    user = moderator(request)
    limit, before = _page(request)
    query = request.query_params
    action = query.get("action") or None
    if action is not None and action not in ACTIONS:
        raise invalid("action", f"action is one of: {', '.join(ACTIONS)}.")
    log = store(request).audit.log(
        user, limit, before, query.get("thread") or None, query.get("actor") or None, action
    )
    return json_response(log)


async def get_mutes(request: Request) -> Response:
    return json_response(store(request).people.active_mutes(moderator(request)))


PAGE = (
    Param("limit", int, "1 to 200, default 50"),
    Param("before", int, "next_before of the previous page"),
)
LOG_FILTERS = tuple(Param(name, str, f"only this {name}") for name in ("thread", "actor", "action"))
ON_COMMENT = (*MODERATOR, 404)


def _decision(method: str, path: str, handler: Handler, summary: str, *errors: int) -> Endpoint:
    """A moderator's decision on a comment: optional {"reason"}, the comment as they see it."""
    path = f"/comments/{{comment_id}}/{path}"
    return Endpoint(method, path, handler, summary, MODERATORS, ModeratedComment,
                    body=OptionalReason, errors=(*ON_COMMENT, *errors))  # fmt: skip


ENDPOINTS = [
    Endpoint("PUT", "/comments/{comment_id}/hidden", put_hidden, "Hide a comment; readers see "
             "the reason instead", MODERATORS, ModeratedComment, body=GivenReason,
             errors=(*ON_COMMENT, 409)),
    _decision("DELETE", "hidden", delete_hidden, "Show a hidden comment again"),
    _decision("PUT", "pinned", put_pinned, "Pin a top-level comment", 409),
    _decision("DELETE", "pinned", delete_pinned, "Unpin a comment", 409),
    _decision("PUT", "approved", put_approved, "Publish a comment waiting for pre-moderation"),
    Endpoint("DELETE", "/comments/{comment_id}/approved", delete_approved, "Reject (remove) a "
             "comment waiting for pre-moderation", MODERATORS, Rejection, body=OptionalReason,
             errors=(*ON_COMMENT, 409)),
    Endpoint("POST", "/comments/{comment_id}/flags", post_flag, "Report a comment to the "
             "moderators, once", "signed in, not its author", Flag, status=201,
             body=GivenReason, errors=(*WRITER, 409)),
    _decision("PUT", "flags/dismissed", put_flags_dismissed, "Dismiss a comment's open "
              "reports; shown again if they hid it"),
    *(Endpoint(method, "/threads/{slug}/lock", partial(set_lock, on=on), summary, MODERATORS,
               ThreadState, body=OptionalReason, errors=(*MODERATOR, 404))
      for method, on, summary in (("PUT", True, "Lock a thread (read-only)"),
                                  ("DELETE", False, "Unlock a thread"))),
    Endpoint("GET", "/moderation/flags", get_flag_queue, "Comments with open reports, the "
             "latest reported first", MODERATORS, ReportedPage, errors=(*MODERATOR, 422),
             params=PAGE),
    Endpoint("GET", "/moderation/pending", get_pending_queue, "Comments waiting for "
             "pre-moderation, newest first", MODERATORS, CommentPage, errors=(*MODERATOR, 422),
             params=PAGE),
    Endpoint("GET", "/moderation/log", get_audit_log, "The audit log, newest first", MODERATORS,
             AuditPage, errors=(*MODERATOR, 422), params=(*PAGE, *LOG_FILTERS)),
    Endpoint("GET", "/moderation/mutes", get_mutes, "The mutes that still apply, newest first",
             MODERATORS, Mutes, errors=MODERATOR),
]  # fmt: skip
