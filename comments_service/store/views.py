"""What readers see: a thread and its comments as JSON, and a comment as others see it.

This is where a hidden, deleted or waiting comment stops being shown: a
hidden comment keeps its place with the reason instead of its text and
author (moderators still see both), a deleted one with replies stays as a
placeholder, a waiting one is shown only to its author and to moderators.

A thread is rendered once per change and kept per worker (threadview.py
splices each reader's own values in); the change log keeps comments as
they were, and `as_shown_now` gives them as they are.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from tinydb.table import Document

from ..articles import Article
from ..user import User
from .acknowledgements import Acknowledgements
from .changelog import Change
from .comment import Comment
from .context import Context
from .rows import Hidden
from .tables import Q
from .threads import Event, Threads
from .threadview import ReaderMarks, ThreadView

CACHED_THREADS = 128  # rendered threads kept per process; the recent ones are the hot ones


class ThreadViews:
    """Renders threads and comments for readers, and caches the rendered threads."""

    def __init__(self, ctx: Context, threads: Threads, acks: Acknowledgements):
        self.ctx = ctx
        self.threads = threads
        self.acks = acks
        self._cache: OrderedDict[tuple[str, bool], ThreadView] = OrderedDict()

    # --- threads ----------------------------------------------------------------

    def thread_json(self, article: Article, user: User | None) -> bytes:
        """GET /threads/{slug}: the thread as JSON, personalised for `user`.

        The thread's counters, its comments and everyone's marks are read in
        one snapshot, so a comment committed meanwhile by another worker
        cannot show up in the list without being in the count; every change
        bumps the thread's version, so the cached view is current.

        Ordinary readers share the public view. Moderators share a view with
        hidden text and waiting comments; a reader with comments of their own
        waiting for pre-moderation gets a view built for them alone.
        """
        if article.must_read:
            self.acks.refresh(article)
        with self.ctx.db.snapshot():
            doc = self.threads.get(article.slug)
            view = self._view(article, doc)
            if user is None:
                return view.anonymous
            if user.moderator:
                view = self._view(article, doc, moderator=True)
            elif user.id in view.pending_authors:
                view = self._build(article, doc, view.version, author=user.id)
            # Acknowledgements stay out of the cached view: a must-read article
            # may have one per employee.
            ack = self.acks.mark_of(article.slug, user.id) if article.must_read else None
        return view.for_reader(
            user.id,
            acknowledged=bool(ack and self.acks.current(ack, article)),
            acknowledged_at=ack["at"] if ack else None,
        )

    async def current_thread_json(self, article: Article, user: User | None) -> bytes | None:
        """The thread as ``thread_json`` gives it, if this worker's rendered view is
        current, or None (then call ``thread_json``).

        One read of the thread's document tells: on PostgreSQL it goes over the
        reader's connection, so waiting for it holds up no other request, and
        readers asking at once share it. Moderators, must-reads (each reader's
        acknowledgement) and readers with comments waiting go the long way.
        """
        if article.must_read or (user is not None and user.moderator):
            return None
        view = self._cache.get((article.slug, False))
        if view is None:
            return None
        doc = (await self.threads.by_slug_soon([article.slug])).get(article.slug)
        if view.version != (doc["version"] if doc else 0):
            return None
        self._cache.move_to_end((article.slug, False))
        if user is None:
            return view.anonymous
        if user.id in view.pending_authors:
            return None
        return view.for_reader(user.id, acknowledged=False, acknowledged_at=None)

    async def counts(self, articles: list[Article]) -> dict[str, Any]:
        """Comment and reaction counts of several threads, from their counters."""
        found = await self.threads.by_slug_soon(a.slug for a in articles)
        return {
            article.slug: {
                "comments": found.get(article.slug, {}).get("comment_count", 0),
                "reactions": self.threads.reaction_counts(found.get(article.slug)),
            }
            for article in articles
        }

    def _view(
        self, article: Article, doc: Mapping[str, Any] | None, moderator: bool = False
    ) -> ThreadView:
        """The thread's public (or moderators') view from this process's cache, rebuilt if stale."""
        version = doc["version"] if doc else 0
        key = (article.slug, moderator)
        view = self._cache.get(key)
        if view is not None and view.version == version:
            self._cache.move_to_end(key)
            return view
        view = self._build(article, doc, version, moderator=moderator)
        self._cache[key] = view
        if len(self._cache) > CACHED_THREADS:
            self._cache.popitem(last=False)
        return view

    def _build(
        self,
        article: Article,
        doc: Mapping[str, Any] | None,
        version: int,
        moderator: bool = False,
        author: str | None = None,
    ) -> ThreadView:
        """Render a thread once; later readers get it from the cache.

        The public view leaves out the comments waiting for pre-moderation
        (and notes whose they are); `author` adds that person's own, and
        `moderator` shows everything, hidden text included.
        """
        found = self.ctx.tables.comments.search(Q.thread == article.slug) if doc else []
        rows = [Comment.of(row) for row in found]
        nodes: dict[int, dict[str, Any]] = {}
        by_author: dict[str, list[int]] = {}
        bodies: dict[int, str] = {}
        pending_authors: set[str] = set()
        for comment in rows:
            if comment.waiting and not moderator and comment.author_id != author:
                pending_authors.add(comment.author_id)
                continue
            nodes[comment.id] = self.node(comment, article, moderator=moderator)
            if not comment.deleted:
                if moderator or not comment.hidden:  # a hidden text is for moderators
                    bodies[comment.id] = comment.row["body"]
                by_author.setdefault(comment.author_id, []).append(comment.id)
        payload = {"thread": self._thread_fields(article, doc), "comments": _tree(rows, nodes)}
        marks = self._marks(article.slug) if doc else {}
        return ThreadView.build(
            version, payload, nodes, by_author, bodies, marks, pending_authors=pending_authors
        )

    def _marks(self, slug: str) -> dict[str, ReaderMarks]:
        """Everyone's reactions to the article and likes of its comments."""
        marks: dict[str, ReaderMarks] = {}
        wanted = (Q.thread == slug) & Q.type.one_of(["reaction", "like"])
        for mark in self.ctx.tables.marks.search(wanted):
            if mark["type"] == "reaction":
                marks.setdefault(mark["user"], ReaderMarks()).reactions.append(mark["key"])
            elif mark["type"] == "like":
                marks.setdefault(mark["user"], ReaderMarks()).liked.add(int(mark["key"]))
        return marks

    def _thread_fields(self, article: Article, doc: Mapping[str, Any] | None) -> dict[str, Any]:
        doc = doc or {}
        return {
            "slug": article.slug,
            "locked": article.closed or bool(doc.get("locked")),
            "lock_reason": doc.get("lock_reason"),
            "comments_mode": article.comments,
            "comment_count": doc.get("comment_count", 0),
            "reactions": self.threads.reaction_counts(doc),
            "mine": [],
            "must_read": article.must_read,
            "acknowledged": False,
            "acknowledged_at": None,
            "ack_count": doc.get("ack_count", 0),
            "last_event_id": doc.get("last_event_id", 0),
        }

    # --- comments ---------------------------------------------------------------

    def node(
        self, comment: Comment, article: Article | None, moderator: bool = False
    ) -> dict[str, Any]:
        """A comment as readers see it; `moderator`: with hidden text, reports and thread."""
        hidden = comment.hidden
        shown = not comment.deleted and (moderator or not hidden)
        row = comment.row
        node: dict[str, Any] = {
            "id": str(comment.id),
            "parent": str(comment.parent) if comment.parent else None,
            "author": {"id": row["author_id"], "name": row["author_name"]} if shown else None,
            "article_author": shown and self._by_article_author(comment, article),
            "body_html": row["body_html"] if shown else "",
            "created": row["created"],
            "edited": row.get("edited"),
            "deleted": comment.deleted,
            "pinned": bool(row.get("pinned")),
            "approved": not comment.waiting,
            "hidden": _hidden_view(hidden, moderator),
            "reactions": {"like": row.get("likes", 0)},
            "mine": False,
            "my_reactions": [],
            "replies": [],
        }
        if moderator:
            node["thread"] = comment.thread
            node["flags"] = row.get("flags", 0)
        return node

    def moderator_view(self, comment: Comment, article: Article | None = None) -> dict[str, Any]:
        """A comment as moderators see it: with hidden text, reports and its thread."""
        article = article or self.ctx.article(comment.thread)
        return self.node(comment, article, moderator=True)

    def own_view(self, comment: Comment, article: Article) -> dict[str, Any]:
        """A comment as its author sees it: theirs, with its Markdown source."""
        return {**self.node(comment, article), "mine": True, "body": comment.row["body"]}

    def comment_event(self, comment: Comment, article: Article, count: int) -> Event:
        """A new or changed comment as an anonymous reader sees it."""
        return ("comment", {"comment": self.node(comment, article), "comment_count": count})

    def _by_article_author(self, comment: Comment, article: Article | None) -> bool:
        """Whether the article's author wrote the comment, by a verified identity.

        Only the company sign-in verifies who someone is: its login must be
        among the article's `AuthorLogins`. A display name proves nothing
        (in open mode anyone may take any name), so open mode never says so.
        """
        return (
            self.ctx.settings.auth == "header"
            and article is not None
            and comment.author_id in article.author_logins
        )

    def as_shown_now(self, changes: list[Change]) -> list[Change]:
        """The changes with every comment in the form a reader of the thread sees now.

        The log keeps a comment as it was when it changed; by the time a
        reader gets that change (a resumed stream, a worker catching up) the
        comment may have been edited, hidden, deleted or rejected. Its text
        then must not reach anyone again: a replayed comment carries its
        current public form, or becomes a removal when it is gone.
        """
        wanted = [int(c.data["comment"]["id"]) for c in changes if c.event == "comment"]
        if not wanted:
            return changes
        rows = {row.doc_id: row for row in self.ctx.tables.comments.get(doc_ids=wanted)}
        return [self._as_shown(change, rows) for change in changes]

    def _as_shown(self, change: Change, rows: dict[int, Document]) -> Change:
        if change.event != "comment":
            return change
        comment_id, count = int(change.data["comment"]["id"]), change.data["comment_count"]
        row = rows.get(comment_id)
        if row is None or Comment.of(row).waiting:
            data = {"id": str(comment_id), "placeholder": False, "comment_count": count}
            return Change(change.id, change.thread, "comment_deleted", data)
        node = self.node(Comment.of(row), self.ctx.article(row["thread"]))
        data = {"comment": node, "comment_count": count}
        return Change(change.id, change.thread, "comment", data)


def _tree(rows: list[Comment], nodes: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """The shown comments nested under their parents; pinned first, then oldest first."""
    top: list[dict[str, Any]] = []
    for comment in rows:
        if comment.id not in nodes:
            continue
        parent = nodes.get(comment.parent) if comment.parent else None
        if comment.parent and parent is None:
            continue  # answers a comment this reader cannot see
        (parent["replies"] if parent else top).append(nodes[comment.id])
    top.sort(key=lambda node: not node["pinned"])  # stable: oldest first within
    return top


def _hidden_view(hidden: Hidden | None, moderator: bool) -> dict[str, Any] | None:
    """Why a comment is hidden: the reason for readers, everything for moderators."""
    if not hidden:
        return None
    if moderator:
        return dict(hidden)
    return {"reason": hidden["reason"], "auto": bool(hidden.get("auto"))}
