"""Session: a worker's one connection to PostgreSQL, the statements it runs, and reconnecting.

A lost connection is opened again on the next statement that starts outside
a transaction; one lost inside a transaction fails that transaction, which
then wrote nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import sql

from ..errors import DatabaseBusyError, StorageError
from .address import Address
from .migrations import MIGRATION_LOCK, migrate

#: synchronous (the SQLite engine's option) as PostgreSQL's synchronous_commit.
SYNCHRONOUS_COMMIT = {"OFF": "off", "NORMAL": "local", "FULL": "on", "EXTRA": "remote_apply"}


def in_transaction(conn: psycopg.Connection) -> bool:
    """Whether the server holds an open (or failed) transaction on ``conn``."""
    status = conn.info.transaction_status
    return status in (psycopg.pq.TransactionStatus.INTRANS, psycopg.pq.TransactionStatus.INERROR)


class Session:
    """One connection, its lock, and the settings every reconnection applies again."""

    def __init__(self, address: Address, synchronous: str, busy_timeout: float) -> None:
        self.address = address
        self.path = address.shown  # what messages name, as the SQLite engine's path
        self.synchronous = synchronous
        self.busy_timeout = busy_timeout
        self.lock = threading.RLock()
        self.closed = False
        self._open_txn = False
        self._deferred: list[tuple[str | bytes, Sequence[Any] | None]] = []
        #: Called after a reconnection (the new connection knows no table yet).
        self.on_reconnect: list[Any] = []
        self.connection = self._connect(setup=True)

    def _connect(self, setup: bool = False) -> psycopg.Connection:
        try:
            conn = psycopg.connect(self.address.conninfo, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            raise StorageError(f"{self.path} cannot be opened: {exc}") from exc
        try:
            schema = sql.Identifier(self.address.schema)
            if setup:
                # Under the migrations' lock: CREATE SCHEMA IF NOT EXISTS is not safe
                # when several hosts open a new database at the same moment.
                with conn.transaction():
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
                    conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(schema))
            conn.execute(sql.SQL("SET search_path TO {}").format(schema))
            timeout = f"{int(self.busy_timeout * 1000)}ms"
            conn.execute("SELECT set_config('lock_timeout', %s, false)", (timeout,))
            level = SYNCHRONOUS_COMMIT[self.synchronous]
            conn.execute("SELECT set_config('synchronous_commit', %s, false)", (level,))
            if setup:
                migrate(conn, self.path)  # recognises the schema under the lock first
        except psycopg.Error as exc:
            conn.close()
            raise StorageError(f"{self.path} cannot be opened: {exc}") from exc
        except BaseException:
            conn.close()
            raise
        return conn

    def defer(self, statement: str | bytes, params: Sequence[Any] | None = None) -> None:
        """Send ``statement`` (no result wanted) with the next one that needs an answer.

        BEGIN, savepoints and their releases, and writes whose outcome nobody
        reads (an UPDATE, a DELETE) ride along with the statement that needs
        an answer, in one round trip (psycopg's pipeline mode); a block that
        runs no statement sends none of them. An error in one surfaces at
        that next statement and fails the transaction, as it would have.
        """
        self._deferred.append((statement, params))

    def withdraw(self, statement: str) -> bool:
        """Take back ``statement`` if it was deferred last and not sent yet; whether it was."""
        if self._deferred and self._deferred[-1][0] == statement:
            self._deferred.pop()
            return True
        return False

    def unsent(self, marker: str) -> bool:
        """Whether ``marker`` (a BEGIN or SAVEPOINT) is still waiting to be sent."""
        return any(statement == marker for statement, _ in self._deferred)

    def drop_from(self, marker: str) -> None:
        """Forget ``marker`` and everything deferred after it: a block that failed
        before any of it reached the server."""
        for position, (statement, _) in enumerate(self._deferred):
            if statement == marker:
                del self._deferred[position:]
                return

    def drop_marker(self, marker: str) -> None:
        """Forget ``marker`` alone: its block ended well before it was sent, and what
        the block deferred after it now belongs to the enclosing one."""
        self._deferred = [item for item in self._deferred if item[0] != marker]

    def drop_deferred(self) -> None:
        """Forget everything deferred."""
        self._deferred.clear()

    def execute(
        self, statement: bytes | str | sql.SQL | sql.Composed, params: Sequence[Any] | None = None
    ) -> psycopg.Cursor[Any]:
        """Run one statement (after what was deferred); outside a transaction a lost
        connection is opened again."""
        return self.execute_together([(statement, params)])[0]

    def execute_together(
        self, statements: Sequence[tuple[bytes | str | sql.SQL | sql.Composed, Any]]
    ) -> list[psycopg.Cursor[Any]]:
        """Run several ``(statement, params)`` after what was deferred, in one round
        trip; a cursor with each one's result."""
        with self.lock:
            if self.closed:
                raise StorageError(f"{self.path} is closed")
            if self.connection.broken and not self._open_txn:
                self._reconnect()
            deferred, self._deferred = self._deferred, []
            conn = self.connection
            try:
                if not deferred and len(statements) == 1:
                    cursors = [conn.execute(*statements[0])]
                else:
                    with conn.pipeline():
                        for before, values in deferred:
                            text = before.encode() if isinstance(before, str) else before
                            conn.execute(text, values)
                        cursors = [conn.execute(*statement) for statement in statements]
            except psycopg.errors.LockNotAvailable as exc:
                raise self._busy_error() from exc
            except psycopg.OperationalError as exc:
                if not conn.broken:
                    raise
                self._open_txn = False
                raise StorageError(f"{self.path}: the connection was lost: {exc}") from exc
            finally:
                self._open_txn = not conn.broken and in_transaction(conn)
            return cursors

    def cursor(self) -> psycopg.Cursor[Any]:
        """A cursor for COPY and executemany, after sending what was deferred."""
        if self._deferred:
            self.execute(b"SELECT 1")
        return self.connection.cursor()

    def _reconnect(self) -> None:
        self.connection.close()
        self.connection = self._connect()
        for forget in self.on_reconnect:
            forget()

    def rollback(self) -> None:
        """End the open transaction, writing nothing; nothing to do on a lost connection."""
        with self.lock:
            self._deferred.clear()
            self._open_txn = False
            if not self.connection.broken and in_transaction(self.connection):
                self.connection.execute(b"ROLLBACK")

    def notify_statement(self, payload: str) -> str:
        """NOTIFY the listeners of this schema (inside a transaction: when it commits)."""
        channel, text = sql.Literal(self.address.channel), sql.Literal(payload)
        return sql.SQL("SELECT pg_notify({}, {})").format(channel, text).as_string()

    def _busy_error(self) -> DatabaseBusyError:
        return DatabaseBusyError(
            f"{self.path} is busy: another writer held the lock"
            f" for more than {self.busy_timeout:g} s"
        )

    def close(self) -> None:
        """Close the connection; the server rolls back an open transaction."""
        with self.lock:
            self.closed = True
            self.connection.close()
