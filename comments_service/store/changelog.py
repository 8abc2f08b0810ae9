"""The change log: one row per change to a thread, read by every worker for live events.

The store appends a change in the same transaction as the change itself, so
a change is in the log exactly when it is committed, whichever process looks.
Rows are {thread, event, data, at}: `data` is what readers of the thread may
see (never a comment's source or anyone's personal fields) and `at` the Unix
time. Ids grow with every change and are never handed out twice, which makes
them the events' ids; the log keeps the last day of changes, at most
KEEP_ROWS of them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from tinydb import Query

from ..storage import Database

KEEP_SECONDS = 24 * 3600
KEEP_ROWS = 100_000
TRIM_BATCH = 10_000  # rows removed at most per trim, so one never holds the lock long
Q = Query()


@dataclass(frozen=True, slots=True)
class Change:
    """One committed change to a thread, as its event."""

    id: int
    thread: str
    event: str
    data: dict[str, Any]


class ChangeLog:
    """The `changes` table: appended inside write transactions, read by id."""

    def __init__(self, db: Database):
        self.db = db
        self.table = db.table("changes", indexes=("thread",))

    def append(self, thread: str, event: str, data: dict[str, Any]) -> int:
        """Record a change; call inside the transaction that makes it. Its id."""
        row = {"thread": thread, "event": event, "data": data, "at": time.time()}
        change_id = self.table.insert(row)
        # Workers elsewhere hear of it when the transaction commits (PostgreSQL's
        # NOTIFY); on SQLite they notice the file changed.
        self.db.storage.announce(str(change_id))
        return change_id

    def after(self, change_id: int, limit: int, thread: str | None = None) -> list[Change]:
        """Up to `limit` changes with ids above `change_id` (of one thread), oldest first."""
        cond = Q.thread == thread if thread is not None else None
        return [
            Change(doc.doc_id, doc["thread"], doc["event"], doc["data"])
            for doc in self.table.after(change_id, limit, cond)
        ]

    def last_id(self) -> int:
        """The id of the latest change ever recorded (0 before the first)."""
        return self.table.last_id()

    def kept_after(self) -> int:
        """The changes after this id are all still kept (those up to it may be trimmed)."""
        first = self.table.first_id()
        return self.table.last_id() if first is None else first - 1

    def trim(self, now: float | None = None) -> int:
        """Forget changes older than a day or beyond the newest KEEP_ROWS; how many went.

        Runs in one write transaction, so workers that trim at the same time
        take turns and the later finds nothing left to do.
        """
        cutoff = (time.time() if now is None else now) - KEEP_SECONDS
        with self.db.transaction():
            first = self.table.first_id()
            if first is None:
                return 0
            last = self.table.last_id()
            through = max(last - KEEP_ROWS, self._last_older_than(cutoff, first, last))
            through = min(through, first + TRIM_BATCH - 1)
            return self.table.remove_through(through) if through >= first else 0

    def _last_older_than(self, cutoff: float, first: int, last: int) -> int:
        """The highest id recorded before `cutoff` (first - 1 if none).

        A binary search by id: ids and times grow together, since both are
        taken under the write lock.
        """
        low, high = first, last + 1  # the answer + 1 lies in [low, high]
        while low < high:
            middle = (low + high) // 2
            found = self.table.after(middle - 1, 1)
            if found and found[0]["at"] < cutoff:
                low = found[0].doc_id + 1
            else:
                high = middle
        return low - 1
