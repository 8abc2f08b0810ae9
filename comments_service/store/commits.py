"""Group commit: the writes of requests that arrive together share one transaction.

With synchronous=FULL every COMMIT waits for the disk. Handlers run SQLite
inline on the event loop, so requests that arrive while one write commits
queue behind it; instead of a commit (and an fsync) each, the writes queued
in one turn of the loop are committed together. Each runs in a savepoint of
its own, so one that is refused (rate limit, locked thread) changes nothing
for the others, and results are handed out only after the COMMIT: a 201 still
means the comment is on disk. When the worker stops, what is still queued is
committed (and answered) before the database closes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from ..storage import Database, StorageError

T = TypeVar("T")


class GroupCommit:
    """Runs write operations in shared transactions, one per turn of the loop."""

    def __init__(self, db: Database, on_batch: Callable[[int], object] | None = None):
        self.db = db
        self.on_batch = on_batch  # told each batch's size once it committed
        self.closed = False
        # Each future waits for its own operation's result, whatever its type.
        self._pending: list[tuple[Callable[[], object], asyncio.Future[Any]]] = []

    async def run(self, operation: Callable[[], T]) -> T:
        """Run `operation` (which may raise) in the next shared transaction."""
        if self.closed:
            raise StorageError("the service is stopping: nothing was written")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._pending.append((operation, future))
        if len(self._pending) == 1:
            # Runs after the request tasks already scheduled in this turn,
            # which is what lets their writes join this batch.
            loop.call_soon(self._commit)
        return await future

    def close(self) -> None:
        """The worker stops: commit what is queued now, then take no more writes."""
        self.closed = True
        self._commit()

    def _commit(self) -> None:
        batch, self._pending = self._pending, []
        if not batch:
            return
        outcomes: list[tuple[asyncio.Future[Any], object, BaseException | None]] = []
        try:
            with self.db.transaction():
                for operation, future in batch:
                    try:
                        with self.db.transaction():  # a savepoint of its own
                            outcomes.append((future, operation(), None))
                    except StorageError:
                        # The transaction itself failed (PostgreSQL's writers' lock, taken
                        # with the first statement; a lost connection): the whole batch.
                        raise
                    except Exception as error:  # noqa: BLE001 - handed to its request
                        outcomes.append((future, None, error))
        except Exception as error:  # noqa: BLE001 - the commit failed: nothing was written
            outcomes = [(future, None, error) for _, future in batch]
        else:
            if self.on_batch is not None:
                self.on_batch(len(batch))
        for future, value, failure in outcomes:
            if future.done():  # the request was cancelled meanwhile
                continue
            if failure is None:
                future.set_result(value)
            else:
                future.set_exception(failure)
