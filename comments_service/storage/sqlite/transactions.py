"""Write transactions and read snapshots on one SQLite connection.

Every write is one ``BEGIN IMMEDIATE`` transaction: SQLite takes the write
lock at the start, so a transaction that reads and then writes never fails
halfway because another process wrote in between.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from types import TracebackType


def busy(exc: sqlite3.Error) -> bool:
    """Whether SQLite gave up waiting for another connection's lock."""
    return getattr(exc, "sqlite_errorname", "") in ("SQLITE_BUSY", "SQLITE_LOCKED")


class Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT``; a nested block is a savepoint inside it.

    A savepoint lets an inner block that raises undo only its own writes, so a
    caller that catches the error can still commit the rest. The one object
    of a connection also holds its lock, which a transaction keeps to the
    thread that opened it.
    """

    __slots__ = ("conn", "lock", "depth", "on_commit", "_busy_error")

    def __init__(
        self,
        conn: sqlite3.Connection,
        lock: threading.RLock,
        busy_error: Callable[[], Exception],
    ) -> None:
        self.conn = conn
        self.lock = lock
        #: How many ``with`` blocks are open; 0 outside a transaction.
        self.depth = 0
        #: Called after each successful outermost COMMIT, in the thread that committed.
        self.on_commit: Callable[[], None] | None = None
        self._busy_error = busy_error

    def _begin(self) -> None:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if busy(exc):
                raise self._busy_error() from exc
            raise

    def __enter__(self) -> None:
        self.lock.acquire()
        try:
            if self.depth:
                self.conn.execute("SAVEPOINT nested")
            else:
                self._begin()
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
        conn = self.conn
        committed = False
        try:
            self.depth -= 1
            if self.depth:
                # SQLite may already have rolled everything back (e.g. disk full).
                if exc_type is not None and conn.in_transaction:
                    conn.execute("ROLLBACK TO nested")
                if conn.in_transaction:
                    conn.execute("RELEASE nested")
            elif exc_type is not None:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            else:
                try:
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
                committed = True
        finally:
            self.lock.release()
        if committed and self.on_commit is not None:
            self.on_commit()


class Snapshot:
    """A read transaction, so reads of several tables see one moment."""

    __slots__ = ("_txn", "_began")

    def __init__(self, txn: Transaction) -> None:
        self._txn = txn
        self._began = False

    def __enter__(self) -> None:
        txn = self._txn
        txn.lock.acquire()
        # Inside a write transaction the reads already see one moment.
        if not txn.depth:
            try:
                txn.conn.execute("BEGIN")
            except BaseException:
                txn.lock.release()
                raise
            self._began = True

    def __exit__(self, *exc_info: object) -> None:
        txn = self._txn
        try:
            if self._began and txn.conn.in_transaction:
                txn.conn.execute("COMMIT")
        finally:
            txn.lock.release()
