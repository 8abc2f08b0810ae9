"""Threads: the one document per discussion, and the one way every change is written.

Every change readers can see goes through `ThreadWrite.save` inside the
write transaction that makes it: the thread's `version` grows (so every
worker's cached view of it goes stale) and its events are appended to the
change log (which every worker's live streams follow) in that transaction.
Counters (comments, reactions, acknowledgements) are kept in this document:
reading a count never scans comments.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Unpack, cast

from tinydb.table import Document

from ..articles import Article
from ..errors import thread_locked
from .context import Context
from .rows import ThreadChanges, ThreadDoc
from .tables import Q, Search

Event = tuple[str, dict[str, Any]]  # a change's event name and its public data


def _fresh(slug: str) -> ThreadDoc:
    return {
        "slug": slug,
        "comment_count": 0,
        "reactions": {},
        "version": 0,
        "locked": False,
        "lock_reason": None,
        "ack_count": 0,
        "ack_since": None,
        "last_event_id": 0,
    }


class ThreadWrite:
    """A thread's document read inside a write transaction, to change and save once or more."""

    __slots__ = ("_threads", "doc_id", "doc")

    def __init__(self, threads: Threads, doc_id: int, doc: ThreadDoc):
        self._threads = threads
        self.doc_id = doc_id
        self.doc = doc

    @property
    def slug(self) -> str:
        return self.doc["slug"]

    @property
    def comment_count(self) -> int:
        return self.doc["comment_count"]

    @property
    def locked(self) -> bool:
        return bool(self.doc.get("locked"))

    def save(self, *events: Event, **changes: Unpack[ThreadChanges]) -> None:
        """Write `changes`, bump the version, append `events` to the change log."""
        changes["version"] = self.doc.get("version", 0) + 1
        for name, data in events:
            changes["last_event_id"] = self._threads.ctx.log.append(self.slug, name, data)
        self._threads.ctx.tables.threads.update(changes, doc_ids=[self.doc_id])
        self.doc.update(changes)


class Threads:
    """The threads table: read a thread's counters, or take it for a write."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.table = ctx.tables.threads

    def get(self, slug: str) -> Document | None:
        return self.table.get(Q.slug == slug)

    def search_of(self, slug: str) -> Search:
        """The search ``get(slug)`` makes, for ``Database.prefetch``."""
        return self.table, Q.slug == slug

    def for_update(self, slug: str) -> ThreadWrite:
        """The thread's document (made if it is the first change); call inside a transaction."""
        doc = self.get(slug)
        if doc is not None:
            return ThreadWrite(self, doc.doc_id, cast(ThreadDoc, dict(doc)))
        fresh = _fresh(slug)
        return ThreadWrite(self, self.table.insert(fresh), fresh)

    def last_event_id(self, slug: str) -> int:
        """The id of the thread's latest change in the log (0 if it never changed)."""
        doc = self.get(slug)
        last: int = doc.get("last_event_id", 0) if doc else 0
        return last

    def by_slug(self, slugs: Iterable[str]) -> dict[str, Mapping[str, Any]]:
        """The documents of the threads that exist among `slugs`."""
        return {doc["slug"]: doc for doc in self.table.search(Q.slug.one_of(list(slugs)))}

    async def by_slug_soon(self, slugs: Iterable[str]) -> dict[str, Mapping[str, Any]]:
        """``by_slug`` for a request that can wait without holding up the worker."""
        return {doc["slug"]: doc for doc in await self.table.search_soon("slug", list(slugs))}

    def all(self) -> list[Document]:
        return self.table.all()

    def reaction_counts(self, doc: Mapping[str, Any] | None) -> dict[str, int]:
        """Every configured reaction kind, in order, with its count on the thread."""
        stored = (doc or {}).get("reactions", {})
        return {kind: stored.get(kind, 0) for kind in self.ctx.settings.reactions}


def check_open(article: Article, thread: ThreadWrite) -> None:
    """403 `thread_locked` when the article is `Comments: closed` or a moderator locked it.

    A closed or locked thread is read-only: no comments, edits, likes or reactions.
    """
    if article.closed or thread.locked:
        raise thread_locked()
