"""Comments brought in from elsewhere (Isso): inserted as they were, counted afterwards."""

from __future__ import annotations

from typing import Any

from .comment import is_public
from .context import Context
from .rows import CommentRow
from .tables import Q
from .threads import Threads


class Imports:
    """Writes of an import, inside the caller's transaction."""

    def __init__(self, ctx: Context, threads: Threads):
        self.ctx = ctx
        self.threads = threads
        self.comments = ctx.tables.comments

    def imported_ids(self, key: str) -> dict[Any, int]:
        """Earlier imports: the source's id (kept in `key`) -> Kurier's id. A one-off scan."""
        return {row[key]: row.doc_id for row in self.comments.search(Q[key].exists())}

    def insert(self, row: CommentRow) -> int:
        return self.comments.insert(row)

    def recount(self, slug: str) -> None:
        """Set the thread's comment count from its rows; a new version for every worker."""
        rows = self.comments.search(Q.thread == slug)
        count = sum(1 for row in rows if is_public(row))
        self.threads.for_update(slug).save(comment_count=count)
