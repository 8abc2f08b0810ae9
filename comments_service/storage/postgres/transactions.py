"""Write transactions and read snapshots on one PostgreSQL connection.

Every write transaction takes one advisory lock first, so writers take
turns across every worker and host as SQLite's ``BEGIN IMMEDIATE`` makes
them take turns on one file: a transaction that reads and then writes never
works on a picture another writer changed meanwhile (each statement of READ
COMMITTED sees every commit made before the lock was granted), ids are
handed out in commit order, and the change log reads in the order it was
written. Group commit keeps the turns few.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from .session import Session, in_transaction

#: pg_advisory_xact_lock key that writers take turns on ("KURIWRIT").
WRITE_LOCK = 0x4B55524957524954
BEGIN_WRITE = f"BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})".encode()


class Transaction:
    """``BEGIN`` + the writers' lock … ``COMMIT``; a nested block is a savepoint inside it.

    The one object of a storage also holds its lock, which a transaction
    keeps to the thread that opened it, and the change announcement that
    goes out with the next COMMIT.
    """

    __slots__ = ("session", "lock", "depth", "on_commit", "announce_pending")

    def __init__(self, session: Session) -> None:
        self.session = session
        self.lock = session.lock
        #: How many ``with`` blocks are open; 0 outside a transaction.
        self.depth = 0
        #: Called after each successful outermost COMMIT, in the thread that committed.
        self.on_commit: Callable[[], None] | None = None
        #: A payload to NOTIFY with the COMMIT (``announce``), or None.
        self.announce_pending: str | None = None

    def __enter__(self) -> None:
        self.lock.acquire()
        try:
            if self.depth:
                self.session.execute(b"SAVEPOINT nested")
            else:
                self.announce_pending = None
                self.session.execute(BEGIN_WRITE)
        except BaseException:
            self.lock.release()
            raise
        self.depth += 1

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        committed = False
        try:
            self.depth -= 1
            conn = self.session.connection
            if self.depth:
                if exc_type is not None and in_transaction(conn):
                    self.session.execute(b"ROLLBACK TO nested")
                if in_transaction(conn):
                    self.session.execute(b"RELEASE nested")
            elif exc_type is not None:
                self.session.rollback()
            else:
                try:
                    if self.announce_pending is not None:
                        self.session.notify(self.announce_pending)
                    self.session.execute(b"COMMIT")
                except BaseException:
                    self.session.rollback()
                    raise
                committed = True
        finally:
            self.lock.release()
        if committed and self.on_commit is not None:
            self.on_commit()


class Snapshot:
    """A read-only REPEATABLE READ transaction, so reads of several tables see one moment."""

    __slots__ = ("_txn", "_began")

    def __init__(self, txn: Transaction) -> None:
        self._txn = txn
        self._began = False

    def __enter__(self) -> None:
        txn = self._txn
        txn.lock.acquire()
        # Inside a write transaction the reads already see what it wrote.
        if not txn.depth:
            try:
                txn.session.execute(b"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            except BaseException:
                txn.lock.release()
                raise
            self._began = True

    def __exit__(self, *exc_info: object) -> None:
        txn = self._txn
        try:
            if self._began:
                txn.session.rollback()  # nothing was written: ending it is enough
        finally:
            txn.lock.release()
