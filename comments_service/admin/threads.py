"""Every discussion with its state, locking and unlocking one, and the audit log of what
moderators (and Kurier itself) did."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..errors import ApiError
from ..state import app_state
from ..store.audit import ACTIONS
from ..store.queues import QUIET_THREAD
from ..user import User
from ..validation import parse_reason
from .queries import (
    PAGE_SIZE,
    PERSON_MAX,
    before,
    listed_articles,
    older_link,
    query_value,
    thread_titles,
)
from .render import act, current_user, page, refused
from .words import page_lang

LOCK_ACTIONS = ("lock", "unlock")


def _threads(request: Request, user: User) -> tuple[str, dict[str, Any]]:
    states = app_state(request).store.queues.threads(user)
    lang = page_lang(request)
    rows = [
        {
            "slug": article.slug,
            "title": article.title(lang),
            "mode": article.comments,
            "closed": article.closed,
            **states.get(article.slug, QUIET_THREAD),
        }
        for article in listed_articles(request)
    ]
    return "threads.html", {"threads": rows}


async def threads_page(request: Request) -> Response:
    return await page(request, "threads", _threads)


async def thread_action(request: Request) -> Response:
    action: str = request.path_params["action"]
    if action not in LOCK_ACTIONS:
        return refused(request, current_user(request), "refused_form", 404)

    def operation(form: dict[str, str], user: User) -> str:
        article = app_state(request).articles.get(request.path_params["slug"])
        if article is None or article.hidden:
            raise ApiError(404, "thread_not_found", "There is no such thread.")
        reason = parse_reason(form.get("reason") or None, required=False)
        app_state(request).store.moderation.lock(article, user, action == "lock", reason)
        return action

    return await act(request, operation)


def _log(request: Request, user: User) -> tuple[str, dict[str, Any]]:
    thread, actor = query_value(request, "thread"), query_value(request, "actor", PERSON_MAX)
    action = query_value(request, "action")
    if action not in ACTIONS:
        action = None
    start = before(request)
    found = app_state(request).store.audit.log(
        user, limit=PAGE_SIZE, before=start, thread=thread, actor=actor, action=action
    )
    filters = {"thread": thread, "actor": actor, "action": action}
    return "log.html", {
        "page": found,
        "thread": thread or "",
        "actor": actor or "",
        "action": action or "",
        "actions": ACTIONS,
        "articles": listed_articles(request),
        "titles": thread_titles(request),
        "older": older_link("/admin/log", filters, found),
        "paged": start is not None,
    }


async def log_page(request: Request) -> Response:
    return await page(request, "log", _log)
