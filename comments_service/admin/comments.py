"""The queue (reported and waiting comments), the latest comments, and what a moderator
does to one comment: hide, show, dismiss its reports, delete, approve, reject, pin."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..state import app_state
from ..user import User
from ..validation import parse_reason
from .queries import (
    PAGE_SIZE,
    PERSON_MAX,
    before,
    filtered,
    listed_articles,
    older_link,
    query_value,
    thread_titles,
)
from .render import act, current_user, page, refused

COMMENT_ACTIONS = ("hide", "unhide", "dismiss", "delete", "approve", "reject", "pin", "unpin")


def _queue(request: Request, user: User) -> tuple[str, dict[str, Any]]:
    queues = app_state(request).store.queues
    flagged = queues.reported(user, limit=PAGE_SIZE, before=before(request))
    pending = queues.waiting(user, limit=PAGE_SIZE)
    return "queue.html", {"flagged": flagged, "pending": pending, "titles": thread_titles(request)}


async def queue_page(request: Request) -> Response:
    return await page(request, "queue", _queue)


def _comments(request: Request, user: User) -> tuple[str, dict[str, Any]]:
    thread, author = query_value(request, "thread"), query_value(request, "author", PERSON_MAX)
    start = before(request)
    found = app_state(request).store.queues.recent(
        user, limit=PAGE_SIZE, before=start, thread=thread, author=author
    )
    filters = {"thread": thread, "author": author}
    return "comments.html", {
        "page": found,
        "thread": thread or "",
        "author": author or "",
        "articles": listed_articles(request),
        "titles": thread_titles(request),
        "older": older_link("/admin/comments", filters, found),
        "newest": filtered("/admin/comments", filters),
        "paged": start is not None,
    }


async def comments_page(request: Request) -> Response:
    return await page(request, "comments", _comments)


def _do(request: Request, action: str, form: dict[str, str], user: User) -> str:
    store = app_state(request).store
    comment_id = request.path_params["comment_id"]
    if action == "hide":
        store.moderation.hide(comment_id, user, parse_reason(form.get("reason") or None, True))
        return action
    reason = parse_reason(form.get("reason") or None, required=False)
    operations: dict[str, Callable[[], object]] = {
        "unhide": lambda: store.moderation.unhide(comment_id, user, reason),
        "dismiss": lambda: store.moderation.dismiss_reports(comment_id, user, reason),
        "delete": lambda: store.comments.delete(comment_id, user, reason),
        "approve": lambda: store.moderation.approve(comment_id, user, reason),
        "reject": lambda: store.moderation.reject(comment_id, user, reason),
        "pin": lambda: store.moderation.pin(comment_id, user, True, reason),
        "unpin": lambda: store.moderation.pin(comment_id, user, False, reason),
    }
    operations[action]()
    return action


async def comment_action(request: Request) -> Response:
    action: str = request.path_params["action"]
    if action not in COMMENT_ACTIONS:
        return refused(request, current_user(request), "refused_form", 404)
    return await act(request, lambda form, user: _do(request, action, form, user))
