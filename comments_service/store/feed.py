"""What the comment feeds show: the newest public comments, of the site or of one thread.

Read newest first through the index on `created`, a page at a time, until
enough public ones are found; never a scan of the table.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tinydb.queries import QueryInstance
from tinydb.table import Document

from .comment import is_public
from .context import Context
from .tables import Q
from .threads import Threads

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Feed:
    """Reads for the comment feeds, each in one snapshot."""

    def __init__(self, ctx: Context, threads: Threads):
        self.ctx = ctx
        self.threads = threads

    def latest(self, size: int, slug: str | None = None) -> tuple[list[Document], datetime]:
        """The newest `size` public comments of visible threads (of one), newest first,
        and when the site (the thread) last changed."""

        def visible(thread: str) -> bool:
            article = self.ctx.article(thread)
            return article is not None and not article.hidden

        public = QueryInstance(lambda row: is_public(row) and visible(row["thread"]), ("public",))
        cond = (Q.thread == slug) & public if slug is not None else public
        with self.ctx.db.snapshot():
            rows = self.ctx.tables.comments.newest("created", size, cond)
            last = self.ctx.log.last_id() if slug is None else self.threads.last_event_id(slug)
            changed = self._change_time(last)
        return rows, changed

    def _change_time(self, change_id: int) -> datetime:
        """When a change in the log was made (EPOCH if it is no longer kept)."""
        row = self.ctx.log.table.get(doc_id=change_id) if change_id else None
        return datetime.fromtimestamp(row["at"], UTC) if row else EPOCH
