"""Write transactions and read snapshots on one PostgreSQL connection.

Every write transaction takes one advisory lock first, so writers take
turns across every worker and host as SQLite's ``BEGIN IMMEDIATE`` makes
them take turns on one file: a transaction that reads and then writes never
works on a picture another writer changed meanwhile (each statement of READ
COMMITTED sees every commit made before the lock was granted), ids are
handed out in commit order, and the change log reads in the order it was
written. Group commit keeps the turns few.

Round trips are what a worker waits for, so BEGIN, the lock, savepoints and
their releases are deferred (``Session.defer``) and go out with the next
statement in one pipeline; a block that runs no statement sends none.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

import psycopg

from .memory import Memory
from .session import Session, in_transaction

#: pg_advisory_xact_lock key that writers take turns on ("KURIWRIT").
WRITE_LOCK = 0x4B55524957524954
TAKE_TURN = f"SELECT pg_advisory_xact_lock({WRITE_LOCK})"
BEGIN_READ = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"


class Transaction:
    """``BEGIN`` + the writers' lock … ``COMMIT``; a nested block is a savepoint inside it.

    The one object of a storage also holds its lock, which a transaction
    keeps to the thread that opened it, and the change announcement that
    goes out with the next COMMIT.
    """

    __slots__ = ("session", "lock", "depth", "on_commit", "announce_pending", "_memory")

    def __init__(self, session: Session) -> None:
        self.session = session
        self.lock = session.lock
        #: How many ``with`` blocks are open; 0 outside a transaction.
        self.depth = 0
        self._memory: dict[str, Memory] = {}
        #: Called after each successful outermost COMMIT, in the thread that committed.
        self.on_commit: Callable[[], None] | None = None
        #: A payload to NOTIFY with the COMMIT (``announce``), or None.
        self.announce_pending: str | None = None

    def __enter__(self) -> None:
        self.lock.acquire()
        # Sent with the block's first statement, in the same round trip.
        if self.depth:
            self.session.defer(f"SAVEPOINT s{self.depth}")
        else:
            self.announce_pending = None
            self.forget()
            self.session.defer("BEGIN")
            self.session.defer(TAKE_TURN)
        self.depth += 1

    def memory(self, table: str) -> Memory | None:
        """What this write transaction has read and written of ``table``; None outside one."""
        if not self.depth:
            return None
        found = self._memory.get(table)
        if found is None:
            found = self._memory[table] = Memory()
        return found

    def forget(self) -> None:
        """Forget every table's memory (a block was undone, a table cleared or dropped)."""
        self._memory.clear()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        committed = False
        try:
            self.depth -= 1
            session = self.session
            if self.depth:
                marker = f"SAVEPOINT s{self.depth}"
                if exc_type is not None:
                    self.forget()  # what the block wrote is undone
                if session.unsent(marker):
                    # Nothing of the block reached the server: forget it, or keep
                    # its deferred writes for the enclosing block.
                    if exc_type is not None:
                        session.drop_from(marker)
                    else:
                        session.drop_marker(marker)
                elif exc_type is not None and in_transaction(session.connection):
                    session.drop_deferred()  # all of it came after the savepoint
                    self._roll_back_to(marker)
                elif in_transaction(session.connection):
                    session.defer(f"RELEASE {marker}")
            elif session.withdraw(TAKE_TURN) and session.withdraw("BEGIN"):
                pass  # no statement ran: there is no transaction to end
            elif exc_type is not None:
                session.rollback()
            else:
                try:
                    if self.announce_pending is not None:
                        session.defer(session.notify_statement(self.announce_pending))
                    session.execute(b"COMMIT")
                except BaseException:
                    session.rollback()
                    raise
                committed = True
        finally:
            self.lock.release()
        if committed and self.on_commit is not None:
            self.on_commit()

    def _roll_back_to(self, marker: str) -> None:
        """Undo a failed block to its savepoint, which may never have come to be: it went
        out in one round trip after a statement that failed (the writers' lock, say),
        and the whole transaction failed with it. The block's own error says why."""
        try:
            self.session.execute(f"ROLLBACK TO {marker}")
        except psycopg.errors.InvalidSavepointSpecification:
            return
        self.session.defer(f"RELEASE {marker}")


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
            txn.session.defer(BEGIN_READ)  # with the first read, in one round trip
            self._began = True

    def __exit__(self, *exc_info: object) -> None:
        txn = self._txn
        try:
            if self._began and not txn.session.withdraw(BEGIN_READ):
                txn.session.rollback()  # nothing was written: ending it is enough
        finally:
            txn.lock.release()
