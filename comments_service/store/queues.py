"""What moderators go through: reported comments, waiting comments, recent comments, threads.

Each list is for moderators only, newest first, a page at a time: `limit`
items and `next_before`, the id to pass as `before` for the next page.
"""

from __future__ import annotations

from typing import Any

from tinydb.table import Document

from ..user import User, require_moderator
from .answers import Page
from .comment import Comment
from .context import Context
from .flags import Flags, flag_view
from .tables import Q
from .views import ThreadViews

# `approved == 0` rather than `is False`: SQLite's JSON sees false as 0, so the
# index on `approved` finds the few waiting comments.
WAITING = (Q.approved == 0) & (Q.deleted == False)  # noqa: E712 - a TinyDB query
# A thread nobody has commented on, reported or locked.
QUIET_THREAD = {"locked": False, "lock_reason": None, "comments": 0, "reported": 0, "pending": 0}


class Queues:
    """The moderators' lists."""

    def __init__(self, ctx: Context, views: ThreadViews, flags: Flags):
        self.ctx = ctx
        self.comments = ctx.tables.comments
        self.views = views
        self.flags = flags

    def reported(self, user: User, limit: int, before: int | None = None) -> Page:
        """Comments with open reports, the most recently reported first, with the reports."""
        require_moderator(user)
        by_comment = self.flags.open_by_comment()
        order = sorted(by_comment, key=lambda c: by_comment[c][-1].doc_id, reverse=True)
        if before is not None:
            order = [c for c in order if by_comment[c][-1].doc_id < before]
        items = []
        for comment_id in order[:limit]:
            row = self.comments.get(doc_id=comment_id)
            if row is None:
                continue
            reports = [flag_view(f) for f in reversed(by_comment[comment_id])]
            items.append({"comment": self.views.moderator_view(Comment.of(row)),
                          "reports": reports})  # fmt: skip
        last = by_comment[order[limit - 1]][-1].doc_id if len(order) > limit else None
        return {"items": items, "next_before": last}

    def waiting(self, user: User, limit: int, before: int | None = None) -> Page:
        """Comments waiting for pre-moderation, newest first."""
        require_moderator(user)
        return self._page(self.comments.before(before, limit + 1, WAITING), limit)

    def recent(
        self,
        user: User,
        limit: int,
        before: int | None = None,
        thread: str | None = None,
        author: str | None = None,
    ) -> Page:
        """Comments newest first, of one thread and/or author if given, as moderators see them."""
        require_moderator(user)
        cond = None
        if thread is not None:
            cond = Q.thread == thread
        if author is not None:
            cond = Q.author_id == author if cond is None else cond & (Q.author_id == author)
        return self._page(self.comments.before(before, limit + 1, cond), limit)

    def _page(self, rows: list[Document], limit: int) -> Page:
        items = [self.views.moderator_view(Comment.of(row)) for row in rows[:limit]]
        more = len(rows) > limit
        return {"items": items, "next_before": rows[limit - 1].doc_id if more else None}

    def threads(self, user: User) -> dict[str, dict[str, Any]]:
        """Per thread: its document's state, open reports and waiting comments."""
        require_moderator(user)
        with self.ctx.db.snapshot():
            docs = {doc["slug"]: doc for doc in self.ctx.tables.threads.all()}
            open_flags = self.ctx.tables.flags.search(Q.open == 1)
            waiting = self.comments.search(WAITING)
        found: dict[str, dict[str, Any]] = {
            slug: {**QUIET_THREAD, "locked": bool(doc.get("locked")),
                   "lock_reason": doc.get("lock_reason"), "comments": doc.get("comment_count", 0)}
            for slug, doc in docs.items()
        }  # fmt: skip
        for flag in open_flags:
            found.setdefault(flag["thread"], dict(QUIET_THREAD))["reported"] += 1
        for row in waiting:
            found.setdefault(row["thread"], dict(QUIET_THREAD))["pending"] += 1
        return found
