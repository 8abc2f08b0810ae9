"""PostgresStorage: a worker's storage of a Kurier comments database on PostgreSQL.

The same contract as the SQLite engine's storage (see ``storage/__init__``):
one connection a worker (``session.py``), used inline by the event loop's
handlers and serialised by a lock, every write one transaction
(``transactions.py``), documents as the same JSON text in the same tables
(``tables.py``, ``rows.py``). One more connection, the listener
(``listener.py``), learns of other workers' commits through LISTEN/NOTIFY.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

import psycopg
from tinydb.storages import Storage

from ..documents import check_fields, check_name
from ..errors import StorageError
from ..whole_tables import TablesOfStorage
from .address import Address
from .listener import Listener
from .reader import Reader
from .rows import PostgresRows
from .session import SYNCHRONOUS_COMMIT, Session
from .tables import PostgresTables
from .transactions import TAKE_TURN, Snapshot, Transaction


class PostgresStorage(TablesOfStorage, Storage):
    """One worker's PostgreSQL connection to a Kurier comments schema."""

    _tables: PostgresTables

    def __init__(
        self,
        location: str,
        *,
        synchronous: str = "FULL",
        busy_timeout: float = 10.0,
        quick_check: bool = True,
        create_dirs: bool = False,
    ) -> None:
        """`location` is a postgresql:// address; `?schema=NAME` picks the schema."""
        del quick_check, create_dirs  # the server checks its own pages; there is no folder
        mode = str(synchronous).upper()
        if mode not in SYNCHRONOUS_COMMIT:
            raise ValueError(f"synchronous must be one of {', '.join(SYNCHRONOUS_COMMIT)}")
        if not busy_timeout >= 0:
            raise ValueError(f"busy_timeout must be >= 0 seconds, not {busy_timeout!r}")
        self.address = Address.parse(location)
        self.path = self.address.shown  # what messages name, as the SQLite engine's path
        self.synchronous = mode
        self.busy_timeout = float(busy_timeout)
        self.session = Session(self.address, mode, self.busy_timeout)
        self._txn = Transaction(self.session)
        self._tables = PostgresTables(self.session, self._txn)
        self.session.on_reconnect.append(self._tables.known.clear)
        self._listener: Listener | None = None
        self._reader = Reader(self.address)
        #: Called from the listener's thread when another connection committed changes.
        self.on_change: Callable[[], None] | None = None

    @property
    def on_commit(self) -> Callable[[], None] | None:
        """Called after each successful outermost COMMIT of this connection."""
        return self._txn.on_commit

    @on_commit.setter
    def on_commit(self, callback: Callable[[], None] | None) -> None:
        self._txn.on_commit = callback

    # transactions ----------------------------------------------------------

    def transaction(self) -> Transaction:
        """A write transaction; nested use joins the outer one (as a savepoint)."""
        return self._txn

    @property
    def in_transaction(self) -> bool:
        """Whether this connection is inside ``transaction()``."""
        return self._txn.depth > 0

    def snapshot(self) -> Snapshot:
        """A read transaction: the reads inside it all see one moment."""
        return Snapshot(self._txn)

    def prefetch(self, wanted: Iterable[tuple[PostgresRows, Any]]) -> None:
        """Ask the searches a write transaction is about to make, all in one round trip.

        ``wanted`` pairs a table's rows with a query description; the rows come
        back into the transaction's memory, so the searches themselves send
        nothing. Outside a write transaction there is no memory: nothing to do.
        """
        asked = [found for rows, description in wanted if (found := rows.wanted(description))]
        if not asked:
            return
        cursors = self.session.execute_together([statement for statement, _ in asked])
        for ((statement, params), memory), cursor in zip(asked, cursors, strict=True):
            memory.answer(statement, params, cursor.fetchall)

    def announce(self, payload: str) -> None:
        """Tell other workers, when the current transaction commits, that it changed things.

        ``payload`` is small (a change id); several announcements in one
        transaction go out as the last one.
        """
        self._txn.announce_pending = payload

    # TinyDB's Storage contract (read and write: TablesOfStorage) ------------

    def close(self) -> None:
        """Close the connections; an open transaction is rolled back."""
        with self.session.lock:
            if self.session.closed:
                return
            if self._listener is not None:
                self._listener.stop()
            self._reader.close()
            self._txn.depth = 0
            self.session.close()

    # tables ----------------------------------------------------------------

    def rows(
        self, name: str, indexes: Iterable[str] = (), persist_empty: bool = False
    ) -> PostgresRows:
        """The rows of table ``name``, declaring ``indexes``; the table is created now.

        PostgreSQL ends a transaction at its first error, so a read of a table
        that does not exist must not happen inside one: every table exists
        from the moment a handle asks for it.
        """
        del persist_empty
        rows = PostgresRows(
            check_name(name), check_fields(indexes), self._txn, self._tables, self._reader
        )
        rows.set_indexed(self.ensure_table(name, rows.declared))
        return rows

    # operations ------------------------------------------------------------

    def data_version(self) -> int:
        """Changes whenever another connection may have committed changes.

        Counted by the listener from notifications (and once more after each
        reconnect, since notifications may have been missed meanwhile); it
        starts with the first call. No query: the change feed asks ten times
        a second.
        """
        if self._listener is None:
            with self.session.lock:
                if self._listener is None:
                    self._listener = Listener(self.address, self._changed)
        return self._listener.version

    def _changed(self) -> None:
        callback = self.on_change
        if callback is not None:
            callback()

    def integrity_check(self) -> str:
        """Whether the schema can be read: "ok", as SQLite's integrity report says it."""
        self.session.execute("SELECT count(*) FROM kurier_tables")
        return "ok"

    def ping(self) -> None:
        """One round trip to the server; raises StorageError when it cannot be reached."""
        self.session.execute("SELECT 1")

    def check_writable(self, wait: float) -> None:
        """Take the writers' lock and let it go, writing nothing; raise StorageError when
        the server is a standby in recovery, takes no writes (read-only), or the lock
        does not come within `wait` seconds."""
        session = self.session
        with session.lock:
            if self._txn.depth:
                return  # this connection is writing right now
            try:
                cursors = session.execute_together([
                    (b"BEGIN", None),
                    ("SELECT set_config('lock_timeout', %s, true)", (f"{int(wait * 1000)}ms",)),
                    (b"SELECT pg_is_in_recovery(), current_setting('transaction_read_only')",
                     None),
                ])  # fmt: skip
                recovery, read_only = cursors[-1].fetchone() or (False, "off")
                if recovery:
                    raise StorageError(f"{self.path} is a standby in recovery: it takes no writes")
                if read_only == "on":
                    raise StorageError(f"{self.path} is read-only: it takes no writes")
                session.execute(TAKE_TURN)
            except psycopg.Error as exc:
                raise StorageError(f"{self.path} takes no writes: {exc}") from exc
            finally:
                session.rollback()

    def backup(self, target: str | os.PathLike[str]) -> None:
        """Write a consistent copy to ``target`` as a Kurier SQLite file.

        For the server's own backups use ``pg_dump`` (and WAL archiving for
        point-in-time recovery); this copy is for moving and for drills.
        """
        from ..sqlite import SQLiteStorage

        if self._txn.depth:
            raise StorageError("backup() cannot run inside a transaction")
        target = os.fspath(target)
        temporary = f"{target}.tmp-{os.getpid()}"
        if os.path.exists(temporary):
            os.remove(temporary)
        data = self.export_data()
        try:
            copy = SQLiteStorage(temporary, synchronous="FULL")
            try:
                copy.import_data(data)
                copy.single_file()
            finally:
                copy.close()
            os.replace(temporary, target)
        except BaseException:
            for leftover in (temporary, temporary + "-wal", temporary + "-shm"):
                if os.path.exists(leftover):
                    os.remove(leftover)
            raise
