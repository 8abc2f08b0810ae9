"""Reactions to articles and likes of comments: one mark per person and thing, counters kept.

A mark is {thread, user, type, key, at} in the marks table: type "reaction"
with the kind as key, or "like" with the comment's id. Setting and taking
back are idempotent; the thread's reaction counts and a comment's likes are
kept up to date in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import times
from ..articles import Article
from ..errors import comment_deleted, comment_hidden, forbidden, invalid, not_found
from ..storage import DocumentTable
from ..user import User
from .answers import Reacted
from .comments import Comments
from .context import Context
from .limits import Limits
from .people import People
from .tables import Q
from .threads import Threads, ThreadWrite, check_open


@dataclass(eq=False)
class Reactions:
    """PUT/DELETE of article reactions and comment likes."""

    ctx: Context
    threads: Threads
    comments: Comments
    people: People
    limits: Limits

    @property
    def marks(self) -> DocumentTable:
        return self.ctx.tables.marks

    def set_reaction(self, article: Article, user: User, kind: str, on: bool) -> Reacted:
        """Set or take back an article reaction; idempotent."""
        kinds = self.ctx.settings.reactions
        if kind not in kinds:
            raise invalid("kind", f"Reactions are: {', '.join(kinds)}.")
        with self.ctx.db.transaction():
            thread = self.threads.for_update(article.slug)
            self._may_write(article, thread, user)
            counts = dict(thread.doc.get("reactions", {}))
            if self._mark(article.slug, user, "reaction", kind, on):
                counts[kind] = max(0, counts.get(kind, 0) + (1 if on else -1))
                shown = self.threads.reaction_counts({"reactions": counts})
                thread.save(("reactions", {"reactions": shown}), reactions=counts)
            mine = [
                m["key"]
                for m in self.marks.search((Q.thread == article.slug) & (Q.user == user.id))
                if m["type"] == "reaction"
            ]
        return {"reactions": {k: counts.get(k, 0) for k in kinds}, "mine": mine}

    def set_like(self, comment_id: str, user: User, on: bool) -> Reacted:
        """Set or take back a like of a comment; idempotent."""
        with self.ctx.db.transaction():
            comment, article = self.comments.find_for_update(comment_id)
            if comment.deleted:
                raise comment_deleted()
            if comment.author_id == user.id:
                raise forbidden("You cannot like your own comment.")
            if comment.waiting:
                raise not_found("comment")
            if comment.hidden:
                raise comment_hidden()
            thread = self.threads.for_update(article.slug)
            self._may_write(article, thread, user)
            likes = comment.row.get("likes", 0)
            if self._mark(article.slug, user, "like", str(comment.id), on):
                likes = max(0, likes + (1 if on else -1))
                self.ctx.tables.comments.update({"likes": likes}, doc_ids=[comment.id])
                thread.save(("like", {"id": str(comment.id), "likes": likes}))
        return {"reactions": {"like": likes}, "mine": ["like"] if on else []}

    def _may_write(self, article: Article, thread: ThreadWrite, user: User) -> None:
        check_open(article, thread)
        self.people.check_not_muted(user)
        self.limits.take("reaction", user)

    def _mark(self, slug: str, user: User, type_: str, key: str, on: bool) -> bool:
        """Set or clear one mark; True if that changed anything."""
        where = (Q.thread == slug) & (Q.user == user.id) & (Q.type == type_) & (Q.key == key)
        existing = self.marks.get(where)
        if on and existing is None:
            self.marks.insert(
                {"thread": slug, "user": user.id, "type": type_, "key": key, "at": times.now_iso()}
            )
            return True
        if not on and existing is not None:
            self.marks.remove(doc_ids=[existing.doc_id])
            return True
        return False
